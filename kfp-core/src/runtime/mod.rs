//! The in-pod entry point: runs one component with the arguments KFP gives it.
//!
//! Exit status: 0 on success, 1 when the component's function returns an error (printed
//! with its chain), 2 for a bad invocation (unknown component, unknown, missing or duplicate
//! flag, a value that does not parse or does not fit its type). Nothing here panics on input.

pub mod args;
pub mod executor;
pub mod write;

use std::fmt;
use std::path::Path;

use serde_json::Value;

use crate::dsl::{OutputHandles, TaskOutput};
use crate::spec::component::{ComponentSpec, Implementation, OutputSpec};
use crate::types::KfpType;

/// What went wrong running a component.
#[derive(Debug)]
#[non_exhaustive]
pub enum RunError {
    /// The binary has no component by that name.
    UnknownComponent {
        /// The name asked for.
        component: String,
        /// The names it has.
        known: Vec<String>,
    },
    /// The component is a container component: KFP runs its own image and command, never
    /// this binary.
    ContainerComponent {
        /// The component.
        component: String,
        /// Its image.
        image: String,
    },
    /// A flag the component does not take.
    UnknownFlag {
        /// The component.
        component: String,
        /// The flag as given.
        flag: String,
        /// The flags it takes.
        accepted: String,
    },
    /// A required input was not given.
    MissingFlag {
        /// The component.
        component: String,
        /// The flag.
        flag: String,
        /// The Rust type expected.
        expected: String,
    },
    /// A flag was last on the line, or followed by another flag.
    MissingValue {
        /// The component.
        component: String,
        /// The flag.
        flag: String,
    },
    /// A flag was given twice.
    DuplicateFlag {
        /// The component.
        component: String,
        /// The flag.
        flag: String,
    },
    /// A value that does not parse as, or does not fit, the input's type.
    BadValue {
        /// The component.
        component: String,
        /// The flag (or executor-input field).
        flag: String,
        /// The raw value.
        value: String,
        /// What was expected.
        expected: String,
        /// More about what went wrong.
        detail: Option<String>,
    },
    /// `----output-paths` did not list one path per output.
    OutputPaths {
        /// The component.
        component: String,
        /// How many outputs it has.
        expected: usize,
        /// How many paths were given.
        got: usize,
    },
    /// The executor input (KFP v2) could not be read.
    ExecutorInput {
        /// The component.
        component: String,
        /// What was wrong.
        message: String,
    },
    /// The component's function returned an error.
    Failed {
        /// The component.
        component: String,
        /// The error and its sources, outermost first.
        chain: Vec<String>,
    },
    /// An output could not be written.
    WriteOutput {
        /// The component.
        component: String,
        /// The path.
        path: String,
        /// The I/O error.
        error: std::io::Error,
    },
}

impl RunError {
    /// The process exit status for this error: 1 when the component failed, 2 for a bad
    /// invocation.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::Failed { .. } | RunError::WriteOutput { .. } => 1,
            _ => 2,
        }
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::UnknownComponent { component, known } => write!(
                f,
                "unknown component `{component}`; this binary has: {}",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                }
            ),
            RunError::ContainerComponent { component, image } => write!(
                f,
                "component `{component}` is a container component: KFP runs it in its own image \
                 (`{image}`) with its own command, not with this binary, which has nothing to run \
                 for it"
            ),
            RunError::UnknownFlag { component, flag, accepted } => write!(
                f,
                "component `{component}`: unknown flag `{flag}`; accepted flags: {accepted}"
            ),
            RunError::MissingFlag { component, flag, expected } => write!(
                f,
                "component `{component}`: missing required flag `{flag}` (expected {expected})"
            ),
            RunError::MissingValue { component, flag } => {
                write!(f, "component `{component}`: flag `{flag}` needs a value")
            }
            RunError::DuplicateFlag { component, flag } => {
                write!(f, "component `{component}`: flag `{flag}` given more than once")
            }
            RunError::BadValue { component, flag, value, expected, detail } => {
                // The value of an input named like a credential is never echoed to the log,
                // nor the detail, which may quote it.
                let secret = crate::settings::looks_like_credential(flag);
                let shown = if secret {
                    "(hidden: the input looks like a credential)".to_owned()
                } else {
                    args::shown(value)
                };
                write!(
                    f,
                    "component `{component}`: invalid value {shown} for `{flag}`: expected {expected}"
                )?;
                match detail {
                    Some(d) if !secret => write!(f, " ({d})"),
                    _ => Ok(()),
                }
            }
            RunError::OutputPaths { component, expected, got } => write!(
                f,
                "component `{component}`: `----output-paths` needs {expected} path(s), one per output; got {got}"
            ),
            RunError::ExecutorInput { component, message } => {
                write!(f, "component `{component}`: bad executor input: {message}")
            }
            RunError::Failed { component, chain } => {
                write!(f, "component `{component}` failed: ")?;
                let mut first = true;
                for e in chain {
                    if !first {
                        write!(f, "\n  caused by: ")?;
                    }
                    first = false;
                    write!(f, "{e}")?;
                }
                Ok(())
            }
            RunError::WriteOutput { component, path, error } => {
                write!(f, "component `{component}`: cannot write output `{path}`: {error}")
            }
        }
    }
}

impl std::error::Error for RunError {}

/// The error a component function may return: anything that converts into a boxed error
/// (`std::io::Error`, `String`, `anyhow::Error`, ...).
///
/// Named `BoxError`, not `Error`, so that `use kfp_core::prelude::*;` leaves a file's own
/// `Error` type alone.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One output value, ready to write.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputValue {
    /// The output's name.
    pub name: &'static str,
    /// The value as JSON (v2).
    pub json: Value,
    /// The value as kfp v1 writes it to its file.
    pub text: String,
}

impl OutputValue {
    /// The output `name` holding `value`.
    pub fn new<T: KfpType>(name: &'static str, value: &T) -> Self {
        OutputValue {
            name,
            json: value.to_json(),
            text: value.to_text(),
        }
    }
}

/// What a component function may return: nothing, one value (KFP's `Output`), a
/// `#[derive(Outputs)]` struct (named outputs), or a `Result` of those.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a component",
    label = "not a component return type",
    note = "return nothing, a KFP parameter type, a `#[derive(kfp_core::Outputs)]` struct, or a `Result` of those"
)]
pub trait ComponentReturn {
    /// The task-side handles for the outputs.
    type Handles: OutputHandles;
    /// The outputs, in order.
    fn output_specs() -> Vec<OutputSpec>;
    /// The values to write, or the function's error.
    fn into_outputs(self) -> Result<Vec<OutputValue>, BoxError>;
}

impl ComponentReturn for () {
    type Handles = ();
    fn output_specs() -> Vec<OutputSpec> {
        Vec::new()
    }
    fn into_outputs(self) -> Result<Vec<OutputValue>, BoxError> {
        Ok(Vec::new())
    }
}

impl<T: KfpType> ComponentReturn for T {
    type Handles = TaskOutput<T>;
    fn output_specs() -> Vec<OutputSpec> {
        vec![OutputSpec::new("Output", T::KIND)]
    }
    fn into_outputs(self) -> Result<Vec<OutputValue>, BoxError> {
        Ok(vec![OutputValue::new("Output", &self)])
    }
}

impl<T: ComponentReturn, E: Into<BoxError>> ComponentReturn for Result<T, E> {
    type Handles = T::Handles;
    fn output_specs() -> Vec<OutputSpec> {
        T::output_specs()
    }
    fn into_outputs(self) -> Result<Vec<OutputValue>, BoxError> {
        self.map_err(Into::into).and_then(T::into_outputs)
    }
}

/// One run of a component in the pod: its spec and its parsed arguments.
#[derive(Debug)]
pub struct Invocation<'a> {
    spec: &'a ComponentSpec,
    mode: Mode,
}

/// Where an invocation's inputs come from and its outputs go.
#[derive(Debug)]
enum Mode {
    /// KFP v1: `--<input> <value>` flags and `----output-paths`.
    V1(args::V1Args),
    /// KFP v2: the executor input JSON.
    V2(executor::ExecutorInput),
}

impl<'a> Invocation<'a> {
    /// Parses the KFP v1 command line `argv` (after the component name) for `spec`.
    pub fn from_v1_args(spec: &'a ComponentSpec, argv: &[String]) -> Result<Self, RunError> {
        Ok(Invocation {
            spec,
            mode: Mode::V1(args::parse_v1(spec, argv)?),
        })
    }

    /// Parses the KFP v2 command line `argv` (after the component name) for `spec`:
    /// `--executor_input <JSON> --function_to_execute <fn>`; creates the folders the output
    /// artifacts go to.
    pub fn from_executor_input(spec: &'a ComponentSpec, argv: &[String]) -> Result<Self, RunError> {
        Ok(Invocation {
            spec,
            mode: Mode::V2(executor::setup(spec, argv)?),
        })
    }

    /// The component being run.
    pub fn spec(&self) -> &ComponentSpec {
        self.spec
    }

    /// The path of output file `name` (an `OutputPath<K>` parameter), its folder created.
    pub fn output_file<T: KfpType>(&mut self, name: &str) -> Result<T, RunError> {
        let value: T = self.input(name)?;
        let raw = value.to_json();
        let path = std::path::Path::new(raw.as_str().unwrap_or_default());
        // The component writes the file; its folder must exist, as kfp makes it.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|error| RunError::WriteOutput {
                component: self.spec.key.clone(),
                path: path.display().to_string(),
                error,
            })?;
        }
        Ok(value)
    }

    /// Reads input `name` as a `T`.
    pub fn input<T: KfpType>(&mut self, name: &str) -> Result<T, RunError> {
        let values = match &self.mode {
            Mode::V1(v1) => &v1.values,
            Mode::V2(input) => return input.input(self.spec, name),
        };
        let flag = args::flag_for(self.spec, name);
        let default = self.spec.input(name).and_then(|i| i.default.as_ref());
        match (values.get(name), default) {
            (Some(raw), _) => T::from_text(raw).map_err(|e| RunError::BadValue {
                component: self.spec.key.clone(),
                flag,
                value: raw.clone(),
                expected: e.expected,
                detail: e.detail,
            }),
            (None, Some(value)) => T::from_json(value).map_err(|e| RunError::BadValue {
                component: self.spec.key.clone(),
                flag: format!("the default of `{flag}`"),
                value: value.to_string(),
                expected: e.expected,
                detail: e.detail,
            }),
            (None, None) => T::absent().ok_or_else(|| RunError::MissingFlag {
                component: self.spec.key.clone(),
                flag,
                expected: format!("`{}`, a KFP {}", T::RUST_NAME, T::KIND),
            }),
        }
    }

    /// Reads input `name`, which KFP v2 fills with how an exit handler's group ended (a
    /// [`TaskFinalStatus`](crate::TaskFinalStatus) parameter).
    pub fn final_status(&mut self, name: &str) -> Result<crate::TaskFinalStatus, RunError> {
        let field = format!("inputs.parameterValues.{name}");
        let value = match &self.mode {
            Mode::V2(input) => input.parameter_values.get(name),
            Mode::V1(_) => None,
        };
        let Some(value) = value else {
            return Err(RunError::ExecutorInput {
                component: self.spec.key.clone(),
                message: format!(
                    "missing `{field}`: KFP v2 gives a task final status to an exit task only"
                ),
            });
        };
        crate::TaskFinalStatus::from_json(value).map_err(|e| RunError::BadValue {
            component: self.spec.key.clone(),
            flag: field,
            value: value.to_string(),
            expected: e.expected,
            detail: e.detail,
        })
    }

    /// Writes what the function returned, or reports its error.
    pub fn finish<R: ComponentReturn>(&mut self, ret: R) -> Result<(), RunError> {
        let outputs = ret.into_outputs().map_err(|e| RunError::Failed {
            component: self.spec.key.clone(),
            chain: error_chain(&*e),
        })?;
        let paths = match &mut self.mode {
            Mode::V1(v1) => &v1.output_paths,
            Mode::V2(input) => {
                // What the function logged (`log_metric`, ...) goes in the artifacts' metadata.
                crate::ui::attach_logged(self.spec, input)?;
                return input.write_outputs(self.spec, &outputs);
            }
        };
        let mut set = write::OutputSet::new();
        let staged = outputs
            .iter()
            .zip(paths)
            .try_for_each(|(value, path)| set.stage(Path::new(path), value.text.as_bytes()));
        staged
            .and_then(|()| set.commit())
            .map_err(|e| self.spec.write_error(e))
    }
}

/// The messages of `e` and its sources, outermost first.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut chain = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    chain
}

impl ComponentSpec {
    /// The [`RunError`] for an output of this component that could not be written.
    fn write_error(&self, e: write::WriteError) -> RunError {
        RunError::WriteOutput {
            component: self.key.clone(),
            path: e.path.display().to_string(),
            error: e.error,
        }
    }
}

/// Runs component `key` of `components` with the KFP arguments `argv`; returns the exit status.
pub fn run_component(
    components: &[std::sync::Arc<ComponentSpec>],
    key: &str,
    argv: &[String],
) -> u8 {
    match try_run(components, key, argv) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

fn try_run(
    components: &[std::sync::Arc<ComponentSpec>],
    key: &str,
    argv: &[String],
) -> Result<(), RunError> {
    let Some(spec) = components.iter().find(|c| c.key == key) else {
        let mut known: Vec<String> = components.iter().map(|c| c.key.clone()).collect();
        known.sort();
        known.dedup();
        return Err(RunError::UnknownComponent {
            component: key.to_owned(),
            known,
        });
    };
    if args::wants_help(spec, argv) {
        // Standard output may be closed or full: report it, do not panic.
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        return out
            .write_all(component_help(spec).as_bytes())
            .and_then(|()| out.flush())
            .map_err(|error| RunError::WriteOutput {
                component: key.to_owned(),
                path: "standard output".to_owned(),
                error,
            });
    }
    let run = match &spec.implementation {
        Implementation::Rust(run) => *run,
        Implementation::Container(c) => {
            return Err(RunError::ContainerComponent {
                component: key.to_owned(),
                image: c.image.clone(),
            })
        }
    };
    let mut inv = if executor::is_v2_argv(argv) {
        Invocation::from_executor_input(spec, argv)?
    } else {
        Invocation::from_v1_args(spec, argv)?
    };
    run(&mut inv)
}

/// The `--help` text of a component: its inputs and outputs.
pub fn component_help(spec: &ComponentSpec) -> String {
    args::help(spec)
}
