use kfp_core::prelude::*;

#[pipeline(name = "!!!")]
fn train_pipeline() {}

fn main() {}
