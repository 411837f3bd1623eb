use kfp_core::prelude::*;

const IMAGE: &str = "python:3.11";

#[component(base_image = IMAGE)]
fn train(epochs: i64) {
    let _ = epochs;
}

fn main() {}
