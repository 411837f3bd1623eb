//! How the KFP v2 IR sees a component's inputs and outputs: parameters or artifacts, their
//! names, their defaults, and, for container components, the command-line placeholders.
//!
//! A Rust component's files (`InputPath`/`OutputPath`) are artifacts and everything else is a
//! parameter, named as in Rust. A container component (loaded from a KFP v1 `component.yaml`
//! or built with [`ContainerComponent`](crate::reusable::ContainerComponent)) is read the way
//! kfp 2.17.3 reads a v1 `component.yaml` (`kfp/dsl/structures.py`): by each input's and
//! output's declared type, with names sanitised (`Input 1` → `input_1`) and text defaults
//! typed (`'1'` for an `Integer` → `1`).

use std::borrow::Cow;

use serde_json::{json, Value};

use crate::pyjson;
use crate::reusable::{ContainerImpl, Placeholder};
use crate::spec::component::{ComponentSpec, ParamRef};
use crate::types::{parse_bool, ParamKind};

/// What the IR makes of an input or output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Io {
    /// A parameter of this type.
    Parameter(ParamKind),
    /// An artifact with this schema title (`system.Dataset`).
    Artifact(Cow<'static, str>),
}

impl Io {
    /// Whether this is an artifact.
    pub fn is_artifact(&self) -> bool {
        matches!(self, Io::Artifact(_))
    }
}

const ARTIFACT: &str = "system.Artifact";

/// What the IR makes of input `i` of `component`.
pub fn input_io(component: &ComponentSpec, i: usize) -> Io {
    let Some(input) = component.inputs.get(i) else {
        return Io::Artifact(Cow::Borrowed(ARTIFACT));
    };
    match component.container() {
        Some(c) => declared_io(c, "inputs", &input.name),
        None => match component.artifact(ParamRef::Input(i)) {
            Some(a) => Io::Artifact(Cow::Borrowed(a.schema_title)),
            None => Io::Parameter(input.kind),
        },
    }
}

/// What the IR makes of output `i` of `component`.
pub fn output_io(component: &ComponentSpec, i: usize) -> Io {
    let Some(output) = component.outputs.get(i) else {
        return Io::Artifact(Cow::Borrowed(ARTIFACT));
    };
    match component.container() {
        Some(c) => declared_io(c, "outputs", &output.name),
        None => match component.artifact(ParamRef::Output(i)) {
            Some(a) => Io::Artifact(Cow::Borrowed(a.schema_title)),
            None => Io::Parameter(output.kind),
        },
    }
}

/// The IR name of an input or output `name` of `component`: sanitised for a container
/// component read as a v1 `component.yaml`, as written otherwise (a Rust component, or a
/// component loaded from a KFP v2 IR, which kfp 2 keeps exactly: an output `Output` stays
/// `Output`).
pub fn io_name<'a>(component: &ComponentSpec, name: &'a str) -> Cow<'a, str> {
    match component.container() {
        Some(c) if !c.keep_names => Cow::Owned(sanitize_input_name(name)),
        _ => Cow::Borrowed(name),
    }
}

/// kfp's `sanitize_input_name`: lower-case, every run of characters outside `[_0-9a-z]`
/// becomes `_`, and leading and trailing `_` go.
pub fn sanitize_input_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.to_lowercase().chars() {
        if c == '_' || c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('_');
            in_run = true;
        }
    }
    out.trim_matches('_').to_owned()
}

/// The default of input `name` of a container component, typed as kfp types a v1 default
/// (`'1'` for an `Integer` → `1`, JSON text for lists and maps), if it has one.
pub fn container_default(component: &ComponentSpec, name: &str, kind: ParamKind) -> Option<Value> {
    if let Some(d) = component.input(name).and_then(|i| i.default.as_ref()) {
        return Some(d.clone());
    }
    let container = component.container()?;
    let value = container.defaults.get(name)?;
    let Value::String(text) = value else {
        return Some(value.clone());
    };
    let typed = match kind {
        ParamKind::String => None,
        ParamKind::Integer => text.trim().parse::<i64>().ok().map(Value::from),
        ParamKind::Float => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        ParamKind::Boolean => parse_bool(text.trim()).map(Value::Bool),
        ParamKind::List | ParamKind::Struct => serde_json::from_str(text).ok(),
    };
    Some(typed.unwrap_or_else(|| value.clone()))
}

/// Whether input `i` of `component` takes a list of artifacts (a KFP v2 IR's
/// `isArtifactList`, kfp's `Input[List[Dataset]]`).
pub fn input_is_artifact_list(component: &ComponentSpec, i: usize) -> bool {
    let (Some(c), Some(input)) = (component.container(), component.inputs.get(i)) else {
        return false;
    };
    c.spec["inputs"]
        .as_array()
        .and_then(|l| l.iter().find(|d| d["name"] == input.name.as_str()))
        .and_then(|d| d.get("isArtifactList"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The input or output `name` as the container's v1 spec declares it (`inputs`/`outputs`).
fn declared_io(container: &ContainerImpl, list: &str, name: &str) -> Io {
    let ty = container.spec[list]
        .as_array()
        .and_then(|l| l.iter().find(|d| d["name"] == name))
        .and_then(|d| d.get("type"));
    io_of_v1_type(ty)
}

/// kfp 2.17.3's reading of a v1 type: a parameter type by name in any case (`Integer`, `int`,
/// `Double`, `Text`, `JsonArray`, `List[str]`, ...), else an artifact: `google.*` types as
/// they are, kfp's own artifact classes (`Dataset` → `system.Dataset`), and anything else,
/// untyped or structured, `system.Artifact`.
pub fn io_of_v1_type(ty: Option<&Value>) -> Io {
    let Some(Value::String(t)) = ty else {
        return Io::Artifact(Cow::Borrowed(ARTIFACT));
    };
    let t = t.strip_prefix("typing.").unwrap_or(t);
    let lower = t.to_lowercase();
    let canonical = if lower.starts_with("list") || lower.starts_with("dict") {
        lower.split('[').next().unwrap_or_default()
    } else {
        lower.as_str()
    };
    let kind = match canonical {
        "integer" | "int" => Some(ParamKind::Integer),
        "double" | "float" => Some(ParamKind::Float),
        "string" | "str" | "text" => Some(ParamKind::String),
        "bool" | "boolean" => Some(ParamKind::Boolean),
        "dict" | "jsonobject" => Some(ParamKind::Struct),
        "list" | "jsonarray" => Some(ParamKind::List),
        _ => None,
    };
    if let Some(kind) = kind {
        return Io::Parameter(kind);
    }
    // `^google.[A-Za-z]+$`, where `.` is any character.
    let google = t.starts_with("google")
        && t.chars().nth(6).is_some()
        && t.chars().skip(7).count() > 0
        && t.chars().skip(7).all(|c| c.is_ascii_alphabetic());
    if google {
        return Io::Artifact(Cow::Owned(t.to_owned()));
    }
    let title = match lower.as_str() {
        "model" => "system.Model",
        "dataset" => "system.Dataset",
        "metrics" => "system.Metrics",
        "classificationmetrics" => "system.ClassificationMetrics",
        "slicedclassificationmetrics" => "system.SlicedClassificationMetrics",
        "html" => "system.HTML",
        "markdown" => "system.Markdown",
        _ => ARTIFACT,
    };
    Io::Artifact(Cow::Borrowed(title))
}

/// A container component's command or arguments in the IR: each placeholder becomes kfp v2's
/// (`{{$.inputs.parameters['x']}}`, `{{$.inputs.artifacts['x'].path}}`,
/// `{{$.outputs.parameters['x'].output_file}}`, `{{$.outputs.artifacts['x'].path}}`), and
/// `concat`/`if` become the JSON strings `{"Concat": [...]}` and
/// `{"IfPresent": {"InputName": ..., "Then": [...], "Else": [...]}}`.
pub fn placeholders(component: &ComponentSpec, list: &[Placeholder]) -> Vec<String> {
    list.iter().map(|p| text(component, p)).collect()
}

fn text(component: &ComponentSpec, p: &Placeholder) -> String {
    match p {
        Placeholder::Literal(s) => s.clone(),
        Placeholder::InputValue(n) => {
            format!("{{{{$.inputs.parameters['{}']}}}}", io_name(component, n))
        }
        Placeholder::InputPath(n) => {
            format!(
                "{{{{$.inputs.artifacts['{}'].path}}}}",
                io_name(component, n)
            )
        }
        Placeholder::OutputPath(n) => {
            let io = component
                .outputs
                .iter()
                .position(|o| o.name == *n)
                .map(|i| output_io(component, i));
            let name = io_name(component, n);
            match io {
                Some(Io::Parameter(_)) => {
                    format!("{{{{$.outputs.parameters['{name}'].output_file}}}}")
                }
                _ => format!("{{{{$.outputs.artifacts['{name}'].path}}}}"),
            }
        }
        Placeholder::Concat(_) | Placeholder::IfPresent { .. } => {
            pyjson::dumps(&structure(component, p), false)
        }
    }
}

/// An element inside `Concat` or `IfPresent`: nested structures stay structures.
fn element(component: &ComponentSpec, p: &Placeholder) -> Value {
    match p {
        Placeholder::Concat(_) | Placeholder::IfPresent { .. } => structure(component, p),
        other => Value::String(text(component, other)),
    }
}

fn structure(component: &ComponentSpec, p: &Placeholder) -> Value {
    match p {
        Placeholder::Concat(items) => {
            let items: Vec<Value> = items.iter().map(|i| element(component, i)).collect();
            json!({ "Concat": items })
        }
        Placeholder::IfPresent {
            present,
            then,
            otherwise,
        } => {
            let mut inner = serde_json::Map::new();
            inner.insert("InputName".into(), json!(io_name(component, present)));
            inner.insert(
                "Then".into(),
                Value::Array(then.iter().map(|e| element(component, e)).collect()),
            );
            if !otherwise.is_empty() {
                inner.insert(
                    "Else".into(),
                    Value::Array(otherwise.iter().map(|e| element(component, e)).collect()),
                );
            }
            json!({ "IfPresent": inner })
        }
        other => Value::String(text(component, other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_types_read_as_kfp_reads_them() {
        let io = |t: &str| io_of_v1_type(Some(&json!(t)));
        assert_eq!(io("Integer"), Io::Parameter(ParamKind::Integer));
        assert_eq!(io("DOUBLE"), Io::Parameter(ParamKind::Float));
        assert_eq!(io("Text"), Io::Parameter(ParamKind::String));
        assert_eq!(io("typing.List[str]"), Io::Parameter(ParamKind::List));
        assert_eq!(io("Dict[str, int]"), Io::Parameter(ParamKind::Struct));
        assert_eq!(io("JsonObject"), Io::Parameter(ParamKind::Struct));
        assert_eq!(io("Dataset"), Io::Artifact("system.Dataset".into()));
        assert_eq!(io("html"), Io::Artifact("system.HTML".into()));
        assert_eq!(io("CSV"), Io::Artifact(ARTIFACT.into()));
        assert_eq!(
            io("google.VertexModel"),
            Io::Artifact("google.VertexModel".into())
        );
        assert_eq!(io("google.Vertex2"), Io::Artifact(ARTIFACT.into()));
        assert_eq!(io_of_v1_type(None), Io::Artifact(ARTIFACT.into()));
        assert_eq!(
            io_of_v1_type(Some(&json!({"GCSPath": {}}))),
            Io::Artifact(ARTIFACT.into())
        );
    }

    #[test]
    fn text_defaults_are_typed_like_kfp() {
        use crate::reusable::ContainerComponent;
        let spec = ContainerComponent::new("c", "alpine")
            .optional_input("n", "Integer", "3")
            .optional_input("flag", "Boolean", "True")
            .optional_input("items", "JsonArray", "[1, \"a\"]")
            .optional_input("ratio", "Float", "not a number")
            .optional_input("word", "String", "7")
            .input("plain", "String")
            .spec();
        let default = |name: &str, kind| container_default(&spec, name, kind);
        assert_eq!(default("n", ParamKind::Integer), Some(json!(3)));
        assert_eq!(default("flag", ParamKind::Boolean), Some(json!(true)));
        assert_eq!(default("items", ParamKind::List), Some(json!([1, "a"])));
        assert_eq!(
            default("ratio", ParamKind::Float),
            Some(json!("not a number"))
        );
        assert_eq!(default("word", ParamKind::String), Some(json!("7")));
        assert_eq!(default("plain", ParamKind::String), None);
    }

    #[test]
    fn placeholders_become_kfp_v2_strings() {
        use crate::reusable::ContainerComponent;
        use Placeholder::*;
        let spec = ContainerComponent::new("c", "alpine")
            .input("Msg Text", "String")
            .input("data", "CSV")
            .output("out", "Integer")
            .output("copy", "Dataset")
            .args([
                InputValue("Msg Text".into()),
                InputPath("data".into()),
                OutputPath("out".into()),
                OutputPath("copy".into()),
                Concat(vec![
                    Literal("a".into()),
                    IfPresent {
                        present: "Msg Text".into(),
                        then: vec![InputValue("Msg Text".into())],
                        otherwise: vec![Literal("none".into())],
                    },
                ]),
            ])
            .spec();
        let args = &spec.container().unwrap().args;
        assert_eq!(
            placeholders(&spec, args),
            [
                "{{$.inputs.parameters['msg_text']}}",
                "{{$.inputs.artifacts['data'].path}}",
                "{{$.outputs.parameters['out'].output_file}}",
                "{{$.outputs.artifacts['copy'].path}}",
                r#"{"Concat": ["a", {"IfPresent": {"InputName": "msg_text", "Then": ["{{$.inputs.parameters['msg_text']}}"], "Else": ["none"]}}]}"#,
            ]
        );
        assert_eq!(output_io(&spec, 0), Io::Parameter(ParamKind::Integer));
        assert_eq!(output_io(&spec, 1), Io::Artifact("system.Dataset".into()));
        assert!(input_io(&spec, 1).is_artifact());
        assert_eq!(io_name(&spec, "Msg Text"), "msg_text");
    }

    #[test]
    fn input_names_are_sanitised_like_kfp() {
        assert_eq!(sanitize_input_name("msg"), "msg");
        assert_eq!(sanitize_input_name("Input 1"), "input_1");
        assert_eq!(sanitize_input_name("a--b__c"), "a_b__c");
        assert_eq!(sanitize_input_name("Größe"), "gr_e");
        assert_eq!(sanitize_input_name("__x__"), "x");
    }
}
