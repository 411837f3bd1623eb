//! The values the MLflow API exchanges: experiments, runs, metrics.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// An MLflow experiment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Experiment {
    /// `experiment_id`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `artifact_location`: where its runs' artifacts go by default.
    pub artifact_location: String,
}

/// A run's lifecycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunStatus {
    /// `RUNNING`.
    Running,
    /// `SCHEDULED`.
    Scheduled,
    /// `FINISHED`.
    Finished,
    /// `FAILED`.
    Failed,
    /// `KILLED`.
    Killed,
}

impl RunStatus {
    /// The REST name (`FINISHED`).
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "RUNNING",
            RunStatus::Scheduled => "SCHEDULED",
            RunStatus::Finished => "FINISHED",
            RunStatus::Failed => "FAILED",
            RunStatus::Killed => "KILLED",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "RUNNING" => RunStatus::Running,
            "SCHEDULED" => RunStatus::Scheduled,
            "FINISHED" => RunStatus::Finished,
            "FAILED" => RunStatus::Failed,
            "KILLED" => RunStatus::Killed,
            _ => return None,
        })
    }
}

/// A run's identity and state (`RunInfo`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunInfo {
    /// `run_id`.
    pub run_id: String,
    /// `experiment_id`.
    pub experiment_id: String,
    /// `run_name`.
    pub run_name: String,
    /// `status`.
    pub status: RunStatus,
    /// `artifact_uri`: `mlflow-artifacts:/…`, `s3://…` or `file:…`.
    pub artifact_uri: String,
}

/// A run with its data: params, tags and the latest value of each metric.
#[derive(Clone, Debug, PartialEq)]
pub struct RunData {
    /// The run.
    pub info: RunInfo,
    /// Params by key.
    pub params: BTreeMap<String, String>,
    /// Tags by key.
    pub tags: BTreeMap<String, String>,
    /// The latest value of each metric.
    pub metrics: BTreeMap<String, f64>,
}

/// One metric value.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    /// The key.
    pub key: String,
    /// The value.
    pub value: f64,
    /// Milliseconds since the Unix epoch.
    pub timestamp: i64,
    /// The step (an epoch, a batch).
    pub step: i64,
}

impl Metric {
    /// A value at `step`, stamped now.
    pub fn now(key: &str, value: f64, step: i64) -> Self {
        Metric {
            key: key.to_owned(),
            value,
            timestamp: now_ms(),
            step,
        }
    }

    pub(crate) fn to_json(&self) -> Value {
        // Proto3 JSON spells the non-finite doubles as strings; serde_json cannot write them.
        let value = if self.value.is_nan() {
            json!("NaN")
        } else if self.value.is_infinite() {
            json!(if self.value > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            })
        } else {
            json!(self.value)
        };
        json!({"key": self.key, "value": value, "timestamp": self.timestamp, "step": self.step})
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

pub(crate) fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

pub(crate) fn number(v: &Value) -> f64 {
    match v {
        Value::String(s) => match s.as_str() {
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            other => other.parse().unwrap_or(f64::NAN),
        },
        other => other.as_f64().unwrap_or(f64::NAN),
    }
}

pub(crate) fn int(v: &Value) -> i64 {
    match v {
        Value::String(s) => s.parse().unwrap_or(0),
        other => other.as_i64().unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_metrics_are_proto_json_strings() {
        let mut m = Metric::now("x", f64::NAN, 0);
        assert_eq!(m.to_json()["value"], "NaN");
        m.value = f64::NEG_INFINITY;
        assert_eq!(m.to_json()["value"], "-Infinity");
        assert_eq!(number(&json!("Infinity")), f64::INFINITY);
        assert_eq!(number(&json!(1.5)), 1.5);
    }
}
