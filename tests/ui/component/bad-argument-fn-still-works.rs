// Recovery: the attribute is wrong, yet the function is still emitted and callable, and a
// pipeline using it still type-checks, so the only error is the attribute's.
use kfp_core::prelude::*;

#[component(base_imge = "python:3.11")]
fn add(a: f64, b: f64) -> f64 {
    a + b
}

#[component]
fn show(value: f64) {
    println!("{value}");
}

#[pipeline(name = "recovery")]
fn recovery(a: f64) {
    let sum = add(a, 1.0);
    show(sum.output());
}

fn main() {
    assert_eq!(add(1.0, 2.0), 3.0);
    let _ = recovery();
}
