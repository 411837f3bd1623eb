use kfp_core::prelude::*;

fn log_start() {
    println!("starting");
}

#[component]
fn train(epochs: i64) {
    println!("{epochs}");
}

#[pipeline(name = "calls")]
fn calls(epochs: i64) {
    log_start();
    train(epochs);
}

fn main() {}
