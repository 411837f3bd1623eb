//! What the KFP UI shows: scalar metrics, confusion matrices, ROC curves, Markdown and HTML.
//!
//! **KFP v2.** A component logs into its output artifacts the way kfp 2.17.3's
//! `Metrics.log_metric` and `ClassificationMetrics.log_confusion_matrix` / `log_roc_curve` /
//! `log_roc_data_point` do: the values go to the artifact's `metadata`, which the runtime puts
//! in `executor_output.json` exactly as kfp's executor writes it (`confusionMatrix` with
//! `annotationSpecs` and `rows`, `confidenceMetrics` with `confidenceThreshold`, `recall` and
//! `falsePositiveRate`). A [`Markdown`](crate::artifact::Markdown) or
//! [`Html`](crate::artifact::Html) output is a file the step writes at the artifact's path.
//!
//! ```
//! use kfp_core::prelude::*;
//! use kfp_core::artifact::{ClassificationMetrics, Markdown, Metrics, OutputPath};
//!
//! #[component]
//! fn evaluate(
//!     metrics: OutputPath<Metrics>,
//!     classification: OutputPath<ClassificationMetrics>,
//!     report: OutputPath<Markdown>,
//! ) -> Result<(), BoxError> {
//!     metrics.log_metric("accuracy", 0.85);
//!     classification.log_confusion_matrix(&["cat", "dog"], &[[8, 2], [1, 9]])?;
//!     classification.log_roc_curve(&[0.0, 0.2, 1.0], &[0.0, 0.8, 1.0], &[1.0, 0.5, 0.0])?;
//!     std::fs::write(&report, "# Evaluation\n\naccuracy: 0.85\n")?;
//!     Ok(())
//! }
//!
//! #[pipeline(name = "ui-v2")]
//! fn ui_v2() {
//!     evaluate();
//! }
//! fn main() {
//! let ir = Compiler::new().compile(&ui_v2(), Target::V2).unwrap();
//! assert!(ir.contains("schemaTitle: system.ClassificationMetrics"));
//! // Outside a pod, what a handle logged can be read back.
//! let metrics = OutputPath::<Metrics>::new("doc-ui/metrics");
//! metrics.log_metric("accuracy", 0.85);
//! assert_eq!(metrics.logged_metadata()["accuracy"], 0.85);
//! }
//! ```
//!
//! **KFP v1.** The UI reads two special outputs: `mlpipeline_metrics_path:
//! OutputPath<Metrics>` becomes the artifact `mlpipeline-metrics`, written with
//! [`v1::MetricsFile`]; `mlpipeline_ui_metadata_path: OutputPath<UiMetadata>` becomes
//! `mlpipeline-ui-metadata`, written with [`v1::UiMetadataFile`].
//!
//! Readers for tools that show a run's metrics: [`read_executor_output`] (v2) and
//! [`v1::MetricsFile::parse`] (v1).
//!
//! This module is the pod side and the user's API: what a step logs and writes. What the
//! compiled YAML says about those outputs is each back end's (`compiler/v1/ui.rs` names the
//! KFP v1 UI's special artifacts).

pub mod v1;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{json, Map, Number, Value};

use crate::artifact::{ClassificationMetrics, Metrics, OutputPath};
use crate::runtime::executor::ExecutorInput;
use crate::runtime::RunError;
use crate::spec::component::ComponentSpec;

/// Metrics or UI output a component cannot log or write as asked.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum UiError {
    /// A metric name KFP v1 refuses (it must match `^[a-z]([-a-z0-9]{0,62}[a-z0-9])?$`).
    BadMetricName {
        /// The name.
        name: String,
    },
    /// A number KFP cannot hold (NaN or infinite).
    NotFinite {
        /// What the number is (`metric `loss``).
        what: String,
        /// The number's text.
        value: String,
    },
    /// Lists that must agree in length do not.
    Shape {
        /// What is wrong, naming the lists and their lengths.
        message: String,
    },
    /// Too many metrics for one `mlpipeline-metrics` file (KFP keeps at most 50 per run).
    TooMany {
        /// How many there are.
        count: usize,
    },
    /// A file that is not in the format KFP reads.
    Format {
        /// What is wrong with it.
        message: String,
    },
    /// A file could not be written.
    Write {
        /// The path.
        path: String,
        /// Why.
        error: String,
    },
}

impl fmt::Display for UiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UiError::BadMetricName { name } => write!(
                f,
                "metric name `{name}` is not one KFP accepts: it must be 1 to 64 lower-case \
                 letters, digits and `-`, start with a letter and not end with `-` \
                 (`^[a-z]([-a-z0-9]{{0,62}}[a-z0-9])?$`)"
            ),
            UiError::NotFinite { what, value } => write!(
                f,
                "{what} is {value}; KFP keeps only finite numbers in metrics"
            ),
            UiError::Shape { message } => f.write_str(message),
            UiError::TooMany { count } => write!(
                f,
                "{count} metrics in one mlpipeline-metrics file; KFP shows at most 50 per run"
            ),
            UiError::Format { message } => f.write_str(message),
            UiError::Write { path, error } => write!(f, "cannot write `{path}`: {error}"),
        }
    }
}

impl std::error::Error for UiError {}

/// A finite `value` as a JSON number, or the error naming `what`.
pub(crate) fn finite(what: impl FnOnce() -> String, value: f64) -> Result<Value, UiError> {
    Number::from_f64(value)
        .map(Value::Number)
        .ok_or_else(|| UiError::NotFinite {
            what: what(),
            value: value.to_string(),
        })
}

/// What components logged so far, by the local path of the output artifact.
#[derive(Debug, Default)]
struct Logged {
    /// The artifact's metadata, keys in the order they were first logged (as kfp's dict).
    metadata: Map<String, Value>,
    /// A value that cannot be written, reported when the step ends (as kfp would fail).
    error: Option<UiError>,
}

static LOGGED: Mutex<BTreeMap<PathBuf, Logged>> = Mutex::new(BTreeMap::new());

fn with_logged<R>(path: &Path, f: impl FnOnce(&mut Logged) -> R) -> R {
    // A panic elsewhere while holding the lock leaves the map usable: recover it.
    let mut map = LOGGED.lock().unwrap_or_else(|e| e.into_inner());
    f(map.entry(path.to_path_buf()).or_default())
}

fn take_logged(path: &Path) -> Option<Logged> {
    LOGGED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(path)
}

impl<K> OutputPath<K> {
    /// The metadata logged so far into this output artifact (kfp's `artifact.metadata`).
    pub fn logged_metadata(&self) -> Map<String, Value> {
        with_logged(self.path(), |l| l.metadata.clone())
    }
}

impl OutputPath<Metrics> {
    /// Logs scalar metric `metric` = `value` into the artifact's metadata, as kfp's
    /// `Metrics.log_metric`; logging a name again replaces its value. A NaN or infinite value
    /// fails the step when it ends (exit 1, naming the metric). On KFP v1 the metadata has
    /// nowhere to go: write [`v1::MetricsFile`] instead.
    ///
    /// ```
    /// use kfp_core::artifact::{Metrics, OutputPath};
    /// let metrics = OutputPath::<Metrics>::new("doc-log-metric/metrics");
    /// metrics.log_metric("accuracy", 0.9);
    /// metrics.log_metric("loss", 0.25);
    /// assert_eq!(serde_json::Value::Object(metrics.logged_metadata()).to_string(),
    ///            r#"{"accuracy":0.9,"loss":0.25}"#);
    /// ```
    pub fn log_metric(&self, metric: &str, value: f64) {
        with_logged(self.path(), |l| {
            match finite(|| format!("metric `{metric}`"), value) {
                Ok(v) => {
                    l.metadata.insert(metric.to_owned(), v);
                }
                Err(e) => {
                    l.error.get_or_insert(e);
                }
            }
        });
    }
}

impl OutputPath<ClassificationMetrics> {
    /// Logs a confusion matrix, as kfp's `ClassificationMetrics.log_confusion_matrix`:
    /// `matrix[i][j]` counts the examples of category `categories[i]` predicted as
    /// `categories[j]`. Replaces a matrix logged before. The matrix must be square, one row
    /// and one column per category.
    ///
    /// ```
    /// use kfp_core::artifact::{ClassificationMetrics, OutputPath};
    /// let cm = OutputPath::<ClassificationMetrics>::new("doc-cm/classification");
    /// cm.log_confusion_matrix(&["cat", "dog"], &[[8, 2], [1, 9]]).unwrap();
    /// assert_eq!(cm.logged_metadata()["confusionMatrix"]["rows"][1]["row"][1], 9);
    /// assert!(cm.log_confusion_matrix(&["cat", "dog"], &[[1, 2, 3]]).is_err());
    /// ```
    pub fn log_confusion_matrix<C: AsRef<str>, R: AsRef<[i64]>>(
        &self,
        categories: &[C],
        matrix: &[R],
    ) -> Result<(), UiError> {
        let n = categories.len();
        if matrix.len() != n || matrix.iter().any(|r| r.as_ref().len() != n) {
            let shape: Vec<usize> = matrix.iter().map(|r| r.as_ref().len()).collect();
            return Err(UiError::Shape {
                message: format!(
                    "confusion matrix with row lengths {shape:?} for {n} categories; it must \
                     have {n} rows of {n}"
                ),
            });
        }
        let specs: Vec<Value> = categories
            .iter()
            .map(|c| json!({"displayName": c.as_ref()}))
            .collect();
        let rows: Vec<Value> = matrix.iter().map(|r| json!({"row": r.as_ref()})).collect();
        with_logged(self.path(), |l| {
            l.metadata.insert(
                "confusionMatrix".into(),
                json!({"annotationSpecs": specs, "rows": rows}),
            );
        });
        Ok(())
    }

    /// Sets the categories of the confusion matrix and zeroes its counts, as kfp's
    /// `ClassificationMetrics.set_confusion_matrix_categories`; fill it in with
    /// [`log_confusion_matrix_row`](Self::log_confusion_matrix_row) and
    /// [`log_confusion_matrix_cell`](Self::log_confusion_matrix_cell).
    ///
    /// ```
    /// use kfp_core::artifact::{ClassificationMetrics, OutputPath};
    /// let cm = OutputPath::<ClassificationMetrics>::new("doc-cells/classification");
    /// cm.set_confusion_matrix_categories(&["cat", "dog"]);
    /// cm.log_confusion_matrix_row("cat", &[8, 2]).unwrap();
    /// cm.log_confusion_matrix_cell("dog", "dog", 9).unwrap();
    /// let rows = &cm.logged_metadata()["confusionMatrix"]["rows"];
    /// assert_eq!(rows.to_string(), r#"[{"row":[8,2]},{"row":[0,9]}]"#);
    /// assert!(cm.log_confusion_matrix_cell("cow", "dog", 1).is_err());
    /// ```
    pub fn set_confusion_matrix_categories<C: AsRef<str>>(&self, categories: &[C]) {
        let zeros = vec![vec![0_i64; categories.len()]; categories.len()];
        // Square by construction, so this cannot fail.
        let _ = self.log_confusion_matrix(categories, &zeros);
    }

    /// Sets the row of category `row_category` of the confusion matrix (kfp's
    /// `log_confusion_matrix_row`): one count per category.
    pub fn log_confusion_matrix_row(&self, row_category: &str, row: &[i64]) -> Result<(), UiError> {
        self.update_matrix(|categories, rows| {
            let i = index_of(categories, row_category)?;
            if row.len() != categories.len() {
                return Err(UiError::Shape {
                    message: format!(
                        "confusion matrix row of {} counts for {} categories",
                        row.len(),
                        categories.len()
                    ),
                });
            }
            rows[i] = json!({ "row": row });
            Ok(())
        })
    }

    /// Sets one count of the confusion matrix: examples of `row_category` predicted as
    /// `col_category` (kfp's `log_confusion_matrix_cell`).
    pub fn log_confusion_matrix_cell(
        &self,
        row_category: &str,
        col_category: &str,
        value: i64,
    ) -> Result<(), UiError> {
        self.update_matrix(|categories, rows| {
            let i = index_of(categories, row_category)?;
            let j = index_of(categories, col_category)?;
            if let Some(cell) = rows[i].pointer_mut(&format!("/row/{j}")) {
                *cell = json!(value);
            }
            Ok(())
        })
    }

    /// Runs `f` on the categories and rows of the logged confusion matrix.
    fn update_matrix(
        &self,
        f: impl FnOnce(&[String], &mut Vec<Value>) -> Result<(), UiError>,
    ) -> Result<(), UiError> {
        with_logged(self.path(), |l| {
            let matrix = l.metadata.get_mut("confusionMatrix");
            let Some(Value::Object(matrix)) = matrix else {
                return Err(UiError::Shape {
                    message: "no confusion matrix categories: call \
                              `set_confusion_matrix_categories` first"
                        .into(),
                });
            };
            let categories: Vec<String> = matrix["annotationSpecs"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s["displayName"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            match matrix.get_mut("rows") {
                Some(Value::Array(rows)) => f(&categories, rows),
                _ => Ok(()),
            }
        })
    }

    /// Logs a ROC curve, one point per index of the three lists, as kfp's
    /// `ClassificationMetrics.log_roc_curve`. The lists must have the same length; the points
    /// are added after those logged before.
    ///
    /// ```
    /// use kfp_core::artifact::{ClassificationMetrics, OutputPath};
    /// let cm = OutputPath::<ClassificationMetrics>::new("doc-roc/classification");
    /// cm.log_roc_curve(&[0.0, 1.0], &[0.0, 1.0], &[1.0, 0.0]).unwrap();
    /// cm.log_roc_data_point(0.1, 0.6, 0.7);
    /// let points = &cm.logged_metadata()["confidenceMetrics"];
    /// assert_eq!(points[2]["recall"], 0.6);
    /// assert!(cm.log_roc_curve(&[0.0], &[0.0, 1.0], &[1.0]).is_err());
    /// ```
    pub fn log_roc_curve(
        &self,
        fpr: &[f64],
        tpr: &[f64],
        thresholds: &[f64],
    ) -> Result<(), UiError> {
        if fpr.len() != tpr.len() || fpr.len() != thresholds.len() {
            return Err(UiError::Shape {
                message: format!(
                    "ROC curve lists of lengths {} (fpr), {} (tpr) and {} (thresholds); they \
                     must be the same",
                    fpr.len(),
                    tpr.len(),
                    thresholds.len()
                ),
            });
        }
        for ((f, t), th) in fpr.iter().zip(tpr).zip(thresholds) {
            self.log_roc_data_point(*f, *t, *th);
        }
        Ok(())
    }

    /// Logs one point of the ROC curve (false positive rate, true positive rate and the
    /// threshold that gives them), as kfp's `ClassificationMetrics.log_roc_data_point`. A NaN
    /// or infinite number fails the step when it ends.
    pub fn log_roc_data_point(&self, fpr: f64, tpr: f64, threshold: f64) {
        let point = (|| {
            Ok::<_, UiError>(json!({
                "confidenceThreshold": finite(|| "ROC point threshold".into(), threshold)?,
                "recall": finite(|| "ROC point tpr".into(), tpr)?,
                "falsePositiveRate": finite(|| "ROC point fpr".into(), fpr)?,
            }))
        })();
        with_logged(self.path(), |l| match point {
            Ok(point) => {
                let list = l
                    .metadata
                    .entry("confidenceMetrics")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = list {
                    list.push(point);
                }
            }
            Err(e) => {
                l.error.get_or_insert(e);
            }
        });
    }
}

fn index_of(categories: &[String], category: &str) -> Result<usize, UiError> {
    categories
        .iter()
        .position(|c| c == category)
        .ok_or_else(|| UiError::Shape {
            message: format!("category `{category}` is not one of {categories:?}"),
        })
}

/// Puts what the component logged into the metadata of its output artifacts in `input`, before
/// the runtime writes `executor_output.json`; keys logged replace the ones the executor input
/// gave, as in kfp's `artifact.metadata`. Fails, naming the output, for a value that cannot be
/// written.
pub(crate) fn attach_logged(
    spec: &ComponentSpec,
    input: &mut ExecutorInput,
) -> Result<(), RunError> {
    for (name, list) in input.output_artifacts.iter_mut() {
        let Some(artifact) = list.first_mut() else {
            continue;
        };
        let Some(logged) = take_logged(Path::new(&artifact.local_path())) else {
            continue;
        };
        if let Some(e) = logged.error {
            return Err(RunError::Failed {
                component: spec.key.clone(),
                chain: vec![format!("output `{name}`: {e}")],
            });
        }
        for (k, v) in logged.metadata {
            artifact.metadata.insert(k, v);
        }
    }
    Ok(())
}

/// The metadata of each output artifact in an `executor_output.json` (kfp's
/// `{"artifacts": {"<output>": {"artifacts": [{"metadata": {...}}]}}}`), by output name: the
/// scalar metrics of a `Metrics` output, the `confusionMatrix` and `confidenceMetrics` of a
/// `ClassificationMetrics` output. Outputs with empty metadata are left out.
///
/// ```
/// let text = r#"{"parameterValues": {"Output": 0.85}, "artifacts": {"metrics":
///     {"artifacts": [{"name": "metrics", "uri": "/x", "metadata": {"accuracy": 0.85}}]}}}"#;
/// let metrics = kfp_core::ui::read_executor_output(text).unwrap();
/// assert_eq!(metrics["metrics"]["accuracy"], 0.85);
/// ```
pub fn read_executor_output(text: &str) -> Result<BTreeMap<String, Map<String, Value>>, UiError> {
    let value: Value = serde_json::from_str(text).map_err(|e| UiError::Format {
        message: format!("executor output is not JSON: {e}"),
    })?;
    let mut out = BTreeMap::new();
    let Some(artifacts) = value.get("artifacts") else {
        return Ok(out);
    };
    let Value::Object(artifacts) = artifacts else {
        return Err(UiError::Format {
            message: "`artifacts` of the executor output is not an object".into(),
        });
    };
    for (name, list) in artifacts {
        let metadata = list
            .pointer("/artifacts/0/metadata")
            .and_then(Value::as_object);
        if let Some(m) = metadata.filter(|m| !m.is_empty()) {
            out.insert(name.clone(), m.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
