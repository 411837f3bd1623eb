use kfp_core::prelude::*;

struct Model;

#[component]
fn train(epochs: i64) -> Model {
    let _ = epochs;
    Model
}

fn main() {}
