//! The v1 (Argo) rendering of a task's settings: its container's resources, env and
//! mounts, its template's retry, timeout and scheduling, and its pod metadata.

use serde_json::{json, Map, Value};

use crate::settings::{EnvSource, TaskSettings, Toleration};
use crate::spec::pipeline::TaskSpec;

/// The v1 (Argo) fields of `settings`: what goes into the template's `container`, and what
/// goes on the template itself.
///
/// `producer` names the task with this id: the one that created a mounted claim.
pub(crate) fn v1_fields(
    settings: &TaskSettings,
    container: &mut Map<String, Value>,
    template: &mut Map<String, Value>,
    producer: &dyn Fn(crate::spec::pipeline::TaskId) -> Option<String>,
) {
    let mut limits = Map::new();
    let mut requests = Map::new();
    if let Some(c) = &settings.cpu_limit {
        limits.insert("cpu".into(), json!(c));
    }
    if let Some(m) = &settings.memory_limit {
        limits.insert("memory".into(), json!(m));
    }
    if let Some((resource, count)) = &settings.accelerator {
        limits.insert(resource.clone(), json!(count));
    }
    if let Some(c) = &settings.cpu_request {
        requests.insert("cpu".into(), json!(c));
    }
    if let Some(m) = &settings.memory_request {
        requests.insert("memory".into(), json!(m));
    }
    if !limits.is_empty() || !requests.is_empty() {
        let mut resources = Map::new();
        if !limits.is_empty() {
            resources.insert("limits".into(), Value::Object(limits));
        }
        if !requests.is_empty() {
            resources.insert("requests".into(), Value::Object(requests));
        }
        container.insert("resources".into(), Value::Object(resources));
    }
    if !settings.env.is_empty() {
        let env: Vec<Value> = settings
            .env
            .iter()
            .map(|e| match &e.source {
                EnvSource::Value(v) => json!({"name": e.name, "value": v}),
                EnvSource::Secret {
                    secret,
                    key,
                    optional,
                } => {
                    let mut r = json!({"key": key, "name": secret});
                    if *optional {
                        r["optional"] = json!(true);
                    }
                    json!({"name": e.name, "valueFrom": {"secretKeyRef": r}})
                }
                EnvSource::ConfigMap {
                    config_map,
                    key,
                    optional,
                } => {
                    let mut r = json!({"key": key, "name": config_map});
                    if *optional {
                        r["optional"] = json!(true);
                    }
                    json!({"name": e.name, "valueFrom": {"configMapKeyRef": r}})
                }
            })
            .collect();
        container.insert("env".into(), json!(env));
    }
    if let Some(p) = &settings.image_pull_policy {
        container.insert("imagePullPolicy".into(), json!(p));
    }
    let mut volumes: Vec<Value> = Vec::new();
    let mut mounts: Vec<Value> = Vec::new();
    for v in &settings.secret_volumes {
        let mut secret = json!({"secretName": v.secret});
        if v.optional {
            secret["optional"] = json!(true);
        }
        volumes.push(json!({"name": v.secret, "secret": secret}));
        mounts.push(json!({"mountPath": v.mount_path, "name": v.secret}));
    }
    for p in &settings.pvc_mounts {
        let (default_name, claim) = match p.from_task {
            // The claim's name reaches the template as an input, as kfp's `add_pvolumes`
            // passes a VolumeOp's `name` output.
            Some((id, output)) => {
                let task = producer(id).unwrap_or_default();
                let claim = format!("{{{{inputs.parameters.{task}-{output}}}}}");
                (task, claim)
            }
            None => (p.claim.clone(), p.claim.clone()),
        };
        let name = p.volume_name.clone().unwrap_or(default_name);
        volumes.push(json!({"name": name, "persistentVolumeClaim": {"claimName": claim}}));
        mounts.push(json!({"mountPath": p.mount_path, "name": name}));
    }
    if !mounts.is_empty() {
        container.insert("volumeMounts".into(), json!(mounts));
        template.insert("volumes".into(), json!(volumes));
    }
    if !settings.node_selector.is_empty() {
        let ns: Map<String, Value> = settings
            .node_selector
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        template.insert("nodeSelector".into(), Value::Object(ns));
    }
    if !settings.tolerations.is_empty() {
        let t: Vec<Value> = settings.tolerations.iter().map(toleration_v1).collect();
        template.insert("tolerations".into(), json!(t));
    }
    if let Some(r) = &settings.retry {
        let mut strategy = Map::new();
        strategy.insert("limit".into(), json!(r.limit));
        if let Some(p) = &r.policy {
            strategy.insert("retryPolicy".into(), json!(p));
        }
        if let Some(d) = &r.backoff_duration {
            let mut backoff = Map::new();
            backoff.insert("duration".into(), json!(d.text));
            if let Some(f) = r.backoff_factor {
                backoff.insert("factor".into(), number(f));
            }
            if let Some(m) = &r.backoff_max_duration {
                backoff.insert("maxDuration".into(), json!(m.text));
            }
            strategy.insert("backoff".into(), Value::Object(backoff));
        }
        template.insert("retryStrategy".into(), Value::Object(strategy));
    }
    if let Some(t) = &settings.timeout {
        template.insert("activeDeadlineSeconds".into(), json!(t.seconds));
    }
}

/// An integral float as an integer (kfp v1 writes `factor: 2`), otherwise the float.
fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        json!(f as i64)
    } else {
        json!(f)
    }
}

fn toleration_v1(t: &Toleration) -> Value {
    let mut m = Map::new();
    if !t.effect.is_empty() {
        m.insert("effect".into(), json!(t.effect));
    }
    if !t.key.is_empty() {
        m.insert("key".into(), json!(t.key));
    }
    m.insert("operator".into(), json!(t.operator));
    if let Some(s) = t.toleration_seconds {
        m.insert("tolerationSeconds".into(), json!(s));
    }
    if let Some(v) = &t.value {
        m.insert("value".into(), json!(v));
    }
    Value::Object(m)
}

/// The pod labels and annotations KFP v1 writes on `task`'s template before kfp's own: a
/// loaded `component.yaml`'s `metadata.labels`/`annotations`, then the task's own; and the
/// `max_cache_staleness` annotation, which goes after kfp's.
pub(crate) fn v1_metadata(task: &TaskSpec) -> V1Metadata {
    let mut out = V1Metadata::default();
    let spec_metadata = task
        .component
        .container()
        .and_then(|c| c.spec.get("metadata"));
    for (field, map) in [
        ("labels", &mut out.labels),
        ("annotations", &mut out.annotations),
    ] {
        if let Some(Value::Object(m)) = spec_metadata.and_then(|m| m.get(field)) {
            for (k, v) in m {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                map.insert(k.clone(), json!(text));
            }
        }
    }
    let s = &task.settings;
    for (k, v) in &s.pod_labels {
        out.labels.insert(k.clone(), json!(v));
    }
    for (k, v) in &s.pod_annotations {
        out.annotations.insert(k.clone(), json!(v));
    }
    out.max_cache_staleness = s.max_cache_staleness.clone();
    out
}

/// What [`v1_metadata`] found.
#[derive(Default)]
pub(crate) struct V1Metadata {
    /// Labels before kfp's own.
    pub labels: Map<String, Value>,
    /// Annotations before kfp's own.
    pub annotations: Map<String, Value>,
    /// The `pipelines.kubeflow.org/max_cache_staleness` annotation.
    pub max_cache_staleness: Option<String>,
}
