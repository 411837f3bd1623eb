use kfp_core::prelude::*;

#[component(base_image = "python:3.11\nRUN touch /pwned")]
fn train(epochs: i64) {
    let _ = epochs;
}

fn main() {}
