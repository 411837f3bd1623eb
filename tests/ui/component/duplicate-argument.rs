use kfp_core::prelude::*;

#[component(base_image = "python:3.11", base_image = "python:3.12")]
fn train(epochs: i64) {
    let _ = epochs;
}

fn main() {}
