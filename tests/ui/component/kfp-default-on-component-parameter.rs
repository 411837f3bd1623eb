use kfp_core::prelude::*;

#[component]
fn train(#[kfp(default = 3)] epochs: i64) {
    let _ = epochs;
}

fn main() {}
