//! Collecting files from a loop (kfp's `dsl.Collected` of artifacts): the dataset each
//! iteration makes, collected into a list-of-artifacts input (`Input[List[Dataset]]`) of a
//! component loaded from its KFP v2 IR (`components/count_files_v2.yaml`). KFP v2 only.
//!
//! The Python pipeline it ports, and what kfp 2.17.3 makes of it, are in
//! `tests/kfp-golden/v2/collected_artifacts.{py,yaml}`.

use std::sync::LazyLock;

use kfp_core::artifact::{Dataset, OutputPath};
use kfp_core::prelude::*;
use kfp_core::reusable::{load_component_from_text, ContainerComponent, LoadError};

/// A Python component compiled by kfp 2.17.3, taking a list of datasets.
static COUNT_FILES: LazyLock<Result<ContainerComponent, LoadError>> =
    LazyLock::new(|| load_component_from_text(include_str!("../components/count_files_v2.yaml")));

#[component(base_image = "python:3.11")]
#[allow(missing_docs)] // a doc comment would become the component's description
pub fn make(n: i64, data: OutputPath<Dataset>) -> Result<(), BoxError> {
    std::fs::write(&data, n.to_string())?;
    Ok(())
}

#[pipeline(name = "collected-artifacts")]
pub fn collected_artifacts() {
    let datasets = ParallelFor::new([1, 2, 3]).run(|n| make(n).outputs().data);
    let Ok(count_files) = &*COUNT_FILES else {
        return;
    };
    count_files.task([("datasets", datasets.into())]);
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    if let Err(e) = &*COUNT_FILES {
        eprintln!("error: components/count_files_v2.yaml: {e}");
        std::process::exit(1);
    }
    kfp_core::main(collected_artifacts)
}
