//! The pod side is reached only through the code `#[component]` generates.
fn main() {
    let _ = kfp_core::runtime::args::parse_v1;
}
