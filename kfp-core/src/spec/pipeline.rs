//! What a pipeline is once its function has run: parameters, tasks and their arguments.

use std::sync::Arc;

use serde_json::Value;

use crate::error::BuildError;
use crate::spec::component::ComponentSpec;
use crate::types::ParamKind;

/// Identifies a task: the pipeline that made it and its position there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId {
    pub(crate) pipeline: u64,
    pub(crate) index: usize,
}

impl TaskId {
    /// The task's position in [`Pipeline::tasks`].
    pub fn index(self) -> usize {
        self.index
    }
}

/// Where an input's value comes from.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Arg {
    /// A constant, known when the pipeline is built.
    Constant(Value),
    /// A pipeline parameter, by name.
    Param(String),
    /// An output of an upstream task.
    Output {
        /// The producing task.
        task: TaskId,
        /// The output's name (`Output`, or a named output's field).
        output: String,
    },
    /// The current item of a loop (or a field of it).
    LoopItem {
        /// The loop group's index in [`Pipeline::groups`].
        group: usize,
        /// The field of a JSON-object item.
        field: Option<String>,
    },
    /// The values an output of a task inside a loop takes across the iterations, as a list
    /// (kfp's `dsl.Collected`; KFP v2 only).
    Collected {
        /// The producing task, inside the loop.
        task: TaskId,
        /// The output's name.
        output: String,
    },
    /// The output of whichever branch of an `if`/`elif`/`else` ran (kfp's `dsl.OneOf`; KFP
    /// v2 only): one output of a task per branch.
    OneOf {
        /// The producing tasks and their outputs, one per branch.
        outputs: Vec<(TaskId, String)>,
    },
}

/// A pipeline parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSpec {
    /// The name, spelled as in Rust.
    pub name: String,
    /// The KFP type.
    pub kind: ParamKind,
    /// The default value, if any.
    pub default: Option<Value>,
    /// Whether the parameter is an `Option<T>`.
    pub optional: bool,
}

/// One use of a component in a pipeline.
#[derive(Clone, Debug)]
pub struct TaskSpec {
    /// The unique task name (`verify-training`, `show-2`).
    pub name: String,
    /// The component this task runs.
    pub component: Arc<ComponentSpec>,
    /// One entry per component input, in the component's order; `None` for an optional input
    /// left out.
    pub args: Vec<Option<Arg>>,
    /// The name shown in the KFP UI (`set_display_name`).
    pub display_name: Option<String>,
    /// Tasks that must finish first without passing data (`after`).
    pub after: Vec<TaskId>,
    /// Whether KFP may reuse a cached result of this task.
    pub caching: bool,
    /// Resources, env, Kubernetes settings, retries, timeout.
    pub settings: crate::settings::TaskSettings,
    /// The innermost group (condition, loop, exit handler) the task is in, as an index in
    /// [`Pipeline::groups`]; `None` at the top of the pipeline.
    pub group: Option<usize>,
    /// In a nested pipeline, the arguments as its body wrote them: there an [`Arg::Param`]
    /// names a parameter of the nested pipeline, not of the pipeline being built (KFP v2
    /// passes it as an input of the nested pipeline's component). `None` outside a nested
    /// pipeline, where it would equal [`TaskSpec::args`].
    pub scoped_args: Option<Vec<Option<Arg>>>,
}

/// An output of a pipeline: one value its function returns (a
/// [`TaskOutput`](crate::dsl::TaskOutput), or a field of a `#[derive(Outputs)]` handle struct).
#[derive(Clone, Debug, PartialEq)]
pub struct PipelineOutput {
    /// The output's name: `Output` for a single value, the field name for named outputs.
    pub name: String,
    /// Where the value comes from: an output of a task of the pipeline.
    pub source: Arg,
    /// The KFP type of a value.
    pub kind: ParamKind,
    /// The artifact type, when the output is a file.
    pub artifact: Option<crate::artifact::ArtifactType>,
}

/// A built pipeline: what `#[pipeline]` returns, ready to compile.
#[derive(Clone, Debug)]
pub struct Pipeline {
    /// The pipeline name as given (`yolov8withmlflow`).
    pub name: String,
    /// The description, if any.
    pub description: Option<String>,
    /// The parameters, in signature order.
    pub params: Vec<ParamSpec>,
    /// The tasks, in the order the pipeline function made them.
    pub tasks: Vec<TaskSpec>,
    /// The groups (conditions, loops, exit handlers, nested pipelines), in the order they were
    /// opened.
    pub groups: Vec<crate::control::GroupSpec>,
    /// What the pipeline function returns, as the pipeline's outputs (KFP v2's
    /// `root.outputDefinitions`; KFP v1 has none, as kfp 1.8.9 ignores a pipeline's return).
    pub outputs: Vec<PipelineOutput>,
    /// Problems found while the pipeline function ran; compiling reports them.
    pub errors: Vec<BuildError>,
    /// How long a run may take (KFP v1 writes it as the Workflow's `activeDeadlineSeconds`).
    pub timeout: Option<crate::settings::Duration>,
    pub(crate) id: u64,
    /// The parameters that are files, or lists of files (`true`), with their types: those of
    /// a nested pipeline compiled as a pipeline of its own (KFP v2).
    pub(crate) file_params: Vec<(String, crate::artifact::ArtifactType, bool)>,
}

impl Pipeline {
    /// Stops a run after `timeout` (`1h`, `90m`); KFP v1 only (the Workflow's
    /// `activeDeadlineSeconds`). A bad duration is reported when the pipeline compiles.
    ///
    /// ```
    /// let p = kfp_core::build_pipeline("p", None, |_| {}).set_timeout("1h");
    /// assert_eq!(p.timeout.unwrap().seconds, 3600);
    /// ```
    pub fn set_timeout(mut self, timeout: &str) -> Self {
        match crate::settings::Duration::parse(timeout) {
            Some(d) if d.seconds > 0 => self.timeout = Some(d),
            _ => self.errors.push(BuildError::InvalidSetting {
                task: format!("(pipeline {})", self.name),
                setting: "set_timeout".into(),
                value: timeout.to_owned(),
                expected: "a positive duration like `600s`, `10m` or `1h`".into(),
            }),
        }
        self
    }

    /// The task with this id, if it belongs to this pipeline.
    pub fn task(&self, id: TaskId) -> Option<&TaskSpec> {
        if id.pipeline == self.id {
            self.tasks.get(id.index)
        } else {
            None
        }
    }

    /// Every distinct component the pipeline uses, in first-use order.
    pub fn components(&self) -> Vec<Arc<ComponentSpec>> {
        let mut seen: Vec<Arc<ComponentSpec>> = Vec::new();
        for task in &self.tasks {
            if !seen.iter().any(|c| Arc::ptr_eq(c, &task.component)) {
                seen.push(task.component.clone());
            }
        }
        seen
    }
}
