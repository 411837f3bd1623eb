//! The two files the KFP v1 UI reads from a step: `mlpipeline-metrics` (run metrics, compared
//! across runs) and `mlpipeline-ui-metadata` (the output viewers).
//!
//! kfp 1.8.9 makes an output named `mlpipeline_metrics` or `mlpipeline_ui_metadata` (after
//! dropping `_path`/`_file`) the Argo artifact `mlpipeline-metrics` / `mlpipeline-ui-metadata`,
//! without the task's name; KFP's persistence agent and UI look for those names.
//!
//! This module is the pod side: what a step writes into those files. Naming the artifacts in
//! the Argo Workflow is the v1 back end's job (`compiler/v1/ui.rs`).
//!
//! ```
//! use kfp_core::prelude::*;
//! use kfp_core::artifact::{Metrics, OutputPath, UiMetadata};
//! use kfp_core::ui::v1::{MetricsFile, UiMetadataFile};
//!
//! #[component]
//! fn evaluate(
//!     mlpipeline_metrics_path: OutputPath<Metrics>,
//!     mlpipeline_ui_metadata_path: OutputPath<UiMetadata>,
//! ) -> Result<(), BoxError> {
//!     MetricsFile::new()
//!         .percentage("accuracy", 0.85)
//!         .raw("loss", 0.25)
//!         .write(&mlpipeline_metrics_path)?;
//!     UiMetadataFile::new()
//!         .markdown("# Evaluation")
//!         .confusion_matrix(&["cat", "dog"], &[[8, 2], [1, 9]])
//!         .write(&mlpipeline_ui_metadata_path)?;
//!     Ok(())
//! }
//!
//! #[pipeline(name = "ui-v1")]
//! fn ui_v1() {
//!     evaluate();
//! }
//! fn main() {
//! let yaml = Compiler::new().compile(&ui_v1(), Target::V1).unwrap();
//! assert!(yaml.contains("- name: mlpipeline-metrics\n"));
//! }
//! ```

use std::path::Path;

use serde_json::{json, Map, Value};

use super::{finite, UiError};

/// Checks a run metric's name as KFP v1's API server does:
/// `^[a-z]([-a-z0-9]{0,62}[a-z0-9])?$`.
///
/// ```
/// use kfp_core::ui::v1::check_metric_name;
/// assert!(check_metric_name("accuracy").is_ok());
/// assert!(check_metric_name("f1-score").is_ok());
/// assert!(check_metric_name("Accuracy").is_err());
/// assert!(check_metric_name("f1_score").is_err());
/// assert!(check_metric_name("loss-").is_err());
/// ```
pub fn check_metric_name(name: &str) -> Result<(), UiError> {
    let b = name.as_bytes();
    let ok = (1..=64).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[b.len() - 1] != b'-';
    if ok {
        Ok(())
    } else {
        Err(UiError::BadMetricName {
            name: name.to_owned(),
        })
    }
}

/// How the KFP v1 UI shows a run metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricFormat {
    /// As the number (`RAW`).
    Raw,
    /// As a percentage: 0.85 shows as 85.000% (`PERCENTAGE`).
    Percentage,
}

impl MetricFormat {
    /// The name in the file: `RAW` or `PERCENTAGE`.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricFormat::Raw => "RAW",
            MetricFormat::Percentage => "PERCENTAGE",
        }
    }
}

/// One run metric of an `mlpipeline-metrics` file.
#[derive(Clone, Debug, PartialEq)]
pub struct RunMetric {
    /// The name (see [`check_metric_name`]).
    pub name: String,
    /// The value (`numberValue`).
    pub number_value: f64,
    /// How the UI shows it.
    pub format: MetricFormat,
}

/// The most metrics KFP v1 keeps for a run.
pub const MAX_METRICS: usize = 50;

/// An `mlpipeline-metrics` file: `{"metrics": [{"name", "numberValue", "format"}]}`.
///
/// The names and values are checked when the file is written, so a step that logs a name KFP
/// would reject fails (exit 1) with a message naming it.
///
/// ```
/// use kfp_core::ui::v1::MetricsFile;
/// let file = MetricsFile::new().percentage("accuracy", 0.85).raw("loss", 0.25);
/// assert_eq!(file.to_json().unwrap(), r#"{"metrics": [{"name": "accuracy", "numberValue": 0.85, "format": "PERCENTAGE"}, {"name": "loss", "numberValue": 0.25, "format": "RAW"}]}"#);
/// assert!(MetricsFile::new().raw("Bad_Name", 1.0).to_json().is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricsFile {
    /// The metrics, in the order they were added.
    pub metrics: Vec<RunMetric>,
}

impl MetricsFile {
    /// An empty file.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds metric `name` = `value`, shown as a number.
    pub fn raw(self, name: &str, value: f64) -> Self {
        self.metric(name, value, MetricFormat::Raw)
    }

    /// Adds metric `name` = `value`, shown as a percentage.
    pub fn percentage(self, name: &str, value: f64) -> Self {
        self.metric(name, value, MetricFormat::Percentage)
    }

    /// Adds metric `name` = `value`, shown in `format`.
    pub fn metric(mut self, name: &str, value: f64, format: MetricFormat) -> Self {
        self.metrics.push(RunMetric {
            name: name.to_owned(),
            number_value: value,
            format,
        });
        self
    }

    /// Checks every metric: a name KFP accepts, a finite value, at most [`MAX_METRICS`].
    pub fn check(&self) -> Result<(), UiError> {
        if self.metrics.len() > MAX_METRICS {
            return Err(UiError::TooMany {
                count: self.metrics.len(),
            });
        }
        for m in &self.metrics {
            check_metric_name(&m.name)?;
            finite(|| format!("metric `{}`", m.name), m.number_value)?;
        }
        Ok(())
    }

    /// The file's text, once checked (see [`MetricsFile::check`]).
    pub fn to_json(&self) -> Result<String, UiError> {
        self.check()?;
        let metrics: Vec<Value> = self
            .metrics
            .iter()
            .map(|m| {
                json!({"name": m.name, "numberValue": m.number_value, "format": m.format.as_str()})
            })
            .collect();
        Ok(crate::pyjson::dumps(&json!({ "metrics": metrics }), false))
    }

    /// Checks the metrics and writes the file at `path` (an `mlpipeline_metrics_path` output).
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), UiError> {
        write(path.as_ref(), &self.to_json()?)
    }

    /// Reads an `mlpipeline-metrics` file as KFP v1's persistence agent does: an object with a
    /// `metrics` list of `{"name", "numberValue", "format"?}`; a name must pass
    /// [`check_metric_name`], a missing format is `RAW`.
    ///
    /// ```
    /// use kfp_core::ui::v1::MetricsFile;
    /// let file = MetricsFile::parse(r#"{"metrics": [{"name": "rmse", "numberValue": 0.5}]}"#).unwrap();
    /// assert_eq!(file.metrics[0].name, "rmse");
    /// assert!(MetricsFile::parse(r#"{"metrics": [{"name": "RMSE", "numberValue": 0.5}]}"#).is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, UiError> {
        let bad = |message: String| UiError::Format { message };
        let value: Value = serde_json::from_str(text)
            .map_err(|e| bad(format!("mlpipeline-metrics is not JSON: {e}")))?;
        let list = value
            .get("metrics")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("mlpipeline-metrics has no `metrics` list".into()))?;
        let mut file = MetricsFile::new();
        for (i, m) in list.iter().enumerate() {
            let name = m
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| bad(format!("metrics[{i}] has no string `name`")))?;
            let number_value = m
                .get("numberValue")
                .and_then(Value::as_f64)
                .ok_or_else(|| bad(format!("metrics[{i}] has no number `numberValue`")))?;
            let format = match m.get("format").and_then(Value::as_str) {
                None | Some("RAW") => MetricFormat::Raw,
                Some("PERCENTAGE") => MetricFormat::Percentage,
                Some(other) => {
                    return Err(bad(format!(
                        "metrics[{i}] has format `{other}`; expected RAW or PERCENTAGE"
                    )))
                }
            };
            file = file.metric(name, number_value, format);
        }
        file.check()?;
        Ok(file)
    }
}

/// An `mlpipeline-ui-metadata` file: `{"outputs": [...]}`, one entry per viewer the KFP v1
/// UI shows for the step, in the format its `OutputArtifactLoader` reads. Data given here is
/// inline (`"storage": "inline"`); the `*_from` forms point at a file in object storage.
///
/// ```
/// use kfp_core::ui::v1::UiMetadataFile;
/// let ui = UiMetadataFile::new()
///     .markdown("# Evaluation")
///     .table(&["model", "accuracy"], &[vec!["a", "0.85"]])
///     .roc(&[0.0, 1.0], &[0.0, 1.0], &[1.0, 0.0])
///     .tensorboard("s3://bucket/logs")
///     .web_app("<h1>Evaluation</h1>");
/// let json: serde_json::Value = serde_json::from_str(&ui.to_json().unwrap()).unwrap();
/// assert_eq!(json["outputs"][1]["header"], serde_json::json!(["model", "accuracy"]));
/// assert_eq!(json["outputs"][1]["source"], "a,0.85");
/// assert_eq!(json["outputs"][2]["type"], "roc");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UiMetadataFile {
    /// The viewers' entries, in order.
    pub outputs: Vec<Value>,
    /// The first problem found while adding entries, reported when the file is written.
    error: Option<UiError>,
}

/// A CSV field as d3's `csvParseRows` reads it back: quoted when it holds `,`, `"` or a line
/// break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    fields
        .iter()
        .map(|f| csv_field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",")
}

impl UiMetadataFile {
    /// No viewers yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn entry(mut self, kind: &str, fields: Value) -> Self {
        let mut m = Map::new();
        m.insert("type".into(), json!(kind));
        if let Value::Object(fields) = fields {
            m.extend(fields);
        }
        self.outputs.push(Value::Object(m));
        self
    }

    fn fail(mut self, e: UiError) -> Self {
        self.error.get_or_insert(e);
        self
    }

    /// A Markdown viewer showing `text`.
    pub fn markdown(self, text: &str) -> Self {
        self.entry("markdown", json!({"storage": "inline", "source": text}))
    }

    /// A Markdown viewer showing the file at `uri` (`gs://`, `s3://`, `minio://`, ...).
    pub fn markdown_from(self, uri: &str) -> Self {
        self.entry("markdown", json!({ "source": uri }))
    }

    /// A table with the column names `header` and one row per item of `rows`.
    pub fn table<H: AsRef<str>, R: AsRef<[S]>, S: AsRef<str>>(
        self,
        header: &[H],
        rows: &[R],
    ) -> Self {
        let header: Vec<&str> = header.iter().map(AsRef::as_ref).collect();
        if let Some(r) = rows.iter().find(|r| r.as_ref().len() != header.len()) {
            let n = r.as_ref().len();
            return self.fail(UiError::Shape {
                message: format!(
                    "table row of {n} fields under a header of {}: {header:?}",
                    header.len()
                ),
            });
        }
        let source = rows
            .iter()
            .map(|r| csv_line(r.as_ref()))
            .collect::<Vec<_>>()
            .join("\n");
        self.entry(
            "table",
            json!({"storage": "inline", "format": "csv", "header": header, "source": source}),
        )
    }

    /// A confusion matrix: `matrix[i][j]` counts the examples of `labels[i]` predicted as
    /// `labels[j]`. Written as the CSV rows `target,predicted,count` the UI reads.
    pub fn confusion_matrix<L: AsRef<str>, R: AsRef<[i64]>>(
        self,
        labels: &[L],
        matrix: &[R],
    ) -> Self {
        let labels: Vec<&str> = labels.iter().map(AsRef::as_ref).collect();
        let n = labels.len();
        if matrix.len() != n || matrix.iter().any(|r| r.as_ref().len() != n) {
            return self.fail(UiError::Shape {
                message: format!("confusion matrix for {n} labels must have {n} rows of {n}"),
            });
        }
        let mut seen = std::collections::BTreeSet::new();
        if let Some(dup) = labels.iter().find(|l| !seen.insert(**l)) {
            return self.fail(UiError::Shape {
                message: format!("confusion matrix label `{dup}` is given twice"),
            });
        }
        let mut lines = Vec::with_capacity(n * n);
        for (i, target) in labels.iter().enumerate() {
            for (j, predicted) in labels.iter().enumerate() {
                let count = matrix[i].as_ref()[j].to_string();
                lines.push(csv_line(&[*target, *predicted, count.as_str()]));
            }
        }
        self.entry(
            "confusion_matrix",
            json!({
                "format": "csv",
                "schema": [
                    {"name": "target", "type": "CATEGORY"},
                    {"name": "predicted", "type": "CATEGORY"},
                    {"name": "count", "type": "NUMBER"},
                ],
                "storage": "inline",
                "source": lines.join("\n"),
                "labels": labels,
            }),
        )
    }

    /// A ROC curve, one point per index of the three lists (same length, finite numbers).
    pub fn roc(self, fpr: &[f64], tpr: &[f64], thresholds: &[f64]) -> Self {
        if fpr.len() != tpr.len() || fpr.len() != thresholds.len() {
            return self.fail(UiError::Shape {
                message: format!(
                    "ROC curve lists of lengths {} (fpr), {} (tpr) and {} (thresholds); they \
                     must be the same",
                    fpr.len(),
                    tpr.len(),
                    thresholds.len()
                ),
            });
        }
        if let Some(x) = fpr
            .iter()
            .chain(tpr)
            .chain(thresholds)
            .find(|x| !x.is_finite())
        {
            return self.fail(UiError::NotFinite {
                what: "a ROC curve number".into(),
                value: x.to_string(),
            });
        }
        let source = fpr
            .iter()
            .zip(tpr)
            .zip(thresholds)
            .map(|((f, t), th)| format!("{f},{t},{th}"))
            .collect::<Vec<_>>()
            .join("\n");
        self.entry(
            "roc",
            json!({
                "format": "csv",
                "schema": [
                    {"name": "fpr", "type": "NUMBER"},
                    {"name": "tpr", "type": "NUMBER"},
                    {"name": "thresholds", "type": "NUMBER"},
                ],
                "storage": "inline",
                "source": source,
            }),
        )
    }

    /// A TensorBoard viewer for the logs at `uri` (`gs://`, `s3://`, `minio://`, ...).
    pub fn tensorboard(self, uri: &str) -> Self {
        if !uri.contains("://") {
            return self.fail(UiError::Format {
                message: format!(
                    "TensorBoard logs `{uri}` are not a storage URI (gs://, s3://, minio://...)"
                ),
            });
        }
        self.entry("tensorboard", json!({ "source": uri }))
    }

    /// A web app viewer showing the HTML page `html`.
    pub fn web_app(self, html: &str) -> Self {
        self.entry("web-app", json!({"storage": "inline", "source": html}))
    }

    /// A web app viewer showing the HTML file at `uri`.
    pub fn web_app_from(self, uri: &str) -> Self {
        self.entry("web-app", json!({ "source": uri }))
    }

    /// The file's text, or the first problem found while adding the entries.
    pub fn to_json(&self) -> Result<String, UiError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        Ok(crate::pyjson::dumps(
            &json!({ "outputs": self.outputs }),
            false,
        ))
    }

    /// Writes the file at `path` (an `mlpipeline_ui_metadata_path` output).
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), UiError> {
        write(path.as_ref(), &self.to_json()?)
    }
}

fn write(path: &Path, text: &str) -> Result<(), UiError> {
    std::fs::write(path, text).map_err(|e| UiError::Write {
        path: path.display().to_string(),
        error: e.to_string(),
    })
}
