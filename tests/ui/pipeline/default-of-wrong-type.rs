use kfp_core::prelude::*;

#[pipeline(name = "defaults")]
fn defaults(#[kfp(default = "three")] epochs: i64) {}

fn main() {}
