//! Loops over a static list: scalars, whose outputs a task after the loop collects, and JSON
//! objects with field access, one iteration at a time. Port of the oracle's v2
//! `parallelfor_static` pipeline (`dsl.Collected`); KFP v2 only, as KFP v1 cannot collect a
//! loop's outputs. `parallelfor_static_v1` ports the oracle's v1 pipeline (the
//! `parallelfor_static_v1` example compiles it alone).
//!
//! kfp 2.x types every field of a static list's items after the first value of the first
//! item (here `model`, a string), so the Python pipeline takes `size` as a string; so does
//! this port.

use kfp_core::prelude::*;
use serde_json::{json, Value};

#[component(base_image = "python:3.11")]
fn square(x: i64) -> i64 {
    x * x
}

#[component(base_image = "python:3.11")]
fn show(model: String, size: String) {
    println!("{model} {size}");
}

#[component(base_image = "python:3.11")]
fn total(values: Vec<i64>) -> i64 {
    values.iter().sum()
}

#[pipeline(name = "parallelfor-static")]
pub fn parallelfor_static() {
    let squares = ParallelFor::new([1, 2, 3]).run(|item| square(item).output());
    total(squares);
    let configs: [Value; 2] = [
        json!({"model": "yolov8n", "size": 640}),
        json!({"model": "yolov8s", "size": 1280}),
    ];
    ParallelFor::new(configs).parallelism(1).run(|cfg| {
        show(cfg.field("model"), cfg.field("size"));
    });
}

/// The component the KFP v1 pipeline has in place of the KFP v2 one of the same name.
mod v1 {
    use kfp_core::prelude::*;

    // kfp 1.8.9 types `size` as its Python annotation says (int).
    #[component(base_image = "python:3.11")]
    pub(super) fn show(model: String, size: i64) {
        println!("{model} {size}");
    }
}

// The oracle's v1 pipeline: the same loops, without collecting the squares.
#[pipeline(name = "parallelfor-static")]
pub fn parallelfor_static_v1() {
    ParallelFor::new([1, 2, 3]).run(|item| {
        square(item);
    });
    let configs: [Value; 2] = [
        json!({"model": "yolov8n", "size": 640}),
        json!({"model": "yolov8s", "size": 1280}),
    ];
    ParallelFor::new(configs).parallelism(1).run(|cfg| {
        v1::show(cfg.field("model"), cfg.field("size"));
    });
}

/// KFP v1 gets the oracle's v1 pipeline, KFP v2 the v2 one.
#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(kfp_core::cli::PerTarget {
        v1: parallelfor_static_v1,
        v2: parallelfor_static,
    })
}
