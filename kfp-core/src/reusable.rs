//! Components without a Rust body: loaded from a KFP v1 `component.yaml`, or built from an
//! image, a command and arguments with placeholders (kfp's `ContainerOp` and
//! `@dsl.container_component`).
//!
//! Their inputs are checked by name and type when a task is made; a mistake is a
//! [`BuildError`] naming the task and the input, reported when the pipeline compiles.
//!
//! This file holds the model and the builder; `load.rs` reads the two YAML formats into it,
//! `args.rs` holds the values a task takes and the outputs it gives. Rendering is the back
//! ends' (`compiler/<target>/`).
//!
//! ```
//! use kfp_core::prelude::*;
//! use kfp_core::reusable::load_component_from_text;
//!
//! #[component]
//! fn show(text: String) {
//!     println!("{text}");
//! }
//!
//! fn main() {
//! let echo = load_component_from_text(r#"
//! name: Echo
//! inputs:
//! - {name: msg, type: String}
//! outputs:
//! - {name: out, type: String}
//! implementation:
//!   container:
//!     image: alpine:3.19
//!     command: [sh, -c, 'echo "$0" > "$1"', {inputValue: msg}, {outputPath: out}]
//! "#).unwrap();
//!
//! let p = kfp_core::build_pipeline("loaded", None, |params| {
//!     let msg = params.param::<String>("msg", None);
//!     let e = echo.task([("msg", msg.into())]);
//!     show::task(e.output::<String>("out"));
//! });
//! assert!(p.errors.is_empty(), "{:?}", p.errors);
//! assert_eq!(p.tasks[0].name, "echo");
//! }
//! ```

mod args;
mod load;

pub use args::{dyn_arg, DynArg, Outputs};
pub use load::{load_component_from_file, load_component_from_text, LoadError};

use args::{intern, mismatch};
use load::invalid;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::artifact::ArtifactType;
use crate::dsl::{self, Task};
use crate::error::BuildError;
use crate::spec::component::{ComponentSpec, Implementation, InputSpec, OutputSpec, ParamRef};
use crate::spec::pipeline::Arg;
use crate::types::ParamKind;

pub use crate::spec::container::{ContainerImpl, Placeholder};

/// Whether [`kind_of`] knows `ty` as a parameter type.
fn known_parameter_type(ty: &str) -> bool {
    matches!(
        ty,
        "String"
            | "str"
            | "Integer"
            | "int"
            | "Float"
            | "float"
            | "Boolean"
            | "bool"
            | "JsonArray"
            | "list"
            | "JsonObject"
            | "dict"
    )
}

fn kind_of(ty: Option<&str>) -> ParamKind {
    match ty {
        Some("String") | Some("str") => ParamKind::String,
        Some("Integer") | Some("int") => ParamKind::Integer,
        Some("Float") | Some("float") => ParamKind::Float,
        Some("Boolean") | Some("bool") => ParamKind::Boolean,
        Some("JsonArray") | Some("list") => ParamKind::List,
        Some("JsonObject") | Some("dict") => ParamKind::Struct,
        _ => ParamKind::String,
    }
}

fn walk<'a>(ps: &'a [Placeholder], f: &mut impl FnMut(&'a Placeholder)) {
    for p in ps {
        f(p);
        match p {
            Placeholder::Concat(inner) => walk(inner, f),
            Placeholder::IfPresent {
                then, otherwise, ..
            } => {
                walk(then, f);
                walk(otherwise, f);
            }
            _ => {}
        }
    }
}

/// An input or output of a container component.
#[derive(Clone, Debug, PartialEq)]
struct IoDecl {
    name: String,
    ty: Option<String>,
    optional: bool,
    default: Option<Value>,
}

/// A component made of an image, a command and arguments, with no Rust body.
///
/// Build one by hand (kfp's `@dsl.container_component`) or load one
/// ([`load_component_from_file`]); then make tasks of it with [`ContainerComponent::task`].
#[derive(Clone, Debug)]
pub struct ContainerComponent {
    name: String,
    description: Option<String>,
    image: String,
    inputs: Vec<IoDecl>,
    outputs: Vec<IoDecl>,
    command: Vec<Placeholder>,
    args: Vec<Placeholder>,
    original: Option<Value>,
    digest: Option<String>,
    /// Made once, at the first task or `spec()`, so that every task shares one spec.
    spec: std::sync::OnceLock<Arc<ComponentSpec>>,
    /// Input and output descriptions of a component loaded from a KFP v2 IR, by
    /// (`inputs`|`outputs`, name); a v1 `component.yaml` keeps its own in `original`.
    descriptions: BTreeMap<(&'static str, String), String>,
    /// Loaded from a KFP v2 IR.
    from_ir: bool,
    /// The inputs a KFP v2 IR declares as artifacts, and those of them that take a list of
    /// artifacts (`isArtifactList`, kfp's `Input[List[Dataset]]`).
    ir_artifacts: BTreeMap<String, bool>,
}

impl ContainerComponent {
    /// A component called `name` (`Echo text`) running in `image`.
    pub fn new(name: &str, image: &str) -> Self {
        ContainerComponent {
            name: name.to_owned(),
            description: None,
            image: image.to_owned(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            command: Vec::new(),
            args: Vec::new(),
            original: None,
            digest: None,
            spec: std::sync::OnceLock::new(),
            descriptions: BTreeMap::new(),
            from_ir: false,
            ir_artifacts: BTreeMap::new(),
        }
    }

    /// Declares an input of KFP v1 type `ty` (`String`, `Integer`, `Float`, `Boolean`,
    /// `JsonArray`, `JsonObject`, or a file type such as `CSV` for an `inputPath`).
    pub fn input(mut self, name: &str, ty: &str) -> Self {
        self.inputs.push(IoDecl {
            name: name.into(),
            ty: Some(ty.into()),
            optional: false,
            default: None,
        });
        self.spec = std::sync::OnceLock::new();
        self
    }

    /// Declares an optional input with a default value. A `Value::Null` default means no
    /// default (as [`optional_input_without_default`](Self::optional_input_without_default)):
    /// KFP has no `null` default, and `defaultValue: null` is invalid IR.
    pub fn optional_input(mut self, name: &str, ty: &str, default: impl Into<Value>) -> Self {
        let default = Some(default.into()).filter(|d| !d.is_null());
        self.inputs.push(IoDecl {
            name: name.into(),
            ty: Some(ty.into()),
            optional: true,
            default,
        });
        self.spec = std::sync::OnceLock::new();
        self
    }

    /// Declares an optional input with no default: a task may leave it out, and the command's
    /// `{if: {cond: {isPresent: name}}}` placeholders see it absent.
    ///
    /// ```
    /// use kfp_core::reusable::{ContainerComponent, Placeholder};
    /// let c = ContainerComponent::new("greet", "alpine:3.19")
    ///     .optional_input_without_default("name", "String")
    ///     .command([Placeholder::Literal("echo".into())]);
    /// let p = kfp_core::build_pipeline("greet", None, |_| {
    ///     c.task([]);
    /// });
    /// let ir = kfp_core::Compiler::new()
    ///     .binary_path("/usr/local/bin/greet")
    ///     .compile(&p, kfp_core::Target::V2)
    ///     .unwrap();
    /// assert!(ir.contains("isOptional: true") && !ir.contains("defaultValue"));
    /// ```
    pub fn optional_input_without_default(mut self, name: &str, ty: &str) -> Self {
        self.inputs.push(IoDecl {
            name: name.into(),
            ty: Some(ty.into()),
            optional: true,
            default: None,
        });
        self.spec = std::sync::OnceLock::new();
        self
    }

    /// What kfp-rs had to guess about this component: each input given by value
    /// (`{inputValue: x}`) whose type is not a KFP parameter type (`String`, `Integer`,
    /// `Float`, `Boolean`, `JsonArray`, `JsonObject`) and is passed as a `String`.
    /// [`load_component_from_file`] prints them as warnings.
    ///
    /// ```
    /// let c = kfp_core::reusable::load_component_from_text(
    ///     "name: n\ninputs:\n- {name: k, type: Integr}\nimplementation:\n  container:\n    \
    ///      image: alpine\n    command: [echo, {inputValue: k}]\n",
    /// )
    /// .unwrap();
    /// assert!(c.warnings()[0].contains("`Integr`"));
    /// ```
    pub fn warnings(&self) -> Vec<String> {
        let mut paths = HashSet::new();
        let mut f = |p: &Placeholder| {
            if let Placeholder::InputPath(n) = p {
                paths.insert(n.clone());
            }
        };
        walk(&self.command, &mut f);
        walk(&self.args, &mut f);
        self.inputs
            .iter()
            .filter(|d| !paths.contains(&d.name))
            .filter_map(|d| {
                let ty = d.ty.as_deref()?;
                (!known_parameter_type(ty)).then(|| {
                    format!(
                        "component `{}`: input `{}` has type `{ty}`, which is not a KFP \
                         parameter type (String, Integer, Float, Boolean, JsonArray, \
                         JsonObject); it is passed as a String",
                        self.name, d.name
                    )
                })
            })
            .collect()
    }

    /// Declares an output of KFP v1 type `ty`, written to `{outputPath: name}`.
    pub fn output(mut self, name: &str, ty: &str) -> Self {
        self.outputs.push(IoDecl {
            name: name.into(),
            ty: Some(ty.into()),
            optional: false,
            default: None,
        });
        self.spec = std::sync::OnceLock::new();
        self
    }

    /// Sets the command.
    pub fn command(mut self, command: impl IntoIterator<Item = Placeholder>) -> Self {
        self.command = command.into_iter().collect();
        self.spec = std::sync::OnceLock::new();
        self
    }

    /// Sets the arguments.
    pub fn args(mut self, args: impl IntoIterator<Item = Placeholder>) -> Self {
        self.args = args.into_iter().collect();
        self.spec = std::sync::OnceLock::new();
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: &str) -> Self {
        self.description = Some(description.to_owned());
        self.spec = std::sync::OnceLock::new();
        self
    }

    /// Checks that every placeholder names a declared input or output.
    fn check(&self) -> Result<(), LoadError> {
        let mut err = None;
        let mut f = |p: &Placeholder| {
            let (name, inputs) = match p {
                Placeholder::InputValue(n) | Placeholder::InputPath(n) => (n, true),
                Placeholder::IfPresent { present, .. } => (present, true),
                Placeholder::OutputPath(n) => (n, false),
                _ => return,
            };
            let list = if inputs { &self.inputs } else { &self.outputs };
            if err.is_none() && !list.iter().any(|d| d.name == *name) {
                err = Some(invalid(format!(
                    "a placeholder names {} `{name}`, which the component does not declare",
                    if inputs { "input" } else { "output" }
                )));
            }
        };
        walk(&self.command, &mut f);
        walk(&self.args, &mut f);
        err.map_or(Ok(()), Err)
    }

    /// The component's declaration in KFP's `component.yaml` format, the reusable-component
    /// format that kfp 1 and kfp 2 both read: the loaded document, or the one the builder's
    /// calls describe. It is the model's record, not a target's output.
    fn declaration(&self) -> Value {
        if let Some(o) = &self.original {
            return o.clone();
        }
        fn ph(p: &Placeholder) -> Value {
            match p {
                Placeholder::Literal(s) => Value::String(s.clone()),
                Placeholder::InputValue(n) => serde_json::json!({ "inputValue": n }),
                Placeholder::InputPath(n) => serde_json::json!({ "inputPath": n }),
                Placeholder::OutputPath(n) => serde_json::json!({ "outputPath": n }),
                Placeholder::Concat(v) => {
                    serde_json::json!({ "concat": v.iter().map(ph).collect::<Vec<_>>() })
                }
                Placeholder::IfPresent {
                    present,
                    then,
                    otherwise,
                } => {
                    let mut m = Map::new();
                    m.insert("cond".into(), serde_json::json!({ "isPresent": present }));
                    m.insert("then".into(), Value::Array(then.iter().map(ph).collect()));
                    if !otherwise.is_empty() {
                        m.insert(
                            "else".into(),
                            Value::Array(otherwise.iter().map(ph).collect()),
                        );
                    }
                    serde_json::json!({ "if": m })
                }
            }
        }
        let decl = |list: &'static str, d: &IoDecl| {
            let mut m = Map::new();
            if let Some(def) = &d.default {
                m.insert("default".into(), def.clone());
            }
            if let Some(text) = self.descriptions.get(&(list, d.name.clone())) {
                m.insert("description".into(), Value::String(text.clone()));
            }
            if list == "inputs" && self.ir_artifacts.get(&d.name) == Some(&true) {
                m.insert("isArtifactList".into(), Value::Bool(true));
            }
            m.insert("name".into(), Value::String(d.name.clone()));
            if d.optional {
                m.insert("optional".into(), Value::Bool(true));
            }
            if let Some(t) = &d.ty {
                m.insert("type".into(), Value::String(t.clone()));
            }
            Value::Object(m)
        };
        let mut spec = Map::new();
        if let Some(d) = &self.description {
            spec.insert("description".into(), Value::String(d.clone()));
        }
        let mut container = Map::new();
        if !self.args.is_empty() {
            container.insert(
                "args".into(),
                Value::Array(self.args.iter().map(ph).collect()),
            );
        }
        if !self.command.is_empty() {
            container.insert(
                "command".into(),
                Value::Array(self.command.iter().map(ph).collect()),
            );
        }
        container.insert("image".into(), Value::String(self.image.clone()));
        spec.insert(
            "implementation".into(),
            serde_json::json!({ "container": container }),
        );
        if !self.inputs.is_empty() {
            spec.insert(
                "inputs".into(),
                Value::Array(self.inputs.iter().map(|d| decl("inputs", d)).collect()),
            );
        }
        spec.insert("name".into(), Value::String(self.name.clone()));
        if !self.outputs.is_empty() {
            spec.insert(
                "outputs".into(),
                Value::Array(self.outputs.iter().map(|d| decl("outputs", d)).collect()),
            );
        }
        Value::Object(spec)
    }

    /// The component spec the compilers read (made once).
    pub fn spec(&mut self) -> Arc<ComponentSpec> {
        self.spec
            .get_or_init(|| Arc::new(self.build_spec()))
            .clone()
    }

    fn build_spec(&self) -> ComponentSpec {
        let mut defaults = BTreeMap::new();
        for d in &self.inputs {
            if let Some(def) = &d.default {
                defaults.insert(d.name.clone(), def.clone());
            }
        }
        let container = ContainerImpl {
            image: self.image.clone(),
            command: self.command.clone(),
            args: self.args.clone(),
            defaults,
            spec: self.declaration(),
            digest: self.digest.clone(),
            keep_names: self.from_ir,
            v2_descriptions: false,
            raw: None,
        };
        let mut spec = ComponentSpec::new(
            crate::spec::component::sanitize_name(&self.name).replace('-', "_"),
            Implementation::Container(Arc::new(container)),
        );
        spec.name = self.name.clone();
        spec.description = self.description.clone();
        spec.base_image = Some(self.image.clone());
        let mut path_inputs = HashSet::new();
        let mut f = |p: &Placeholder| {
            if let Placeholder::InputPath(n) = p {
                path_inputs.insert(n.clone());
            }
        };
        walk(&self.command, &mut f);
        walk(&self.args, &mut f);
        // A container default stays in the container: it is text of the file, which each
        // target types in its own way.
        for d in &self.inputs {
            let mut input = InputSpec::new(d.name.clone(), kind_of(d.ty.as_deref()));
            input.optional = d.optional;
            if path_inputs.contains(&d.name) || self.ir_artifacts.contains_key(&d.name) {
                input.artifact = Some(file_type(d.ty.as_deref()));
            }
            spec.inputs.push(input);
        }
        for d in &self.outputs {
            let mut output = OutputSpec::new(d.name.clone(), kind_of(d.ty.as_deref()));
            output.artifact = Some(file_type(d.ty.as_deref()));
            spec.outputs.push(output);
        }
        spec
    }

    /// Adds a task running this component to the pipeline being built, with `args` by input
    /// name. Unknown, missing or mistyped inputs are recorded as errors naming the task.
    pub fn task<'a>(&self, args: impl IntoIterator<Item = (&'a str, DynArg)>) -> Task<Outputs> {
        let spec = self
            .spec
            .get_or_init(|| Arc::new(self.build_spec()))
            .clone();
        let given: Vec<(&str, DynArg)> = args.into_iter().collect();
        // Each problem waits for the task's name, which `add_task` gives.
        let mut problems: Vec<Box<dyn FnOnce(String) -> BuildError>> = Vec::new();
        let mut slots: Vec<Option<Arg>> = vec![None; spec.inputs.len()];
        for (name, value) in given {
            let Some(i) = spec.inputs.iter().position(|inp| inp.name == name) else {
                let known: Vec<String> = spec.inputs.iter().map(|i| i.name.clone()).collect();
                let input = name.to_owned();
                problems.push(Box::new(move |task| BuildError::UnknownInput {
                    task,
                    input,
                    known,
                }));
                continue;
            };
            let input = &spec.inputs[i];
            let file = spec.artifact(ParamRef::Input(i)).is_some();
            // kfp 1.8.9 takes any value for an input of no declared type.
            let untyped = self.inputs.get(i).is_some_and(|d| d.ty.is_none());
            let problem = mismatch(input.kind, file, &value).filter(|_| !untyped || file);
            if let Some(expected) = problem {
                let (input, given) = (name.to_owned(), value.describe());
                problems.push(Box::new(move |task| BuildError::TypeMismatch {
                    task,
                    input,
                    given,
                    expected,
                }));
            }
            let arg = match value.arg {
                // As kfp 1.8.9 does, an untyped input takes a constant's text.
                Arg::Constant(v) if untyped && !v.is_string() && !v.is_null() => {
                    Arg::Constant(Value::String(crate::types::constant_text(&v)))
                }
                other => other,
            };
            if slots[i].replace(arg).is_some() {
                let input = name.to_owned();
                problems.push(Box::new(move |task| BuildError::DuplicateInput {
                    task,
                    input,
                }));
            }
        }
        for (i, input) in spec.inputs.iter().enumerate() {
            if slots[i].is_none() && !input.optional {
                let expected = if spec.artifact(ParamRef::Input(i)).is_some() {
                    "an output file of an upstream task".to_owned()
                } else {
                    format!("{} {} value", input.kind.article(), input.kind)
                };
                let input = input.name.clone();
                problems.push(Box::new(move |task| BuildError::MissingInput {
                    task,
                    input,
                    expected,
                }));
            }
        }
        let task: Task<Outputs> = dsl::add_task(spec, slots);
        let task_name = task.name();
        for problem in problems {
            task.record(problem(task_name.clone()));
        }
        task
    }
}

fn file_type(ty: Option<&str>) -> ArtifactType {
    let v1_type = ty.map(intern);
    let schema_title = match ty {
        Some("Dataset") => "system.Dataset",
        Some("Model") => "system.Model",
        Some("Metrics") => "system.Metrics",
        _ => "system.Artifact",
    };
    ArtifactType {
        v1_type,
        schema_title,
    }
}
