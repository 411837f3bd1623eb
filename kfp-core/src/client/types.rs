//! What the client returns, the same for both APIs, read from the JSON of either.

use std::fmt;

use serde_json::Value;

use super::ClientError;
use crate::compiler::Target;

/// An uploaded pipeline.
#[derive(Clone, Debug, PartialEq)]
pub struct PipelineInfo {
    /// Its ID.
    pub id: String,
    /// Its name (v2: display name).
    pub name: String,
    /// Its default version, when the answer names one (v1 uploads do).
    pub default_version_id: Option<String>,
    /// The answer as the server sent it.
    pub raw: Value,
}

/// An uploaded pipeline version.
#[derive(Clone, Debug, PartialEq)]
pub struct PipelineVersionInfo {
    /// Its ID.
    pub id: String,
    /// Its name (v2: display name).
    pub name: String,
    /// The pipeline it belongs to.
    pub pipeline_id: String,
    /// The answer as the server sent it.
    pub raw: Value,
}

/// An experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct Experiment {
    /// Its ID.
    pub id: String,
    /// Its name (v2: display name).
    pub name: String,
    /// The answer as the server sent it.
    pub raw: Value,
}

/// A recurring run (v1: a job).
#[derive(Clone, Debug, PartialEq)]
pub struct RecurringRun {
    /// Its ID.
    pub id: String,
    /// Its name (v2: display name).
    pub name: String,
}

/// The state of a run or a task, as both APIs name them (v1's `Succeeded` is
/// [`RunState::Succeeded`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunState {
    /// Not started yet.
    Pending,
    /// Running.
    Running,
    /// Ended well.
    Succeeded,
    /// Skipped (cached).
    Skipped,
    /// Failed.
    Failed,
    /// v1: the workflow errored.
    Error,
    /// Being canceled.
    Canceling,
    /// Canceled.
    Canceled,
    /// Paused.
    Paused,
    /// Any other state, as the server spelled it (empty when it gave none).
    Other(String),
}

impl RunState {
    /// Reads a v1 `status` or a v2 `state`.
    pub fn parse(s: &str) -> RunState {
        match s.to_ascii_uppercase().as_str() {
            "PENDING" => RunState::Pending,
            "RUNNING" => RunState::Running,
            "SUCCEEDED" => RunState::Succeeded,
            "SKIPPED" | "OMITTED" => RunState::Skipped,
            "FAILED" => RunState::Failed,
            "ERROR" => RunState::Error,
            "CANCELING" | "TERMINATING" => RunState::Canceling,
            "CANCELED" | "CANCELLED" | "TERMINATED" => RunState::Canceled,
            "PAUSED" => RunState::Paused,
            _ => RunState::Other(s.to_owned()),
        }
    }

    /// Whether the run has ended: SUCCEEDED, SKIPPED, FAILED, ERROR or CANCELED.
    ///
    /// ```
    /// use kfp_core::client::RunState;
    /// assert!(RunState::parse("Succeeded").is_terminal());
    /// assert!(RunState::parse("CANCELED").is_terminal());
    /// assert!(!RunState::parse("RUNNING").is_terminal());
    /// ```
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            RunState::Succeeded
                | RunState::Skipped
                | RunState::Failed
                | RunState::Error
                | RunState::Canceled
        )
    }
}

impl fmt::Display for RunState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RunState::Pending => "PENDING",
            RunState::Running => "RUNNING",
            RunState::Succeeded => "SUCCEEDED",
            RunState::Skipped => "SKIPPED",
            RunState::Failed => "FAILED",
            RunState::Error => "ERROR",
            RunState::Canceling => "CANCELING",
            RunState::Canceled => "CANCELED",
            RunState::Paused => "PAUSED",
            RunState::Other(s) if s.is_empty() => "UNKNOWN",
            RunState::Other(s) => s,
        })
    }
}

/// One task of a run and its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskState {
    /// The task's display name.
    pub name: String,
    /// Its state.
    pub state: RunState,
}

/// A run.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// Its ID.
    pub id: String,
    /// Its name (v2: display name).
    pub name: String,
    /// Its state.
    pub state: RunState,
    /// When it was created (RFC 3339), if known.
    pub created_at: Option<String>,
    /// When it ended (RFC 3339), if it has.
    pub finished_at: Option<String>,
    /// The server's error message, if any.
    pub error: Option<String>,
    /// The tasks' states, by name (v1: the workflow's pod nodes; v2: the run details).
    pub tasks: Vec<TaskState>,
}

/// What a run (or recurring run) runs: an uploaded version or an inline pipeline.
#[derive(Clone, Debug, PartialEq)]
pub enum PipelineSource {
    /// A pipeline inline, as [`super::package`] makes it.
    Inline(Value),
    /// An uploaded pipeline, at `version_id` (v2: the latest version when `None`).
    Version {
        /// The pipeline.
        pipeline_id: String,
        /// The version.
        version_id: Option<String>,
    },
}

/// What the create-run and create-recurring-run requests carry.
#[derive(Clone, Debug, PartialEq)]
pub struct RunBody {
    /// The run's name.
    pub name: String,
    /// Its experiment.
    pub experiment_id: String,
    /// What it runs.
    pub pipeline: PipelineSource,
    /// The pipeline's parameters, typed.
    pub arguments: Vec<(String, Value)>,
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn required(v: &Value, key: &str, what: &'static str) -> Result<String, ClientError> {
    str_field(v, key).ok_or_else(|| ClientError::Decode {
        what,
        reason: format!("no `{key}` in {}", short(v)),
    })
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 200 {
        format!("{}...", s.chars().take(200).collect::<String>())
    } else {
        s
    }
}

/// The items of a list answer (`[]` when the key is absent, as KFP omits empty lists).
pub(crate) fn list_items<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Reads an `apiPipeline` (v1) or `v2beta1Pipeline` (v2).
pub fn parse_pipeline(target: Target, v: &Value) -> Result<PipelineInfo, ClientError> {
    const WHAT: &str = "a pipeline";
    Ok(match target {
        Target::V1 => PipelineInfo {
            id: required(v, "id", WHAT)?,
            name: str_field(v, "name").unwrap_or_default(),
            default_version_id: v.get("default_version").and_then(|d| str_field(d, "id")),
            raw: v.clone(),
        },
        Target::V2 => PipelineInfo {
            id: required(v, "pipeline_id", WHAT)?,
            name: str_field(v, "display_name")
                .or_else(|| str_field(v, "name"))
                .unwrap_or_default(),
            default_version_id: None,
            raw: v.clone(),
        },
    })
}

/// Reads an `apiPipelineVersion` (v1) or `v2beta1PipelineVersion` (v2) of `pipeline_id`.
pub fn parse_pipeline_version(
    target: Target,
    v: &Value,
    pipeline_id: &str,
) -> Result<PipelineVersionInfo, ClientError> {
    const WHAT: &str = "a pipeline version";
    Ok(match target {
        Target::V1 => PipelineVersionInfo {
            id: required(v, "id", WHAT)?,
            name: str_field(v, "name").unwrap_or_default(),
            pipeline_id: pipeline_id.to_owned(),
            raw: v.clone(),
        },
        Target::V2 => PipelineVersionInfo {
            id: required(v, "pipeline_version_id", WHAT)?,
            name: str_field(v, "display_name")
                .or_else(|| str_field(v, "name"))
                .unwrap_or_default(),
            pipeline_id: str_field(v, "pipeline_id").unwrap_or_else(|| pipeline_id.to_owned()),
            raw: v.clone(),
        },
    })
}

/// Reads an `apiExperiment` (v1) or `v2beta1Experiment` (v2).
pub fn parse_experiment(target: Target, v: &Value) -> Result<Experiment, ClientError> {
    const WHAT: &str = "an experiment";
    let (id, name) = match target {
        Target::V1 => ("id", "name"),
        Target::V2 => ("experiment_id", "display_name"),
    };
    Ok(Experiment {
        id: required(v, id, WHAT)?,
        name: str_field(v, name).unwrap_or_default(),
        raw: v.clone(),
    })
}

/// Reads an `apiJob` (v1) or `v2beta1RecurringRun` (v2).
pub fn parse_recurring_run(target: Target, v: &Value) -> Result<RecurringRun, ClientError> {
    const WHAT: &str = "a recurring run";
    let (id, name) = match target {
        Target::V1 => ("id", "name"),
        Target::V2 => ("recurring_run_id", "display_name"),
    };
    Ok(RecurringRun {
        id: required(v, id, WHAT)?,
        name: str_field(v, name).unwrap_or_default(),
    })
}

/// A timestamp, or `None` for KFP's "never" (`1970-01-01T00:00:00Z`) and absent ones.
fn time_field(v: &Value, key: &str) -> Option<String> {
    str_field(v, key).filter(|t| !t.starts_with("1970-01-01T00:00:00"))
}

/// Reads an `apiRunDetail` or `apiRun` (v1), or a `v2beta1Run` (v2).
pub fn parse_run(target: Target, v: &Value) -> Result<Run, ClientError> {
    const WHAT: &str = "a run";
    match target {
        Target::V1 => {
            let run = v.get("run").unwrap_or(v);
            let manifest = v
                .pointer("/pipeline_runtime/workflow_manifest")
                .and_then(Value::as_str)
                .and_then(|s| serde_json::from_str::<Value>(s).ok());
            let mut tasks: Vec<TaskState> = manifest
                .as_ref()
                .and_then(|m| m.pointer("/status/nodes"))
                .and_then(Value::as_object)
                .map(|nodes| {
                    nodes
                        .values()
                        .filter(|n| n.get("type").and_then(Value::as_str) == Some("Pod"))
                        .map(|n| TaskState {
                            name: str_field(n, "displayName")
                                .or_else(|| str_field(n, "name"))
                                .unwrap_or_default(),
                            state: RunState::parse(
                                n.get("phase").and_then(Value::as_str).unwrap_or(""),
                            ),
                        })
                        .collect()
                })
                .unwrap_or_default();
            tasks.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(Run {
                id: required(run, "id", WHAT)?,
                name: str_field(run, "name").unwrap_or_default(),
                state: RunState::parse(run.get("status").and_then(Value::as_str).unwrap_or("")),
                created_at: time_field(run, "created_at"),
                finished_at: time_field(run, "finished_at"),
                error: str_field(run, "error"),
                tasks,
            })
        }
        Target::V2 => {
            let mut tasks: Vec<TaskState> = v
                .pointer("/run_details/task_details")
                .and_then(Value::as_array)
                .map(|ts| {
                    ts.iter()
                        .map(|t| TaskState {
                            name: str_field(t, "display_name")
                                .or_else(|| str_field(t, "task_id"))
                                .unwrap_or_default(),
                            state: RunState::parse(
                                t.get("state").and_then(Value::as_str).unwrap_or(""),
                            ),
                        })
                        .collect()
                })
                .unwrap_or_default();
            tasks.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(Run {
                id: required(v, "run_id", WHAT)?,
                name: str_field(v, "display_name").unwrap_or_default(),
                state: RunState::parse(v.get("state").and_then(Value::as_str).unwrap_or("")),
                created_at: time_field(v, "created_at"),
                finished_at: time_field(v, "finished_at"),
                error: v
                    .get("error")
                    .and_then(|e| str_field(e, "message"))
                    .or_else(|| str_field(v, "error")),
                tasks,
            })
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD HH<sep>MM<sep>SS` for seconds since the epoch, in UTC.
pub(crate) fn format_utc(secs: u64, sep: char) -> String {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = crate::civil::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}{sep}{:02}{sep}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Seconds since the epoch of an RFC 3339 UTC time (`2024-05-01T10:00:00Z`, fractions
/// ignored), or `None`.
pub(crate) fn parse_rfc3339(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| t.get(r)?.parse::<i64>().ok();
    let days = days_from_civil(n(0..4)?, n(5..7)?, n(8..10)?);
    Some(days * 86_400 + n(11..13)? * 3600 + n(14..16)? * 60 + n(17..19)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_round_trip() {
        assert_eq!(format_utc(0, ':'), "1970-01-01 00:00:00");
        assert_eq!(format_utc(1_709_210_096, '-'), "2024-02-29 12-34-56");
        assert_eq!(parse_rfc3339("2024-02-29T12:34:56Z"), Some(1_709_210_096));
        assert_eq!(
            parse_rfc3339("2024-02-29T12:34:56.123Z"),
            Some(1_709_210_096)
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn states_of_both_apis() {
        assert_eq!(RunState::parse("Succeeded"), RunState::Succeeded);
        assert_eq!(RunState::parse("FAILED"), RunState::Failed);
        assert_eq!(RunState::parse("Error").to_string(), "ERROR");
        assert_eq!(RunState::parse("").to_string(), "UNKNOWN");
        assert!(!RunState::parse("").is_terminal());
    }
}
