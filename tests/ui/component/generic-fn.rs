use kfp_core::prelude::*;

#[component]
fn train<T>(epochs: T) {
    let _ = epochs;
}

fn main() {}
