//! A compiled YAML as a run carries it inline, and the checks before it is sent.

use serde::Deserialize as _;
use serde_json::Value;

use super::{types, v1, v2, ClientError};
use crate::cli::K8S_OBJECT_LIMIT;
use crate::compiler::Target;

pub(super) fn check_size(yaml: &str) -> Result<(), ClientError> {
    if yaml.len() > K8S_OBJECT_LIMIT {
        return Err(ClientError::TooLarge { bytes: yaml.len() });
    }
    Ok(())
}

/// The documents of a compiled YAML as JSON: the pipeline, then (v2) its platform spec.
fn yaml_documents(yaml: &str) -> Result<Vec<Value>, ClientError> {
    let mut docs = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(yaml) {
        let v = Value::deserialize(doc)
            .map_err(|e| ClientError::Config(format!("the pipeline YAML does not parse: {e}")))?;
        if !v.is_null() {
            docs.push(v);
        }
    }
    Ok(docs)
}

/// The pipeline as a run carries it inline, and its name: v1 the Workflow as JSON; v2 the IR
/// as JSON, or `{pipeline_spec, platform_spec}` when the YAML has a platform document (as
/// kfp.Client sends it). `enable_caching` overrides every task's caching as kfp does.
pub fn package(
    target: Target,
    yaml: &str,
    enable_caching: Option<bool>,
) -> Result<(Value, String), ClientError> {
    let mut docs = yaml_documents(yaml)?.into_iter();
    let mut first = docs
        .next()
        .ok_or_else(|| ClientError::Config("the pipeline YAML is empty".into()))?;
    match target {
        Target::V1 => {
            if let Some(enable) = enable_caching {
                v1::override_caching(&mut first, enable);
            }
            let name = first
                .pointer("/metadata/annotations/pipelines.kubeflow.org~1pipeline_spec")
                .and_then(Value::as_str)
                .and_then(|s| serde_json::from_str::<Value>(s).ok())
                .and_then(|s| s.get("name").and_then(Value::as_str).map(str::to_owned))
                .or_else(|| {
                    first
                        .pointer("/metadata/generateName")
                        .and_then(Value::as_str)
                        .map(|s| s.trim_end_matches('-').to_owned())
                })
                .unwrap_or_else(|| "pipeline".into());
            Ok((first, name))
        }
        Target::V2 => {
            if let Some(enable) = enable_caching {
                v2::override_caching(&mut first, enable);
            }
            let name = first
                .pointer("/pipelineInfo/name")
                .and_then(Value::as_str)
                .unwrap_or("pipeline")
                .to_owned();
            let mut platform = serde_json::Map::new();
            for doc in docs {
                if let Value::Object(m) = doc {
                    platform.extend(m);
                }
            }
            if platform.is_empty() {
                Ok((first, name))
            } else {
                Ok((
                    serde_json::json!({"pipeline_spec": first, "platform_spec": platform}),
                    name,
                ))
            }
        }
    }
}

/// `<pipeline> <YYYY-MM-DD HH-MM-SS>` in UTC, kfp's default run name.
pub(super) fn default_run_name(pipeline: &str) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("{pipeline} {}", types::format_utc(secs, '-'))
}
