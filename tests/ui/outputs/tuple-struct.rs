use kfp_core::prelude::*;

#[derive(Outputs)]
struct Stats(f64, String);

fn main() {}
