//! Files passed between tasks as KFP v2 passes them: a `Dataset`, a `Model` and `Metrics`
//! written by one task and read by the next, and the v2 form of `InputPath`/`OutputPath`,
//! which keeps the `_path` suffix in the input's name. Port of the oracle's v2
//! `artifact_passing` pipeline (`artifact_passing_v1.rs` ports the v1 one, whose names
//! differ).

use kfp_core::artifact::{Dataset, InputPath, Metrics, Model, OutputPath};
use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn make_dataset(rows: i64, dataset: OutputPath<Dataset>) -> Result<(), BoxError> {
    let text: String = (0..rows).map(|i| format!("{i},{}\n", i * i)).collect();
    std::fs::write(&dataset, text)?;
    Ok(())
}

#[component(base_image = "python:3.11")]
fn train_model(
    dataset: InputPath<Dataset>,
    epochs: i64,
    model: OutputPath<Model>,
    metrics: OutputPath<Metrics>,
) -> Result<f64, BoxError> {
    let rows = std::fs::read_to_string(&dataset)?.lines().count();
    std::fs::write(
        &model,
        format!("model trained on {rows} rows for {epochs} epochs"),
    )?;
    std::fs::write(&metrics, format!("{{\"rows\": {rows}}}"))?;
    Ok(0.9)
}

#[component(base_image = "python:3.11")]
fn evaluate(
    model: InputPath<Model>,
    dataset: InputPath<Dataset>,
    accuracy: f64,
) -> Result<(), BoxError> {
    let _ = std::fs::read_to_string(&dataset)?;
    println!("{} {accuracy}", std::fs::read_to_string(&model)?);
    Ok(())
}

#[component(base_image = "python:3.11")]
fn copy_file(src_path: InputPath<Dataset>, dst_path: OutputPath<Dataset>) -> Result<(), BoxError> {
    std::fs::copy(&src_path, &dst_path)?;
    Ok(())
}

#[pipeline(name = "artifact-passing")]
pub fn artifact_passing(#[kfp(default = 100)] rows: i64, #[kfp(default = 2)] epochs: i64) {
    let data = make_dataset(rows).outputs();
    let model = train_model(data.dataset, epochs).outputs();
    evaluate(model.model, data.dataset, model.output);
    copy_file(data.dataset);
}

/// KFP v1 gets the oracle's v1 pipeline (`artifact_passing_v1.rs`), KFP v2 the v2 one.
#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(kfp_core::cli::PerTarget {
        v1: kfp_examples::artifact_passing_v1::artifact_passing,
        v2: artifact_passing,
    })
}
