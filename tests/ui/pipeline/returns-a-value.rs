use kfp_core::prelude::*;

#[component]
fn check() -> bool {
    true
}

#[pipeline(name = "returns")]
fn returns() -> bool {
    check();
    true
}

fn main() {}
