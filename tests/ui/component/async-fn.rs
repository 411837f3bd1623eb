use kfp_core::prelude::*;

#[component]
async fn train(epochs: i64) {
    let _ = epochs;
}

fn main() {}
