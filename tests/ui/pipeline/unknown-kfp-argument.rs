use kfp_core::prelude::*;

#[pipeline(name = "defaults")]
fn defaults(#[kfp(defualt = 3)] epochs: i64) {}

fn main() {}
