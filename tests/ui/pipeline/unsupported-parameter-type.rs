use kfp_core::prelude::*;

#[pipeline(name = "params")]
fn params(epochs: std::time::Duration) {}

fn main() {}
