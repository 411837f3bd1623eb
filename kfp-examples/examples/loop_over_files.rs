//! A loop over files: each iteration of a first loop writes a `Dataset`; the datasets,
//! collected, are the `Vec<InputPath<Dataset>>` parameter of the nested pipeline `read_all`,
//! which loops over them, reading each in a task of its own (kfp 2.17.3's `dsl.ParallelFor`
//! over an `Input[List[Dataset]]`, an `artifactIterator`). KFP v2 only: kfp 1.8.9 has no loop
//! over files, and compiling it for v1 is a typed error.
//!
//! Port of `tests/kfp-golden/v2/loop_over_files.py`.

use kfp_core::artifact::{Dataset, InputPath, OutputPath};
use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn make(n: i64, data: OutputPath<Dataset>) -> Result<(), BoxError> {
    std::fs::write(&data, n.to_string())?;
    Ok(())
}

#[component(base_image = "python:3.11")]
fn read(data: InputPath<Dataset>) -> Result<i64, BoxError> {
    Ok(i64::try_from(std::fs::read(&data)?.len())?)
}

#[pipeline(name = "read-all")]
pub fn read_all(datas: Vec<InputPath<Dataset>>) {
    ParallelFor::over(datas).run(|d| {
        read(d);
    });
}

#[pipeline(name = "loop-over-files")]
pub fn loop_over_files() {
    let made = ParallelFor::new([1, 22, 333]).run(|n| make(n).outputs().data);
    read_all(made);
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(loop_over_files)
}
