use kfp_core::prelude::*;

#[component]
const fn train(epochs: i64) {
    let _ = epochs;
}

fn main() {}
