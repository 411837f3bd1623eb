use kfp_core::prelude::*;

#[component]
fn train(epochs: i64) {
    println!("{epochs}");
}

#[pipeline(name = "wiring")]
fn wiring(epochs: String) {
    train(epochs);
}

fn main() {}
