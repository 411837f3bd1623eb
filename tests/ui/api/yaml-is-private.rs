//! The YAML writer (and the YAML crate behind it) is an internal of the compilers.
fn main() {
    let _ = kfp_core::yaml::from_str_multi("a: 1");
}
