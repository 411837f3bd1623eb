//! The KFP v2 target: pipeline IR (`PipelineSpec`, schema 2.1.0) equal to what kfp 2.17.3
//! emits, but for the container `command`, which runs this binary instead of kfp's Python
//! launcher.
//!
//! The document starts with kfp's comment header (`# PIPELINE DEFINITION`, the name, the
//! description and the inputs), then the `PipelineSpec` with every mapping's keys sorted, as
//! kfp's `yaml.dump(..., sort_keys=True)` writes it: `components` (one `comp-<task>` per task,
//! even for repeated uses of a component), `deploymentSpec.executors` (one `exec-<task>` per
//! task), `pipelineInfo`, `root` (the DAG and the pipeline's inputs), `schemaVersion` and
//! `sdkVersion`. A second `PlatformSpec` document (`platforms.kubernetes.deploymentSpec
//! .executors.exec-<task>`) follows only when a task has Kubernetes settings: Secrets,
//! ConfigMaps, volumes, node selectors, tolerations, a timeout or an image pull policy.
//!
//! A Rust component's executor runs this binary (`[<binary>, component, <fn>]`, see
//! [`executor_command`]) with kfp's `--executor_input {{$}} --function_to_execute <fn>`; a
//! container component's runs its own image and command, with kfp v2's placeholders
//! ([`io`]).
//!
//! Conditions (and their `elif`/`else` branches), loops and exit handlers are DAGs of their
//! own, each a component (`comp-condition-1`, `comp-condition-branches-1`, `comp-for-loop-2`,
//! `comp-exit-handler-1`) run by a task of the DAG around it, with a trigger condition in
//! kfp's CEL, an iterator, or the exit task's `ALL_UPSTREAM_TASKS_COMPLETED`.
//!
//! The back end's parts: [`io`] (parameters, artifacts and placeholders), [`platform`] (task
//! settings and the `PlatformSpec`), and private modules for the DAGs, channels, containers and
//! checks.
//!
//! Numbers are protobuf doubles in the IR, so integers are written as kfp writes them: `3.0`.

use serde_json::{json, Map, Value};

use super::document::object;
use super::{Compiler, SDK_VERSION};
use crate::pyjson::{push_py_escape, py_repr, split_lines};
use crate::spec::component::{sanitize_name, ComponentSpec};
use crate::spec::pipeline::{ParamSpec, Pipeline, TaskSpec};
use crate::types::ParamKind;
use crate::yaml;
use io::{input_io, io_name, output_io, Io};

mod channels;
mod check;
mod containers;
mod dag;
pub mod io;
mod nested;
pub mod platform;

pub(crate) use check::check;
pub(crate) use nested::check_outputs;

/// kfp 2.17.3's default image for Python components.
pub const DEFAULT_IMAGE: &str = "python:3.11";

/// The IR schema version kfp 2.17.3 writes.
pub const SCHEMA_VERSION: &str = "2.1.0";

/// The `schemaVersion` kfp gives its built-in artifact types (`system.Dataset`, ...).
pub const ARTIFACT_SCHEMA_VERSION: &str = "0.0.1";

pub use crate::spec::io::{
    V2_EXECUTOR_INPUT_FLAG as EXECUTOR_INPUT_FLAG, V2_FUNCTION_FLAG as FUNCTION_FLAG,
};

/// The placeholder the KFP launcher replaces with the executor input JSON.
pub const EXECUTOR_INPUT_PLACEHOLDER: &str = "{{$}}";

/// Compiles `pipeline` (already checked) to KFP v2 IR YAML, with kfp's comment header.
pub fn compile(compiler: &Compiler, pipeline: &Pipeline) -> String {
    let (spec, platform) = build(compiler, pipeline);
    let mut docs = vec![spec];
    docs.extend(platform_document(platform));
    let mut out = header(pipeline);
    out.push_str(&yaml::to_string_multi(&docs));
    out
}

/// The `PipelineSpec` of `pipeline` (already checked), as JSON, keys sorted at every level.
///
/// Linear in the size of the pipeline (times the depth of its groups): every lookup goes
/// through a task's or a group's index.
#[cfg(test)]
pub(crate) fn pipeline_spec(compiler: &Compiler, pipeline: &Pipeline) -> Value {
    build(compiler, pipeline).0
}

/// A `PipelineSpec` and the Kubernetes settings of its executors, by executor label.
type Built = (Value, Map<String, Value>);

/// The `PipelineSpec` of `pipeline` and the Kubernetes settings of its executors (and of
/// those of the pipelines nested in it), by executor label.
fn build(compiler: &Compiler, pipeline: &Pipeline) -> Built {
    // A pipeline called inside this one is a component with a DAG of its own.
    let split = nested::split(pipeline);
    let pipeline = split.as_ref().map_or(pipeline, |s| &s.parent);
    let subs: Vec<(usize, Built, &[_])> = split
        .iter()
        .flat_map(|s| &s.subs)
        .map(|sub| {
            let built = build(compiler, &sub.pipeline);
            (sub.task, built, sub.files.as_slice())
        })
        .collect();
    let mut platform = platform_executors(pipeline);
    let mut components = Map::new();
    let mut executors = Map::new();
    for (t, task) in pipeline.tasks.iter().enumerate() {
        if subs.iter().any(|(s, ..)| *s == t) {
            continue;
        }
        components.insert(component_name(task), component_spec(task));
        executors.insert(
            executor_label(task),
            object([("container", container(compiler, task))]),
        );
    }
    let dag_tasks = dag::Dags::new(pipeline).build(&mut components);
    for (t, ..) in &subs {
        // The caller's names first, so that a nested pipeline's are the ones renamed.
        components.insert(component_name(&pipeline.tasks[*t]), Value::Null);
    }
    for (t, (spec, sub_platform), files) in &subs {
        let mut root = nested::merge(
            spec,
            sub_platform,
            &mut components,
            &mut executors,
            &mut platform,
        );
        nested::file_inputs(&mut root, files);
        components.insert(component_name(&pipeline.tasks[*t]), root);
    }

    let mut root = Map::new();
    let mut dag = object([("tasks", Value::Object(dag_tasks))]);
    if let Some((defs, outputs)) = nested::outputs(pipeline) {
        root.insert("outputDefinitions".into(), defs);
        if let Value::Object(d) = &mut dag {
            d.insert("outputs".into(), outputs);
        }
    }
    root.insert("dag".into(), dag);
    if !pipeline.params.is_empty() {
        let params: Map<String, Value> = pipeline
            .params
            .iter()
            .map(|p| (p.name.clone(), pipeline_input(p)))
            .collect();
        root.insert("inputDefinitions".into(), json!({ "parameters": params }));
    }

    let mut info = Map::new();
    if let Some(d) = pipeline.description.as_deref().filter(|d| !d.is_empty()) {
        info.insert("description".into(), json!(d));
    }
    info.insert("name".into(), json!(sanitize_name(&pipeline.name)));

    let spec = sort_keys(object([
        ("components", Value::Object(components)),
        (
            "deploymentSpec",
            object([("executors", Value::Object(executors))]),
        ),
        ("pipelineInfo", Value::Object(info)),
        ("root", Value::Object(root)),
        ("schemaVersion", json!(SCHEMA_VERSION)),
        ("sdkVersion", json!(SDK_VERSION)),
    ]));
    (spec, platform)
}

/// The Kubernetes settings of the executors of `pipeline`'s own tasks, by executor label.
fn platform_executors(pipeline: &Pipeline) -> Map<String, Value> {
    pipeline
        .tasks
        .iter()
        .filter_map(|t| {
            let producer = |id| pipeline.task(id).map(|p| p.name.clone());
            platform::v2_platform_with(&t.settings, &producer).map(|k| (executor_label(t), k))
        })
        .collect()
}

/// The `PlatformSpec` document holding `executors`; `None` when there are none.
fn platform_document(executors: Map<String, Value>) -> Option<Value> {
    if executors.is_empty() {
        return None;
    }
    Some(sort_keys(json!({
        "platforms": { "kubernetes": { "deploymentSpec": { "executors": executors } } }
    })))
}

/// The component name of `task`: `comp-<task name>`.
pub fn component_name(task: &TaskSpec) -> String {
    format!("comp-{}", task.name)
}

/// The executor label of `task`: `exec-<task name>`.
pub fn executor_label(task: &TaskSpec) -> String {
    format!("exec-{}", task.name)
}

/// The container arguments of a v2 component: kfp's
/// `--executor_input {{$}} --function_to_execute <function name>`.
pub fn executor_args(component: &ComponentSpec) -> Vec<String> {
    vec![
        EXECUTOR_INPUT_FLAG.to_owned(),
        EXECUTOR_INPUT_PLACEHOLDER.to_owned(),
        FUNCTION_FLAG.to_owned(),
        component.key.clone(),
    ]
}

/// The container command of a v2 component: the binary, the `component` subcommand and the
/// component's name, behind a pip prelude when the component has packages.
///
/// The prelude is kfp 2.17.3's (make sure pip exists, then install the packages and `exec`
/// the rest of the command) without kfp's own `kfp==2.17.3` install: that install only
/// serves kfp's Python executor, and here the binary is the executor. The packages are for
/// the component's own use (the flagship's `train` runs the `yolo` CLI of `ultralytics`).
/// Without packages there is nothing to install, so the command is the binary alone and the
/// container needs no shell.
pub fn executor_command(compiler: &Compiler, component: &ComponentSpec) -> Vec<String> {
    super::command_with_prelude(compiler.get_binary_path(), component, |pkgs| {
        format!(
            "\nif ! [ -x \"$(command -v pip)\" ]; then\n    python3 -m ensurepip || python3 -m ensurepip --user || apt-get install python3-pip\nfi\n\n\
             PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location {pkgs} && \"$0\" \"$@\"\n"
        )
    })
}

/// A JSON value as the IR holds it: protobuf `Value`s have only doubles, so every integer
/// becomes a float (`3` → `3.0`), also inside lists and maps.
pub fn ir_value(value: &Value) -> Value {
    match value {
        Value::Number(n) if !n.is_f64() => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| value.clone(), Value::Number),
        Value::Array(items) => Value::Array(items.iter().map(ir_value).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), ir_value(v))).collect())
        }
        other => other.clone(),
    }
}

/// The name kfp's comment header gives a parameter type (`int`, `str`, ...).
pub fn comment_type_name(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::String => "str",
        ParamKind::Integer => "int",
        ParamKind::Float => "float",
        ParamKind::Boolean => "bool",
        ParamKind::List => "list",
        ParamKind::Struct => "dict",
    }
}

fn component_spec(task: &TaskSpec) -> Value {
    let component = &task.component;
    let mut spec = Map::new();
    spec.insert("executorLabel".into(), json!(executor_label(task)));
    let mut params = Map::new();
    let mut artifacts = Map::new();
    for (i, input) in component.inputs.iter().enumerate() {
        let name = io_name(component, &input.name).into_owned();
        let mut p = Map::new();
        if input.final_status {
            // KFP fills it in for an exit task; kfp declares it optional.
            p.insert("isOptional".into(), json!(true));
            p.insert("parameterType".into(), json!("TASK_FINAL_STATUS"));
            params.insert(name, Value::Object(p));
            continue;
        }
        match input_io(component, i) {
            Io::Artifact(title) => {
                p.insert("artifactType".into(), artifact_type(&title));
                if io::input_is_artifact_list(component, i) {
                    p.insert("isArtifactList".into(), json!(true));
                }
                if input.optional {
                    p.insert("isOptional".into(), json!(true));
                }
                artifacts.insert(name, Value::Object(p));
            }
            Io::Parameter(kind) => {
                let default = io::container_default(component, &input.name, kind);
                if let Some(d) = &default {
                    p.insert("defaultValue".into(), ir_value(d));
                }
                if input.optional || default.is_some() {
                    p.insert("isOptional".into(), json!(true));
                }
                p.insert("parameterType".into(), json!(kind.v2_name()));
                params.insert(name, Value::Object(p));
            }
        }
    }
    if let Some(defs) = definitions(params, artifacts) {
        spec.insert("inputDefinitions".into(), defs);
    }
    let mut params = Map::new();
    let mut artifacts = Map::new();
    for (i, output) in component.outputs.iter().enumerate() {
        let name = io_name(component, &output.name).into_owned();
        match output_io(component, i) {
            Io::Artifact(title) => {
                artifacts.insert(name, json!({ "artifactType": artifact_type(&title) }))
            }
            Io::Parameter(kind) => params.insert(name, json!({ "parameterType": kind.v2_name() })),
        };
    }
    if let Some(defs) = definitions(params, artifacts) {
        spec.insert("outputDefinitions".into(), defs);
    }
    add_descriptions(component, &mut spec);
    Value::Object(spec)
}

/// Adds the declared descriptions of the inputs and outputs to `spec`'s definitions, for a
/// container component whose descriptions kfp writes.
fn add_descriptions(component: &ComponentSpec, spec: &mut Map<String, Value>) {
    let Some(c) = component.container().filter(|c| c.v2_descriptions) else {
        return;
    };
    for (list, side) in [
        ("inputs", "inputDefinitions"),
        ("outputs", "outputDefinitions"),
    ] {
        for decl in c.spec[list].as_array().into_iter().flatten() {
            let (Some(name), Some(text)) = (decl["name"].as_str(), decl["description"].as_str())
            else {
                continue;
            };
            let name = io_name(component, name);
            for kind in ["parameters", "artifacts"] {
                if let Some(Value::Object(d)) = spec
                    .get_mut(side)
                    .and_then(|s| s.get_mut(kind))
                    .and_then(|k| k.get_mut(name.as_ref()))
                {
                    d.insert("description".into(), json!(text));
                }
            }
        }
    }
}

/// `{artifacts?, parameters?}`, or `None` when both are empty.
fn definitions(params: Map<String, Value>, artifacts: Map<String, Value>) -> Option<Value> {
    let mut defs = Map::new();
    if !artifacts.is_empty() {
        defs.insert("artifacts".into(), Value::Object(artifacts));
    }
    if !params.is_empty() {
        defs.insert("parameters".into(), Value::Object(params));
    }
    (!defs.is_empty()).then_some(Value::Object(defs))
}

/// An IR `artifactType`: the schema title and kfp's schema version for the built-in types.
fn artifact_type(schema_title: &str) -> Value {
    json!({ "schemaTitle": schema_title, "schemaVersion": ARTIFACT_SCHEMA_VERSION })
}

fn container(compiler: &Compiler, task: &TaskSpec) -> Value {
    let component = &task.component;
    let mut c = Map::new();
    let image = match component.container() {
        // A container component runs its own command in its own image.
        Some(own) => {
            let args = io::placeholders(component, &own.args);
            if !args.is_empty() {
                c.insert("args".into(), json!(args));
            }
            let command = io::placeholders(component, &own.command);
            if !command.is_empty() {
                c.insert("command".into(), json!(command));
            }
            own.image.as_str()
        }
        None => {
            c.insert("args".into(), json!(executor_args(component)));
            c.insert(
                "command".into(),
                json!(executor_command(compiler, component)),
            );
            component.base_image.as_deref().unwrap_or(DEFAULT_IMAGE)
        }
    };
    if let Some(env) = platform::v2_env(&task.settings) {
        c.insert("env".into(), env);
    }
    c.insert("image".into(), json!(image));
    if let Some(resources) = platform::v2_resources(&task.settings) {
        c.insert("resources".into(), resources);
    }
    Value::Object(c)
}

fn pipeline_input(param: &ParamSpec) -> Value {
    let mut p = Map::new();
    match &param.default {
        // `Optional[x] = None` gives only `isOptional`.
        Some(Value::Null) => {
            p.insert("isOptional".into(), json!(true));
        }
        Some(d) => {
            p.insert("defaultValue".into(), ir_value(d));
            p.insert("isOptional".into(), json!(true));
        }
        None if param.optional => {
            p.insert("isOptional".into(), json!(true));
        }
        None => {}
    }
    p.insert("parameterType".into(), json!(param.kind.v2_name()));
    Value::Object(p)
}

/// `value` with the keys of every mapping sorted by code point, as PyYAML's `sort_keys`.
fn sort_keys(mut value: Value) -> Value {
    sort_keys_in_place(&mut value);
    value
}

/// Sorts in place: rebuilding every map of a large pipeline cost a third of its compile time.
fn sort_keys_in_place(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.sort_keys();
            map.values_mut().for_each(sort_keys_in_place);
        }
        Value::Array(items) => items.iter_mut().for_each(sort_keys_in_place),
        _ => {}
    }
}

/// kfp's comment header: `# PIPELINE DEFINITION`, `# Name:`, `# Description:` (continuation
/// lines indented) and `# Inputs:` (sorted by name, with `[Default: ...]`).
///
/// kfp writes descriptions and string defaults into the comment as they are; here a line
/// break or a character YAML cannot hold is escaped instead, so that no text can end the
/// comment and turn into YAML.
fn header(pipeline: &Pipeline) -> String {
    let mut out = String::from("# PIPELINE DEFINITION\n");
    out.push_str(&format!("# Name: {}\n", sanitize_name(&pipeline.name)));
    if let Some(d) = pipeline.description.as_deref().filter(|d| !d.is_empty()) {
        let lines: Vec<String> = split_lines(d).into_iter().map(comment_safe).collect();
        out.push_str(&format!(
            "# Description: {}\n",
            lines.join("\n#              ")
        ));
    }
    if !pipeline.params.is_empty() {
        out.push_str("# Inputs:\n");
        let mut params: Vec<&ParamSpec> = pipeline.params.iter().collect();
        params.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        for p in params {
            out.push_str(&format!(
                "#    {}: {}",
                comment_safe(&p.name),
                comment_type_name(p.kind)
            ));
            if let Some(d) = p.default.as_ref().filter(|d| !d.is_null()) {
                out.push_str(&format!(" [Default: {}]", py_repr(&sort_keys(ir_value(d)))));
            }
            out.push('\n');
        }
    }
    if !pipeline.outputs.is_empty() {
        out.push_str("# Outputs:\n");
        let mut outputs: Vec<_> = pipeline.outputs.iter().collect();
        outputs.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        for o in outputs {
            let ty = match o.artifact {
                Some(a) => a.schema_title.trim_start_matches("system.").to_owned(),
                None => comment_type_name(o.kind).to_owned(),
            };
            out.push_str(&format!("#    {}: {ty}\n", comment_safe(&o.name)));
        }
    }
    out
}

/// `s` with every character a YAML comment cannot hold (controls but tab, and the
/// non-characters U+FFFE, U+FFFF) written as a Python escape.
fn comment_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if (c.is_control() && c != '\t') || c == '\u{fffe}' || c == '\u{ffff}' {
            push_py_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
