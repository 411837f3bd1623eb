//! An exit handler: a task that runs when the wrapped group finishes, failed or not. The
//! oracle's v1 `exit_handler` pipeline, compiled for both targets. It lives in
//! `exit_handler.rs` beside the v2 one (whose exit task reads how the group ended), with which
//! it shares its components.

pub use kfp_examples::exit_handler::exit_handler_v1 as exit_handler;

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(exit_handler)
}
