//! kfp-core's Python-text emulation is an internal of the compilers, not public API.
fn main() {
    let _ = kfp_core::pyjson::dumps;
}
