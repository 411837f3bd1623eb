//! Every scalar and collection parameter type, as component inputs and outputs and as
//! pipeline parameters (with and without defaults). Port of the oracle's v1 `param_types`
//! pipeline (the v2 one adds component-level defaults: see `param_types.rs`).

use kfp_core::prelude::*;
use serde_json::{json, Map, Value};

/// The named outputs of `all_types`: one of each type.
#[derive(Outputs)]
pub struct AllTypes {
    f: f64,
    i: i64,
    s: String,
    b: bool,
    l: Vec<i64>,
    d: Map<String, Value>,
}

#[component(base_image = "python:3.11")]
fn all_types(f: f64, i: i64, s: String, b: bool, l: Vec<i64>, d: Map<String, Value>) -> AllTypes {
    AllTypes { f, i, s, b, l, d }
}

#[pipeline(name = "param-types")]
pub fn param_types(
    s_required: String,
    #[kfp(default = 1.5)] f: f64,
    #[kfp(default = 7)] i: i64,
    #[kfp(default = "hello")] s: String,
    #[kfp(default = false)] b: bool,
    #[kfp(default = vec![1, 2, 3])] l: Vec<i64>,
    #[kfp(default = json!({"k": "v", "n": 1}))] d: Map<String, Value>,
) {
    let first = all_types(f, i, s, b, l, d).outputs();
    all_types(first.f, first.i, first.s, first.b, first.l, first.d);
    all_types(0.25, 3, "const", true, vec![4, 5], json!({"a": [1, 2]}));
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(param_types)
}
