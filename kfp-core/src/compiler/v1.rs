//! The KFP v1 target: an Argo Workflow equal to what kfp 1.8.9 emits, but for the container
//! `command`, which runs this binary instead of an inlined Python program.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::check::upstream;
use super::{Compiler, SDK_VERSION};
use crate::pyjson;
use crate::spec::component::{sanitize_name, ComponentSpec};
use crate::spec::pipeline::{Arg, Pipeline, TaskSpec};
use crate::types::constant_text;
use crate::yaml;

/// kfp 1.8.9's default image for Python components.
pub const DEFAULT_IMAGE: &str = "python:3.7";

/// The path KFP v1 gives output `name`: `/tmp/outputs/<name>/data`.
pub fn output_path(name: &str) -> String {
    format!("/tmp/outputs/{name}/data")
}

/// The command-line flag for input `name`: `--` and the name with `_` → `-`.
pub fn input_flag(name: &str) -> String {
    format!("--{}", name.replace('_', "-"))
}

/// Compiles `pipeline` (already checked) to an Argo Workflow in YAML.
pub fn compile(compiler: &Compiler, pipeline: &Pipeline) -> String {
    yaml::to_string(&workflow(compiler, pipeline))
}

/// The Argo Workflow for `pipeline` (already checked), as a JSON value in kfp's key order.
pub fn workflow(compiler: &Compiler, pipeline: &Pipeline) -> Value {
    let root_name = sanitize_name(&pipeline.name);

    // Which outputs of each task are consumed as parameters downstream.
    let mut consumed: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); pipeline.tasks.len()];
    for task in &pipeline.tasks {
        for arg in task.args.iter().flatten() {
            if let Arg::Output { task: t, output } = arg {
                if let Some(set) = consumed.get_mut(t.index) {
                    set.insert(output.as_str());
                }
            }
        }
    }

    let ups = upstream(pipeline);
    let mut templates: BTreeMap<String, Value> = BTreeMap::new();
    let mut dag_tasks: BTreeMap<String, Value> = BTreeMap::new();
    let mut dag_inputs: BTreeSet<String> = BTreeSet::new();

    for (i, task) in pipeline.tasks.iter().enumerate() {
        let mut inputs: BTreeMap<String, String> = BTreeMap::new();
        for arg in task.args.iter().flatten() {
            match arg {
                Arg::Param(p) => {
                    dag_inputs.insert(p.clone());
                    inputs.insert(p.clone(), format!("{{{{inputs.parameters.{p}}}}}"));
                }
                Arg::Output { task: t, output } => {
                    let producer = &pipeline.tasks[t.index].name;
                    let name = format!("{producer}-{output}");
                    let value =
                        format!("{{{{tasks.{producer}.outputs.parameters.{producer}-{output}}}}}");
                    inputs.insert(name, value);
                }
                Arg::Constant(_) => {}
            }
        }
        let mut dag_task = Map::new();
        dag_task.insert("name".into(), json!(task.name));
        dag_task.insert("template".into(), json!(task.name));
        if !ups[i].is_empty() {
            let mut deps: Vec<&str> = ups[i]
                .iter()
                .map(|&u| pipeline.tasks[u].name.as_str())
                .collect();
            deps.sort_unstable();
            dag_task.insert("dependencies".into(), json!(deps));
        }
        if !inputs.is_empty() {
            let params: Vec<Value> = inputs
                .iter()
                .map(|(name, value)| json!({"name": name, "value": value}))
                .collect();
            dag_task.insert("arguments".into(), json!({ "parameters": params }));
        }
        dag_tasks.insert(task.name.clone(), Value::Object(dag_task));
        templates.insert(
            task.name.clone(),
            container_template(compiler, pipeline, task, &consumed[i], inputs.keys()),
        );
    }

    let mut root = Map::new();
    root.insert("name".into(), json!(root_name));
    if !dag_inputs.is_empty() {
        let params: Vec<Value> = dag_inputs.iter().map(|p| json!({ "name": p })).collect();
        root.insert("inputs".into(), json!({ "parameters": params }));
    }
    root.insert(
        "dag".into(),
        json!({ "tasks": dag_tasks.into_values().collect::<Vec<_>>() }),
    );
    templates.insert(root_name.clone(), Value::Object(root));

    let mut annotations = Map::new();
    annotations.insert(
        "pipelines.kubeflow.org/kfp_sdk_version".into(),
        json!(SDK_VERSION),
    );
    if compiler.timestamp {
        annotations.insert(
            "pipelines.kubeflow.org/pipeline_compilation_time".into(),
            json!(timestamp_now()),
        );
    }
    annotations.insert(
        "pipelines.kubeflow.org/pipeline_spec".into(),
        json!(pyjson::dumps(&pipeline_spec(pipeline), true)),
    );

    let arguments: Vec<Value> = pipeline
        .params
        .iter()
        .map(|p| match &p.default {
            Some(d) => json!({"name": p.name, "value": constant_text(d)}),
            None => json!({ "name": p.name }),
        })
        .collect();

    let mut workflow = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {
            "generateName": format!("{root_name}-"),
            "annotations": annotations,
            "labels": {"pipelines.kubeflow.org/kfp_sdk_version": SDK_VERSION},
        },
        "spec": {
            "entrypoint": root_name,
            "templates": templates.into_values().collect::<Vec<_>>(),
            "arguments": {"parameters": arguments},
            "serviceAccountName": "pipeline-runner",
        },
    });
    if let (Some(t), Some(spec)) = (&pipeline.timeout, workflow["spec"].as_object_mut()) {
        spec.insert("activeDeadlineSeconds".into(), json!(t.seconds));
    }
    workflow
}

/// The `pipelines.kubeflow.org/pipeline_spec` annotation (before JSON encoding).
fn pipeline_spec(pipeline: &Pipeline) -> Value {
    let mut spec = Map::new();
    if let Some(d) = &pipeline.description {
        spec.insert("description".into(), json!(d));
    }
    if !pipeline.params.is_empty() {
        let inputs: Vec<Value> = pipeline
            .params
            .iter()
            .map(|p| {
                let mut m = Map::new();
                if let Some(d) = &p.default {
                    m.insert("default".into(), json!(constant_text(d)));
                }
                m.insert("name".into(), json!(p.name));
                if p.default.is_some() || p.optional {
                    m.insert("optional".into(), json!(true));
                }
                m.insert("type".into(), json!(p.kind.v1_name()));
                Value::Object(m)
            })
            .collect();
        spec.insert("inputs".into(), json!(inputs));
    }
    spec.insert("name".into(), json!(pipeline.name));
    Value::Object(spec)
}

/// The kfp v1 component spec (the `component_spec` annotation) of `component` with `command`.
pub fn component_spec(component: &ComponentSpec, command: &[String], image: &str) -> Value {
    let mut args: Vec<Value> = Vec::new();
    for input in &component.inputs {
        let flag = input_flag(&input.name);
        if input.optional {
            args.push(json!({"if": {"cond": {"isPresent": input.name},
                "then": [flag, {"inputValue": input.name}]}}));
        } else {
            args.push(json!(flag));
            args.push(json!({ "inputValue": input.name }));
        }
    }
    if !component.outputs.is_empty() {
        args.push(json!("----output-paths"));
        for o in &component.outputs {
            args.push(json!({ "outputPath": o.name }));
        }
    }
    let mut spec = Map::new();
    if let Some(d) = &component.description {
        spec.insert("description".into(), json!(d));
    }
    spec.insert(
        "implementation".into(),
        json!({"container": {"args": args, "command": command, "image": image}}),
    );
    if !component.inputs.is_empty() {
        let inputs: Vec<Value> = component
            .inputs
            .iter()
            .map(|i| {
                if i.optional {
                    json!({"name": i.name, "optional": true, "type": i.kind.v1_name()})
                } else {
                    json!({"name": i.name, "type": i.kind.v1_name()})
                }
            })
            .collect();
        spec.insert("inputs".into(), json!(inputs));
    }
    spec.insert("name".into(), json!(component.name));
    if !component.outputs.is_empty() {
        let outputs: Vec<Value> = component
            .outputs
            .iter()
            .map(|o| json!({"name": o.name, "type": o.kind.v1_name()}))
            .collect();
        spec.insert("outputs".into(), json!(outputs));
    }
    Value::Object(spec)
}

fn container_template<'a>(
    compiler: &Compiler,
    pipeline: &Pipeline,
    task: &TaskSpec,
    consumed: &BTreeSet<&str>,
    input_names: impl Iterator<Item = &'a String>,
) -> Value {
    let component = &task.component;
    let image = component.base_image.as_deref().unwrap_or(DEFAULT_IMAGE);
    let command = compiler.component_command(component);

    let mut args: Vec<String> = Vec::new();
    let mut arg_annotation: BTreeMap<&str, String> = BTreeMap::new();
    for (input, arg) in component.inputs.iter().zip(&task.args) {
        let Some(arg) = arg else { continue };
        let value = match arg {
            Arg::Constant(v) => constant_text(v),
            Arg::Param(p) => format!("{{{{inputs.parameters.{p}}}}}"),
            Arg::Output { task: t, output } => {
                let producer = &pipeline.tasks[t.index].name;
                format!("{{{{inputs.parameters.{producer}-{output}}}}}")
            }
        };
        args.push(input_flag(&input.name));
        args.push(value.clone());
        arg_annotation.insert(&input.name, value);
    }
    if !component.outputs.is_empty() {
        args.push("----output-paths".to_owned());
        for o in &component.outputs {
            args.push(output_path(&o.name));
        }
    }

    let mut template = Map::new();
    template.insert("name".into(), json!(task.name));
    let mut container = Map::new();
    container.insert("args".into(), json!(args));
    container.insert("command".into(), json!(command));
    container.insert("image".into(), json!(image));
    let mut template_fields = Map::new();
    crate::settings::v1_fields(&task.settings, &mut container, &mut template_fields);
    template.insert("container".into(), Value::Object(container));
    let input_params: Vec<Value> = input_names.map(|n| json!({ "name": n })).collect();
    if !input_params.is_empty() {
        template.insert("inputs".into(), json!({ "parameters": input_params }));
    }
    if !component.outputs.is_empty() {
        let mut sorted: Vec<&str> = component.outputs.iter().map(|o| o.name.as_str()).collect();
        sorted.sort_unstable();
        let mut outputs = Map::new();
        let params: Vec<Value> = sorted
            .iter()
            .filter(|o| consumed.contains(*o))
            .map(|o| {
                json!({"name": format!("{}-{o}", task.name),
                       "valueFrom": {"path": output_path(o)}})
            })
            .collect();
        if !params.is_empty() {
            outputs.insert("parameters".into(), json!(params));
        }
        let artifacts: Vec<Value> = sorted
            .iter()
            .map(|o| json!({"name": format!("{}-{o}", task.name), "path": output_path(o)}))
            .collect();
        outputs.insert("artifacts".into(), json!(artifacts));
        template.insert("outputs".into(), Value::Object(outputs));
    }

    let mut annotations = Map::new();
    if let Some(d) = &task.display_name {
        annotations.insert("pipelines.kubeflow.org/task_display_name".into(), json!(d));
    }
    annotations.insert(
        "pipelines.kubeflow.org/component_spec".into(),
        json!(pyjson::dumps(
            &component_spec(component, &command, image),
            true
        )),
    );
    annotations.insert("pipelines.kubeflow.org/component_ref".into(), json!("{}"));
    if !component.inputs.is_empty() {
        let map: Map<String, Value> = arg_annotation
            .into_iter()
            .map(|(k, v)| (k.to_owned(), Value::String(v)))
            .collect();
        annotations.insert(
            "pipelines.kubeflow.org/arguments.parameters".into(),
            json!(pyjson::dumps(&Value::Object(map), true)),
        );
    }
    if !task.caching {
        annotations.insert(
            "pipelines.kubeflow.org/max_cache_staleness".into(),
            json!("P0D"),
        );
    }
    template.extend(template_fields);
    template.insert(
        "metadata".into(),
        json!({
            "labels": {
                "pipelines.kubeflow.org/kfp_sdk_version": SDK_VERSION,
                "pipelines.kubeflow.org/pipeline-sdk-type": "kfp",
                "pipelines.kubeflow.org/enable_caching": if task.caching { "true" } else { "false" },
            },
            "annotations": annotations,
        }),
    );
    Value::Object(template)
}

/// The current UTC time as kfp writes it (`2026-11-29T10:50:52.576223`).
fn timestamp_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        now.subsec_micros()
    )
}
