use kfp_core::prelude::*;

#[component]
fn train(model_name: &str) {
    let _ = model_name;
}

fn main() {}
