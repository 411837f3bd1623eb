//! The v1 back end's volume steps: kfp 1.8.9's `dsl.VolumeOp` (an Argo `resource` template
//! that creates a claim) for a [`CreatePvc`](crate::volumes::CreatePvc) task, and
//! `VolumeOp.delete()` (a raw `kubectl delete` step) for a
//! [`DeletePvc`](crate::volumes::DeletePvc) task. The tasks themselves are the model's
//! (`volumes.rs`); KFP v2 runs them as kfp-kubernetes' components, with no renderer of its own.

use serde_json::{json, Value};

use crate::spec::pipeline::{Arg, TaskSpec};

/// The constant of input `name` of `task`, if given.
fn constant<'a>(task: &'a TaskSpec, name: &str) -> Option<&'a Value> {
    let i = task.component.inputs.iter().position(|i| i.name == name)?;
    match task.args.get(i) {
        Some(Some(Arg::Constant(v))) => Some(v),
        _ => None,
    }
}

/// The KFP v1 template of a `CreatePVC` task: kfp 1.8.9's `dsl.VolumeOp`, an Argo `resource`
/// template that creates the claim and outputs its manifest, name and size.
pub(super) fn volume_op(task: &TaskSpec, sdk_version: &str) -> Value {
    let text = |name: &str| constant(task, name).and_then(Value::as_str).unwrap_or("");
    let modes: Vec<&str> = constant(task, "access_modes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let class = constant(task, "storage_class_name").and_then(Value::as_str);
    let manifest = manifest(text("pvc_name_suffix"), &modes, text("size"), class);
    let output = |name: &str, path: &str| json!({"name": format!("{}-{name}", task.name), "valueFrom": {"jsonPath": path}});
    json!({
        "name": task.name,
        "resource": {"action": "create", "manifest": manifest},
        "outputs": {"parameters": [
            output("manifest", "{}"),
            output("name", "{.metadata.name}"),
            output("size", "{.status.capacity.storage}"),
        ]},
        "metadata": {"labels": {
            "pipelines.kubeflow.org/kfp_sdk_version": sdk_version,
            "pipelines.kubeflow.org/pipeline-sdk-type": "kfp",
            "pipelines.kubeflow.org/enable_caching": if task.caching { "true" } else { "false" },
        }},
    })
}

/// The claim's manifest as kfp 1.8.9 writes it (PyYAML's block style, keys sorted): the text
/// is compared as text, so each scalar is quoted exactly where PyYAML quotes it.
fn manifest(suffix: &str, modes: &[&str], size: &str, class: Option<&str>) -> String {
    let mut out = String::from("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n");
    out.push_str(&format!(
        "  name: {}\nspec:\n  accessModes:\n",
        pyyaml_scalar(&format!("{{{{workflow.name}}}}{suffix}"))
    ));
    for m in modes {
        out.push_str(&format!("  - {}\n", pyyaml_scalar(m)));
    }
    out.push_str(&format!(
        "  resources:\n    requests:\n      storage: {}\n",
        pyyaml_scalar(size)
    ));
    if let Some(c) = class {
        out.push_str(&format!("  storageClassName: {}\n", pyyaml_scalar(c)));
    }
    out
}

/// `s` as PyYAML writes a string: plain when it reads back as the same string under YAML 1.1
/// (PyYAML's resolvers: bools, nulls, ints, floats, timestamps), single-quoted otherwise.
/// Covers the names, modes and quantities a manifest holds.
fn pyyaml_scalar(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-._/".contains(c);
    let lower = s.to_ascii_lowercase();
    let word = [
        "yes", "no", "true", "false", "on", "off", "null", "~", ".inf", ".nan",
    ]
    .contains(&lower.as_str());
    let body = s.strip_prefix(['-', '+']).unwrap_or(s).replace('_', "");
    let (int, frac) = body.split_once('.').unwrap_or((&body, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    // Ints (`10`, `0x1f`, `0o7`) and floats (`1.5`, `.5`, `1.`, with an exponent).
    let number = (!body.is_empty() && digits(&body))
        || (s.contains('.') && digits(int) && {
            let (f, exp) = frac.split_once(['e', 'E']).unwrap_or((frac, ""));
            digits(f) && (exp.is_empty() || digits(exp.trim_start_matches(['-', '+'])))
        })
        || lower.starts_with("0x")
        || lower.starts_with("0o");
    let timestamp = s.len() >= 8 && digits(&s[..4]) && s.as_bytes()[4] == b'-';
    let plain = !s.is_empty()
        && s.chars().all(safe)
        && s.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '/')
        && !word
        && !number
        && !timestamp;
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

/// The image of kfp 1.8.9's `VolumeOp.delete()` step.
const KUBECTL_IMAGE: &str = "gcr.io/cloud-builders/kubectl";

/// The KFP v1 template of a `DeletePVC` task: kfp 1.8.9's `VolumeOp.delete()`, a raw
/// `kubectl delete` step; `claim` is the claim's name as the step reads it, `inputs` the
/// template's input parameters.
pub(super) fn delete_step(
    task: &TaskSpec,
    claim: String,
    inputs: Vec<String>,
    sdk_version: &str,
) -> Value {
    let mut template = serde_json::Map::new();
    template.insert("name".into(), json!(task.name));
    template.insert(
        "container".into(),
        json!({
            "command": ["kubectl", "delete", "PersistentVolumeClaim", claim,
                        "--ignore-not-found", "--output", "name", "--wait=false"],
            "image": KUBECTL_IMAGE,
        }),
    );
    if !inputs.is_empty() {
        let params: Vec<Value> = inputs.iter().map(|n| json!({ "name": n })).collect();
        template.insert("inputs".into(), json!({ "parameters": params }));
    }
    template.insert(
        "metadata".into(),
        json!({"labels": {
            "pipelines.kubeflow.org/kfp_sdk_version": sdk_version,
            "pipelines.kubeflow.org/pipeline-sdk-type": "kfp",
            "pipelines.kubeflow.org/enable_caching": if task.caching { "true" } else { "false" },
        }}),
    );
    Value::Object(template)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_quoted_where_pyyaml_quotes_them() {
        for plain in [
            "1Gi",
            "500Mi",
            "ReadWriteOnce",
            "standard",
            "fast-ssd",
            "1.5Gi",
        ] {
            assert_eq!(pyyaml_scalar(plain), plain);
        }
        for quoted in [
            "1000",
            "1.5",
            "true",
            "No",
            "0x1f",
            "2001-12-14",
            "{{x}}",
            "",
        ] {
            assert!(pyyaml_scalar(quoted).starts_with('\''), "{quoted}");
        }
    }

    #[test]
    fn the_manifest_is_kfp_s_text() {
        assert_eq!(
            manifest("-my-pvc", &["ReadWriteOnce"], "1Gi", Some("standard")),
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: '{{workflow.name}}-my-pvc'\n\
             spec:\n  accessModes:\n  - ReadWriteOnce\n  resources:\n    requests:\n      storage: 1Gi\n\
             \x20 storageClassName: standard\n"
        );
    }
}
