//! Components without a Rust body: loaded from a KFP v1 `component.yaml`, or built from an
//! image, a command and arguments with placeholders (kfp's `ContainerOp` and
//! `@dsl.container_component`).
//!
//! Their inputs are checked by name and type when a task is made; a mistake is a
//! [`BuildError`] naming the task and the input, reported when the pipeline compiles.
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

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::{Map, Value};

use crate::artifact::ArtifactType;
use crate::dsl::{self, IntoArg, OutputHandles, Task, TaskOutput};
use crate::error::BuildError;
use crate::spec::component::{ComponentSpec, InputSpec, OutputSpec, ParamRef};
use crate::spec::pipeline::{Arg, TaskId};
use crate::types::{KfpType, ParamKind};

/// A piece of a container component's command or arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Placeholder {
    /// Literal text.
    Literal(String),
    /// The value of an input (`{inputValue: x}`).
    InputValue(String),
    /// The path of an input file (`{inputPath: x}`).
    InputPath(String),
    /// The path an output is written to (`{outputPath: x}`).
    OutputPath(String),
    /// The pieces joined into one argument (`{concat: [...]}`).
    Concat(Vec<Placeholder>),
    /// `then` when input `present` is given, else `otherwise` (`{if: {cond: {isPresent: x},
    /// then: [...], else: [...]}}`).
    IfPresent {
        /// The input.
        present: String,
        /// The arguments when it is given.
        then: Vec<Placeholder>,
        /// The arguments when it is not.
        otherwise: Vec<Placeholder>,
    },
}

/// How a container component runs: image, command, arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct ContainerImpl {
    /// The image.
    pub image: String,
    /// The command.
    pub command: Vec<Placeholder>,
    /// The arguments.
    pub args: Vec<Placeholder>,
    /// Default values of optional inputs, as text.
    pub defaults: BTreeMap<String, Value>,
    /// The component as KFP v1 describes it (the `component_spec` annotation).
    pub spec: Value,
    /// The SHA-256 of the text it was loaded from, if it was loaded.
    pub digest: Option<String>,
    /// Whether its inputs and outputs keep their names exactly on KFP v2 (a component loaded
    /// from a KFP v2 IR), rather than being sanitised as kfp 2 reads a v1 `component.yaml`.
    pub keep_names: bool,
    /// Whether KFP v2 writes its inputs' and outputs' descriptions (kfp does for the
    /// components of its own packages, such as kfp-kubernetes' `CreatePVC`, not for a loaded
    /// file).
    pub v2_descriptions: bool,
    /// For a raw `ContainerOp` (KFP v1 only): its file outputs and whether it has arguments.
    pub raw: Option<crate::container_op::RawOp>,
}

/// Why a component could not be loaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The text is not YAML.
    Yaml(String),
    /// The YAML is not a KFP v1 component.
    Invalid(String),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io(e) => write!(f, "cannot read the component: {e}"),
            LoadError::Yaml(e) => write!(f, "the component is not valid YAML: {e}"),
            LoadError::Invalid(e) => write!(f, "not a KFP component: {e}"),
        }
    }
}

impl std::error::Error for LoadError {}

fn invalid(msg: impl Into<String>) -> LoadError {
    LoadError::Invalid(msg.into())
}

/// Loads a component from `path`: a KFP v1 `component.yaml`, or a KFP v2 component IR file.
pub fn load_component_from_file(path: impl AsRef<Path>) -> Result<ContainerComponent, LoadError> {
    let text = std::fs::read_to_string(path).map_err(LoadError::Io)?;
    load_component_from_text(&text)
}

/// Loads a component from its YAML text: a KFP v1 `component.yaml`, or a KFP v2 component IR
/// (a compiled `@dsl.container_component`), whose `{{$.inputs...}}` placeholders are read into
/// the same model.
pub fn load_component_from_text(text: &str) -> Result<ContainerComponent, LoadError> {
    let doc: Value = crate::yaml::from_str(text).map_err(|e| LoadError::Yaml(e.to_string()))?;
    // A KFP v2 component IR (what kfp 2.x compiles a component to) has `deploymentSpec`.
    let mut c = if doc.get("deploymentSpec").is_some() {
        from_v2_ir(&doc)?
    } else {
        from_v1_spec(&doc)?
    };
    c.digest = Some(sha256_hex(text.as_bytes()));
    // kfp takes an unknown type name too (as an opaque string); say so rather than guess.
    for w in c.warnings() {
        eprintln!("warning: {w}");
    }
    Ok(c)
}

/// The SHA-256 of `data` in hex: the digest KFP v1 records for a loaded component.
fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

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

fn kind_of(ty: Option<&str>) -> (ParamKind, &'static str) {
    match ty {
        Some("String") | Some("str") => (ParamKind::String, "String"),
        Some("Integer") | Some("int") => (ParamKind::Integer, "i64"),
        Some("Float") | Some("float") => (ParamKind::Float, "f64"),
        Some("Boolean") | Some("bool") => (ParamKind::Boolean, "bool"),
        Some("JsonArray") | Some("list") => (ParamKind::List, "Vec"),
        Some("JsonObject") | Some("dict") => (ParamKind::Struct, "serde_json::Map"),
        _ => (ParamKind::String, "String"),
    }
}

fn placeholders(v: Option<&Value>, what: &str) -> Result<Vec<Placeholder>, LoadError> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(|i| placeholder(i, what)).collect(),
        Some(_) => Err(invalid(format!("`{what}` must be a list"))),
    }
}

fn placeholder(v: &Value, what: &str) -> Result<Placeholder, LoadError> {
    let name = |x: &Value| {
        x.as_str().map(str::to_owned).ok_or_else(|| {
            invalid(format!(
                "a placeholder in `{what}` must name an input or output"
            ))
        })
    };
    match v {
        Value::String(s) => Ok(Placeholder::Literal(s.clone())),
        Value::Number(n) => Ok(Placeholder::Literal(n.to_string())),
        Value::Bool(b) => Ok(Placeholder::Literal(
            if *b { "True" } else { "False" }.into(),
        )),
        Value::Object(m) if m.len() == 1 => {
            let (k, x) = m
                .iter()
                .next()
                .ok_or_else(|| invalid("empty placeholder"))?;
            match k.as_str() {
                "inputValue" => Ok(Placeholder::InputValue(name(x)?)),
                "inputPath" => Ok(Placeholder::InputPath(name(x)?)),
                "outputPath" => Ok(Placeholder::OutputPath(name(x)?)),
                "concat" => Ok(Placeholder::Concat(placeholders(Some(x), what)?)),
                "if" => {
                    let present = x
                        .get("cond")
                        .and_then(|c| c.get("isPresent"))
                        .and_then(Value::as_str)
                        .ok_or_else(|| invalid("`if` needs `cond: {isPresent: <input>}`"))?;
                    Ok(Placeholder::IfPresent {
                        present: present.to_owned(),
                        then: placeholders(x.get("then"), what)?,
                        otherwise: placeholders(x.get("else"), what)?,
                    })
                }
                other => Err(invalid(format!(
                    "unknown placeholder `{other}` in `{what}`"
                ))),
            }
        }
        other => Err(invalid(format!("unsupported item {other} in `{what}`"))),
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

/// Reads a KFP v1 component spec (`name`, `inputs`, `outputs`, `implementation.container`).
fn from_v1_spec(doc: &Value) -> Result<ContainerComponent, LoadError> {
    let name = doc
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("it has no `name`"))?;
    let container = doc
        .get("implementation")
        .and_then(|i| i.get("container"))
        .ok_or_else(|| invalid("it has no `implementation.container`"))?;
    let image = container
        .get("image")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("`implementation.container` has no `image`"))?;
    let mut c = ContainerComponent::new(name, image);
    c.description = doc
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned);
    for input in doc
        .get("inputs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let n = input
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("an input has no `name`"))?;
        let ty = input.get("type").and_then(Value::as_str);
        let optional = input
            .get("optional")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            || input.get("default").is_some();
        c.inputs.push(IoDecl {
            name: n.to_owned(),
            ty: ty.map(str::to_owned),
            optional,
            default: input.get("default").cloned(),
        });
    }
    for output in doc
        .get("outputs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let n = output
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("an output has no `name`"))?;
        c.outputs.push(IoDecl {
            name: n.to_owned(),
            ty: output
                .get("type")
                .and_then(Value::as_str)
                .map(str::to_owned),
            optional: false,
            default: None,
        });
    }
    c.command = placeholders(container.get("command"), "command")?;
    c.args = placeholders(container.get("args"), "args")?;
    c.original = Some(doc.clone());
    c.check()?;
    Ok(c)
}

/// The KFP v1 type of a KFP v2 parameter type.
fn v1_type_of_v2(parameter_type: &str) -> &'static str {
    match parameter_type {
        "NUMBER_INTEGER" => "Integer",
        "NUMBER_DOUBLE" => "Float",
        "BOOLEAN" => "Boolean",
        "LIST" => "JsonArray",
        "STRUCT" => "JsonObject",
        _ => "String",
    }
}

/// The KFP v1 type of a KFP v2 artifact type (`system.Dataset` → `Dataset`).
fn v1_type_of_schema(schema_title: &str) -> String {
    schema_title
        .strip_prefix("system.")
        .unwrap_or(schema_title)
        .to_owned()
}

/// Reads one KFP v2 placeholder string: `{{$.inputs.parameters['x']}}`,
/// `{{$.inputs.artifacts['x'].path}}`, `{{$.outputs.parameters['x'].output_file}}`,
/// `{{$.outputs.artifacts['x'].path}}`, a `{"Concat": [...]}` or `{"IfPresent": {...}}` JSON
/// string, or text with placeholders inside it.
fn v2_placeholder(text: &str) -> Result<Placeholder, LoadError> {
    let t = text.trim();
    if t.starts_with('{') && !t.starts_with("{{") {
        if let Ok(v) = serde_json::from_str::<Value>(t) {
            if let Some(parts) = v.get("Concat").and_then(Value::as_array) {
                return parts
                    .iter()
                    .map(|p| v2_placeholder(p.as_str().unwrap_or_default()))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Placeholder::Concat);
            }
            if let Some(ip) = v.get("IfPresent") {
                let list = |k: &str| -> Result<Vec<Placeholder>, LoadError> {
                    ip.get(k)
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .map(|p| v2_placeholder(p.as_str().unwrap_or_default()))
                        .collect()
                };
                let present = ip
                    .get("InputName")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid("`IfPresent` needs `InputName`"))?;
                return Ok(Placeholder::IfPresent {
                    present: present.to_owned(),
                    then: list("Then")?,
                    otherwise: list("Else")?,
                });
            }
        }
    }
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{$.") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        if start > 0 {
            parts.push(Placeholder::Literal(rest[..start].to_owned()));
        }
        let inner = &rest[start + 4..start + len];
        let name = inner
            .split('\'')
            .nth(1)
            .ok_or_else(|| invalid(format!("cannot read the placeholder `{{{{${inner}}}}}`")))?
            .to_owned();
        let p = if inner.starts_with("inputs.parameters[") {
            Placeholder::InputValue(name)
        } else if inner.starts_with("inputs.artifacts[") && inner.ends_with(".path") {
            Placeholder::InputPath(name)
        } else if inner.starts_with("outputs.parameters[")
            || inner.starts_with("outputs.artifacts[")
        {
            Placeholder::OutputPath(name)
        } else {
            return Err(invalid(format!(
                "unsupported placeholder `{{{{${inner}}}}}`"
            )));
        };
        parts.push(p);
        rest = &rest[start + len + 2..];
    }
    if !rest.is_empty() || parts.is_empty() {
        parts.push(Placeholder::Literal(rest.to_owned()));
    }
    Ok(if parts.len() == 1 {
        parts.remove(0)
    } else {
        Placeholder::Concat(parts)
    })
}

/// Reads a KFP v2 component IR: the one component, its executor's container, and its inputs
/// and outputs (in the IR's order, which is by name).
fn from_v2_ir(doc: &Value) -> Result<ContainerComponent, LoadError> {
    let components = doc
        .get("components")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the IR has no `components`"))?;
    let [(_, component)] = components.iter().collect::<Vec<_>>()[..] else {
        return Err(invalid(format!(
            "the IR has {} components; a component file has one (a pipeline cannot be loaded as a component)",
            components.len()
        )));
    };
    let label = component
        .get("executorLabel")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("the component has no `executorLabel`"))?;
    let container = doc
        .pointer(&format!("/deploymentSpec/executors/{label}/container"))
        .ok_or_else(|| invalid(format!("no container for executor `{label}`")))?;
    let image = container
        .get("image")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("the container has no `image`"))?;
    let name = doc
        .pointer("/pipelineInfo/name")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("the IR has no `pipelineInfo.name`"))?;
    let mut c = ContainerComponent::new(name, image);
    c.description = doc
        .pointer("/pipelineInfo/description")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let defs = |side: &str, kind: &str| {
        component
            .pointer(&format!("/{side}Definitions/{kind}"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    for (n, p) in defs("input", "parameters") {
        let ty = v1_type_of_v2(p.get("parameterType").and_then(Value::as_str).unwrap_or(""));
        let default = p.get("defaultValue").map(|d| match (ty, d.as_f64()) {
            // IR numbers are doubles: an integer's default `1.0` is `1`.
            ("Integer", Some(f)) if f.fract() == 0.0 => Value::from(f as i64),
            _ => d.clone(),
        });
        let optional = p
            .get("isOptional")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        c.inputs.push(IoDecl {
            name: n,
            ty: Some(ty.to_owned()),
            optional: optional || default.is_some(),
            default,
        });
    }
    for (n, a) in defs("input", "artifacts") {
        let title = a
            .pointer("/artifactType/schemaTitle")
            .and_then(Value::as_str)
            .unwrap_or("");
        let list = a
            .get("isArtifactList")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        c.ir_artifacts.insert(n.clone(), list);
        c.inputs.push(IoDecl {
            name: n,
            ty: Some(v1_type_of_schema(title)),
            optional: a
                .get("isOptional")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            default: None,
        });
    }
    for (n, p) in defs("output", "parameters") {
        let ty = v1_type_of_v2(p.get("parameterType").and_then(Value::as_str).unwrap_or(""));
        c.outputs.push(IoDecl {
            name: n,
            ty: Some(ty.to_owned()),
            optional: false,
            default: None,
        });
    }
    for (n, a) in defs("output", "artifacts") {
        let title = a
            .pointer("/artifactType/schemaTitle")
            .and_then(Value::as_str)
            .unwrap_or("");
        c.outputs.push(IoDecl {
            name: n,
            ty: Some(v1_type_of_schema(title)),
            optional: false,
            default: None,
        });
    }
    let list = |key: &str| -> Result<Vec<Placeholder>, LoadError> {
        container
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|v| match v {
                Value::String(s) => v2_placeholder(s),
                other => Ok(Placeholder::Literal(other.to_string())),
            })
            .collect()
    };
    c.command = list("command")?;
    c.args = list("args")?;
    c.from_ir = true;
    for (side, list) in [("input", "inputs"), ("output", "outputs")] {
        for kind in ["parameters", "artifacts"] {
            for (n, d) in defs(side, kind) {
                if let Some(text) = d.get("description").and_then(Value::as_str) {
                    c.descriptions.insert((list, n), text.to_owned());
                }
            }
        }
    }
    c.check()?;
    Ok(c)
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

    /// The component as KFP v1 describes it.
    fn v1_spec(&self) -> Value {
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
        let mut spec =
            ComponentSpec::new(crate::spec::component::sanitize_name(&self.name).replace('-', "_"));
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
        let mut defaults = BTreeMap::new();
        for (i, d) in self.inputs.iter().enumerate() {
            let (kind, rust) = kind_of(d.ty.as_deref());
            spec.inputs.push(InputSpec {
                name: d.name.clone(),
                kind,
                rust_type: rust,
                optional: d.optional,
            });
            if path_inputs.contains(&d.name) || self.ir_artifacts.contains_key(&d.name) {
                spec.artifacts
                    .push((ParamRef::Input(i), file_type(d.ty.as_deref())));
            }
            if let Some(def) = &d.default {
                defaults.insert(d.name.clone(), def.clone());
            }
        }
        for (i, d) in self.outputs.iter().enumerate() {
            let (kind, _) = kind_of(d.ty.as_deref());
            spec.outputs.push(OutputSpec {
                name: d.name.clone(),
                kind,
            });
            spec.artifacts
                .push((ParamRef::Output(i), file_type(d.ty.as_deref())));
        }
        spec.container = Some(Arc::new(ContainerImpl {
            image: self.image.clone(),
            command: self.command.clone(),
            args: self.args.clone(),
            defaults,
            spec: self.v1_spec(),
            digest: self.digest.clone(),
            keep_names: self.from_ir,
            v2_descriptions: false,
            raw: None,
        }));
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

/// A value for an input of a container component: anything that can feed an input of some
/// type, with the type kept for checking.
#[derive(Clone, Debug)]
pub struct DynArg {
    pub(crate) arg: Arg,
    pub(crate) kind: Option<ParamKind>,
    pub(crate) file: bool,
}

impl DynArg {
    fn describe(&self) -> String {
        match (&self.arg, self.kind) {
            (Arg::Constant(v), _) => format!("the constant {v}"),
            (_, Some(k)) if self.file => format!("{} {k} file", k.article()),
            (_, Some(k)) => format!("{} {k} value", k.article()),
            (_, None) => "a file".to_owned(),
        }
    }
}

fn mismatch(kind: ParamKind, file: bool, value: &DynArg) -> Option<String> {
    if file {
        return (!value.file).then(|| "an output file of an upstream task".to_owned());
    }
    if value.file {
        return Some(format!("{} {kind} value", kind.article()));
    }
    match value.kind {
        Some(k) if k != kind => Some(format!("{} {kind} value", kind.article())),
        _ => None,
    }
}

/// Wraps a constant, a pipeline parameter, a task output or a loop item for
/// [`ContainerComponent::task`].
pub fn dyn_arg<T: KfpType>(value: impl IntoArg<T>) -> DynArg {
    let arg = value.into_arg();
    let kind = match &arg {
        Arg::LoopItem { field: Some(_), .. } => None,
        _ => Some(T::KIND),
    };
    DynArg {
        arg,
        kind,
        file: T::ARTIFACT.is_some(),
    }
}

/// The outputs of a task of a container component, by name.
#[derive(Clone, Copy, Debug)]
pub struct Outputs {
    task: TaskId,
}

impl OutputHandles for Outputs {
    fn from_task(task: TaskId) -> Self {
        Outputs { task }
    }
}

impl Task<Outputs> {
    /// Output `name` as a `T` (checked against the component's declaration when the pipeline
    /// compiles).
    pub fn output<T: KfpType>(&self, name: &str) -> TaskOutput<T> {
        TaskOutput::new(self.outputs().task, intern(name))
    }
}

/// Interns an output name: task outputs are `Copy` handles holding `&'static str` names, and a
/// loaded component's names are only known at run time. Each distinct name is stored once.
fn intern(name: &str) -> &'static str {
    static NAMES: LazyLock<Mutex<HashSet<&'static str>>> =
        LazyLock::new(|| Mutex::new(HashSet::new()));
    let mut names = match NAMES.lock() {
        Ok(n) => n,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(n) = names.get(name) {
        return n;
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.insert(leaked);
    leaked
}

impl<T: KfpType> From<TaskOutput<T>> for DynArg {
    fn from(v: TaskOutput<T>) -> Self {
        dyn_arg::<T>(v)
    }
}

impl<T: KfpType> From<crate::control::Collected<T>> for DynArg {
    fn from(v: crate::control::Collected<T>) -> Self {
        DynArg {
            arg: Arg::Collected {
                task: v.task(),
                output: v.name().to_owned(),
            },
            kind: Some(T::KIND),
            file: T::ARTIFACT.is_some(),
        }
    }
}

impl<T: KfpType> From<crate::dsl::Param<T>> for DynArg {
    fn from(v: crate::dsl::Param<T>) -> Self {
        dyn_arg::<T>(v)
    }
}

impl<T: KfpType> From<crate::control::LoopItem<T>> for DynArg {
    fn from(v: crate::control::LoopItem<T>) -> Self {
        dyn_arg::<T>(v)
    }
}

macro_rules! dyn_constants {
    ($($t:ty => $k:ty),*) => {$(
        impl From<$t> for DynArg {
            fn from(v: $t) -> Self {
                dyn_arg::<$k>(v)
            }
        }
    )*};
}
dyn_constants!(&str => String, String => String, i64 => i64, i32 => i32, f64 => f64, bool => bool);
