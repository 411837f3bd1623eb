//! What the KFP UI shows, as KFP v2 has it: scalar metrics (`log_metric`), a confusion matrix
//! and a ROC curve (`ClassificationMetrics`), a Markdown report and an HTML page, and the
//! `SlicedClassificationMetrics` type. Port of `tests/kfp-golden/v2/ui_outputs.py`;
//! `ui_outputs_v1.rs` ports the v1 pipeline, which writes `mlpipeline-metrics` and
//! `mlpipeline-ui-metadata` instead.

use kfp_core::artifact::{
    ClassificationMetrics, Html, Markdown, Metrics, OutputPath, SlicedClassificationMetrics,
};
use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn evaluate(
    threshold: f64,
    metrics: OutputPath<Metrics>,
    classification: OutputPath<ClassificationMetrics>,
) -> Result<f64, BoxError> {
    metrics.log_metric("accuracy", 0.85);
    metrics.log_metric("threshold", threshold);
    classification.log_confusion_matrix(&["cat", "dog"], &[[8, 2], [1, 9]])?;
    classification.log_roc_curve(&[0.0, 0.2, 1.0], &[0.0, 0.8, 1.0], &[1.0, 0.5, 0.0])?;
    classification.log_roc_data_point(0.1, 0.6, 0.7);
    Ok(0.85)
}

#[component(base_image = "python:3.11")]
fn report(
    accuracy: f64,
    markdown: OutputPath<Markdown>,
    page: OutputPath<Html>,
    slices: OutputPath<SlicedClassificationMetrics>,
) -> Result<(), BoxError> {
    let _ = slices; // declared for the UI's type; kfp 2.17.3 cannot log into it either
    std::fs::write(&markdown, format!("# Evaluation\n\naccuracy: {accuracy}\n"))?;
    std::fs::write(
        &page,
        format!("<h1>Evaluation</h1><p>accuracy: {accuracy}</p>"),
    )?;
    Ok(())
}

#[pipeline(name = "ui-outputs")]
pub fn ui_outputs(#[kfp(default = 0.5)] threshold: f64) {
    let e = evaluate(threshold);
    report(e.outputs().output);
}

/// KFP v1 gets the v1 pipeline (`ui_outputs_v1.rs`), KFP v2 the v2 one.
#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(kfp_core::cli::PerTarget {
        v1: kfp_examples::ui_outputs_v1::ui_outputs,
        v2: ui_outputs,
    })
}
