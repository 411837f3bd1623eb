//! The v2 rendering of a task's settings: the container's resources and env and the task's
//! retry policy in the IR, and the Kubernetes executor config (`PlatformSpec`).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::settings::{cpu_cores, memory_bytes, EnvSource, TaskSettings};

/// The KFP v2 `container.resources` of `settings`, if any.
pub fn v2_resources(settings: &TaskSettings) -> Option<Value> {
    let mut r = Map::new();
    if let Some((resource, count)) = &settings.accelerator {
        r.insert(
            "accelerator".into(),
            json!({"count": count.to_string(), "resourceCount": count.to_string(),
                   "resourceType": resource, "type": resource}),
        );
    }
    if let Some(c) = &settings.cpu_limit {
        r.insert("cpuLimit".into(), json!(cpu_cores(c).unwrap_or(0.0)));
        r.insert("resourceCpuLimit".into(), json!(c));
    }
    if let Some(c) = &settings.cpu_request {
        r.insert("cpuRequest".into(), json!(cpu_cores(c).unwrap_or(0.0)));
        r.insert("resourceCpuRequest".into(), json!(c));
    }
    if let Some(m) = &settings.memory_limit {
        r.insert(
            "memoryLimit".into(),
            json!(memory_bytes(m).unwrap_or(0.0) / 1e9),
        );
        r.insert("resourceMemoryLimit".into(), json!(m));
    }
    if let Some(m) = &settings.memory_request {
        r.insert(
            "memoryRequest".into(),
            json!(memory_bytes(m).unwrap_or(0.0) / 1e9),
        );
        r.insert("resourceMemoryRequest".into(), json!(m));
    }
    (!r.is_empty()).then_some(Value::Object(r))
}

/// The KFP v2 `container.env` of `settings` (literal values only), if any.
pub fn v2_env(settings: &TaskSettings) -> Option<Value> {
    let env: Vec<Value> = settings
        .env
        .iter()
        .filter_map(|e| match &e.source {
            EnvSource::Value(v) => Some(json!({"name": e.name, "value": v})),
            _ => None,
        })
        .collect();
    (!env.is_empty()).then_some(json!(env))
}

/// The KFP v2 task `retryPolicy` of `settings`, if any (kfp's defaults filled in).
pub fn v2_retry_policy(settings: &TaskSettings) -> Option<Value> {
    settings.retry.as_ref().map(|r| {
        json!({
            "backoffDuration": format!("{}s", r.backoff_duration.as_ref().map_or(0, |d| d.seconds)),
            "backoffFactor": r.backoff_factor.unwrap_or(2.0),
            "backoffMaxDuration": format!("{}s", r.backoff_max_duration.as_ref().map_or(3600, |d| d.seconds)),
            "maxRetryCount": r.limit,
        })
    })
}

/// The KFP v2 Kubernetes executor config (`PlatformSpec`) of `settings`, if any, with
/// `producer` naming the task with this id: the one that created a mounted claim.
pub(crate) fn v2_platform_with(
    settings: &TaskSettings,
    producer: &dyn Fn(crate::spec::pipeline::TaskId) -> Option<String>,
) -> Option<Value> {
    let mut k = Map::new();
    // Secrets and ConfigMaps group their keys by object, in first-use order.
    let mut secrets: Vec<(String, bool, Vec<Value>)> = Vec::new();
    let mut config_maps: Vec<(String, bool, Vec<Value>)> = Vec::new();
    for e in &settings.env {
        match &e.source {
            EnvSource::Secret {
                secret,
                key,
                optional,
            } => {
                let entry = json!({"envVar": e.name, "secretKey": key});
                match secrets
                    .iter_mut()
                    .find(|(s, o, _)| s == secret && o == optional)
                {
                    Some((_, _, keys)) => keys.push(entry),
                    None => secrets.push((secret.clone(), *optional, vec![entry])),
                }
            }
            EnvSource::ConfigMap {
                config_map,
                key,
                optional,
            } => {
                let entry = json!({"configMapKey": key, "envVar": e.name});
                match config_maps
                    .iter_mut()
                    .find(|(c, o, _)| c == config_map && o == optional)
                {
                    Some((_, _, keys)) => keys.push(entry),
                    None => config_maps.push((config_map.clone(), *optional, vec![entry])),
                }
            }
            EnvSource::Value(_) => {}
        }
    }
    if !config_maps.is_empty() {
        let v: Vec<Value> = config_maps
            .into_iter()
            .map(|(c, o, keys)| {
                json!({"configMapName": c, "configMapNameParameter": {"runtimeValue": {"constant": c}},
                       "keyToEnv": keys, "optional": o})
            })
            .collect();
        k.insert("configMapAsEnv".into(), json!(v));
    }
    if let Some(p) = &settings.image_pull_policy {
        k.insert("imagePullPolicy".into(), json!(p));
    }
    if !settings.node_selector.is_empty() {
        let labels: Map<String, Value> = settings
            .node_selector
            .iter()
            .map(|(a, b)| (a.clone(), json!(b)))
            .collect();
        k.insert("nodeSelector".into(), json!({ "labels": labels }));
    }
    if let Some(m) = v2_pod_metadata(settings) {
        k.insert("podMetadata".into(), m);
    }
    if !settings.pvc_mounts.is_empty() {
        let v: Vec<Value> = settings
            .pvc_mounts
            .iter()
            .map(|p| match p.from_task {
                Some((id, output)) => {
                    let source = json!({"outputParameterKey": output,
                                        "producerTask": producer(id).unwrap_or_default()});
                    json!({"mountPath": p.mount_path,
                           "pvcNameParameter": {"taskOutputParameter": source},
                           "taskOutputParameter": source})
                }
                None => json!({"constant": p.claim, "mountPath": p.mount_path,
                               "pvcNameParameter": {"runtimeValue": {"constant": p.claim}}}),
            })
            .collect();
        k.insert("pvcMount".into(), json!(v));
    }
    if !secrets.is_empty() {
        let v: Vec<Value> = secrets
            .into_iter()
            .map(|(s, o, keys)| {
                json!({"keyToEnv": keys, "optional": o, "secretName": s,
                       "secretNameParameter": {"runtimeValue": {"constant": s}}})
            })
            .collect();
        k.insert("secretAsEnv".into(), json!(v));
    }
    if !settings.secret_volumes.is_empty() {
        let v: Vec<Value> = settings
            .secret_volumes
            .iter()
            .map(|s| {
                json!({"mountPath": s.mount_path, "optional": s.optional, "secretName": s.secret,
                       "secretNameParameter": {"runtimeValue": {"constant": s.secret}}})
            })
            .collect();
        k.insert("secretAsVolume".into(), json!(v));
    }
    if !settings.tolerations.is_empty() {
        let v: Vec<Value> = settings
            .tolerations
            .iter()
            .map(|t| {
                let mut m = Map::new();
                if !t.effect.is_empty() {
                    m.insert("effect".into(), json!(t.effect));
                }
                m.insert("key".into(), json!(t.key));
                m.insert("operator".into(), json!(t.operator));
                if let Some(s) = t.toleration_seconds {
                    m.insert("tolerationSeconds".into(), json!(s.to_string()));
                }
                if let Some(v) = &t.value {
                    m.insert("value".into(), json!(v));
                }
                Value::Object(m)
            })
            .collect();
        k.insert("tolerations".into(), json!(v));
    }
    if let Some(t) = &settings.timeout {
        k.insert("activeDeadlineSeconds".into(), json!(t.seconds.to_string()));
    }
    (!k.is_empty()).then_some(Value::Object(k))
}

/// The KFP v2 `podMetadata` of `settings`, if any (keys sorted, as kfp-kubernetes writes a
/// protobuf map).
fn v2_pod_metadata(settings: &TaskSettings) -> Option<Value> {
    let sorted =
        |list: &[(String, String)]| -> BTreeMap<String, String> { list.iter().cloned().collect() };
    let mut m = Map::new();
    if !settings.pod_annotations.is_empty() {
        m.insert(
            "annotations".into(),
            json!(sorted(&settings.pod_annotations)),
        );
    }
    if !settings.pod_labels.is_empty() {
        m.insert("labels".into(), json!(sorted(&settings.pod_labels)));
    }
    (!m.is_empty()).then_some(Value::Object(m))
}
