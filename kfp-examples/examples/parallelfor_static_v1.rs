//! Loops over a static list: scalars, and JSON objects with field access. The oracle's v1
//! `parallelfor_static` pipeline, compiled for both targets. It lives in
//! `parallelfor_static.rs` beside the v2 one (which also collects the loop's outputs), with
//! which it shares a component.

pub use kfp_examples::parallelfor_static::parallelfor_static_v1 as parallelfor_static;

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(parallelfor_static)
}
