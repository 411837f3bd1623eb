//! Reading a component from its YAML: a KFP v1 `component.yaml` (kfp's reusable-component
//! format) or a KFP v2 component IR (a compiled `@dsl.container_component`), into the same
//! [`ContainerComponent`].

use std::fmt;
use std::path::Path;

use serde_json::Value;

use super::{ContainerComponent, IoDecl, Placeholder};

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

pub(super) fn invalid(msg: impl Into<String>) -> LoadError {
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
