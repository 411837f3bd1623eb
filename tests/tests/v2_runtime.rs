//! The flagship's KFP v2 executors, run the way a KFP 2.x cluster runs them: the container
//! command and arguments come from the compiled IR, `{{$}}` becomes an executor input built as
//! the KFP launcher builds it (input values resolved from the DAG, output files under the
//! task's folder, `outputs.outputFile` for `executor_output.json`), and the in-image binary
//! path is mapped to the example binary cargo builds.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use kfp_core::prelude::*;
use serde_json::{json, Map, Value};

const IN_IMAGE: &str = "/usr/local/bin/yolov8withmlflow";

/// Builds the `yolov8withmlflow` example once and returns the path of its binary.
fn example_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let out = Command::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "-p",
                "kfp-examples",
                "--example",
                "yolov8withmlflow",
                "--message-format=json",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cannot run cargo");
        assert!(
            out.status.success(),
            "cargo build --example yolov8withmlflow failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|m| m["reason"] == "compiler-artifact")
            .filter(|m| m["target"]["name"] == "yolov8withmlflow")
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo reported no yolov8withmlflow executable")
    })
}

/// The flagship compiled for KFP v2, as its first YAML document.
fn flagship_ir() -> Value {
    let text = Compiler::new()
        .binary_path(IN_IMAGE)
        .compile(
            &kfp_examples::yolov8withmlflow::train_pipeline(),
            Target::V2,
        )
        .expect("the flagship compiles for v2");
    let mut docs =
        kfp_core::__private::support::yaml::from_str_multi(&text).expect("the IR is YAML");
    // The second document is the PlatformSpec: the flagship's S3 keys come from a Secret.
    assert_eq!(docs.len(), 2, "the flagship has its Kubernetes settings");
    assert!(
        docs[1]["platforms"]["kubernetes"]["deploymentSpec"]["executors"]["exec-train"]
            ["secretAsEnv"]
            .is_array(),
        "{}",
        docs[1]
    );
    docs.remove(0)
}

/// A scratch folder for one test, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kfp-v2-runtime-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The executor input the KFP launcher builds for `task` of `ir`: each input parameter of the
/// task's component resolved from the task's inputs (a pipeline argument from `run_args`, an
/// upstream output from `upstream`, or a constant), an `outputFile` per output parameter in
/// `root`/`kfp/outputs/`, and `executor_output.json` at `root`/`kfp_outputs/`.
fn executor_input(
    ir: &Value,
    task: &str,
    run_args: &Map<String, Value>,
    upstream: &Map<String, Value>,
    root: &Path,
) -> Value {
    let t = &ir["root"]["dag"]["tasks"][task];
    let comp = &ir["components"][t["componentRef"]["name"].as_str().unwrap()];
    let mut values = Map::new();
    if let Some(defs) = comp["inputDefinitions"]["parameters"].as_object() {
        for name in defs.keys() {
            let source = &t["inputs"]["parameters"][name];
            let value = if let Some(p) = source["componentInputParameter"].as_str() {
                run_args[p].clone()
            } else if let Some(o) = source.get("taskOutputParameter") {
                let producer = o["producerTask"].as_str().unwrap();
                upstream[producer][o["outputParameterKey"].as_str().unwrap()].clone()
            } else if source.is_null() {
                // An optional input the task leaves out: the driver gives its default.
                defs[name]["defaultValue"].clone()
            } else {
                source["runtimeValue"]["constant"].clone()
            };
            values.insert(name.clone(), value);
        }
    }
    let mut outputs = Map::new();
    if let Some(defs) = comp["outputDefinitions"]["parameters"].as_object() {
        for name in defs.keys() {
            let file = root.join("kfp/outputs").join(name);
            outputs.insert(name.clone(), json!({ "outputFile": file }));
        }
    }
    json!({
        "inputs": { "parameterValues": values },
        "outputs": {
            "parameters": outputs,
            "outputFile": root.join("kfp_outputs/executor_output.json"),
        },
    })
}

/// Runs `executor`'s container with `{{$}}` replaced by `input`; the pip prelude is skipped
/// and the in-image binary is the example binary.
fn run_executor(ir: &Value, executor: &str, input: &str) -> Output {
    let container = &ir["deploymentSpec"]["executors"][executor]["container"];
    let command: Vec<&str> = container["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let command = match command.as_slice() {
        ["sh", "-c", _prelude, rest @ ..] => rest,
        all => all,
    };
    assert_eq!(command.first(), Some(&IN_IMAGE), "{executor}: {command:?}");
    let args: Vec<String> = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().replace("{{$}}", input))
        .collect();
    Command::new(example_binary())
        .args(&command[1..])
        .args(&args)
        .env_remove("CLUSTER_SPEC")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn run_args() -> Map<String, Value> {
    // Pipeline arguments as the launcher passes them: protobuf values, so integers arrive as
    // JSON numbers (`3`, or `3.0` from some serialisers).
    json!({"model_name": "yolov8n.pt", "epochs": 3, "imgsz": 640.0, "batchsize": 16})
        .as_object()
        .unwrap()
        .clone()
}

#[test]
fn verify_training_writes_its_boolean_output() {
    let ir = flagship_ir();
    let root = scratch("verify");
    let input = executor_input(&ir, "verify-training", &run_args(), &Map::new(), &root);
    let out = run_executor(&ir, "exec-verify-training", &input.to_string());
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    // The parameter file holds what kfp's executor makes of a bool: `True` or `False`, which
    // the launcher reads with Go's `strconv.ParseBool`.
    let file = std::fs::read_to_string(root.join("kfp/outputs/Output")).unwrap();
    let from_file = match file.as_str() {
        "True" => true,
        "False" => false,
        other => panic!("the Output file holds {other:?}, not a Python bool"),
    };
    let meta: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("kfp_outputs/executor_output.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(meta, json!({"parameterValues": {"Output": from_file}}));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn train_without_a_gpu_prints_the_seed_message_and_succeeds() {
    let ir = flagship_ir();
    let root = scratch("train");
    // On a cluster the launcher takes `checker` from verify-training's output.
    let upstream = json!({"verify-training": {"Output": false}});
    let input = executor_input(
        &ir,
        "train",
        &run_args(),
        upstream.as_object().unwrap(),
        &root,
    );
    assert_eq!(input["inputs"]["parameterValues"]["checker"], false);
    assert_eq!(
        input["inputs"]["parameterValues"]["model_name"],
        "yolov8n.pt"
    );
    let out = run_executor(&ir, "exec-train", &input.to_string());
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{}",
        text(&out.stderr)
    );
    assert!(
        stdout.contains("CUDA is not available.\nPlease Check GPU Device"),
        "{stdout}"
    );
    // No outputs: kfp's executor writes an empty executor output.
    let meta = std::fs::read_to_string(root.join("kfp_outputs/executor_output.json")).unwrap();
    assert_eq!(meta, "{}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_bad_executor_input_exits_2_with_a_clear_message() {
    let ir = flagship_ir();
    let root = scratch("bad");
    let upstream = json!({"verify-training": {"Output": false}});
    let good = executor_input(
        &ir,
        "train",
        &run_args(),
        upstream.as_object().unwrap(),
        &root,
    );
    let mut wrong_type = good.clone();
    wrong_type["inputs"]["parameterValues"]["epochs"] = json!("three");
    let mut missing = good.clone();
    missing["inputs"]["parameterValues"]
        .as_object_mut()
        .unwrap()
        .remove("checker");
    let mut not_an_object = good.clone();
    not_an_object["inputs"]["parameterValues"] = json!([1, 2]);
    let cases = [
        ("{\"inputs\": ".to_owned(), "not valid JSON"),
        (wrong_type.to_string(), "`inputs.parameterValues.epochs`"),
        (
            missing.to_string(),
            "missing `inputs.parameterValues.checker`",
        ),
        (
            not_an_object.to_string(),
            "`inputs.parameterValues` is an array",
        ),
    ];
    for (input, expected) in cases {
        let out = run_executor(&ir, "exec-train", &input);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{input}\nstderr:\n{stderr}");
        assert!(stderr.contains("component `train`"), "{stderr}");
        assert!(stderr.contains(expected), "{expected}:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            !text(&out.stdout).contains("CUDA is not available"),
            "the function ran on a bad input"
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// The pip prelude hands the executor input to the binary intact: `sh -c PRELUDE` with stub
/// `pip` and `python3` first on `PATH`, so nothing is installed.
#[test]
fn the_pip_prelude_passes_the_executor_input_through() {
    let ir = flagship_ir();
    let root = scratch("prelude");
    let stubs = root.join("stubs");
    std::fs::create_dir_all(&stubs).unwrap();
    let log = root.join("python3.log");
    for (name, body) in [
        ("pip", "exit 0\n".to_owned()),
        (
            "python3",
            format!("printf '%s\\n' \"$*\" >> '{}'\nexit 0\n", log.display()),
        ),
    ] {
        let path = stubs.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    let upstream = json!({"verify-training": {"Output": false}});
    let mut input = executor_input(
        &ir,
        "train",
        &run_args(),
        upstream.as_object().unwrap(),
        &root,
    );
    // Quotes, spaces, `$` and a newline must survive the shell.
    input["inputs"]["parameterValues"]["model_name"] = json!("it's a \"model\" $HOME\n.pt");
    let container = &ir["deploymentSpec"]["executors"]["exec-train"]["container"];
    let command: Vec<String> = container["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(command[..2], ["sh", "-c"]);
    assert_eq!(command[3..], [IN_IMAGE, "component", "train"]);
    let args: Vec<String> = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().replace("{{$}}", &input.to_string()))
        .collect();
    let path = format!(
        "{}:{}",
        stubs.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .args(["-c", &command[2]])
        .arg(example_binary())
        .args(&command[4..])
        .args(&args)
        .env("PATH", path)
        .env_remove("CLUSTER_SPEC")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("CUDA is not available.\nPlease Check GPU Device"));
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        calls.trim_end(),
        "-m pip install --quiet --no-warn-script-location ultralytics opencv-python==4.8.0.74 mlflow boto3"
    );
    let _ = std::fs::remove_dir_all(&root);
}

/// `compile --target v2 -o PATH` writes what the compiler gives for the binary's own path.
#[test]
fn the_cli_compiles_the_same_ir() {
    let root = scratch("cli");
    let path = root.join("flagship.yaml");
    let out = Command::new(example_binary())
        .args(["compile", "--target", "v2", "--binary", IN_IMAGE, "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&path).unwrap();
    let expected = Compiler::new()
        .binary_path(IN_IMAGE)
        .compile(
            &kfp_examples::yolov8withmlflow::train_pipeline(),
            Target::V2,
        )
        .unwrap();
    assert_eq!(written, expected);
    assert!(written.starts_with("# PIPELINE DEFINITION\n# Name: yolov8withmlflow\n"));
    let _ = std::fs::remove_dir_all(&root);
}
