//! A component with several outputs (kfp's NamedTuple); consumers pick single outputs.
//! Port of the oracle's `multiple_outputs` pipeline.

use kfp_core::prelude::*;

/// The named outputs of `split_stats`.
#[derive(Outputs)]
pub struct Stats {
    sum: f64,
    product: f64,
    label: String,
    ok: bool,
}

#[component]
fn split_stats(a: f64, b: f64) -> Stats {
    Stats {
        sum: a + b,
        product: a * b,
        label: format!("{a:?}x{b:?}"),
        ok: true,
    }
}

#[component(base_image = "python:3.11")]
fn show(value: f64, label: String) {
    println!("{label} {value}");
}

#[pipeline(name = "multiple-outputs", description = "NamedTuple outputs")]
pub fn multiple_outputs(#[kfp(default = 2.0)] a: f64, #[kfp(default = 3.5)] b: f64) {
    let s = split_stats(a, b).outputs();
    show(s.sum, s.label);
    show(s.product, s.label);
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(multiple_outputs)
}
