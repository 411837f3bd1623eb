use kfp_core::prelude::*;

#[derive(Outputs)]
struct Stats {
    sum: f64,
    elapsed: std::time::Duration,
}

fn main() {}
