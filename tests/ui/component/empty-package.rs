use kfp_core::prelude::*;

#[component(packages = ["mlflow", ""])]
fn train(epochs: i64) {
    let _ = epochs;
}

fn main() {}
