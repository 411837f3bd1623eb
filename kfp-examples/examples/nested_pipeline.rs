//! A pipeline used as a step of another, with an output: `add_twice` is a pipeline of its own
//! (compile it alone with `add_twice()`), and `nested_pipeline` calls it twice, feeding the
//! first call's output to the second.
//!
//! Each call runs as a DAG of its own: KFP v1's `graph-add-twice-<n>` template (kfp 1.8.9's
//! `@dsl.graph_component`), KFP v2's `comp-add-twice` component with its own inputs and
//! outputs (as kfp 2.17.3 compiles a pipeline called in a pipeline); a constant argument
//! (`2`) is passed as a literal, and `DEFAULT` takes the parameter's default.

use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[component(base_image = "python:3.11")]
fn show(x: i64) {
    println!("{x}");
}

#[pipeline(name = "add-twice")]
pub fn add_twice(x: i64, #[kfp(default = 1)] step: i64) -> TaskOutput<i64> {
    let once = add(x, step);
    add(once.output(), step).output()
}

#[pipeline(name = "nested-pipeline")]
pub fn nested_pipeline(#[kfp(default = 10)] start: i64) {
    let four_more = add_twice(start, 2);
    let five_more = add_twice(four_more, DEFAULT);
    show(five_more);
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(nested_pipeline)
}
