//! How an exit handler's group ended, as KFP v2 gives it to the exit task (kfp's
//! `PipelineTaskFinalStatus`).

use serde_json::{json, Map, Value};

use crate::types::ValueError;

/// How the group of an [`ExitHandler`](crate::ExitHandler) ended: a parameter of this type
/// in an exit task's component is filled in by KFP v2 (`TASK_FINAL_STATUS`), not passed by
/// the pipeline, so the task made from it does not take it as an argument. It is not a KFP
/// parameter type: no other input, output or pipeline parameter can have it.
///
/// ```
/// use kfp_core::prelude::*;
///
/// #[component]
/// fn report(status: TaskFinalStatus) {
///     println!("{}: {:?}", status.state, status.error_message);
/// }
///
/// #[component]
/// fn work() {}
///
/// #[pipeline(name = "with-report")]
/// fn with_report() {
///     let report = report(); // no argument: KFP fills in `status`
///     ExitHandler::new(&report).named("main-work").run(|| {
///         work();
///     });
/// }
///
/// fn main() {
/// let yaml = Compiler::new().compile(&with_report(), Target::V2).unwrap();
/// assert!(yaml.contains("parameterType: TASK_FINAL_STATUS"));
/// assert!(yaml.contains("taskFinalStatus:\n"));
/// }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskFinalStatus {
    /// How the group ended: `SUCCEEDED`, `FAILED` or `CANCELLED`.
    pub state: String,
    /// The run's resource name.
    pub pipeline_job_resource_name: String,
    /// The name of the task (the group) whose status this is.
    pub pipeline_task_name: String,
    /// The error's code (a `google.rpc.Code`), when it failed.
    pub error_code: Option<i64>,
    /// The error's message, when it failed.
    pub error_message: Option<String>,
}

impl TaskFinalStatus {
    /// Whether the group succeeded.
    pub fn succeeded(&self) -> bool {
        self.state == "SUCCEEDED"
    }
}

/// The string field `camel` (or, as older KFP backends write it, `snake`) of `map`.
fn text(map: &Map<String, Value>, camel: &str, snake: &str) -> Result<String, ValueError> {
    match map
        .get(camel)
        .filter(|v| !v.is_null())
        .or_else(|| map.get(snake))
    {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(ValueError::expected_text(&format!(
            "`{camel}` to be a string, not {other}"
        ))),
    }
}

impl TaskFinalStatus {
    /// The status as JSON, in the form [`TaskFinalStatus::from_json`] reads.
    pub fn to_json(&self) -> Value {
        let mut error = Map::new();
        if let Some(code) = self.error_code {
            error.insert("code".into(), json!(code));
        }
        if let Some(message) = &self.error_message {
            error.insert("message".into(), json!(message));
        }
        json!({
            "state": self.state,
            "pipelineJobResourceName": self.pipeline_job_resource_name,
            "pipelineTaskName": self.pipeline_task_name,
            "error": error,
        })
    }

    /// Reads the status as the KFP v2 driver writes it into the executor input: the JSON form
    /// of the IR's `PipelineTaskFinalStatus` (`{"state", "pipelineJobResourceName",
    /// "pipelineTaskName", "error": {"code", "message"}}`), also with snake-case names, as
    /// kfp's executor reads it.
    pub fn from_json(value: &Value) -> Result<Self, ValueError> {
        let Value::Object(map) = value else {
            return Err(ValueError::expected_text(
                "a task final status (a JSON object with `state`)",
            ));
        };
        let error = match map.get("error") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(e)) => e.clone(),
            Some(other) => {
                return Err(ValueError::expected_text(&format!(
                    "`error` to be an object, not {other}"
                )))
            }
        };
        let error_code = match error.get("code") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => n.as_i64(),
            // Protobuf's JSON form may write 64-bit numbers as strings.
            Some(Value::String(s)) => s.parse().ok(),
            Some(other) => {
                return Err(ValueError::expected_text(&format!(
                    "`error.code` to be a number, not {other}"
                )))
            }
        };
        let error_message = match error.get("message") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                return Err(ValueError::expected_text(&format!(
                    "`error.message` to be a string, not {other}"
                )))
            }
        };
        Ok(TaskFinalStatus {
            state: text(map, "state", "state")?,
            pipeline_job_resource_name: text(
                map,
                "pipelineJobResourceName",
                "pipeline_job_resource_name",
            )?,
            pipeline_task_name: text(map, "pipelineTaskName", "pipeline_task_name")?,
            error_code,
            error_message,
        })
    }
}

/// The one rule for where a `TaskFinalStatus` input is filled in: only for the exit task of an
/// exit handler, and only on a target that fills it in at all (`target_fills`: KFP v2 and the
/// local runner do, KFP v1 does not). Returns each final-status input that breaks it, as the
/// task and the input's name; each back end words its own error.
pub(crate) fn misplaced_final_status(
    p: &crate::spec::pipeline::Pipeline,
    target_fills: bool,
) -> Vec<(&crate::spec::pipeline::TaskSpec, &str)> {
    let exit_tasks: Vec<usize> = p
        .groups
        .iter()
        .filter_map(|g| match &g.kind {
            crate::control::GroupKind::ExitHandler { exit_task, .. }
                if p.task(*exit_task).is_some() =>
            {
                Some(exit_task.index())
            }
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for (t, task) in p.tasks.iter().enumerate() {
        if target_fills && exit_tasks.contains(&t) {
            continue;
        }
        for i in task.component.final_status_inputs() {
            let input = task
                .component
                .inputs
                .get(i)
                .map_or("?", |i| i.name.as_str());
            out.push((task, input));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_status_the_kfp_driver_writes() {
        let status = TaskFinalStatus::from_json(&json!({
            "state": "FAILED",
            "pipelineJobUuid": "123",
            "pipelineJobResourceName": "projects/p/locations/l/pipelineJobs/j",
            "pipelineTaskName": "exit-handler-1",
            "error": {"code": 9, "message": "fail-maybe failed"}
        }))
        .unwrap();
        assert_eq!(status.state, "FAILED");
        assert!(!status.succeeded());
        assert_eq!(
            status.pipeline_job_resource_name,
            "projects/p/locations/l/pipelineJobs/j"
        );
        assert_eq!(status.pipeline_task_name, "exit-handler-1");
        assert_eq!(status.error_code, Some(9));
        assert_eq!(status.error_message.as_deref(), Some("fail-maybe failed"));
        assert_eq!(TaskFinalStatus::from_json(&status.to_json()), Ok(status));
    }

    #[test]
    fn reads_snake_case_names_and_a_success_without_error() {
        let status = TaskFinalStatus::from_json(&json!({
            "state": "SUCCEEDED",
            "pipeline_job_resource_name": "r",
            "pipeline_task_name": "t",
            "error": {}
        }))
        .unwrap();
        assert!(status.succeeded());
        assert_eq!(status.pipeline_job_resource_name, "r");
        assert_eq!(status.pipeline_task_name, "t");
        assert_eq!(status.error_code, None);
        assert_eq!(status.error_message, None);
    }

    #[test]
    fn refuses_what_is_not_a_status() {
        assert!(TaskFinalStatus::from_json(&json!("FAILED")).is_err());
        assert!(TaskFinalStatus::from_json(&json!({"state": 3})).is_err());
        assert!(TaskFinalStatus::from_json(&json!({"state": "X", "error": 1})).is_err());
    }
}
