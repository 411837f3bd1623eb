use kfp_core::prelude::*;

#[component]
fn train(epochs: i64, timeout: std::time::Duration) {
    println!("{epochs} {timeout:?}");
}

fn main() {}
