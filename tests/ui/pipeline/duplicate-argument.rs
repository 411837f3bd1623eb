use kfp_core::prelude::*;

#[pipeline(name = "first", name = "second")]
fn train_pipeline() {}

fn main() {}
