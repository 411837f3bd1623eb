//! The local runner's benchmark pipelines (`bench/local_runner.py`), trivial `add(a, b)`
//! tasks in three shapes chosen by `KFP_BENCH_SHAPE`: `chain` (10 tasks, each feeding the
//! next), `fanout` (20 independent tasks) and `loop` (a 100-item `ParallelFor`).
//!
//! The variable picks the pipeline when the binary starts, so the tasks the runner starts
//! (the same binary, same environment) see the same pipeline.

use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Ten `add` tasks, each taking the previous one's sum.
#[pipeline(name = "bench-chain")]
pub fn chain() {
    let mut sum = add(0, 1).output();
    for _ in 1..10 {
        sum = add(sum, 1).output();
    }
}

/// Twenty independent `add` tasks.
#[pipeline(name = "bench-fanout")]
pub fn fanout() {
    for i in 0..20 {
        add(i, 1);
    }
}

/// One `add` per item of a 100-item `ParallelFor`.
#[pipeline(name = "bench-loop")]
pub fn parallel_loop() {
    ParallelFor::new(0..100_i64).run(|i| {
        add(i, 1);
    });
}

/// The pipeline `KFP_BENCH_SHAPE` names (`chain` by default).
pub fn selected() -> Pipeline {
    match std::env::var("KFP_BENCH_SHAPE").as_deref() {
        Ok("fanout") => fanout(),
        Ok("loop") => parallel_loop(),
        _ => chain(),
    }
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(selected)
}
