// Every lower-case call in a pipeline body is taken for a component call; a plain function
// is called through parentheses, `(log_start)()`.
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
