//! A nested pipeline's compiled spec merged into its caller's (components and executors
//! renamed where the caller's names are taken), its file inputs, and a pipeline's outputs.

use std::collections::{BTreeSet, HashMap};

use serde_json::{json, Map, Value};

use crate::compiler::v2;
use crate::control::GroupKind;
use crate::spec::pipeline::{Arg, Pipeline, PipelineOutput};

/// Renames the components and executors of `spec` (a nested pipeline's `PipelineSpec`, with
/// the Kubernetes settings `platform` of its executors) that the caller's already use, adds
/// them to `components`, `executors` and `platforms`, and returns the nested pipeline's own
/// component (its root).
pub(in crate::compiler::v2) fn merge(
    spec: &Value,
    platform: &Map<String, Value>,
    components: &mut Map<String, Value>,
    executors: &mut Map<String, Value>,
    platforms: &mut Map<String, Value>,
) -> Value {
    let mut renames: HashMap<String, String> = HashMap::new();
    let fresh = |name: &str, taken: &Map<String, Value>, renames: &HashMap<String, String>| {
        let used = |n: &str| taken.contains_key(n) || renames.values().any(|v| v == n);
        if !used(name) {
            return name.to_owned();
        }
        let mut i = 2;
        loop {
            let n = format!("{name}-{i}");
            if !used(&n) {
                return n;
            }
            i += 1;
        }
    };
    let empty = Map::new();
    let sub_components = spec["components"].as_object().unwrap_or(&empty);
    let sub_executors = spec["deploymentSpec"]["executors"]
        .as_object()
        .unwrap_or(&empty);
    for name in sub_components.keys() {
        let new = fresh(name, components, &renames);
        renames.insert(name.clone(), new);
    }
    let mut exec_renames: HashMap<String, String> = HashMap::new();
    for name in sub_executors.keys() {
        let used = |n: &str| executors.contains_key(n) || exec_renames.values().any(|v| v == n);
        let mut new = name.clone();
        let mut i = 2;
        while used(&new) {
            new = format!("{name}-{i}");
            i += 1;
        }
        exec_renames.insert(name.clone(), new);
    }
    for (name, value) in sub_components {
        let mut value = value.clone();
        rewrite(&mut value, &renames, &exec_renames);
        components.insert(renames[name].clone(), value);
    }
    for (name, value) in sub_executors {
        executors.insert(exec_renames[name].clone(), value.clone());
    }
    for (name, value) in platform {
        let name = exec_renames.get(name).unwrap_or(name);
        platforms.insert(name.clone(), value.clone());
    }
    let mut root = spec["root"].clone();
    rewrite(&mut root, &renames, &exec_renames);
    root
}

/// Moves the file parameters `files` of a nested pipeline's root (`spec["root"]`, from
/// [`merge`]) from `inputDefinitions.parameters` to `inputDefinitions.artifacts`.
pub(in crate::compiler::v2) fn file_inputs(
    root: &mut Value,
    files: &[(String, crate::artifact::ArtifactType, bool)],
) {
    let Some(defs) = root
        .get_mut("inputDefinitions")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut artifacts = Map::new();
    if let Some(params) = defs.get_mut("parameters").and_then(Value::as_object_mut) {
        for (name, a, list) in files {
            if let Some(p) = params.remove(name) {
                let mut spec = Map::new();
                spec.insert("artifactType".into(), v2::artifact_type(a.schema_title));
                if *list {
                    spec.insert("isArtifactList".into(), json!(true));
                }
                if p.get("isOptional").is_some() {
                    spec.insert("isOptional".into(), json!(true));
                }
                artifacts.insert(name.clone(), Value::Object(spec));
            }
        }
        if params.is_empty() {
            defs.remove("parameters");
        }
    }
    if !artifacts.is_empty() {
        defs.insert("artifacts".into(), Value::Object(artifacts));
    }
}

/// Rewrites `componentRef.name` and `executorLabel` in `value` by the renames.
fn rewrite(
    value: &mut Value,
    components: &HashMap<String, String>,
    executors: &HashMap<String, String>,
) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(label)) = map.get_mut("executorLabel") {
                if let Some(new) = executors.get(label.as_str()) {
                    *label = new.clone();
                }
            }
            if let Some(Value::String(name)) =
                map.get_mut("componentRef").and_then(|r| r.get_mut("name"))
            {
                if let Some(new) = components.get(name.as_str()) {
                    *name = new.clone();
                }
            }
            for v in map.values_mut() {
                rewrite(v, components, executors);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| rewrite(v, components, executors)),
        _ => {}
    }
}

/// The pipeline's outputs: `outputDefinitions` and `dag.outputs`, each read from a task at
/// the top of the pipeline (checked before).
pub(in crate::compiler::v2) fn outputs(p: &Pipeline) -> Option<(Value, Value)> {
    if p.outputs.is_empty() {
        return None;
    }
    let (mut def_params, mut def_artifacts) = (Map::new(), Map::new());
    let (mut dag_params, mut dag_artifacts) = (Map::new(), Map::new());
    for o in &p.outputs {
        let Arg::Output { task, output } = &o.source else {
            continue;
        };
        let Some(producer) = p.task(*task) else {
            continue;
        };
        let key = v2::io::io_name(&producer.component, output).into_owned();
        match o.artifact {
            Some(a) => {
                def_artifacts.insert(
                    o.name.clone(),
                    json!({ "artifactType": v2::artifact_type(a.schema_title) }),
                );
                dag_artifacts.insert(
                    o.name.clone(),
                    json!({ "artifactSelectors": [
                        { "outputArtifactKey": key, "producerSubtask": producer.name }
                    ] }),
                );
            }
            None => {
                def_params.insert(o.name.clone(), json!({ "parameterType": o.kind.v2_name() }));
                dag_params.insert(
                    o.name.clone(),
                    json!({ "valueFromParameter": {
                        "outputParameterKey": key, "producerSubtask": producer.name
                    } }),
                );
            }
        }
    }
    let defs = v2::definitions(def_params, def_artifacts)?;
    let dag = v2::definitions(dag_params, dag_artifacts)?;
    Some((defs, dag))
}

/// Where KFP v2 cannot read a pipeline's output: from a task inside a condition, loop or exit
/// handler of the pipeline (kfp hands those out through `dsl.OneOf` or `dsl.Collected`).
pub(crate) fn check_outputs(p: &Pipeline, errors: &mut Vec<crate::error::BuildError>) {
    let mut pipelines: Vec<(String, Option<usize>, &Vec<PipelineOutput>)> =
        vec![(p.name.clone(), None, &p.outputs)];
    for (g, group) in p.groups.iter().enumerate() {
        if let GroupKind::Pipeline { name, outputs, .. } = &group.kind {
            pipelines.push((name.clone(), Some(g), outputs));
        }
    }
    let mut seen = BTreeSet::new();
    for (name, scope, outputs) in pipelines {
        for o in outputs {
            let Arg::Output { task, output } = &o.source else {
                continue;
            };
            let Some(producer) = p.task(*task) else {
                continue;
            };
            // The producer must sit directly in the pipeline's DAG, or be returned by a
            // nested pipeline there.
            let at = crate::compiler::check::output_scope_below(p, task.index(), output, scope);
            if at != scope && seen.insert((name.clone(), o.name.clone())) {
                errors.push(crate::error::BuildError::Unsupported {
                    task: producer.name.clone(),
                    message: format!(
                        "pipeline `{name}` returns its output `{output}` as output `{}`, but \
                         the task runs inside a condition, loop or exit handler of the \
                         pipeline; KFP v2 reads a pipeline's outputs from the tasks at its top: \
                         return a task made outside the group",
                        o.name
                    ),
                });
            }
        }
    }
}
