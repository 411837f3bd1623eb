//! What the KFP v1 UI shows: the run metrics in `mlpipeline-metrics` and the output viewers
//! (Markdown, table, confusion matrix, ROC curve, TensorBoard, web app) in
//! `mlpipeline-ui-metadata`, written with kfp-core's builders. Port of
//! `tests/kfp-golden/v1/ui_outputs.py`; `ui_outputs.rs` ports the v2 pipeline.

use kfp_core::artifact::{Metrics, OutputPath, UiMetadata};
use kfp_core::prelude::*;
use kfp_core::ui::v1::{MetricsFile, UiMetadataFile};

#[component(base_image = "python:3.11")]
fn evaluate(
    threshold: f64,
    metric: String,
    mlpipeline_metrics_path: OutputPath<Metrics>,
    mlpipeline_ui_metadata_path: OutputPath<UiMetadata>,
) -> Result<f64, BoxError> {
    // A name KFP would refuse (`Accuracy`, `f1_score`) fails the step here, naming it.
    MetricsFile::new()
        .percentage(&metric, 0.85)
        .raw("threshold", threshold)
        .write(&mlpipeline_metrics_path)?;
    UiMetadataFile::new()
        .markdown("# Evaluation")
        .table(&["metric", "value"], &[[metric.as_str(), "0.85"]])
        .confusion_matrix(&["cat", "dog"], &[[8, 2], [1, 9]])
        .roc(&[0.0, 0.2, 1.0], &[0.0, 0.8, 1.0], &[1.0, 0.5, 0.0])
        .write(&mlpipeline_ui_metadata_path)?;
    Ok(0.85)
}

#[component(base_image = "python:3.11")]
fn report(
    accuracy: f64,
    logs: String,
    mlpipeline_ui_metadata_path: OutputPath<UiMetadata>,
) -> Result<(), BoxError> {
    UiMetadataFile::new()
        .tensorboard(&logs)
        .web_app(&format!("<h1>Evaluation</h1><p>accuracy: {accuracy}</p>"))
        .write(&mlpipeline_ui_metadata_path)?;
    Ok(())
}

#[pipeline(name = "ui-outputs")]
pub fn ui_outputs(
    #[kfp(default = 0.5)] threshold: f64,
    #[kfp(default = "accuracy")] metric: String,
    #[kfp(default = "s3://mlpipeline/logs")] logs: String,
) {
    let e = evaluate(threshold, metric);
    report(e.outputs().output, logs);
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(ui_outputs)
}
