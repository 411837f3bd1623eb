//! Errors found while building and compiling a pipeline.

use std::fmt;

/// A problem found while the pipeline function ran or while the pipeline was checked.
///
/// Every variant names the task(s) involved and, where there is one, the input or setting.
/// New variants may be added in any release, so a `match` needs a `_` arm.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// `task.after(&task)`.
    AfterSelf {
        /// The task.
        task: String,
    },
    /// A task used a task or output from another pipeline.
    ForeignTask {
        /// The task that did.
        task: String,
        /// The input that received the foreign output, if it was data.
        input: Option<String>,
    },
    /// The tasks depend on each other in a cycle.
    Cycle {
        /// The tasks on the cycle, in order.
        tasks: Vec<String>,
    },
    /// The pipeline has no task.
    EmptyPipeline {
        /// The pipeline.
        pipeline: String,
    },
    /// The pipeline name is not valid after kfp's sanitising.
    InvalidPipelineName {
        /// The name as given.
        name: String,
        /// What it became.
        sanitized: String,
    },
    /// Two different components share the name the binary dispatches on.
    DuplicateComponentKey {
        /// The shared name.
        key: String,
        /// A task of the first component.
        first: String,
        /// A task of the second component.
        second: String,
    },
    /// A task is given a value for an input its component does not have.
    UnknownInput {
        /// The task.
        task: String,
        /// The name given.
        input: String,
        /// The inputs the component has, in declaration order.
        known: Vec<String>,
    },
    /// A task is given no value for an input that has no default and is not optional.
    MissingInput {
        /// The task.
        task: String,
        /// The input.
        input: String,
        /// What it takes (`a String value`, `an output file of an upstream task`).
        expected: String,
    },
    /// A task is given two values for one input.
    DuplicateInput {
        /// The task.
        task: String,
        /// The input.
        input: String,
    },
    /// A task's input is given a value of the wrong type.
    TypeMismatch {
        /// The task.
        task: String,
        /// The input.
        input: String,
        /// What it is given (`the constant "abc"`, `an Integer value`, `a file`).
        given: String,
        /// What it takes (`an Integer value`).
        expected: String,
    },
    /// A default that cannot be one: a pipeline parameter or a task output where a constant
    /// value is needed.
    InvalidDefault {
        /// Whose default it is (`pipeline parameter `epochs``, `component input `lr``).
        owner: String,
        /// Why it cannot be a default.
        message: String,
    },
    /// A nested pipeline is called without a value for a parameter that has no default.
    MissingPipelineArgument {
        /// The nested pipeline.
        pipeline: String,
        /// The parameter.
        param: String,
    },
    /// A constant that no component could read: nested too deep, or not serialisable to JSON.
    InvalidConstant {
        /// The task, or where the constant is when it is not on a task: `(pipeline parameter
        /// NAME)`, or `(a Json<T> constant)` for a `Json` value that is not on a task yet.
        task: String,
        /// What is wrong, naming the input or field.
        message: String,
    },
    /// A setting on a task has a bad value.
    InvalidSetting {
        /// The task.
        task: String,
        /// The setting (`set_cpu_limit`).
        setting: String,
        /// The value given.
        value: String,
        /// What was expected.
        expected: String,
    },
    /// A literal value for an environment variable whose name looks like a credential.
    LiteralCredential {
        /// The task.
        task: String,
        /// The variable.
        name: String,
    },
    /// A literal value with a password in a URI (`scheme://user:password@host`).
    PasswordInUri {
        /// The task, or `(pipeline parameter <name>)`.
        task: String,
        /// Where the value is (`environment variable `X``, `the default`).
        field: String,
    },
    /// A pipeline parameter whose name looks like a credential has a default.
    CredentialDefault {
        /// The parameter.
        param: String,
    },
    /// A task uses an output of a task inside a condition or loop it is not in itself.
    OutputOutsideGroup {
        /// The consuming task (or group).
        consumer: String,
        /// The producing task.
        producer: String,
        /// The group the producer is in.
        group: String,
    },
    /// A group is used where it cannot be.
    InvalidGroup {
        /// The group.
        group: String,
        /// What is wrong.
        message: String,
    },
    /// A feature the chosen target (KFP v1 or KFP v2) cannot express.
    Unsupported {
        /// The task or group.
        task: String,
        /// What it uses, and what to do instead.
        message: String,
    },
    /// The path the YAML runs the binary from is not absolute, or holds control characters.
    InvalidBinaryPath {
        /// The path given.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A bug in kfp-core, not in the pipeline.
    Internal(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::AfterSelf { task } => {
                write!(f, "task `{task}` is set to run after itself")
            }
            BuildError::ForeignTask {
                task,
                input: Some(input),
            } => write!(
                f,
                "input `{input}` of task `{task}` takes an output of a task from another pipeline"
            ),
            BuildError::ForeignTask { task, input: None } => write!(
                f,
                "task `{task}` is set to run after a task from another pipeline"
            ),
            BuildError::Cycle { tasks } => {
                write!(f, "tasks depend on each other in a cycle: ")?;
                for t in tasks {
                    write!(f, "`{t}` -> ")?;
                }
                match tasks.first() {
                    Some(first) => write!(f, "`{first}`"),
                    None => Ok(()),
                }
            }
            BuildError::EmptyPipeline { pipeline } => write!(
                f,
                "pipeline `{pipeline}` has no task; call at least one component in its body"
            ),
            BuildError::InvalidPipelineName { name, sanitized } => write!(
                f,
                "invalid pipeline name `{name}`: it becomes `{sanitized}`, which does not match \
                 `^[a-z0-9][a-z0-9-]{{0,127}}$`"
            ),
            BuildError::DuplicateComponentKey { key, first, second } => write!(
                f,
                "tasks `{first}` and `{second}` run two different components both called `{key}`: \
                 the pipeline binary runs a component by that name, so rename one of them: \
                 the function of a `#[component]` (its `name = \"...\"` changes only the name \
                 KFP shows), or the name of a container component"
            ),
            BuildError::UnknownInput { task, input, known } => {
                write!(f, "task `{task}` has no input `{input}`; ")?;
                match known.as_slice() {
                    [] => f.write_str("its component takes no inputs"),
                    known => {
                        f.write_str("expected one of: ")?;
                        for (i, k) in known.iter().enumerate() {
                            let sep = if i == 0 { "" } else { ", " };
                            write!(f, "{sep}`{k}`")?;
                        }
                        Ok(())
                    }
                }
            }
            BuildError::MissingInput {
                task,
                input,
                expected,
            } => write!(
                f,
                "task `{task}`: input `{input}` is not given a value; it has no default, so \
                 pass {expected}"
            ),
            BuildError::DuplicateInput { task, input } => {
                write!(f, "task `{task}`: input `{input}` is given twice")
            }
            BuildError::TypeMismatch {
                task,
                input,
                given,
                expected,
            } => write!(
                f,
                "task `{task}`: input `{input}` takes {expected}, but is given {given}"
            ),
            BuildError::InvalidDefault { owner, message } => {
                write!(f, "{owner}: invalid default: {message}")
            }
            BuildError::MissingPipelineArgument { pipeline, param } => write!(
                f,
                "nested pipeline `{pipeline}`: parameter `{param}` is not given a value; it \
                 has no default, so pass one"
            ),
            BuildError::InvalidConstant { task, message } => write!(f, "`{task}`: {message}"),
            BuildError::InvalidSetting {
                task,
                setting,
                value,
                expected,
            } => write!(
                f,
                "task `{task}`: invalid value {value:?} for `{setting}`: expected {expected}"
            ),
            BuildError::LiteralCredential { task, name } => write!(
                f,
                "task `{task}`: refusing a literal value for `{name}`, which looks like a credential: \
                 a literal ends up in the YAML and in the cluster's history; keep it in a Kubernetes \
                 Secret and use `.use_secret_as_env(\"<secret>\", [(\"<key>\", \"{name}\")])`, or \
                 `.set_env_variable_unchecked(..)` if it is not a secret"
            ),
            BuildError::PasswordInUri { task, field } => write!(
                f,
                "`{task}`: refusing the value of {field}: it holds a password in a URI \
                 (`scheme://user:password@...`), which would end up in the YAML and in the \
                 cluster's history; keep it in a Kubernetes Secret and pass it with \
                 `.use_secret_as_env(..)`, or leave the password out of the URI"
            ),
            BuildError::CredentialDefault { param } => write!(
                f,
                "pipeline parameter `{param}` looks like a credential, so it cannot have a \
                 default: a default ends up in the YAML; give the value when the run starts, or \
                 keep it in a Kubernetes Secret"
            ),
            BuildError::OutputOutsideGroup { consumer, producer, group } => write!(
                f,
                "`{consumer}` uses an output of task `{producer}`, which is inside `{group}`; \
                 a task can only use outputs of tasks in its own condition or loop, or outside them"
            ),
            BuildError::InvalidGroup { group, message } => write!(f, "`{group}`: {message}"),
            BuildError::Unsupported { task, message } => write!(f, "`{task}`: {message}"),
            BuildError::InvalidBinaryPath { message, .. } => f.write_str(message),
            BuildError::Internal(msg) => write!(f, "internal error in kfp-core: {msg}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Why a pipeline could not be compiled: every problem found, not just the first.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompileError {
    /// The pipeline.
    pub pipeline: String,
    /// The problems.
    pub errors: Vec<BuildError>,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.as_slice() {
            [one] => write!(f, "pipeline `{}`: {one}", self.pipeline),
            many => {
                write!(f, "pipeline `{}`: {} problems", self.pipeline, many.len())?;
                for e in many {
                    write!(f, "\n  - {e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for CompileError {}
