//! Every scalar and collection parameter type, as component inputs and outputs, component-level
//! defaults and optional inputs, and pipeline parameters (with and without defaults). Port of
//! the oracle's v2 `param_types` pipeline. `param_types_v1` ports the v1 one, which has no
//! component defaults (the `param_types_v1` example compiles it alone).

use std::collections::BTreeMap;

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

#[component(base_image = "python:3.11")]
fn typed_collections(
    li: Vec<i64>,
    ds: BTreeMap<String, f64>,
    opt: Option<String>,
    #[kfp(default = 3)] n: i64,
    #[kfp(default = 0.5)] ratio: f64,
    #[kfp(default = true)] flag: bool,
    #[kfp(default = "x")] name: String,
) -> Vec<String> {
    println!("{ds:?} {opt:?} {n} {ratio} {flag} {name}");
    li.iter().map(ToString::to_string).collect()
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
    all_types(0.25, 3, s_required, true, vec![4, 5], json!({"a": [1, 2]}));
    typed_collections(
        vec![1, 2],
        BTreeMap::from([("a".to_owned(), 1.0)]),
        None,
        DEFAULT,
        DEFAULT,
        DEFAULT,
        DEFAULT,
    );
}

// The oracle's v1 pipeline: the same parameters and `all_types` tasks, one of them with a
// constant for `s_required`, and no component defaults.
#[pipeline(name = "param-types")]
pub fn param_types_v1(
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

/// KFP v1 gets the oracle's v1 pipeline, KFP v2 the v2 one.
#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(kfp_core::cli::PerTarget {
        v1: param_types_v1,
        v2: param_types,
    })
}
