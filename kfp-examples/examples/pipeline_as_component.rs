//! Pipelines as components, with outputs: `add_twice` and `make_and_add` are pipelines called
//! inside pipelines, `make_and_add` returns two outputs (a value and a `Dataset`, through a
//! `#[derive(Outputs)]` struct) that feed the caller's tasks, `count_data` takes a file, and
//! the pipeline itself returns one output.
//!
//! KFP v2 makes each nested pipeline a component with a DAG of its own (`comp-add-twice`) and
//! one task of its caller, and gives the pipeline its outputs (`root.outputDefinitions`), as
//! kfp 2.17.3 does. KFP v1 makes each a DAG template of its own (`graph-add-twice-1`), as kfp
//! 1.8.9 compiles a `@dsl.graph_component`, and has no pipeline outputs (kfp 1.8.9 ignores
//! them). Port of `tests/kfp-golden/{v1,v2}/pipeline_as_component.py`.

use kfp_core::artifact::{Dataset, InputPath, OutputPath};
use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[component(base_image = "python:3.11")]
fn make_data(n: i64, data: OutputPath<Dataset>) -> Result<(), BoxError> {
    std::fs::write(&data, n.to_string())?;
    Ok(())
}

#[component(base_image = "python:3.11")]
fn count(data: InputPath<Dataset>) -> Result<i64, BoxError> {
    let len = std::fs::read_to_string(&data)?.len();
    Ok(i64::try_from(len)?)
}

#[component(base_image = "python:3.11")]
fn show(x: i64) {
    println!("{x}");
}

/// The outputs of `make_and_add`.
#[derive(Outputs)]
pub struct MadeAndAdded {
    /// The sum.
    pub total: i64,
    /// The file made.
    pub data: OutputPath<Dataset>,
}

#[pipeline(name = "add-twice")]
pub fn add_twice(x: i64, step: i64) -> TaskOutput<i64> {
    let once = add(x, step);
    add(once.output(), step).output()
}

#[pipeline(name = "make-and-add")]
pub fn make_and_add(n: i64) -> MadeAndAddedOutputs {
    let made = make_data(n).outputs();
    let total = add_twice(n, n);
    MadeAndAddedOutputs {
        total,
        data: made.data,
    }
}

#[pipeline(name = "count-data")]
pub fn count_data(data: InputPath<Dataset>) -> TaskOutput<i64> {
    count(data).output()
}

#[pipeline(name = "pipeline-as-component")]
pub fn pipeline_as_component(
    #[kfp(default = 10)] start: i64,
    #[kfp(default = 2)] step: i64,
) -> TaskOutput<i64> {
    let four = add_twice(start, step);
    let made = make_and_add(four);
    count_data(made.data);
    show(made.total);
    made.total
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(pipeline_as_component)
}
