//! Conditional execution, nested, on a task output and a pipeline parameter: the oracle's v1
//! `condition` pipeline (KFP v1 has no else: it is a second condition with the negated
//! comparison), compiled for both targets. It lives in `condition.rs` beside the v2 one, whose
//! components it shares.

pub use kfp_examples::condition::condition_v1 as condition;

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(condition)
}
