use kfp_core::prelude::*;

#[derive(Outputs)]
enum Stats {
    Sum(f64),
    Label(String),
}

fn main() {}
