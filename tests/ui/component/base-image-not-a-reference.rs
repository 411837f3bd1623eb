use kfp_core::prelude::*;

#[component(base_image = "Python:3.11")]
fn train(epochs: i64) {
    let _ = epochs;
}

fn main() {}
