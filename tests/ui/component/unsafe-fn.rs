use kfp_core::prelude::*;

#[component]
unsafe fn train(epochs: i64) {
    let _ = epochs;
}

fn main() {}
