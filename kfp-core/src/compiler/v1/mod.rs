//! The KFP v1 target: an Argo Workflow equal to what kfp 1.8.9 emits, but for the container
//! `command`, which runs this binary instead of an inlined Python program.
//!
//! The workflow is built in parts, one file each: `dags` places every task and group in its
//! DAG and resolves the values they take from elsewhere; `command_line` writes each task's
//! arguments; `groups` writes conditions and loops into their parent DAG; `template` renders a
//! task's container template; `settings` renders its Kubernetes settings and pod metadata;
//! `volumes` renders the steps that create and delete a PVC; `ui` names the KFP v1 UI's
//! special artifacts; `check` refuses what v1 cannot express.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Map, Value};

use super::document::object;
use super::{Compiler, SDK_VERSION};
use crate::control::GroupKind;
use crate::pyjson;
use crate::spec::component::{sanitize_name, ComponentSpec};
use crate::spec::pipeline::Pipeline;
use crate::types::constant_text;
use crate::yaml;

pub(crate) mod check;
mod command_line;
mod dags;
mod groups;
mod settings;
mod template;
mod ui;
mod volumes;

use command_line::{link_task, task_line, CommandLine};
use dags::{dag_index, Dags, Node};
use template::{container_template, Rendered};

pub use crate::spec::io::{v1_input_flag as input_flag, v1_output_path as output_path};
pub(crate) use groups::is_govaluate_number;

/// kfp 1.8.9's default image for Python components.
pub const DEFAULT_IMAGE: &str = "python:3.7";

/// Compiles `pipeline` (already checked) to an Argo Workflow in YAML.
pub fn compile(compiler: &Compiler, pipeline: &Pipeline) -> String {
    yaml::to_string(&workflow(compiler, pipeline))
}

/// The Argo Workflow for `pipeline` (already checked), as a JSON value in kfp's key order.
pub fn workflow(compiler: &Compiler, pipeline: &Pipeline) -> Value {
    let root_name = sanitize_name(&pipeline.name);
    let mut dags = Dags::new(pipeline);
    let exit_tasks = exit_tasks(pipeline);
    place_nodes(&mut dags, pipeline, &exit_tasks);
    let task_lines: Vec<CommandLine> = pipeline
        .tasks
        .iter()
        .enumerate()
        .map(|(i, task)| {
            let line = task_line(&mut dags, i, task, exit_tasks.contains(&i));
            link_task(&mut dags, i, task);
            line
        })
        .collect();
    let group_fields = groups::group_fields(pipeline, &mut dags);
    let mut templates = task_templates(compiler, pipeline, &dags, &task_lines);
    dag_templates(&mut templates, pipeline, &dags, &root_name);
    groups::insert_into_parents(&mut templates, pipeline, &dags, group_fields, &root_name);
    let spec = workflow_spec(pipeline, templates, &root_name, &exit_tasks);
    object([
        ("apiVersion", json!("argoproj.io/v1alpha1")),
        ("kind", json!("Workflow")),
        (
            "metadata",
            object([
                ("generateName", json!(format!("{root_name}-"))),
                (
                    "annotations",
                    Value::Object(annotations(compiler, pipeline)),
                ),
                (
                    "labels",
                    json!({"pipelines.kubeflow.org/kfp_sdk_version": SDK_VERSION}),
                ),
            ]),
        ),
        ("spec", Value::Object(spec)),
    ])
}

/// The tasks that exit handlers run: they sit outside every DAG.
fn exit_tasks(pipeline: &Pipeline) -> BTreeSet<usize> {
    pipeline
        .groups
        .iter()
        .filter_map(|g| match g.kind {
            GroupKind::ExitHandler { exit_task, .. } => Some(exit_task.index),
            _ => None,
        })
        .collect()
}

/// Places every task and group in the DAG of its group.
fn place_nodes(dags: &mut Dags, pipeline: &Pipeline, exit_tasks: &BTreeSet<usize>) {
    for (g, group) in pipeline.groups.iter().enumerate() {
        dags.children[dag_index(group.parent)].push(Node::Group(g));
    }
    for (i, task) in pipeline.tasks.iter().enumerate() {
        if !exit_tasks.contains(&i) {
            dags.children[dag_index(task.group)].push(Node::Task(i));
        }
    }
}

/// Every task's template, by task name: a container template, or a volume step.
fn task_templates(
    compiler: &Compiler,
    pipeline: &Pipeline,
    dags: &Dags,
    task_lines: &[CommandLine],
) -> BTreeMap<String, Value> {
    let mut templates: BTreeMap<String, Value> = BTreeMap::new();
    let mut rendered: HashMap<*const ComponentSpec, Rendered> = HashMap::new();
    for (i, task) in pipeline.tasks.iter().enumerate() {
        let inputs: BTreeSet<&String> = dags
            .args
            .get(&Node::Task(i))
            .map(|a| a.keys().collect())
            .unwrap_or_default();
        if crate::volumes::is_create_pvc(&task.component) {
            templates.insert(task.name.clone(), volumes::volume_op(task, SDK_VERSION));
            continue;
        }
        if crate::volumes::is_delete_pvc(&task.component) {
            let claim = task_lines[i].annotation.get("pvc_name").cloned();
            let inputs = inputs.into_iter().cloned().collect();
            templates.insert(
                task.name.clone(),
                volumes::delete_step(task, claim.unwrap_or_default(), inputs, SDK_VERSION),
            );
            continue;
        }
        let r = rendered
            .entry(std::sync::Arc::as_ptr(&task.component))
            .or_insert_with(|| Rendered::new(compiler, &task.component));
        templates.insert(
            task.name.clone(),
            container_template(r, pipeline, task, &task_lines[i], &dags.consumed[i], inputs),
        );
    }
    templates
}

/// Adds the DAG templates: the root's, and each group's.
fn dag_templates(
    templates: &mut BTreeMap<String, Value>,
    pipeline: &Pipeline,
    dags: &Dags,
    root_name: &str,
) {
    let root = dags.dag_template(root_name, None, Map::new());
    templates.insert(root_name.to_owned(), root);
    for (g, group) in pipeline.groups.iter().enumerate() {
        let mut extra = Map::new();
        if let GroupKind::Loop {
            parallelism: Some(n),
            ..
        } = group.kind
        {
            extra.insert("parallelism".into(), json!(n));
        }
        let name = group.name();
        let template = dags.dag_template(&name, Some(g), extra);
        templates.insert(name, template);
    }
}

/// The workflow's annotations: the SDK version, the compilation time when asked for, and the
/// pipeline spec.
fn annotations(compiler: &Compiler, pipeline: &Pipeline) -> Map<String, Value> {
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
    annotations
}

/// The workflow's `spec`: entry point, templates, arguments, exit handler and deadline.
fn workflow_spec(
    pipeline: &Pipeline,
    templates: BTreeMap<String, Value>,
    root_name: &str,
    exit_tasks: &BTreeSet<usize>,
) -> Map<String, Value> {
    let arguments: Vec<Value> = pipeline
        .params
        .iter()
        .map(|p| match &p.default {
            Some(d) => json!({"name": p.name, "value": constant_text(d)}),
            None => json!({ "name": p.name }),
        })
        .collect();
    let mut spec = Map::new();
    spec.insert("entrypoint".into(), json!(root_name));
    spec.insert(
        "templates".into(),
        Value::Array(templates.into_values().collect()),
    );
    spec.insert("arguments".into(), parameters(arguments));
    spec.insert("serviceAccountName".into(), json!("pipeline-runner"));
    if let Some(exit) = exit_tasks.iter().next() {
        spec.insert("onExit".into(), json!(pipeline.tasks[*exit].name));
    }
    if let Some(t) = &pipeline.timeout {
        spec.insert("activeDeadlineSeconds".into(), json!(t.seconds));
    }
    spec
}

/// `{"parameters": list}`, moving `list`.
fn parameters(list: Vec<Value>) -> Value {
    object([("parameters", Value::Array(list))])
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

/// The current UTC time as kfp writes it (`2026-11-29T10:50:52.576223`).
fn timestamp_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let (y, m, d) = crate::civil::civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        now.subsec_micros()
    )
}

#[cfg(test)]
mod tests {
    use super::groups::govaluate_escape;

    #[test]
    fn govaluate_escape_escapes_backslashes_and_quotes() {
        assert_eq!(
            govaluate_escape(r#"heads" || "a" == "a"#),
            r#"heads\" || \"a\" == \"a"#
        );
        assert_eq!(govaluate_escape(r"a\b"), r"a\\b");
        assert_eq!(govaluate_escape("heads"), "heads");
    }
}
