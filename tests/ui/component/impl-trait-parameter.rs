use kfp_core::prelude::*;

#[component]
fn train(model_name: impl Into<String>) {
    let _ = model_name;
}

fn main() {}
