use kfp_core::prelude::*;

#[component(packages = ["mlflow", boto3])]
fn train(epochs: i64) {
    let _ = epochs;
}

fn main() {}
