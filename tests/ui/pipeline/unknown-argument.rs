use kfp_core::prelude::*;

#[pipeline(nmae = "train")]
fn train_pipeline() {}

fn main() {}
