//! What a local run leaves behind: the run record, one entry per task run, with typed access
//! to the outputs, and its JSON form (`run --json PATH`).

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::LocalError;
use crate::types::KfpType;

/// How one task of a local run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskState {
    /// It ran and succeeded.
    Succeeded,
    /// It ran and failed (after its retries).
    Failed,
    /// It was killed at its timeout.
    TimedOut,
    /// Its outputs came from the cache; it did not run.
    Cached,
    /// A condition around it did not hold.
    Skipped,
    /// It never started: a task it needs failed, or the run stopped first.
    NotRun,
    /// It was running when the run was interrupted (Ctrl-C, SIGTERM).
    Cancelled,
}

impl TaskState {
    /// The state as the summary table shows it (`succeeded`, `skipped by condition`).
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Succeeded => "succeeded",
            TaskState::Failed => "failed",
            TaskState::TimedOut => "timed out",
            TaskState::Cached => "cached",
            TaskState::Skipped => "skipped by condition",
            TaskState::NotRun => "not run",
            TaskState::Cancelled => "cancelled",
        }
    }

    /// Whether the task's outputs exist (it succeeded or came from the cache).
    pub fn has_outputs(self) -> bool {
        matches!(self, TaskState::Succeeded | TaskState::Cached)
    }

    /// Whether the state makes the run fail.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            TaskState::Failed | TaskState::TimedOut | TaskState::Cancelled
        )
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An output artifact of a task: where its file is and the metadata the component gave it in
/// `executor_output.json` (metrics, for instance).
#[derive(Clone, Debug, PartialEq)]
pub struct ArtifactRecord {
    /// The artifact's URI, a local path under the run folder.
    pub uri: String,
    /// Its type (`system.Dataset`).
    pub schema_title: String,
    /// `metadata` of the artifact in `executor_output.json`; `{}` when none.
    pub metadata: Value,
}

/// One run (or cache hit, or skip) of a task; a task inside a loop has one per iteration.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskRecord {
    /// The name in the summary: the task's name, with the loop iterations for a task in a
    /// loop (`square[2]`).
    pub name: String,
    /// The task's name in the pipeline (`square`).
    pub task: String,
    /// The display name, if the task has one.
    pub display_name: Option<String>,
    /// The loop iterations, outermost first; empty outside loops.
    pub iteration: Vec<usize>,
    /// How it ended.
    pub state: TaskState,
    /// How many times it started (retries included); 0 when it did not run.
    pub attempts: u32,
    /// How long it ran, all attempts included.
    pub duration: Duration,
    /// The output parameters, by name.
    pub outputs: Map<String, Value>,
    /// The output artifacts, by name.
    pub artifacts: BTreeMap<String, ArtifactRecord>,
    /// The task's folder, when it ran.
    pub dir: Option<PathBuf>,
    /// Its log (`<dir>/log.txt`), when it ran as a process.
    pub log: Option<PathBuf>,
    /// Why it failed or did not run.
    pub error: Option<String>,
}

/// The overall result of a local run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunState {
    /// Every task succeeded, came from the cache, or was skipped by a condition.
    Succeeded,
    /// A task failed or timed out.
    Failed,
    /// The run was interrupted.
    Cancelled,
}

impl RunState {
    /// `succeeded`, `failed` or `cancelled`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Succeeded => "succeeded",
            RunState::Failed => "failed",
            RunState::Cancelled => "cancelled",
        }
    }
}

/// Everything about a finished local run: parameters, task states, timings, outputs and
/// artifact paths.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRecord {
    /// The pipeline's name.
    pub pipeline: String,
    /// The run's id (`<pipeline>-<yyyymmdd-hhmmss>-<n>`).
    pub run_id: String,
    /// The run folder.
    pub root: PathBuf,
    /// The parameters the run used, defaults filled in.
    pub params: Map<String, Value>,
    /// The tasks in pipeline order, a loop's iterations in order.
    pub tasks: Vec<TaskRecord>,
    /// How the run ended.
    pub state: RunState,
    /// The run's wall time.
    pub elapsed: Duration,
    /// The pipeline's outputs (what its function returns) that are values, by name; an
    /// output whose task did not give it is left out.
    pub outputs: Map<String, Value>,
    /// The pipeline's outputs that are files, by name.
    pub output_artifacts: BTreeMap<String, ArtifactRecord>,
}

/// The pipeline's outputs, read from the records of the tasks that give them (a task that
/// ran once: outside any loop).
pub(crate) fn pipeline_outputs(
    pipeline: &crate::spec::pipeline::Pipeline,
    tasks: &[TaskRecord],
) -> (Map<String, Value>, BTreeMap<String, ArtifactRecord>) {
    let mut values = Map::new();
    let mut files = BTreeMap::new();
    for o in &pipeline.outputs {
        let crate::spec::pipeline::Arg::Output { task, output } = &o.source else {
            continue;
        };
        let Some(producer) = pipeline.task(*task) else {
            continue;
        };
        let key = crate::compiler::v2_io::io_name(&producer.component, output);
        let Some(record) = tasks
            .iter()
            .find(|t| t.task == producer.name && t.iteration.is_empty())
        else {
            continue;
        };
        if o.artifact.is_some() {
            if let Some(a) = record.artifacts.get(key.as_ref()) {
                files.insert(o.name.clone(), a.clone());
            }
        } else if let Some(v) = record.outputs.get(key.as_ref()) {
            values.insert(o.name.clone(), v.clone());
        }
    }
    (values, files)
}

impl RunRecord {
    /// Whether the run succeeded.
    pub fn succeeded(&self) -> bool {
        self.state == RunState::Succeeded
    }

    /// The record of task `name`: a task's name (`add`), or with its loop iterations for a
    /// task in a loop (`square[1]`).
    pub fn task(&self, name: &str) -> Option<&TaskRecord> {
        self.tasks.iter().find(|t| t.name == name)
    }

    /// Every record of task `task` (one per loop iteration), in iteration order.
    pub fn iterations<'a>(&'a self, task: &'a str) -> impl Iterator<Item = &'a TaskRecord> + 'a {
        self.tasks.iter().filter(move |t| t.task == task)
    }

    /// Output parameter `output` of task `task` (named as in [`RunRecord::task`]), as a `T`.
    pub fn output<T: KfpType>(&self, task: &str, output: &str) -> Result<T, LocalError> {
        let record = self.task(task).ok_or_else(|| LocalError::NoSuchOutput {
            task: task.to_owned(),
            output: output.to_owned(),
            reason: "no task by that name ran in this pipeline".into(),
        })?;
        let value = record
            .outputs
            .get(output)
            .ok_or_else(|| LocalError::NoSuchOutput {
                task: task.to_owned(),
                output: output.to_owned(),
                reason: format!(
                    "the task {}; its outputs: {}",
                    record.state,
                    names(record.outputs.keys())
                ),
            })?;
        T::from_json(value).map_err(|e| LocalError::NoSuchOutput {
            task: task.to_owned(),
            output: output.to_owned(),
            reason: format!("{value} is not a `{}`: {e}", T::RUST_NAME),
        })
    }

    /// The pipeline's output `name` (what its function returns), as a `T`.
    pub fn pipeline_output<T: KfpType>(&self, name: &str) -> Result<T, LocalError> {
        let no_such = |reason: String| LocalError::NoSuchOutput {
            task: format!("(pipeline {})", self.pipeline),
            output: name.to_owned(),
            reason,
        };
        let value = self.outputs.get(name).ok_or_else(|| {
            no_such(format!(
                "the run has no such output; its outputs: {}",
                names(self.outputs.keys())
            ))
        })?;
        T::from_json(value)
            .map_err(|e| no_such(format!("{value} is not a `{}`: {e}", T::RUST_NAME)))
    }

    /// The local path of output artifact `output` of task `task`.
    pub fn artifact_path(&self, task: &str, output: &str) -> Result<PathBuf, LocalError> {
        let record = self.task(task).ok_or_else(|| LocalError::NoSuchOutput {
            task: task.to_owned(),
            output: output.to_owned(),
            reason: "no task by that name ran in this pipeline".into(),
        })?;
        record
            .artifacts
            .get(output)
            .map(|a| PathBuf::from(&a.uri))
            .ok_or_else(|| LocalError::NoSuchOutput {
                task: task.to_owned(),
                output: output.to_owned(),
                reason: format!(
                    "the task {}; its artifacts: {}",
                    record.state,
                    names(record.artifacts.keys())
                ),
            })
    }

    /// The tasks in `state`, by summary name.
    pub fn in_state(&self, state: TaskState) -> Vec<&str> {
        self.tasks
            .iter()
            .filter(|t| t.state == state)
            .map(|t| t.name.as_str())
            .collect()
    }

    /// The whole record as JSON (what `run --json PATH` writes).
    pub fn to_json(&self) -> Value {
        let tasks: Vec<Value> = self
            .tasks
            .iter()
            .map(|t| {
                let artifacts: Map<String, Value> = t
                    .artifacts
                    .iter()
                    .map(|(k, a)| {
                        (
                            k.clone(),
                            json!({"uri": a.uri, "type": a.schema_title, "metadata": a.metadata}),
                        )
                    })
                    .collect();
                json!({
                    "name": t.name,
                    "task": t.task,
                    "displayName": t.display_name,
                    "iteration": t.iteration,
                    "state": t.state.as_str(),
                    "attempts": t.attempts,
                    "durationSeconds": t.duration.as_secs_f64(),
                    "outputs": t.outputs,
                    "artifacts": artifacts,
                    "dir": t.dir.as_ref().map(|d| d.display().to_string()),
                    "log": t.log.as_ref().map(|d| d.display().to_string()),
                    "error": t.error,
                })
            })
            .collect();
        json!({
            "pipeline": self.pipeline,
            "runId": self.run_id,
            "root": self.root.display().to_string(),
            "state": self.state.as_str(),
            "elapsedSeconds": self.elapsed.as_secs_f64(),
            "parameters": self.params,
            "tasks": tasks,
            "outputs": self.outputs,
            "outputArtifacts": self
                .output_artifacts
                .iter()
                .map(|(k, a)| (k.clone(), json!({"uri": a.uri, "type": a.schema_title})))
                .collect::<Map<String, Value>>(),
        })
    }
}

fn names<'a>(keys: impl Iterator<Item = &'a String>) -> String {
    let list: Vec<String> = keys.map(|k| format!("`{k}`")).collect();
    if list.is_empty() {
        "none".into()
    } else {
        list.join(", ")
    }
}
