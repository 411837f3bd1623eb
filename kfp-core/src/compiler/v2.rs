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
//! Numbers are protobuf doubles in the IR, so integers are written as kfp writes them: `3.0`.

use serde_json::{json, Map, Value};

use super::check::upstream;
use super::{shell_quote, Compiler, SDK_VERSION};
use crate::artifact::ArtifactType;
use crate::pyjson;
use crate::settings;
use crate::spec::component::{sanitize_name, ComponentSpec, ParamRef};
use crate::spec::pipeline::{Arg, ParamSpec, Pipeline, TaskSpec};
use crate::types::ParamKind;
use crate::yaml;

/// kfp 2.17.3's default image for Python components.
pub const DEFAULT_IMAGE: &str = "python:3.11";

/// The IR schema version kfp 2.17.3 writes.
pub const SCHEMA_VERSION: &str = "2.1.0";

/// The `schemaVersion` kfp gives its built-in artifact types (`system.Dataset`, ...).
pub const ARTIFACT_SCHEMA_VERSION: &str = "0.0.1";

/// The flag before the executor input JSON in a v2 container's arguments.
pub const EXECUTOR_INPUT_FLAG: &str = "--executor_input";

/// The flag before the function's name in a v2 container's arguments.
pub const FUNCTION_FLAG: &str = "--function_to_execute";

/// The placeholder the KFP launcher replaces with the executor input JSON.
pub const EXECUTOR_INPUT_PLACEHOLDER: &str = "{{$}}";

/// Compiles `pipeline` (already checked) to KFP v2 IR YAML, with kfp's comment header.
pub fn compile(compiler: &Compiler, pipeline: &Pipeline) -> String {
    let mut docs = vec![pipeline_spec(compiler, pipeline)];
    docs.extend(platform_spec(pipeline));
    let mut out = header(pipeline);
    out.push_str(&yaml::to_string_multi(&docs));
    out
}

/// The `PipelineSpec` of `pipeline` (already checked) as JSON, keys sorted at every level.
///
/// Linear in the size of the pipeline: every lookup goes through a task's index.
pub fn pipeline_spec(compiler: &Compiler, pipeline: &Pipeline) -> Value {
    let ups = upstream(pipeline);
    let mut components = Map::new();
    let mut executors = Map::new();
    let mut dag_tasks = Map::new();
    for (i, task) in pipeline.tasks.iter().enumerate() {
        components.insert(component_name(task), component_spec(task));
        executors.insert(
            executor_label(task),
            object([("container", container(compiler, task))]),
        );
        let mut deps: Vec<&str> = ups[i]
            .iter()
            .map(|&u| pipeline.tasks[u].name.as_str())
            .collect();
        deps.sort_unstable();
        dag_tasks.insert(task.name.clone(), dag_task(pipeline, task, &deps));
    }

    let mut root = Map::new();
    root.insert("dag".into(), object([("tasks", Value::Object(dag_tasks))]));
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

    sort_keys(object([
        ("components", Value::Object(components)),
        (
            "deploymentSpec",
            object([("executors", Value::Object(executors))]),
        ),
        ("pipelineInfo", Value::Object(info)),
        ("root", Value::Object(root)),
        ("schemaVersion", json!(SCHEMA_VERSION)),
        ("sdkVersion", json!(SDK_VERSION)),
    ]))
}

/// A JSON object with these entries, moving the values: `json!` serializes (deep copies)
/// every value it interpolates, and copying every component, executor and task took most of
/// the compile time of a large pipeline.
fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// The `PlatformSpec` document of `pipeline`, keys sorted, when a task has Kubernetes
/// settings; `None` otherwise, as kfp writes the second document only for kfp-kubernetes.
pub fn platform_spec(pipeline: &Pipeline) -> Option<Value> {
    let executors: Map<String, Value> = pipeline
        .tasks
        .iter()
        .filter_map(|t| settings::v2_platform(&t.settings).map(|k| (executor_label(t), k)))
        .collect();
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
    let run = [
        compiler.get_binary_path().to_owned(),
        "component".to_owned(),
        component.key.clone(),
    ];
    if component.packages.is_empty() {
        return run.to_vec();
    }
    let pkgs = component
        .packages
        .iter()
        .map(|p| shell_quote(p))
        .collect::<Vec<_>>()
        .join(" ");
    let prelude = format!(
        "\nif ! [ -x \"$(command -v pip)\" ]; then\n    python3 -m ensurepip || python3 -m ensurepip --user || apt-get install python3-pip\nfi\n\n\
         PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location {pkgs} && \"$0\" \"$@\"\n"
    );
    let mut cmd = vec!["sh".to_owned(), "-c".to_owned(), prelude];
    cmd.extend(run);
    cmd
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
        let mut p = Map::new();
        if let Some(a) = component.artifact(ParamRef::Input(i)) {
            p.insert("artifactType".into(), artifact_type(a));
        }
        if input.optional {
            p.insert("isOptional".into(), json!(true));
        }
        if p.contains_key("artifactType") {
            artifacts.insert(input.name.clone(), Value::Object(p));
        } else {
            p.insert("parameterType".into(), json!(input.kind.v2_name()));
            params.insert(input.name.clone(), Value::Object(p));
        }
    }
    if let Some(defs) = definitions(params, artifacts) {
        spec.insert("inputDefinitions".into(), defs);
    }
    let mut params = Map::new();
    let mut artifacts = Map::new();
    for (i, output) in component.outputs.iter().enumerate() {
        match component.artifact(ParamRef::Output(i)) {
            Some(a) => artifacts.insert(
                output.name.clone(),
                json!({ "artifactType": artifact_type(a) }),
            ),
            None => params.insert(
                output.name.clone(),
                json!({ "parameterType": output.kind.v2_name() }),
            ),
        };
    }
    if let Some(defs) = definitions(params, artifacts) {
        spec.insert("outputDefinitions".into(), defs);
    }
    Value::Object(spec)
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
fn artifact_type(a: ArtifactType) -> Value {
    json!({ "schemaTitle": a.schema_title, "schemaVersion": ARTIFACT_SCHEMA_VERSION })
}

fn container(compiler: &Compiler, task: &TaskSpec) -> Value {
    let component = &task.component;
    let mut c = Map::new();
    c.insert("args".into(), json!(executor_args(component)));
    c.insert(
        "command".into(),
        json!(executor_command(compiler, component)),
    );
    if let Some(env) = settings::v2_env(&task.settings) {
        c.insert("env".into(), env);
    }
    c.insert(
        "image".into(),
        json!(component.base_image.as_deref().unwrap_or(DEFAULT_IMAGE)),
    );
    if let Some(resources) = settings::v2_resources(&task.settings) {
        c.insert("resources".into(), resources);
    }
    Value::Object(c)
}

fn dag_task(pipeline: &Pipeline, task: &TaskSpec, deps: &[&str]) -> Value {
    let mut params = Map::new();
    let mut artifacts = Map::new();
    for (i, (input, arg)) in task.component.inputs.iter().zip(&task.args).enumerate() {
        let is_artifact = task.component.artifact(ParamRef::Input(i)).is_some();
        let source = match arg {
            // A `None` for an optional input is the input left out, as in kfp.
            None | Some(Arg::Constant(Value::Null)) => continue,
            // Loop items exist only inside groups, which `check` refuses for v2 until the v2
            // target compiles them.
            Some(Arg::LoopItem { .. }) => continue,
            Some(Arg::Constant(v)) => json!({ "runtimeValue": { "constant": ir_value(v) } }),
            Some(Arg::Param(p)) if is_artifact => json!({ "componentInputArtifact": p }),
            Some(Arg::Param(p)) => json!({ "componentInputParameter": p }),
            Some(Arg::Output { task: t, output }) if is_artifact => json!({
                "taskOutputArtifact": {
                    "outputArtifactKey": output,
                    "producerTask": pipeline.tasks[t.index].name,
                }
            }),
            Some(Arg::Output { task: t, output }) => json!({
                "taskOutputParameter": {
                    "outputParameterKey": output,
                    "producerTask": pipeline.tasks[t.index].name,
                }
            }),
        };
        if is_artifact {
            artifacts.insert(input.name.clone(), source);
        } else {
            params.insert(input.name.clone(), source);
        }
    }
    let mut t = Map::new();
    t.insert(
        "cachingOptions".into(),
        if task.caching {
            json!({ "enableCache": true })
        } else {
            // `enableCache: false` is the proto default, which kfp leaves out.
            json!({})
        },
    );
    t.insert(
        "componentRef".into(),
        json!({ "name": component_name(task) }),
    );
    if !deps.is_empty() {
        t.insert("dependentTasks".into(), json!(deps));
    }
    if let Some(inputs) = definitions(params, artifacts) {
        t.insert("inputs".into(), inputs);
    }
    if let Some(retry) = settings::v2_retry_policy(&task.settings) {
        t.insert("retryPolicy".into(), retry);
    }
    t.insert(
        "taskInfo".into(),
        json!({ "name": task.display_name.as_deref().unwrap_or(&task.name) }),
    );
    Value::Object(t)
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
    out
}

/// Python's `str.splitlines()`: the line boundaries Python knows, which include every line
/// break a YAML reader knows.
fn split_lines(s: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\u{0b}'
                | '\u{0c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if is_break {
            lines.push(&s[start..i]);
            let mut end = i + c.len_utf8();
            if c == '\r' {
                if let Some(&(j, '\n')) = chars.peek() {
                    chars.next();
                    end = j + 1;
                }
            }
            start = end;
        }
    }
    if start < s.len() {
        lines.push(&s[start..]);
    }
    lines
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

fn push_py_escape(out: &mut String, c: char) {
    let n = u32::from(c);
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        _ if n <= 0xff => out.push_str(&format!("\\x{n:02x}")),
        _ if n <= 0xffff => out.push_str(&format!("\\u{n:04x}")),
        _ => out.push_str(&format!("\\U{n:08x}")),
    }
}

/// Whether Python's `str.isprintable()` holds for `c`, for the characters that matter here:
/// controls, line and paragraph separators, spaces other than ` `, format characters and
/// private-use and non-characters are not printable.
fn py_printable(c: char) -> bool {
    let n = u32::from(c);
    !(c.is_control()
        || matches!(n, 0xa0 | 0xad | 0x1680 | 0x180e | 0x2000..=0x200f | 0x2028..=0x202f)
        || matches!(n, 0x205f..=0x2064 | 0x3000 | 0xfeff | 0xfff9..=0xfffb | 0xfffe | 0xffff)
        || matches!(n, 0xe000..=0xf8ff | 0xf0000..=0xffffd | 0x100000..=0x10fffd))
}

/// Python's `repr()` of a string.
fn py_repr_str(out: &mut String, s: &str) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => push_py_escape(out, c),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !py_printable(c) => push_py_escape(out, c),
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// Python's `repr()` of a JSON value as `json_format.MessageToDict` gives it back (numbers are
/// floats), as kfp's header shows defaults: `'hello'`, `7.0`, `False`, `{'k': 'v'}`.
fn py_repr(value: &Value) -> String {
    let mut out = String::new();
    write_py_repr(&mut out, value);
    out
}

fn write_py_repr(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => match n.as_f64() {
            Some(f) => out.push_str(&pyjson::float_repr(f)),
            None => out.push_str(&n.to_string()),
        },
        Value::String(s) => py_repr_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py_repr(out, v);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                py_repr_str(out, k);
                out.push_str(": ");
                write_py_repr(out, v);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::compiler::Target;
    use crate::dsl::{add_task, build_pipeline, IntoArg, Task, TaskOutput};
    use crate::error::BuildError;
    use crate::runtime::{Invocation, RunError};
    use crate::spec::component::{InputSpec, OutputSpec};

    fn noop(_: &mut Invocation<'_>) -> Result<(), RunError> {
        Ok(())
    }

    fn component(
        key: &str,
        inputs: &[(&str, ParamKind, bool)],
        output: Option<ParamKind>,
    ) -> Arc<ComponentSpec> {
        let mut c = ComponentSpec::new(key);
        c.inputs = inputs
            .iter()
            .map(|&(name, kind, optional)| InputSpec {
                name: name.to_owned(),
                kind,
                rust_type: "T",
                optional,
            })
            .collect();
        c.outputs = output
            .into_iter()
            .map(|kind| OutputSpec {
                name: "Output".to_owned(),
                kind,
            })
            .collect();
        c.run = Some(noop);
        Arc::new(c)
    }

    fn compile_v2(p: &Pipeline) -> String {
        Compiler::new()
            .binary_path("/usr/local/bin/demo")
            .compile(p, Target::V2)
            .unwrap()
    }

    /// Two uses of one component fed by a parameter, an upstream output, constants and
    /// `after`; caching off and a display name on the second.
    fn demo() -> Pipeline {
        let make = component(
            "make_list",
            &[("n", ParamKind::Integer, false)],
            Some(ParamKind::List),
        );
        let show = component(
            "show",
            &[
                ("items", ParamKind::List, false),
                ("cfg", ParamKind::Struct, false),
                ("note", ParamKind::String, true),
            ],
            None,
        );
        build_pipeline(
            "Demo_Pipeline",
            Some("Line one\nLine two: not: yaml"),
            |params| {
                let n = params.param::<i64>("n", Some(7));
                params.param::<String>("label", Some("it's".to_owned()));
                params.param::<Option<f64>>("ratio", None);
                let made: Task<TaskOutput<Vec<i64>>> =
                    add_task(make.clone(), vec![Some(IntoArg::<i64>::into_arg(n))]);
                let first: Task<()> = add_task(
                    show.clone(),
                    vec![
                        Some(IntoArg::<Vec<i64>>::into_arg(made.output())),
                        Some(Arg::Constant(json!({"k": [1, 2.5, "x"]}))),
                        Some(Arg::Constant(Value::Null)),
                    ],
                );
                let _second: Task<()> = add_task(
                    show.clone(),
                    vec![
                        Some(Arg::Constant(json!([3]))),
                        Some(Arg::Constant(json!({}))),
                        Some(Arg::Constant(json!("hi"))),
                    ],
                )
                .after(&first)
                .after(&made)
                .set_display_name("Second show")
                .set_caching_options(false);
            },
        )
    }

    #[test]
    fn compiles_tasks_components_and_executors_like_kfp() {
        let text = compile_v2(&demo());
        let docs = yaml::from_str_multi(&text).unwrap();
        assert_eq!(
            docs.len(),
            1,
            "no Kubernetes settings, so no PlatformSpec:\n{text}"
        );
        let ir = &docs[0];
        let keys: Vec<&String> = ir.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "components",
                "deploymentSpec",
                "pipelineInfo",
                "root",
                "schemaVersion",
                "sdkVersion"
            ]
        );
        assert_eq!(ir["schemaVersion"], "2.1.0");
        assert_eq!(ir["sdkVersion"], SDK_VERSION);
        assert_eq!(ir["pipelineInfo"]["name"], "demo-pipeline");
        assert_eq!(
            ir["pipelineInfo"]["description"],
            "Line one\nLine two: not: yaml"
        );

        // One component and one executor per task, even for the same component.
        let comps = ir["components"].as_object().unwrap();
        let names: Vec<&String> = comps.keys().collect();
        assert_eq!(names, ["comp-make-list", "comp-show", "comp-show-2"]);
        assert_eq!(comps["comp-show-2"]["executorLabel"], "exec-show-2");
        let show_inputs = &comps["comp-show"]["inputDefinitions"]["parameters"];
        assert_eq!(show_inputs["items"]["parameterType"], "LIST");
        assert_eq!(show_inputs["cfg"]["parameterType"], "STRUCT");
        assert_eq!(
            show_inputs["note"],
            json!({"isOptional": true, "parameterType": "STRING"})
        );
        assert!(comps["comp-show"].get("outputDefinitions").is_none());
        assert_eq!(
            comps["comp-make-list"]["outputDefinitions"]["parameters"]["Output"]["parameterType"],
            "LIST"
        );
        let exec = &ir["deploymentSpec"]["executors"]["exec-show-2"]["container"];
        assert_eq!(
            exec["args"],
            json!(["--executor_input", "{{$}}", "--function_to_execute", "show"])
        );
        assert_eq!(
            exec["command"],
            json!(["/usr/local/bin/demo", "component", "show"])
        );
        assert_eq!(exec["image"], DEFAULT_IMAGE);

        let tasks = &ir["root"]["dag"]["tasks"];
        assert_eq!(
            tasks["make-list"]["inputs"]["parameters"]["n"],
            json!({"componentInputParameter": "n"})
        );
        assert_eq!(
            tasks["make-list"]["cachingOptions"],
            json!({"enableCache": true})
        );
        assert!(tasks["make-list"].get("dependentTasks").is_none());
        let show = &tasks["show"];
        assert_eq!(
            show["inputs"]["parameters"]["items"],
            json!({"taskOutputParameter": {"outputParameterKey": "Output", "producerTask": "make-list"}})
        );
        // A `None` for an optional input leaves the input out.
        assert!(show["inputs"]["parameters"].get("note").is_none());
        assert_eq!(show["dependentTasks"], json!(["make-list"]));
        assert_eq!(show["taskInfo"]["name"], "show");
        let second = &tasks["show-2"];
        assert_eq!(second["dependentTasks"], json!(["make-list", "show"]));
        assert_eq!(second["cachingOptions"], json!({}));
        assert_eq!(second["taskInfo"]["name"], "Second show");
        assert_eq!(second["componentRef"]["name"], "comp-show-2");
        assert_eq!(
            second["inputs"]["parameters"]["note"],
            json!({"runtimeValue": {"constant": "hi"}})
        );

        let inputs = &ir["root"]["inputDefinitions"]["parameters"];
        assert_eq!(
            inputs["n"],
            json!({"defaultValue": 7.0, "isOptional": true, "parameterType": "NUMBER_INTEGER"})
        );
        assert_eq!(
            inputs["ratio"],
            json!({"isOptional": true, "parameterType": "NUMBER_DOUBLE"})
        );
        assert_eq!(inputs["label"]["defaultValue"], "it's");
    }

    #[test]
    fn integers_are_written_as_doubles_even_when_nested() {
        let text = compile_v2(&demo());
        assert!(text.contains("defaultValue: 7.0\n"), "{text}");
        let ir: Value = yaml::from_str(&text).unwrap();
        let tasks = &ir["root"]["dag"]["tasks"];
        let k = &tasks["show"]["inputs"]["parameters"]["cfg"]["runtimeValue"]["constant"]["k"];
        assert_eq!(*k, json!([1.0, 2.5, "x"]));
        assert!(k[0].is_f64(), "{text}");
        let items = &tasks["show-2"]["inputs"]["parameters"]["items"]["runtimeValue"]["constant"];
        assert!(items[0].is_f64(), "{text}");
        assert_eq!(
            ir_value(&json!({"a": [1, -2, 2.5, "3"]})),
            json!({"a": [1.0, -2.0, 2.5, "3"]})
        );
        assert!(ir_value(&json!(3)).is_f64());
        assert!(!json!(3).is_f64());
    }

    #[test]
    fn header_follows_kfp_and_cannot_turn_into_yaml() {
        let text = compile_v2(&demo());
        let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
        assert_eq!(
            header,
            [
                "# PIPELINE DEFINITION",
                "# Name: demo-pipeline",
                "# Description: Line one",
                "#              Line two: not: yaml",
                "# Inputs:",
                "#    label: str [Default: \"it's\"]",
                "#    n: int [Default: 7.0]",
                "#    ratio: float",
            ]
        );
        assert!(text
            .lines()
            .nth(header.len())
            .unwrap()
            .starts_with("components:"));

        let p = build_pipeline("p", Some("a\u{2028}b: 1\r\nc\u{7}"), |params| {
            params.param::<String>("s", Some("x\ny: 1".to_owned()));
            let _: Task<()> = add_task(component("f", &[], None), vec![]);
        });
        let text = compile_v2(&p);
        assert!(
            text.contains("# Description: a\n#              b: 1\n#              c\\x07\n"),
            "{text}"
        );
        assert!(
            text.contains("#    s: str [Default: 'x\\ny: 1']\n"),
            "{text}"
        );
        let doc: Value = yaml::from_str(&text).unwrap();
        assert!(doc.get("b").is_none() && doc.get("y").is_none());
    }

    #[test]
    fn python_repr_of_defaults() {
        assert_eq!(py_repr(&json!("hello")), "'hello'");
        assert_eq!(py_repr(&json!("it's")), "\"it's\"");
        assert_eq!(py_repr(&json!("both ' and \"")), "'both \\' and \"'");
        assert_eq!(
            py_repr(&json!("tab\tback\\slash\u{a0}")),
            "'tab\\tback\\\\slash\\xa0'"
        );
        assert_eq!(py_repr(&json!("é 日本")), "'é 日本'");
        assert_eq!(
            py_repr(&ir_value(&json!({"k": "v", "n": 1, "l": [true, null]}))),
            "{'k': 'v', 'n': 1.0, 'l': [True, None]}"
        );
        assert_eq!(split_lines("a\r\nb\rc\n\nd\n"), ["a", "b", "c", "", "d"]);
        assert_eq!(split_lines("x"), ["x"]);
    }

    #[test]
    fn packages_get_a_pip_prelude_without_kfp() {
        let mut c = ComponentSpec::new("train");
        let compiler = Compiler::new().binary_path("/usr/local/bin/yolo pipe");
        assert_eq!(
            executor_command(&compiler, &c),
            ["/usr/local/bin/yolo pipe", "component", "train"]
        );
        c.packages = vec![
            "ultralytics".into(),
            "opencv-python==4.8.0.74".into(),
            "a'b; rm -rf /".into(),
        ];
        let cmd = executor_command(&compiler, &c);
        assert_eq!(cmd[..2], ["sh", "-c"]);
        assert_eq!(cmd[3..], ["/usr/local/bin/yolo pipe", "component", "train"]);
        assert!(
            cmd[2].starts_with("\nif ! [ -x \"$(command -v pip)\" ]; then\n"),
            "{}",
            cmd[2]
        );
        assert!(
            cmd[2].ends_with(
                "--no-warn-script-location 'ultralytics' 'opencv-python==4.8.0.74' 'a'\\''b; rm -rf /' && \"$0\" \"$@\"\n"
            ),
            "{}",
            cmd[2]
        );
        assert!(!cmd[2].contains("kfp=="));
    }

    #[test]
    fn kubernetes_settings_add_a_platform_spec() {
        let p = build_pipeline("k8s", None, |_| {
            let c = component("f", &[], None);
            let _: Task<()> = add_task(c.clone(), vec![]);
            let _: Task<()> = add_task(c, vec![])
                .add_node_selector("disk", "ssd")
                .set_cpu_limit("2")
                .set_retry(3);
        });
        let text = compile_v2(&p);
        let docs = yaml::from_str_multi(&text).unwrap();
        assert_eq!(docs.len(), 2, "{text}");
        let executors = docs[1]["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
            .as_object()
            .unwrap();
        assert_eq!(executors.keys().collect::<Vec<_>>(), ["exec-f-2"]);
        assert_eq!(
            executors["exec-f-2"]["nodeSelector"]["labels"]["disk"],
            "ssd"
        );
        let ir = &docs[0];
        assert_eq!(
            ir["deploymentSpec"]["executors"]["exec-f-2"]["container"]["resources"]
                ["resourceCpuLimit"],
            "2"
        );
        assert_eq!(
            ir["root"]["dag"]["tasks"]["f-2"]["retryPolicy"]["maxRetryCount"],
            3
        );
        assert!(ir["root"]["dag"]["tasks"]["f"].get("retryPolicy").is_none());
    }

    #[test]
    fn files_are_artifacts_in_the_ir() {
        use crate::artifact::{ArtifactKind, Dataset, Model};
        let mut make = ComponentSpec::new("make_dataset");
        make.outputs.push(OutputSpec {
            name: "dataset_path".into(),
            kind: ParamKind::String,
        });
        make.artifacts = vec![(ParamRef::Output(0), Dataset::TYPE)];
        make.run = Some(noop);
        let mut fit = (*component(
            "fit",
            &[
                ("data_path", ParamKind::String, false),
                ("epochs", ParamKind::Integer, false),
            ],
            Some(ParamKind::Float),
        ))
        .clone();
        fit.outputs.push(OutputSpec {
            name: "model".into(),
            kind: ParamKind::String,
        });
        fit.artifacts = vec![
            (ParamRef::Input(0), Dataset::TYPE),
            (ParamRef::Output(1), Model::TYPE),
        ];
        let (make, fit) = (Arc::new(make), Arc::new(fit));
        let p = build_pipeline("files", None, |_| {
            let data: Task<()> = add_task(make.clone(), vec![]);
            let output = Arg::Output {
                task: data.id(),
                output: "dataset_path".into(),
            };
            let _: Task<()> = add_task(
                fit.clone(),
                vec![Some(output), Some(Arg::Constant(json!(2)))],
            );
        });
        let ir: Value = yaml::from_str(&compile_v2(&p)).unwrap();
        let dataset =
            json!({"artifactType": {"schemaTitle": "system.Dataset", "schemaVersion": "0.0.1"}});
        assert_eq!(
            ir["components"]["comp-make-dataset"]["outputDefinitions"],
            json!({"artifacts": {"dataset_path": dataset}})
        );
        let fit_comp = &ir["components"]["comp-fit"];
        assert_eq!(
            fit_comp["inputDefinitions"]["artifacts"],
            json!({"data_path": dataset})
        );
        assert_eq!(
            fit_comp["inputDefinitions"]["parameters"],
            json!({"epochs": {"parameterType": "NUMBER_INTEGER"}})
        );
        assert_eq!(
            fit_comp["outputDefinitions"],
            json!({
                "artifacts": {"model": {"artifactType": {"schemaTitle": "system.Model", "schemaVersion": "0.0.1"}}},
                "parameters": {"Output": {"parameterType": "NUMBER_DOUBLE"}},
            })
        );
        let task = &ir["root"]["dag"]["tasks"]["fit"];
        assert_eq!(
            task["inputs"]["artifacts"]["data_path"],
            json!({"taskOutputArtifact": {"outputArtifactKey": "dataset_path", "producerTask": "make-dataset"}})
        );
        assert_eq!(
            task["inputs"]["parameters"]["epochs"]["runtimeValue"]["constant"],
            2.0
        );
        assert_eq!(task["dependentTasks"], json!(["make-dataset"]));
    }

    #[test]
    fn names_that_sanitise_to_nothing_are_refused() {
        let p = build_pipeline("__", None, |_| {
            let _: Task<()> = add_task(component("f", &[], None), vec![]);
        });
        let err = Compiler::new().compile(&p, Target::V2).unwrap_err();
        assert!(
            err.errors.contains(&BuildError::InvalidPipelineName {
                name: "__".into(),
                sanitized: String::new(),
            }),
            "{err}"
        );
        assert!(
            err.to_string().contains("^[a-z0-9][a-z0-9-]{0,127}$"),
            "{err}"
        );
    }

    #[test]
    fn many_tasks_compile_in_one_pass() {
        // A chain: each task consumes the previous one's output.
        let c = component(
            "step",
            &[("x", ParamKind::Integer, false)],
            Some(ParamKind::Integer),
        );
        let p = build_pipeline("chain", None, |_| {
            let mut prev: Task<TaskOutput<i64>> =
                add_task(c.clone(), vec![Some(Arg::Constant(json!(0)))]);
            for _ in 1..3000 {
                prev = add_task(
                    c.clone(),
                    vec![Some(IntoArg::<i64>::into_arg(prev.output()))],
                );
            }
        });
        let spec = pipeline_spec(&Compiler::new(), &p);
        let tasks = spec["root"]["dag"]["tasks"].as_object().unwrap();
        assert_eq!(tasks.len(), 3000);
        assert_eq!(tasks["step-3000"]["dependentTasks"], json!(["step-2999"]));
        assert_eq!(spec["components"].as_object().unwrap().len(), 3000);
    }
}
