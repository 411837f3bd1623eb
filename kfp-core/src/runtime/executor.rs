//! The KFP v2 side of the in-pod runtime: the command line `--executor_input <JSON>
//! --function_to_execute <fn>`, the executor input the KFP launcher puts in place of `{{$}}`,
//! and the outputs the launcher reads back.
//!
//! The executor input is the JSON form of KFP's `ExecutorInput` message:
//!
//! ```json
//! {"inputs": {"parameterValues": {"checker": true, "epochs": 3},
//!             "artifacts": {"data": {"artifacts": [{"name": "...", "uri": "s3://...", "metadata": {}}]}}},
//!  "outputs": {"parameters": {"Output": {"outputFile": "/tmp/kfp/outputs/Output"}},
//!              "artifacts": {"model": {"artifacts": [{"uri": "..."}]}},
//!              "outputFile": "/tmp/kfp_outputs/output_metadata.json"}}
//! ```
//!
//! Outputs are written the way kfp 2.17.3's Python executor (`kfp/dsl/executor.py`) hands
//! them over: `executor_output.json` at `outputs.outputFile` holds
//! `{"parameterValues": {...}, "artifacts": {...}}`, which the launcher reads first. Each
//! output parameter is also written to its own `outputFile`, in the text kfp's executor makes
//! of it (`str()` of numbers and booleans, strings as they are, `json.dumps` of lists and
//! maps), which is what the launcher falls back to for a parameter missing from
//! `executor_output.json`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Map, Value};

use super::write::OutputSet;
use super::{OutputValue, RunError};
use crate::pyjson;
use crate::spec::component::ComponentSpec;
use crate::spec::io::{
    V2_EXECUTOR_INPUT_FLAG as EXECUTOR_INPUT_FLAG, V2_FUNCTION_FLAG as FUNCTION_FLAG,
};
use crate::types::KfpType;

/// One artifact as the executor input describes it (KFP's `RuntimeArtifact`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuntimeArtifact {
    /// The artifact's name (`name`).
    pub name: String,
    /// Where the artifact lives (`uri`): `s3://...`, `gs://...`, `minio://...` or a path.
    pub uri: String,
    /// The artifact type (`type.schemaTitle`, e.g. `system.Dataset`), if given.
    pub schema_title: Option<String>,
    /// The artifact's metadata (`metadata`).
    pub metadata: Map<String, Value>,
}

impl RuntimeArtifact {
    /// The path inside the container where the launcher mounts the artifact's URI, as kfp's
    /// `Artifact.path`: `gs://` → `/gcs/`, `minio://` → `/minio/`, `s3://` → `/s3/`,
    /// `oci://a/b` → `/oci/a_b`; anything else is already a path.
    pub fn local_path(&self) -> String {
        let uri = self.uri.as_str();
        if let Some(rest) = uri.strip_prefix("gs://") {
            format!("/gcs/{rest}")
        } else if let Some(rest) = uri.strip_prefix("minio://") {
            format!("/minio/{rest}")
        } else if let Some(rest) = uri.strip_prefix("s3://") {
            format!("/s3/{rest}")
        } else if let Some(rest) = uri.strip_prefix("oci://") {
            format!("/oci/{}", rest.replace('/', "_"))
        } else {
            uri.to_owned()
        }
    }
}

/// The parsed executor input of one component run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExecutorInput {
    /// The input parameters by name (`inputs.parameterValues`), as JSON.
    pub parameter_values: Map<String, Value>,
    /// The input artifacts by input name (`inputs.artifacts.<name>.artifacts`).
    pub input_artifacts: BTreeMap<String, Vec<RuntimeArtifact>>,
    /// Where each output parameter goes (`outputs.parameters.<name>.outputFile`).
    pub output_parameters: BTreeMap<String, String>,
    /// The output artifacts by output name (`outputs.artifacts.<name>.artifacts`).
    pub output_artifacts: BTreeMap<String, Vec<RuntimeArtifact>>,
    /// Where `executor_output.json` goes (`outputs.outputFile`).
    pub output_file: Option<String>,
}

/// The parsed KFP v2 command line of one component run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct V2Args {
    /// The executor input.
    pub executor_input: ExecutorInput,
    /// The function named by `--function_to_execute`, if given.
    pub function: Option<String>,
}

/// Whether `argv` (everything after the component's name) is a KFP v2 command line: it
/// starts with `--executor_input` or `--function_to_execute`. KFP v1 flags never hold `_`
/// (`model_name` becomes `--model-name`), so a v1 command line never starts like that.
pub fn is_v2_argv(argv: &[String]) -> bool {
    argv.first().is_some_and(|a| {
        [EXECUTOR_INPUT_FLAG, FUNCTION_FLAG]
            .iter()
            .any(|f| a == f || a.strip_prefix(f).is_some_and(|rest| rest.starts_with('=')))
    })
}

/// Parses the KFP v2 command line `argv` (everything after the component's name) for `spec`:
/// `--executor_input <JSON>` and, optionally, `--function_to_execute <fn>`, which must name
/// `spec`'s function. Also checks that every value output of `spec` has somewhere to go.
pub fn parse_argv(spec: &ComponentSpec, argv: &[String]) -> Result<V2Args, RunError> {
    let mut input: Option<String> = None;
    let mut function: Option<String> = None;
    let mut i = 0;
    while i < argv.len() {
        let arg = &argv[i];
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let slot = match flag {
            EXECUTOR_INPUT_FLAG => &mut input,
            FUNCTION_FLAG => &mut function,
            _ => {
                return Err(RunError::UnknownFlag {
                    component: spec.key.clone(),
                    flag: arg.clone(),
                    accepted: format!("{EXECUTOR_INPUT_FLAG}, {FUNCTION_FLAG}"),
                })
            }
        };
        let value = match inline {
            Some(v) => v,
            None => match argv.get(i + 1) {
                Some(v) => {
                    i += 1;
                    v.clone()
                }
                None => {
                    return Err(RunError::MissingValue {
                        component: spec.key.clone(),
                        flag: flag.to_owned(),
                    })
                }
            },
        };
        if slot.replace(value).is_some() {
            return Err(RunError::DuplicateFlag {
                component: spec.key.clone(),
                flag: flag.to_owned(),
            });
        }
        i += 1;
    }
    if let Some(f) = &function {
        if *f != spec.key {
            return Err(RunError::BadValue {
                component: spec.key.clone(),
                flag: FUNCTION_FLAG.to_owned(),
                value: f.clone(),
                expected: format!("`{}`, the function of this component", spec.key),
                detail: None,
            });
        }
    }
    let Some(text) = input else {
        return Err(RunError::MissingFlag {
            component: spec.key.clone(),
            flag: EXECUTOR_INPUT_FLAG.to_owned(),
            expected: "the executor input JSON".to_owned(),
        });
    };
    let executor_input = parse_executor_input(spec, &text)?;
    // Files (`OutputPath`) go to `outputs.artifacts`, checked when the function asks for them.
    for (_, output) in spec.value_outputs() {
        if executor_input.output_file.is_none()
            && !executor_input.output_parameters.contains_key(&output.name)
        {
            return Err(bad(
                spec,
                format!(
                    "output `{0}` has nowhere to go: neither `outputs.parameters.{0}.outputFile` \
                     nor `outputs.outputFile` is given",
                    output.name
                ),
            ));
        }
    }
    Ok(V2Args {
        executor_input,
        function,
    })
}

/// Parses the KFP v2 command line `argv` for `spec` (see [`parse_argv`]) and gets the pod
/// ready for the function: the parent folders of the output artifacts exist afterwards.
pub fn setup(spec: &ComponentSpec, argv: &[String]) -> Result<ExecutorInput, RunError> {
    let input = parse_argv(spec, argv)?.executor_input;
    input.prepare_output_dirs(spec)?;
    Ok(input)
}

fn bad(spec: &ComponentSpec, message: String) -> RunError {
    RunError::ExecutorInput {
        component: spec.key.clone(),
        message,
    }
}

/// The JSON type of `v`, for messages.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The object at `field` of `parent`, or `None` when it is absent or null.
fn object<'v>(
    spec: &ComponentSpec,
    parent: &'v Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'v Map<String, Value>>, RunError> {
    match parent.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(other) => Err(bad(
            spec,
            format!("`{path}` is {}; expected a JSON object", json_type(other)),
        )),
    }
}

fn string(
    spec: &ComponentSpec,
    parent: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<String>, RunError> {
    match parent.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(bad(
            spec,
            format!("`{path}` is {}; expected a string", json_type(other)),
        )),
    }
}

fn artifact_lists(
    spec: &ComponentSpec,
    parent: &Map<String, Value>,
    path: &str,
) -> Result<BTreeMap<String, Vec<RuntimeArtifact>>, RunError> {
    let mut out = BTreeMap::new();
    let Some(map) = object(spec, parent, "artifacts", path)? else {
        return Ok(out);
    };
    for (name, list) in map {
        let list_path = format!("{path}.{name}");
        let Value::Object(list) = list else {
            return Err(bad(
                spec,
                format!(
                    "`{list_path}` is {}; expected a JSON object",
                    json_type(list)
                ),
            ));
        };
        let items_path = format!("{list_path}.artifacts");
        let items = match list.get("artifacts") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(items)) => items.as_slice(),
            Some(other) => {
                return Err(bad(
                    spec,
                    format!("`{items_path}` is {}; expected an array", json_type(other)),
                ))
            }
        };
        let mut artifacts = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{items_path}[{i}]");
            let Value::Object(item) = item else {
                return Err(bad(
                    spec,
                    format!(
                        "`{item_path}` is {}; expected a JSON object",
                        json_type(item)
                    ),
                ));
            };
            let schema_title = match object(spec, item, "type", &format!("{item_path}.type"))? {
                Some(t) => string(
                    spec,
                    t,
                    "schemaTitle",
                    &format!("{item_path}.type.schemaTitle"),
                )?,
                None => None,
            };
            artifacts.push(RuntimeArtifact {
                name: string(spec, item, "name", &format!("{item_path}.name"))?.unwrap_or_default(),
                uri: string(spec, item, "uri", &format!("{item_path}.uri"))?.unwrap_or_default(),
                schema_title,
                metadata: object(spec, item, "metadata", &format!("{item_path}.metadata"))?
                    .cloned()
                    .unwrap_or_default(),
            });
        }
        out.insert(name.clone(), artifacts);
    }
    Ok(out)
}

/// Parses the executor input JSON `text` for `spec`. Every field is optional, as in the
/// protobuf message, but a field that is there must have the right JSON type.
pub fn parse_executor_input(spec: &ComponentSpec, text: &str) -> Result<ExecutorInput, RunError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        bad(
            spec,
            format!("`{EXECUTOR_INPUT_FLAG}` is not valid JSON: {e}"),
        )
    })?;
    let Value::Object(root) = value else {
        return Err(bad(
            spec,
            format!(
                "the executor input is {}; expected a JSON object",
                json_type(&value)
            ),
        ));
    };
    let mut out = ExecutorInput::default();
    if let Some(inputs) = object(spec, &root, "inputs", "inputs")? {
        if let Some(values) = object(spec, inputs, "parameterValues", "inputs.parameterValues")? {
            out.parameter_values = values.clone();
        }
        out.input_artifacts = artifact_lists(spec, inputs, "inputs.artifacts")?;
    }
    if let Some(outputs) = object(spec, &root, "outputs", "outputs")? {
        if let Some(params) = object(spec, outputs, "parameters", "outputs.parameters")? {
            for (name, param) in params {
                let path = format!("outputs.parameters.{name}");
                let Value::Object(param) = param else {
                    return Err(bad(
                        spec,
                        format!("`{path}` is {}; expected a JSON object", json_type(param)),
                    ));
                };
                match string(spec, param, "outputFile", &format!("{path}.outputFile"))? {
                    Some(file) if !file.is_empty() => {
                        out.output_parameters.insert(name.clone(), file);
                    }
                    _ => {}
                }
            }
        }
        out.output_artifacts = artifact_lists(spec, outputs, "outputs.artifacts")?;
        out.output_file =
            string(spec, outputs, "outputFile", "outputs.outputFile")?.filter(|f| !f.is_empty());
    }
    Ok(out)
}

impl ExecutorInput {
    /// Reads input `name` of `spec` as a `T`: a parameter from `inputs.parameterValues`, or,
    /// for a file (`InputPath`/`OutputPath`), the local path of the artifact in
    /// `inputs.artifacts` or `outputs.artifacts`.
    pub fn input<T: KfpType>(&self, spec: &ComponentSpec, name: &str) -> Result<T, RunError> {
        if T::ARTIFACT.is_some() {
            return self.artifact_path(spec, name);
        }
        let field = format!("inputs.parameterValues.{name}");
        let default = spec.input(name).and_then(|i| i.default.as_ref());
        match (self.parameter_values.get(name), default) {
            (Some(value), _) => T::from_json(value).map_err(|e| RunError::BadValue {
                component: spec.key.clone(),
                flag: field,
                value: value.to_string(),
                expected: e.expected,
                detail: e.detail,
            }),
            (None, Some(value)) => T::from_json(value).map_err(|e| RunError::BadValue {
                component: spec.key.clone(),
                flag: format!("the default of `{name}`"),
                value: value.to_string(),
                expected: e.expected,
                detail: e.detail,
            }),
            (None, None) => T::absent().ok_or_else(|| {
                bad(
                    spec,
                    format!(
                        "missing `{field}` (expected `{}`, a KFP {})",
                        T::RUST_NAME,
                        T::KIND
                    ),
                )
            }),
        }
    }

    /// The local path of artifact `name`: an output of `spec` (`outputs.artifacts.<name>`) or
    /// else an input (`inputs.artifacts.<name>`), as `T`.
    fn artifact_path<T: KfpType>(&self, spec: &ComponentSpec, name: &str) -> Result<T, RunError> {
        let (lists, field) = if spec.outputs.iter().any(|o| o.name == name) {
            (&self.output_artifacts, format!("outputs.artifacts.{name}"))
        } else {
            (&self.input_artifacts, format!("inputs.artifacts.{name}"))
        };
        let Some(list) = lists.get(name) else {
            return T::absent()
                .ok_or_else(|| bad(spec, format!("missing `{field}` (expected an artifact)")));
        };
        let Some(artifact) = list.first() else {
            return Err(bad(
                spec,
                format!("`{field}.artifacts` is empty; expected one artifact"),
            ));
        };
        let path = artifact.local_path();
        T::from_text(&path).map_err(|e| RunError::BadValue {
            component: spec.key.clone(),
            flag: format!("{field}.artifacts[0].uri"),
            value: artifact.uri.clone(),
            expected: e.expected,
            detail: e.detail,
        })
    }

    /// Creates the parent folder of every output artifact's local path, as kfp's executor does
    /// before calling the function, so that the function can write its files there.
    pub fn prepare_output_dirs(&self, spec: &ComponentSpec) -> Result<(), RunError> {
        for artifact in self.output_artifacts.values().filter_map(|l| l.first()) {
            let path = artifact.local_path();
            if let Some(dir) = Path::new(&path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|error| RunError::WriteOutput {
                    component: spec.key.clone(),
                    path: path.clone(),
                    error,
                })?;
            }
        }
        Ok(())
    }

    /// The `executor_output.json` kfp's executor writes for `outputs`:
    /// `{"parameterValues": {...}}` for the values, then `{"artifacts": {...}}` for the
    /// output artifacts of the executor input; `{}` when there are neither.
    pub fn executor_output(&self, outputs: &[OutputValue]) -> Value {
        let mut out = Map::new();
        let values: Map<String, Value> = outputs
            .iter()
            .filter(|o| !o.json.is_null())
            .map(|o| (o.name.to_owned(), o.json.clone()))
            .collect();
        if !values.is_empty() {
            out.insert("parameterValues".into(), Value::Object(values));
        }
        if !self.output_artifacts.is_empty() {
            let artifacts: Map<String, Value> = self
                .output_artifacts
                .iter()
                .filter_map(|(name, list)| {
                    let a = list.first()?;
                    Some((
                        name.clone(),
                        json!({"artifacts": [{"name": a.name, "uri": a.uri, "metadata": a.metadata}]}),
                    ))
                })
                .collect();
            out.insert("artifacts".into(), Value::Object(artifacts));
        }
        Value::Object(out)
    }

    /// Writes `outputs` for the launcher: each value to its `outputFile`, then
    /// `executor_output.json`. A `None` value (an `Option` output) is not written, as kfp
    /// writes nothing for a `None` return.
    ///
    /// In a distributed run (`CLUSTER_SPEC` set) only the chief writes, as in kfp.
    pub fn write_outputs(
        &self,
        spec: &ComponentSpec,
        outputs: &[OutputValue],
    ) -> Result<(), RunError> {
        if !is_chief(std::env::var("CLUSTER_SPEC").ok().as_deref()) {
            return Ok(());
        }
        // One set: every file is written before any is renamed into place, and a failure
        // leaves none of them.
        let mut set = OutputSet::new();
        let mut stage = || {
            for value in outputs.iter().filter(|o| !o.json.is_null()) {
                if let Some(path) = self.output_parameters.get(value.name) {
                    set.stage(Path::new(path), parameter_text(&value.json).as_bytes())?;
                }
            }
            if let Some(path) = &self.output_file {
                set.stage(
                    Path::new(path),
                    pyjson::dumps(&self.executor_output(outputs), false).as_bytes(),
                )?;
            }
            Ok(())
        };
        stage()
            .and_then(|()| set.commit())
            .map_err(|e: super::write::WriteError| RunError::WriteOutput {
                component: spec.key.clone(),
                path: e.path.display().to_string(),
                error: e.error,
            })
    }
}

/// The text of an output parameter's file: what kfp's executor makes of the value (`str()` of
/// numbers and booleans, so `3`, `2.5`, `True`; strings as they are; `json.dumps` of lists
/// and maps). The launcher reads it back by the parameter's type.
pub fn parameter_text(value: &Value) -> String {
    pyjson::str_value(value)
}

/// Whether this process writes the outputs, given the `CLUSTER_SPEC` environment variable:
/// yes unless it names a task type other than kfp's chief types (`workerpool0`, `chief`,
/// `master`). A `CLUSTER_SPEC` that is not such JSON counts as chief, so outputs are kept.
pub fn is_chief(cluster_spec: Option<&str>) -> bool {
    let Some(text) = cluster_spec else {
        return true;
    };
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return true;
    };
    match value.pointer("/task/type").and_then(Value::as_str) {
        Some(t) => matches!(t, "workerpool0" | "chief" | "master"),
        None => true,
    }
}

#[cfg(test)]
mod tests;
