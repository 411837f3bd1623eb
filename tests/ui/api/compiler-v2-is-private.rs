//! The KFP v2 back end's helpers are internals; `Compiler` and `Target` are the API.
fn main() {
    let _ = kfp_core::compiler::v2::ir_value;
}
