use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
struct Train {
    epochs: i64,
}

fn main() {}
