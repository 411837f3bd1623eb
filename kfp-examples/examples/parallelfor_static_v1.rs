//! Loops over a static list: scalars, and JSON objects with field access. Port of the
//! oracle's v1 `parallelfor_static` pipeline; `parallelfor_static.rs` ports the v2 one, which
//! also collects the loop's outputs.

use kfp_core::prelude::*;
use serde_json::{json, Value};

#[component(base_image = "python:3.11")]
fn square(x: i64) -> i64 {
    x * x
}

#[component(base_image = "python:3.11")]
fn show(model: String, size: i64) {
    println!("{model} {size}");
}

#[pipeline(name = "parallelfor-static")]
pub fn parallelfor_static() {
    ParallelFor::new([1, 2, 3]).run(|item| {
        square(item);
    });
    let configs: [Value; 2] = [
        json!({"model": "yolov8n", "size": 640}),
        json!({"model": "yolov8s", "size": 1280}),
    ];
    ParallelFor::new(configs).parallelism(1).run(|cfg| {
        show(cfg.field("model"), cfg.field("size"));
    });
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(parallelfor_static)
}
