use kfp_core::prelude::*;

#[component]
fn train(model_name: String, epochs: i64) {
    println!("{model_name} {epochs}");
}

#[pipeline(name = "missing")]
fn missing(model_name: String) {
    train(model_name);
}

fn main() {}
