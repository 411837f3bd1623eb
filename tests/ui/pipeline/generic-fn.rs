use kfp_core::prelude::*;

#[pipeline(name = "generic")]
fn generic<T>(epochs: T) {}

fn main() {}
