//! Files passed between tasks with `InputPath`/`OutputPath`, as the oracle's v1
//! `artifact_passing` pipeline has them (KFP v1 names a file parameter without its `_path` or
//! `_file` suffix: `dataset_path` is the artifact `dataset`).

use kfp_core::artifact::{Artifact, Csv, InputPath, Model, OutputPath};
use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn make_dataset(rows: i64, dataset_path: OutputPath<Csv>) -> Result<(), BoxError> {
    let text: String = (0..rows).map(|i| format!("{i},{}\n", i * i)).collect();
    std::fs::write(&dataset_path, text)?;
    Ok(())
}

#[component(base_image = "python:3.11")]
fn train_model(
    dataset_path: InputPath<Csv>,
    epochs: i64,
    model_path: OutputPath<Model>,
    metrics_file: OutputPath<Artifact>,
) -> Result<f64, BoxError> {
    let rows = std::fs::read_to_string(&dataset_path)?.lines().count();
    std::fs::write(
        &model_path,
        format!("model trained on {rows} rows for {epochs} epochs"),
    )?;
    std::fs::write(&metrics_file, format!("{{\"rows\": {rows}}}"))?;
    Ok(0.9)
}

#[component(base_image = "python:3.11")]
fn evaluate(
    model_path: InputPath<Model>,
    dataset_path: InputPath<Csv>,
    accuracy: f64,
) -> Result<(), BoxError> {
    let model = std::fs::read_to_string(&model_path)?;
    let rows = std::fs::read_to_string(&dataset_path)?.lines().count();
    println!("{model} ({rows} rows) {accuracy}");
    Ok(())
}

#[pipeline(name = "artifact-passing")]
pub fn artifact_passing(#[kfp(default = 100)] rows: i64, #[kfp(default = 2)] epochs: i64) {
    let data = make_dataset(rows).outputs();
    let model = train_model(data.dataset_path, epochs).outputs();
    evaluate(model.model_path, data.dataset_path, model.output);
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(artifact_passing)
}
