//! Every form of the macros compiled under `#![deny(warnings, clippy::all, clippy::pedantic)]`,
//! so that generated code never warns in a user's crate. `cargo test` checks the rustc lints;
//! `cargo clippy --workspace --all-targets -- -D warnings` (as CI runs it) checks clippy's.
#![deny(warnings, clippy::all, clippy::pedantic)]

use std::collections::BTreeMap;

use kfp_core::prelude::*;
use serde_json::{Map, Value};

mod renamed {
    pub use kfp_core as kfp;
}

/// Named outputs.
#[derive(Outputs)]
pub struct Stats {
    /// A sum.
    pub sum: f64,
    /// A label.
    pub label: String,
}

/// Named outputs through a renamed crate.
#[derive(Outputs)]
#[kfp(crate = "renamed::kfp")]
pub struct Renamed {
    /// A flag.
    pub ok: bool,
}

/// Takes nothing and returns nothing.
#[component]
pub fn nothing() {}

/// Every option, and a `Result`.
///
/// # Errors
///
/// Never.
#[component(
    base_image = "python:3.11",
    packages = ["mlflow", "boto3==1.34.0"],
    name = "Add numbers",
    description = "Adds two numbers",
)]
pub fn add(a: f64, b: f64) -> Result<f64, BoxError> {
    Ok(a + b)
}

/// Every kind of input.
#[component(base_image = "python:3.11")]
#[must_use]
#[allow(clippy::too_many_arguments, clippy::needless_pass_by_value)] // one input of each type
pub fn every_input(
    text: String,
    count: i32,
    value: f64,
    flag: bool,
    list: Vec<i32>,
    map: BTreeMap<String, i32>,
    object: Map<String, Value>,
    maybe: Option<String>,
) -> Stats {
    let total: i32 = list.iter().sum::<i32>() + map.values().sum::<i32>();
    Stats {
        sum: value + f64::from(count) + f64::from(total),
        label: format!("{text} {flag} {maybe:?} {}", object.len()),
    }
}

/// Named outputs, a private function.
#[component(crate = renamed::kfp)]
fn private(flag: bool) -> Renamed {
    Renamed { ok: !flag }
}

/// Prints.
#[component]
#[allow(clippy::needless_pass_by_value)] // components take owned inputs
pub fn show(value: f64, label: String) {
    println!("{label}: {value}");
}

/// Every form of a pipeline body.
#[pipeline(name = "lints", description = "Every form")]
pub fn every_form(
    #[kfp(default = 1.5)] a: f64,
    b: f64,
    #[kfp(default = "x")] s: String,
    #[kfp(default = true)] flag: bool,
) {
    let first = nothing();
    let sum = add(a, b).after(&first).set_display_name("Add");
    let stats = every_input(
        s,
        3,
        sum.output(),
        flag,
        vec![1, 2],
        BTreeMap::new(),
        serde_json::json!({"k": 1}),
        None,
    )
    .outputs();
    show(stats.sum, stats.label).set_caching_options(false);
    let r = private(flag).outputs();
    r.ok.equals(true).then(|| {
        show(1.0, "yes");
    });
    ParallelFor::new([1.0, 2.0]).run(|item| {
        show(item, "item");
    });
}

/// Reads how an exit handler's group ended.
#[component]
#[allow(clippy::needless_pass_by_value)] // components take owned inputs
pub fn report(label: String, status: TaskFinalStatus) {
    println!("{label}: {}", status.state);
}

/// Sums a loop's outputs.
#[component]
#[allow(clippy::needless_pass_by_value)] // components take owned inputs
#[must_use]
pub fn total(values: Vec<f64>) -> f64 {
    values.iter().sum()
}

/// Every form of control flow: `elif`/`else`, fan-in, a named exit handler.
#[pipeline(name = "lints-control")]
pub fn every_control_form(#[kfp(default = 1.5)] a: f64) {
    let done = report("done");
    ExitHandler::new(&done).named("work").run(|| {
        a.greater_than(1.0)
            .then(|| {
                show(a, "big");
            })
            .elif(a.less_than(0.0), || {
                show(a, "negative");
            })
            .otherwise(|| {
                show(a, "small");
            });
        let sums = ParallelFor::new([1.0, 2.0])
            .parallelism(1)
            .run(|item| add(item, a).output());
        total(sums);
    });
}

/// A pipeline through a renamed crate, without a doc-derived description.
#[pipeline(crate = renamed::kfp)]
fn renamed_crate() {
    nothing();
}

#[test]
fn every_form_builds() {
    assert_eq!(every_form().tasks.len(), 7);
    assert_eq!(renamed_crate().tasks.len(), 1);
    assert_eq!(every_control_form().tasks.len(), 6);
    assert!(private(false).ok);
    assert_eq!(add::spec().name(), "Add numbers");
}
