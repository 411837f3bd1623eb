//! Control flow inside pipelines called as components: `inner` has a condition on its
//! parameter and a loop over its list parameter, and is called twice (once with an upstream
//! task's output, once inside a condition).
//!
//! KFP v2 reads the nested pipeline's parameters as its component's own inputs and numbers
//! its groups from 1 (`condition-1`, `for-loop-2` in both calls), as kfp 2.17.3 does; KFP v1
//! makes `inner` a `graph-inner-<n>` DAG template, as kfp 1.8.9 compiles a
//! `@dsl.graph_component`. Port of `tests/kfp-golden/{v1,v2}/nested_control.py`.

use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[component(base_image = "python:3.11")]
fn show(x: i64) {
    println!("{x}");
}

#[pipeline(name = "inner")]
pub fn inner(x: i64, xs: Vec<i64>) {
    x.greater_than(5).then(|| {
        show(x);
    });
    ParallelFor::over(xs).run(|item| {
        add(item, x);
    });
}

#[pipeline(name = "nested-control")]
pub fn nested_control(#[kfp(default = 10)] start: i64, #[kfp(default = vec![1, 2])] xs: Vec<i64>) {
    let first = add(start, 1);
    inner(first.output(), xs);
    start.less_than(100).then(|| {
        inner(start, xs);
    });
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(nested_control)
}
