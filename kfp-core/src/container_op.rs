//! kfp 1.8.9's raw `dsl.ContainerOp`: an image, a command and arguments, with outputs read
//! from fixed paths in the container (`file_outputs`). KFP v1 only; KFP v2 has no raw
//! container step (use a [`ContainerComponent`](crate::reusable::ContainerComponent)), so
//! compiling one for it is an error naming the task.
//!
//! ```
//! use kfp_core::prelude::*;
//! use kfp_core::container_op::ContainerOp;
//!
//! #[component]
//! fn show(text: String) {
//!     println!("{text}");
//! }
//!
//! fn main() {
//! let p = kfp_core::build_pipeline("raw", None, |params| {
//!     let msg = params.param::<String>("msg", None);
//!     let op = ContainerOp::new("echo", "alpine:3.19")
//!         .command(["sh".into(), "-c".into()])
//!         .arguments(["echo \"$0\" > /tmp/out.txt".into(), msg.into()])
//!         .file_output("out", "/tmp/out.txt")
//!         .task();
//!     show::task(op.output::<String>("out"));
//! });
//! assert!(p.errors.is_empty(), "{:?}", p.errors);
//! let argo = Compiler::new().compile(&p, Target::V1).unwrap();
//! assert!(argo.contains("path: /tmp/out.txt"));
//! assert!(Compiler::new().compile(&p, Target::V2).is_err());
//! }
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::Value;

use crate::dsl::{self, Task};
use crate::error::BuildError;
use crate::reusable::{ContainerImpl, DynArg, Outputs, Placeholder};
use crate::spec::component::{ComponentSpec, Implementation, InputSpec, OutputSpec};
use crate::spec::pipeline::Arg;
use crate::types::{constant_text, ParamKind};

/// What a raw `ContainerOp` adds to its container: outputs read from fixed paths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawOp {
    /// Output name and the path the container writes it to, in the order given.
    pub file_outputs: Vec<(String, String)>,
    /// Whether `arguments` were given (kfp writes `args: []` for an empty list, and no `args`
    /// when there are none).
    pub has_args: bool,
}

/// A raw container step (kfp 1.8.9's `dsl.ContainerOp`); [`task`](ContainerOp::task) adds it.
#[derive(Clone, Debug)]
pub struct ContainerOp {
    name: String,
    image: String,
    command: Vec<DynArg>,
    arguments: Option<Vec<DynArg>>,
    file_outputs: Vec<(String, String)>,
}

impl ContainerOp {
    /// A step called `name` (the task is named after it, as kfp names it: `echo again` →
    /// `echo-again`) running `image`.
    pub fn new(name: &str, image: &str) -> Self {
        ContainerOp {
            name: name.to_owned(),
            image: image.to_owned(),
            command: Vec::new(),
            arguments: None,
            file_outputs: Vec::new(),
        }
    }

    /// Sets the command: text, or values of pipeline parameters and task outputs
    /// (`"echo".into()`, `msg.into()`).
    pub fn command(mut self, command: impl IntoIterator<Item = DynArg>) -> Self {
        self.command = command.into_iter().collect();
        self
    }

    /// Sets the arguments, like [`command`](ContainerOp::command).
    pub fn arguments(mut self, arguments: impl IntoIterator<Item = DynArg>) -> Self {
        self.arguments = Some(arguments.into_iter().collect());
        self
    }

    /// Declares output `name`, read from `path` in the container when the step ends (kfp's
    /// `file_outputs={name: path}`); read it with `task.output::<String>(name)`.
    pub fn file_output(mut self, name: &str, path: &str) -> Self {
        self.file_outputs.push((name.to_owned(), path.to_owned()));
        self
    }

    /// Adds the step to the pipeline being built.
    pub fn task(self) -> Task<Outputs> {
        // A raw step runs no code of this binary: its key only has to be unique, so that two
        // steps of the same name are two components.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let key = format!("container-op-{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let mut inputs: Vec<InputSpec> = Vec::new();
        let mut slots: Vec<Option<Arg>> = Vec::new();
        let mut problems: Vec<String> = Vec::new();
        let mut piece = |inputs: &mut Vec<InputSpec>, a: DynArg| -> Placeholder {
            match a.arg {
                Arg::Constant(v) => Placeholder::Literal(match v {
                    Value::String(s) => s,
                    other => constant_text(&other),
                }),
                arg => {
                    if a.file {
                        problems.push(format!("{arg:?}"));
                    }
                    let name = format!("arg{}", inputs.len());
                    let mut input =
                        InputSpec::new(name.clone(), a.kind.unwrap_or(ParamKind::String));
                    input.rust_type = "String";
                    inputs.push(input);
                    slots.push(Some(arg));
                    Placeholder::InputValue(name)
                }
            }
        };
        let command: Vec<Placeholder> = self
            .command
            .into_iter()
            .map(|a| piece(&mut inputs, a))
            .collect();
        let has_args = self.arguments.is_some();
        let args: Vec<Placeholder> = self
            .arguments
            .unwrap_or_default()
            .into_iter()
            .map(|a| piece(&mut inputs, a))
            .collect();
        let container = ContainerImpl {
            image: self.image.clone(),
            command,
            args,
            defaults: Default::default(),
            spec: Value::Null,
            digest: None,
            keep_names: false,
            v2_descriptions: false,
            raw: Some(RawOp {
                file_outputs: self.file_outputs.clone(),
                has_args,
            }),
        };
        let mut spec = ComponentSpec::new(key, Implementation::Container(Arc::new(container)))
            .with_name(self.name.clone())
            .with_base_image(self.image);
        spec.inputs = inputs;
        for (name, _) in &self.file_outputs {
            spec.outputs
                .push(OutputSpec::new(name.clone(), ParamKind::String));
        }
        let task: Task<Outputs> = dsl::add_task(Arc::new(spec), slots);
        let name = task.name();
        let mut seen = std::collections::HashSet::new();
        for (output, path) in &self.file_outputs {
            if !seen.insert(output) || !path.starts_with('/') {
                task.record(BuildError::InvalidSetting {
                    task: name.clone(),
                    setting: format!("file_output `{output}`"),
                    value: path.clone(),
                    expected: "an absolute path, once per output".into(),
                });
            }
        }
        if !problems.is_empty() {
            task.record(BuildError::InvalidSetting {
                task: name,
                setting: "command/arguments".into(),
                value: "a file".into(),
                expected: "text or a value: a raw ContainerOp takes no input files".into(),
            });
        }
        task
    }
}

/// The raw-op settings of `component`, if it is one.
pub(crate) fn raw(component: &ComponentSpec) -> Option<&RawOp> {
    component.container().and_then(|c| c.raw.as_ref())
}
