//! The executor input of one local task, built as KFP v2's launcher builds it (input values,
//! input artifacts with their URIs, an `outputFile` per output parameter, output artifact
//! URIs and `outputs.outputFile` for `executor_output.json`), and the outputs read back the
//! way the launcher reads them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use super::record::ArtifactRecord;
use crate::compiler::v2_io::{io_name, output_io, Io};
use crate::spec::component::ComponentSpec;
use crate::types::{parse_bool, ParamKind};

/// The resolved inputs of one task: parameter values and input artifacts, by IR name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TaskInputs {
    /// `inputs.parameterValues`.
    pub params: Map<String, Value>,
    /// `inputs.artifacts`, each a list (a fan-in gives several).
    pub artifacts: BTreeMap<String, Vec<ArtifactRecord>>,
}

/// A task's outputs: parameter values and artifacts, by IR name.
pub type TaskOutputs = (Map<String, Value>, BTreeMap<String, ArtifactRecord>);

/// Where a task's outputs go under its folder `dir`.
pub fn output_parameter_file(dir: &Path, name: &str) -> PathBuf {
    dir.join("outputs").join(name)
}

/// The file of output artifact `name` under the task's folder `dir`.
pub fn output_artifact_path(dir: &Path, name: &str) -> PathBuf {
    dir.join("artifacts").join(name)
}

/// `executor_output.json` under the task's folder `dir`.
pub fn executor_output_file(dir: &Path) -> PathBuf {
    dir.join("executor_output.json")
}

fn artifact_json(name: &str, a: &ArtifactRecord) -> Value {
    json!({
        "name": name,
        "uri": a.uri,
        "type": {"schemaTitle": a.schema_title},
        "metadata": if a.metadata.is_object() { a.metadata.clone() } else { json!({}) },
    })
}

/// The executor input JSON of `component` run with `inputs`, its outputs under `dir`.
pub fn build(component: &ComponentSpec, inputs: &TaskInputs, dir: &Path) -> Value {
    let artifacts: Map<String, Value> = inputs
        .artifacts
        .iter()
        .map(|(name, list)| {
            let items: Vec<Value> = list.iter().map(|a| artifact_json(name, a)).collect();
            (name.clone(), json!({ "artifacts": items }))
        })
        .collect();
    let mut out_params = Map::new();
    let mut out_artifacts = Map::new();
    for (i, output) in component.outputs.iter().enumerate() {
        let name = io_name(component, &output.name).into_owned();
        match output_io(component, i) {
            Io::Parameter(_) => {
                let file = output_parameter_file(dir, &name);
                out_params.insert(name, json!({ "outputFile": file.display().to_string() }));
            }
            Io::Artifact(title) => {
                let record = ArtifactRecord {
                    uri: output_artifact_path(dir, &name).display().to_string(),
                    schema_title: title.into_owned(),
                    metadata: json!({}),
                };
                let item = artifact_json(&name, &record);
                out_artifacts.insert(name, json!({ "artifacts": [item] }));
            }
        }
    }
    json!({
        "inputs": { "parameterValues": inputs.params, "artifacts": artifacts },
        "outputs": {
            "parameters": out_params,
            "artifacts": out_artifacts,
            "outputFile": executor_output_file(dir).display().to_string(),
        },
    })
}

/// The outputs of `component` after it ran with its outputs under `dir`: parameters from
/// `executor_output.json` first, else from each parameter's `outputFile` (typed by the
/// output's declared kind), and artifacts with the metadata `executor_output.json` gives.
pub fn read_outputs(component: &ComponentSpec, dir: &Path) -> Result<TaskOutputs, String> {
    let meta: Value = match std::fs::read_to_string(executor_output_file(dir)) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| format!("executor_output.json is not JSON: {e}"))?,
        Err(_) => json!({}),
    };
    let mut params = Map::new();
    let mut artifacts = BTreeMap::new();
    for (i, output) in component.outputs.iter().enumerate() {
        let name = io_name(component, &output.name).into_owned();
        match output_io(component, i) {
            Io::Parameter(kind) => {
                if let Some(v) = meta.pointer(&format!("/parameterValues/{name}")) {
                    params.insert(name, v.clone());
                    continue;
                }
                let file = output_parameter_file(dir, &name);
                // An `Option` output that returned `None` writes nothing, as kfp does.
                if let Ok(text) = std::fs::read_to_string(&file) {
                    let value = parse_output(kind, &text).ok_or_else(|| {
                        format!("output `{name}` ({kind}) holds {text:?}, not a {kind}")
                    })?;
                    params.insert(name, value);
                }
            }
            Io::Artifact(title) => {
                let given = meta.pointer(&format!("/artifacts/{name}/artifacts/0"));
                let uri = given
                    .and_then(|a| a.get("uri"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| output_artifact_path(dir, &name).display().to_string());
                let metadata = given
                    .and_then(|a| a.get("metadata"))
                    .filter(|m| m.is_object())
                    .cloned()
                    .unwrap_or_else(|| json!({}));
                artifacts.insert(
                    name,
                    ArtifactRecord {
                        uri,
                        schema_title: title.into_owned(),
                        metadata,
                    },
                );
            }
        }
    }
    Ok((params, artifacts))
}

/// An output parameter file's text as a value of `kind`, as the launcher reads it.
fn parse_output(kind: ParamKind, text: &str) -> Option<Value> {
    match kind {
        ParamKind::String => Some(Value::String(text.to_owned())),
        ParamKind::Integer => text.trim().parse::<i64>().ok().map(Value::from),
        ParamKind::Float => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        ParamKind::Boolean => parse_bool(text.trim()).map(Value::Bool),
        ParamKind::List | ParamKind::Struct => serde_json::from_str(text).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_text_is_typed() {
        assert_eq!(parse_output(ParamKind::Boolean, "True"), Some(json!(true)));
        assert_eq!(parse_output(ParamKind::Integer, "7"), Some(json!(7)));
        assert_eq!(parse_output(ParamKind::List, "[1, 2]"), Some(json!([1, 2])));
        assert_eq!(parse_output(ParamKind::Integer, "x"), None);
    }
}
