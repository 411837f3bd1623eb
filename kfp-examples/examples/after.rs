//! Explicit ordering with `.after()`, no data passed. Port of the oracle's `after` pipeline.

use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn print_msg(msg: String) {
    println!("{msg}");
}

#[pipeline(name = "after")]
pub fn after() {
    let a = print_msg("a");
    let b = print_msg("b").after(&a);
    let c = print_msg("c");
    print_msg("d").after(&b).after(&c);
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(after)
}
