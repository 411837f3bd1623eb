//! Every scalar and collection parameter type, as component inputs and outputs and as
//! pipeline parameters (with and without defaults): the oracle's v1 `param_types` pipeline,
//! compiled for both targets. It lives in `param_types.rs` beside the v2 one (which adds
//! component-level defaults), with which it shares its component.

pub use kfp_examples::param_types::param_types_v1 as param_types;

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(param_types)
}
