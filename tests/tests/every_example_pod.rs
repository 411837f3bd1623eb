//! Every example, compiled for both targets by its own binary, with every executor run the way
//! its cluster runs it: the container's `command` + `args` exactly as the YAML writes them,
//! the in-image binary mapped to the example binary cargo built, and the pip prelude skipped
//! (as `flagship_pod.rs` and `v2_runtime.rs` skip it: it only installs packages, then hands
//! over to `"$0" "$@"`).
//!
//! KFP v2: `{{$}}` becomes an executor input built as the launcher builds it (a value of each
//! declared input type, input artifacts as files, output files and artifact URIs in a temp
//! folder). KFP v1: `{{inputs.parameters.X}}` becomes a value of the component input's type
//! and `/tmp/inputs`, `/tmp/outputs` a temp folder. Each run must exit 0, or 1 for the
//! component's own failure; never 2 (the binary refusing the invocation its own YAML wrote)
//! nor a panic.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kfp_core::__private::support::yaml;
use serde_json::{json, Map, Value};
use support::{all_examples, built_example, TempDir};

/// How long one executor may run before the test calls it hung.
const LIMIT: Duration = Duration::from_secs(120);

/// Compiles example `name` for `target` (`v1` or `v2`) with its binary; returns the YAML's
/// documents.
fn compile(name: &str, target: &str, dir: &Path) -> Vec<Value> {
    let out = dir.join(format!("{name}-{target}.yaml"));
    let out_arg = out.to_string_lossy().into_owned();
    let args: Vec<&str> = if name == "scale" {
        // The synthetic-pipeline generator has its own command line.
        vec![
            "--tasks", "3", "--shape", "fanout", "--target", target, "-o", &out_arg,
        ]
    } else {
        vec!["compile", "--target", target, "-o", &out_arg]
    };
    let r = Command::new(built_example(name))
        .args(&args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {name}: {e}"));
    assert!(
        r.status.success(),
        "{name} does not compile for {target}: {}",
        String::from_utf8_lossy(&r.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    yaml::from_str_multi(&text).unwrap_or_else(|e| panic!("{name} {target}: not YAML: {e}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The program and arguments of `command` after the pip prelude, with the in-image binary
/// replaced by example `name`'s binary; `None` for a container that runs another program (a
/// container component with its own image).
fn local_command(name: &str, command: &[String]) -> Option<(PathBuf, Vec<String>)> {
    let command = match command {
        [sh, c, prelude, rest @ ..] if sh == "sh" && c == "-c" => {
            if !prelude.ends_with("\"$0\" \"$@\"") {
                return None;
            }
            rest
        }
        all => all,
    };
    let (program, rest) = command.split_first()?;
    if !program.starts_with("/usr/local/bin/") {
        return None;
    }
    assert_eq!(
        rest.first().map(String::as_str),
        Some("component"),
        "{name}: {command:?}"
    );
    Some((built_example(name), rest.to_vec()))
}

/// What one run said.
struct Outcome {
    code: Option<i32>,
    stderr: String,
}

/// Runs `program` with `args` in `cwd`, killing it after [`LIMIT`].
fn run(program: &Path, args: &[String], cwd: &Path) -> Outcome {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .env_remove("CLUSTER_SPEC")
        .env_remove("MLFLOW_TRACKING_URI")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{} {args:?} ran past {LIMIT:?}", program.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    Outcome {
        code: status.code(),
        stderr,
    }
}

/// A KFP v2 value of `parameter_type`.
fn v2_sample(parameter_type: &str) -> Value {
    match parameter_type {
        "NUMBER_INTEGER" => json!(3),
        "NUMBER_DOUBLE" => json!(0.5),
        "BOOLEAN" => json!(true),
        "LIST" => json!([]),
        "STRUCT" => json!({}),
        "TASK_FINAL_STATUS" => json!({
            "state": "SUCCEEDED",
            "pipelineJobResourceName": "projects/p/locations/l/pipelineJobs/run-1",
            "pipelineTaskName": "exit-handler-1",
            "error": {},
        }),
        _ => json!("x"),
    }
}

/// The executor input the launcher builds for `component`, its files under `root`.
fn executor_input(component: &Value, root: &Path) -> Value {
    let ins = &component["inputDefinitions"];
    let mut values = Map::new();
    for (name, def) in ins["parameters"].as_object().into_iter().flatten() {
        let value = def
            .get("defaultValue")
            .cloned()
            .unwrap_or_else(|| v2_sample(def["parameterType"].as_str().unwrap_or_default()));
        values.insert(name.clone(), value);
    }
    let mut in_artifacts = Map::new();
    for (name, def) in ins["artifacts"].as_object().into_iter().flatten() {
        let file = root.join("in").join(name);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "1,1\n2,4\n").unwrap();
        in_artifacts.insert(
            name.clone(),
            json!({"artifacts": [{
                "name": name,
                "type": def["artifactType"],
                "uri": file,
                "metadata": {},
            }]}),
        );
    }
    let outs = &component["outputDefinitions"];
    let mut out_params = Map::new();
    for name in outs["parameters"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
    {
        let file = root.join("kfp/outputs").join(name);
        out_params.insert(name.clone(), json!({ "outputFile": file }));
    }
    let mut out_artifacts = Map::new();
    for (name, def) in outs["artifacts"].as_object().into_iter().flatten() {
        let uri = root.join("out").join(name);
        out_artifacts.insert(
            name.clone(),
            json!({"artifacts": [{
                "name": name,
                "type": def["artifactType"],
                "uri": uri,
                "metadata": {},
            }]}),
        );
    }
    json!({
        "inputs": { "parameterValues": values, "artifacts": in_artifacts },
        "outputs": {
            "parameters": out_params,
            "artifacts": out_artifacts,
            "outputFile": root.join("kfp_outputs/executor_output.json"),
        },
    })
}

/// Runs every KFP v2 executor of example `name`; returns how many ran and the failures.
fn run_v2(name: &str, scratch: &Path) -> (usize, Vec<String>) {
    let docs = compile(name, "v2", scratch);
    let ir = &docs[0];
    let mut ran = 0;
    let mut failures = Vec::new();
    let components = ir["components"].as_object().cloned().unwrap_or_default();
    for (exec, def) in ir["deploymentSpec"]["executors"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let container = &def["container"];
        let Some((program, mut args)) = local_command(name, &strings(&container["command"])) else {
            continue;
        };
        let component = components
            .values()
            .find(|c| c["executorLabel"] == exec.as_str())
            .unwrap_or_else(|| panic!("{name}: no component runs `{exec}`"));
        let root = scratch.join(format!("{name}-v2-{exec}"));
        let input = executor_input(component, &root).to_string();
        args.extend(
            strings(&container["args"])
                .iter()
                .map(|a| a.replace("{{$}}", &input)),
        );
        std::fs::create_dir_all(&root).unwrap();
        let out = run(&program, &args, &root);
        ran += 1;
        if !matches!(out.code, Some(0 | 1)) || out.stderr.contains("panicked") {
            failures.push(format!(
                "{name} v2 {exec}: exit {:?}\n{}",
                out.code, out.stderr
            ));
        }
    }
    (ran, failures)
}

/// A KFP v1 value of component input type `kind`, as text.
fn v1_sample(kind: Option<&str>) -> String {
    match kind {
        Some("Integer") => "3",
        Some("Float") => "0.5",
        Some("Boolean" | "Bool") => "True",
        Some("JsonObject" | "Dict") => "{}",
        Some("JsonArray" | "List") => "[]",
        _ => "x",
    }
    .to_owned()
}

/// Maps the pod's `/tmp/inputs/...` and `/tmp/outputs/...` to `root`.
fn map_path(text: &str, root: &Path) -> String {
    let root = root.to_string_lossy();
    text.replace("/tmp/inputs/", &format!("{root}/inputs/"))
        .replace("/tmp/outputs/", &format!("{root}/outputs/"))
}

/// Replaces every `{{inputs.parameters.NAME}}` in `text` with `values[NAME]`.
fn substitute(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = text.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{{inputs.parameters.{name}}}}}"), value);
    }
    assert!(
        !out.contains("{{inputs.parameters."),
        "unresolved parameter in {text:?}"
    );
    out
}

/// Runs every container template of example `name` compiled for KFP v1.
fn run_v1(name: &str, scratch: &Path) -> (usize, Vec<String>) {
    let docs = compile(name, "v1", scratch);
    let wf = &docs[0];
    let mut ran = 0;
    let mut failures = Vec::new();
    for t in wf["spec"]["templates"].as_array().into_iter().flatten() {
        let container = &t["container"];
        if container.is_null() {
            continue;
        }
        let template = t["name"].as_str().unwrap_or_default();
        let Some((program, mut args)) = local_command(name, &strings(&container["command"])) else {
            continue;
        };
        let annotations = &t["metadata"]["annotations"];
        let spec: Value = annotations["pipelines.kubeflow.org/component_spec"]
            .as_str()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        let bound: Value = annotations["pipelines.kubeflow.org/arguments.parameters"]
            .as_str()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        let input_type = |input: &str| {
            spec["inputs"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|i| i["name"] == input)
                .and_then(|i| i["type"].as_str())
                .map(str::to_owned)
        };
        // Each template parameter gets a value of the type of the component input it feeds.
        let mut values = BTreeMap::new();
        for p in t["inputs"]["parameters"].as_array().into_iter().flatten() {
            let param = p["name"].as_str().unwrap_or_default();
            let tag = format!("{{{{inputs.parameters.{param}}}}}");
            let fed = bound
                .as_object()
                .into_iter()
                .flatten()
                .find(|(_, v)| v.as_str() == Some(tag.as_str()))
                .map(|(k, _)| k.clone());
            let kind = fed.as_deref().and_then(input_type);
            values.insert(param.to_owned(), v1_sample(kind.as_deref()));
        }
        let root = scratch.join(format!("{name}-v1-{template}"));
        for a in t["inputs"]["artifacts"].as_array().into_iter().flatten() {
            if let Some(path) = a["path"].as_str() {
                let file = PathBuf::from(map_path(path, &root));
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(&file, "1,1\n2,4\n").unwrap();
            }
        }
        args.extend(
            strings(&container["args"])
                .iter()
                .map(|a| map_path(&substitute(a, &values), &root)),
        );
        std::fs::create_dir_all(&root).unwrap();
        let out = run(&program, &args, &root);
        ran += 1;
        if !matches!(out.code, Some(0 | 1)) || out.stderr.contains("panicked") {
            failures.push(format!(
                "{name} v1 {template}: exit {:?}\n{}",
                out.code, out.stderr
            ));
        }
    }
    (ran, failures)
}

#[test]
fn every_executor_of_every_example_accepts_its_own_invocation() {
    let scratch = TempDir::new("every-example");
    let mut ran = BTreeMap::new();
    let mut failures = Vec::new();
    for name in all_examples() {
        let skip = (0, Vec::new());
        let (v1, f1) = if support::compiles_for(name, "v1") {
            run_v1(name, scratch.path())
        } else {
            skip.clone()
        };
        let (v2, f2) = if support::compiles_for(name, "v2") {
            run_v2(name, scratch.path())
        } else {
            skip
        };
        failures.extend(f1);
        failures.extend(f2);
        ran.insert(name.clone(), (v1, v2));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The examples this test must not skip: each runs its Rust components on both targets.
    for name in [
        "artifact_passing",
        "parallelfor_static",
        "param_types",
        "yolov8withmlflow",
    ] {
        let (v1, v2) = ran[name];
        assert!(v1 > 0 && v2 > 0, "{name} ran {v1} v1 and {v2} v2 executors");
    }
    let total: usize = ran.values().map(|(a, b)| a + b).sum();
    assert!(total >= 60, "only {total} executors ran: {ran:?}");
}
