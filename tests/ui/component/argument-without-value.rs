use kfp_core::prelude::*;

#[component(base_image)]
fn train(epochs: i64) {
    let _ = epochs;
}

fn main() {}
