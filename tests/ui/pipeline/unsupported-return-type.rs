use kfp_core::prelude::*;

#[component]
fn count() -> i64 {
    3
}

// A pipeline's outputs are task outputs: a plain value is not one.
#[pipeline(name = "returns-a-number")]
fn returns_a_number() -> i64 {
    count();
    3
}

fn main() {
    let _ = returns_a_number();
}
