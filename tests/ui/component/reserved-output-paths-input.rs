use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn train(epochs: i64, __output_paths: String) {
    let _ = (epochs, __output_paths);
}

fn main() {}
