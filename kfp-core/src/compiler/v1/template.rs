//! A task's container template, and the `component_spec` annotation it carries.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::command_line::CommandLine;
use super::{input_flag, output_path, DEFAULT_IMAGE};
use crate::compiler::{Compiler, SDK_VERSION};
use crate::pyjson;
use crate::spec::component::{ComponentSpec, ParamRef};
use crate::spec::pipeline::{Pipeline, TaskSpec};
use crate::types::constant_text;

/// The kfp v1 component spec (the `component_spec` annotation) of `component` with `command`.
pub fn component_spec(component: &ComponentSpec, command: &[String], image: &str) -> Value {
    let mut args: Vec<Value> = Vec::new();
    for param in component.params_in_order() {
        let name = component.v1_name(param);
        let flag = input_flag(name);
        let file = component.artifact(param).is_some();
        let placeholder = match param {
            ParamRef::Input(_) if file => json!({ "inputPath": name }),
            ParamRef::Input(_) => json!({ "inputValue": name }),
            ParamRef::Output(_) => json!({ "outputPath": name }),
        };
        match param {
            ParamRef::Input(k) if component.inputs[k].optional => {
                args.push(
                    json!({"if": {"cond": {"isPresent": name}, "then": [flag, placeholder]}}),
                );
            }
            _ => {
                args.push(json!(flag));
                args.push(placeholder);
            }
        }
    }
    let mut returns = component.value_outputs().peekable();
    if returns.peek().is_some() {
        args.push(json!("----output-paths"));
        for (_, o) in returns {
            args.push(json!({ "outputPath": o.name }));
        }
    }
    // A value has its KFP type; a file its artifact type, or none.
    let type_of = |param: ParamRef, kind: crate::types::ParamKind| match component.artifact(param) {
        Some(a) => a.v1_type,
        None => Some(kind.v1_name()),
    };
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
            .enumerate()
            .map(|(k, i)| {
                let param = ParamRef::Input(k);
                let mut m = Map::new();
                if let Some(d) = &i.default {
                    m.insert("default".into(), json!(constant_text(d)));
                }
                m.insert("name".into(), json!(component.v1_name(param)));
                if i.optional {
                    m.insert("optional".into(), json!(true));
                }
                if let Some(t) = type_of(param, i.kind) {
                    m.insert("type".into(), json!(t));
                }
                Value::Object(m)
            })
            .collect();
        spec.insert("inputs".into(), json!(inputs));
    }
    spec.insert("name".into(), json!(component.name));
    if !component.outputs.is_empty() {
        let outputs: Vec<Value> = component
            .outputs
            .iter()
            .enumerate()
            .map(|(k, o)| {
                let param = ParamRef::Output(k);
                let mut m = Map::new();
                m.insert("name".into(), json!(component.v1_name(param)));
                if let Some(t) = type_of(param, o.kind) {
                    m.insert("type".into(), json!(t));
                }
                Value::Object(m)
            })
            .collect();
        spec.insert("outputs".into(), json!(outputs));
    }
    Value::Object(spec)
}

/// What a container template takes from its component alone, rendered once per component
/// rather than once per task: a pipeline that uses one component a thousand times renders its
/// `component_spec` annotation once.
pub(super) struct Rendered {
    command: Value,
    image: Value,
    component_spec: Value,
}

impl Rendered {
    pub(super) fn new(compiler: &Compiler, component: &ComponentSpec) -> Self {
        let image = component.base_image.as_deref().unwrap_or(DEFAULT_IMAGE);
        let command = compiler.component_command(component);
        let spec = match component.container() {
            Some(c) => c.spec.clone(),
            None => component_spec(component, &command, image),
        };
        Rendered {
            component_spec: Value::String(pyjson::dumps(&spec, true)),
            command: Value::Array(command.into_iter().map(Value::String).collect()),
            image: Value::String(image.to_owned()),
        }
    }
}

pub(super) fn container_template(
    rendered: &Rendered,
    pipeline: &Pipeline,
    task: &TaskSpec,
    line: &CommandLine,
    consumed: &BTreeSet<String>,
    input_names: BTreeSet<&String>,
) -> Value {
    let component = &task.component;
    // A raw `ContainerOp` reads its outputs from its own paths and carries no component
    // annotations, as kfp writes none for it.
    let raw = crate::container_op::raw(component);
    let mut template = Map::new();
    template.insert("name".into(), json!(task.name));
    let mut container = Map::new();
    if raw.is_none_or(|r| r.has_args) {
        container.insert(
            "args".into(),
            Value::Array(line.args.iter().cloned().map(Value::String).collect()),
        );
    }
    let command = match &line.command {
        Some(c) => Value::Array(c.iter().cloned().map(Value::String).collect()),
        None => rendered.command.clone(),
    };
    container.insert("command".into(), command);
    container.insert("image".into(), rendered.image.clone());
    let mut template_fields = Map::new();
    let producer = |id| pipeline.task(id).map(|t| t.name.clone());
    super::settings::v1_fields(
        &task.settings,
        &mut container,
        &mut template_fields,
        &producer,
    );
    template.insert("container".into(), Value::Object(container));
    let mut inputs = Map::new();
    let input_params: Vec<Value> = input_names
        .into_iter()
        .map(|n| json!({ "name": n }))
        .collect();
    if !input_params.is_empty() {
        inputs.insert("parameters".into(), Value::Array(input_params));
    }
    if !line.input_artifacts.is_empty() {
        let mut arts = line.input_artifacts.clone();
        arts.sort();
        arts.dedup();
        let arts: Vec<Value> = arts
            .into_iter()
            .map(|(name, path)| json!({"name": name, "path": path}))
            .collect();
        inputs.insert("artifacts".into(), Value::Array(arts));
    }
    if !inputs.is_empty() {
        template.insert("inputs".into(), Value::Object(inputs));
    }
    if !component.outputs.is_empty() {
        // (v1 name, Rust name), sorted by the v1 name as kfp sorts them.
        let mut sorted: Vec<(&str, &str)> = component
            .outputs
            .iter()
            .enumerate()
            .map(|(k, o)| (component.v1_name(ParamRef::Output(k)), o.name.as_str()))
            .collect();
        sorted.sort_unstable();
        let path = |o: &str| match raw {
            Some(r) => r
                .file_outputs
                .iter()
                .find(|(n, _)| n == o)
                .map_or_else(|| output_path(o), |(_, p)| p.clone()),
            None => output_path(o),
        };
        // kfp 1.8.9 keeps `mlpipeline-metrics` and `mlpipeline-ui-metadata` apart: artifacts
        // named without the task, listed first in the component's order. (kfp cannot pass
        // them on; a Rust pipeline can, so a consumed one is a parameter of that name too.)
        let name_of = |o: &str| match super::ui::special_output(o) {
            Some(special) => special.to_owned(),
            None => format!("{}-{o}", task.name),
        };
        let legacy: Vec<Value> = component
            .outputs
            .iter()
            .enumerate()
            .map(|(k, _)| component.v1_name(ParamRef::Output(k)))
            .filter(|o| super::ui::special_output(o).is_some())
            .map(|o| json!({"name": name_of(o), "path": path(o)}))
            .collect();
        let mut outputs = Map::new();
        let params: Vec<Value> = sorted
            .iter()
            .filter(|(_, name)| consumed.contains(*name))
            .map(|(o, _)| json!({"name": name_of(o), "valueFrom": {"path": path(o)}}))
            .collect();
        if !params.is_empty() {
            outputs.insert("parameters".into(), Value::Array(params));
        }
        let artifacts: Vec<Value> = legacy
            .into_iter()
            .chain(
                sorted
                    .iter()
                    .filter(|(o, _)| super::ui::special_output(o).is_none())
                    .map(|(o, _)| json!({"name": name_of(o), "path": path(o)})),
            )
            .collect();
        outputs.insert("artifacts".into(), Value::Array(artifacts));
        template.insert("outputs".into(), Value::Object(outputs));
    }

    let extra = super::settings::v1_metadata(task);
    let mut annotations = extra.annotations;
    if let Some(d) = &task.display_name {
        annotations.insert("pipelines.kubeflow.org/task_display_name".into(), json!(d));
    }
    if raw.is_none() {
        annotations.insert(
            "pipelines.kubeflow.org/component_spec".into(),
            rendered.component_spec.clone(),
        );
        let component_ref = match component.container().and_then(|c| c.digest.as_ref()) {
            Some(d) => format!("{{\"digest\": \"{d}\"}}"),
            None => "{}".to_owned(),
        };
        annotations.insert(
            "pipelines.kubeflow.org/component_ref".into(),
            json!(component_ref),
        );
        let value_inputs =
            (0..component.inputs.len()).any(|k| component.artifact(ParamRef::Input(k)).is_none());
        if value_inputs {
            let map: Map<String, Value> = line
                .annotation
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            annotations.insert(
                "pipelines.kubeflow.org/arguments.parameters".into(),
                Value::String(pyjson::dumps(&Value::Object(map), true)),
            );
        }
    }
    // kfp 1.8.9 writes caching off as the `enable_caching` label alone; the staleness
    // annotation is its own setting.
    if let Some(s) = extra.max_cache_staleness {
        annotations.insert(
            "pipelines.kubeflow.org/max_cache_staleness".into(),
            json!(s),
        );
    }
    template.extend(template_fields);
    let mut labels = extra.labels;
    labels.insert(
        "pipelines.kubeflow.org/kfp_sdk_version".into(),
        json!(SDK_VERSION),
    );
    labels.insert(
        "pipelines.kubeflow.org/pipeline-sdk-type".into(),
        json!("kfp"),
    );
    labels.insert(
        "pipelines.kubeflow.org/enable_caching".into(),
        json!(if task.caching { "true" } else { "false" }),
    );
    let mut metadata = Map::new();
    metadata.insert("labels".into(), Value::Object(labels));
    if !annotations.is_empty() {
        metadata.insert("annotations".into(), Value::Object(annotations));
    }
    template.insert("metadata".into(), Value::Object(metadata));
    Value::Object(template)
}
