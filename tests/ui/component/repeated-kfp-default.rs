use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn train(#[kfp(default = 1)] #[kfp(default = 2)] epochs: i64) {
    let _ = epochs;
}

fn main() {}
