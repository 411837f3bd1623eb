//! Acceptance for the in-pod runtime: the flagship's compiled YAML, run as Argo runs it.
//!
//! The binary compiles `yolov8withmlflow.yaml`; each container's `command` + `args` is then
//! run after substituting the parameters as Argo does (`{{inputs.parameters.X}}` in the
//! template, `{{tasks.T.outputs.parameters.P}}` in the DAG, output parameters read from their
//! `valueFrom.path`), with the pip prelude skipped, the in-image binary mapped to the one cargo
//! built and the pod's `/tmp/outputs` mapped to a private folder.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kfp_core::__private::support::v1_workflow;
use kfp_core::Compiler;
use serde_json::Value;
use support::{example, run_in, Run, TempDir};

/// Where the compiled YAML runs the binary inside the image.
const IN_IMAGE: &str = "/usr/local/bin/yolov8withmlflow";

/// The pipeline's run parameters.
const PARAMS: [(&str, &str); 4] = [
    ("model_name", "yolov8n.pt"),
    ("epochs", "3"),
    ("imgsz", "640"),
    ("batchsize", "16"),
];

/// Compiles the flagship with its own binary into `dir` and returns the YAML text.
fn compile_with_binary(dir: &Path, file: &str) -> String {
    let r = run_in(&example("yolov8withmlflow"), &["compile", "-o", file], dir);
    assert_eq!(r.code, Some(0), "compile failed: {}", r.stderr);
    std::fs::read_to_string(dir.join(file)).unwrap()
}

/// The compiled workflow, parsed.
struct Workflow {
    doc: Value,
}

impl Workflow {
    fn template(&self, name: &str) -> &Value {
        self.doc["spec"]["templates"]
            .as_array()
            .and_then(|ts| ts.iter().find(|t| t["name"] == name))
            .unwrap_or_else(|| panic!("no template `{name}`"))
    }

    fn strings(v: &Value) -> Vec<String> {
        v.as_array()
            .unwrap_or_else(|| panic!("not a list: {v}"))
            .iter()
            .map(|s| {
                s.as_str()
                    .unwrap_or_else(|| panic!("not a string: {s}"))
                    .to_owned()
            })
            .collect()
    }
}

/// Replaces every `{{prefix.NAME}}` in `text` with `values[NAME]`, as Argo does; a tag with
/// no value is an error, as it is for Argo.
fn substitute(text: &str, prefix: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    let open = format!("{{{{{prefix}.");
    while let Some(start) = rest.find(&open) {
        out.push_str(&rest[..start]);
        let after = &rest[start + open.len()..];
        let end = after
            .find("}}")
            .unwrap_or_else(|| panic!("unclosed tag in {text:?}"));
        let name = &after[..end];
        let value = values
            .get(name)
            .unwrap_or_else(|| panic!("{text:?}: nothing for `{prefix}.{name}`"));
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The pod's view of one container template: the program and its arguments after Argo's
/// substitution, with the pip prelude skipped and paths mapped to this machine.
struct Pod {
    program: PathBuf,
    args: Vec<String>,
    /// Output parameter name → file on this machine.
    outputs: BTreeMap<String, PathBuf>,
}

/// Maps the pod's `/tmp/outputs/...` to `root`.
fn map_path(path: &str, root: &Path) -> String {
    match path.strip_prefix("/tmp/outputs/") {
        Some(rest) => root
            .join("outputs")
            .join(rest)
            .to_string_lossy()
            .into_owned(),
        None => path.to_owned(),
    }
}

fn pod(wf: &Workflow, template: &str, inputs: &BTreeMap<String, String>, root: &Path) -> Pod {
    let t = wf.template(template);
    let container = &t["container"];
    let mut command = Workflow::strings(&container["command"]);
    if command.first().map(String::as_str) == Some("sh") {
        // `sh -c PRELUDE <binary> component <key>`: the prelude pip-installs, then runs
        // `"$0" "$@"`, which is what follows it.
        assert_eq!(command[1], "-c", "{command:?}");
        assert!(
            command[2].ends_with("&& \"$0\" \"$@\""),
            "the prelude must hand over to the binary: {:?}",
            command[2]
        );
        command.drain(..3);
    }
    assert_eq!(command.len(), 3, "{command:?}");
    assert_eq!(command[0], IN_IMAGE, "{command:?}");
    assert_eq!(command[1], "component");
    let declared: Vec<String> = t["inputs"]["parameters"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    for name in &declared {
        assert!(
            inputs.contains_key(name),
            "`{template}` needs input `{name}`"
        );
    }
    let mut args = command[1..].to_vec();
    for a in Workflow::strings(&container["args"]) {
        args.push(map_path(&substitute(&a, "inputs.parameters", inputs), root));
    }
    let outputs = t["outputs"]["parameters"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let path = p["valueFrom"]["path"].as_str().unwrap_or_default();
                    (
                        p["name"].as_str().unwrap_or_default().to_owned(),
                        PathBuf::from(map_path(path, root)),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Pod {
        program: example("yolov8withmlflow"),
        args,
        outputs,
    }
}

fn run_pod(pod: &Pod, args: &[String], root: &Path) -> Run {
    run_in(&pod.program, args, root)
}

/// The parameters the DAG hands task `task`: its `arguments.parameters`, resolved against the
/// run's parameters and the outputs of the tasks before it.
fn task_inputs(
    wf: &Workflow,
    task: &str,
    run_params: &BTreeMap<String, String>,
    task_outputs: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let root = wf.doc["spec"]["entrypoint"].as_str().unwrap();
    let dag_task = wf.template(root)["dag"]["tasks"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["name"] == task))
        .unwrap_or_else(|| panic!("no DAG task `{task}`"));
    let mut out = BTreeMap::new();
    for p in dag_task["arguments"]["parameters"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let value = p["value"].as_str().unwrap_or_default();
        let value = substitute(value, "inputs.parameters", run_params);
        let value = substitute(&value, "tasks", task_outputs);
        out.insert(p["name"].as_str().unwrap().to_owned(), value);
    }
    out
}

fn no_panic(r: &Run) {
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn the_compiled_flagship_runs_as_argo_runs_it() {
    let dir = TempDir::new("flagship-pod");
    let root = dir.path();
    let text = compile_with_binary(root, "x.yaml");
    let wf = Workflow {
        doc: kfp_core::__private::support::yaml::from_str(&text).unwrap(),
    };
    let run_params: BTreeMap<String, String> = PARAMS
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    // The workflow's own parameters are the pipeline's.
    let declared: Vec<&str> = wf.doc["spec"]["arguments"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(declared, ["model_name", "epochs", "imgsz", "batchsize"]);

    // verify-training: writes `True` or `False` to its output path.
    let mut task_outputs: BTreeMap<String, String> = BTreeMap::new();
    let inputs = task_inputs(&wf, "verify-training", &run_params, &task_outputs);
    let verify = pod(&wf, "verify-training", &inputs, root);
    let r = run_pod(&verify, &verify.args, root);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    no_panic(&r);
    assert_eq!(verify.outputs.len(), 1);
    for (name, path) in &verify.outputs {
        let value = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("{} not written: {e}", path.display()));
        assert!(value == "True" || value == "False", "{name}: {value:?}");
        task_outputs.insert(format!("verify-training.outputs.parameters.{name}"), value);
    }

    // train, fed as the DAG feeds it.
    let inputs = task_inputs(&wf, "train", &run_params, &task_outputs);
    assert_eq!(inputs["epochs"], "3");
    assert_eq!(inputs["model_name"], "yolov8n.pt");
    let checker = inputs["verify-training-Output"].clone();
    let train = pod(&wf, "train", &inputs, root);
    assert_eq!(
        train.args[..2],
        ["component".to_owned(), "train".to_owned()]
    );
    if checker == "False" {
        let r = run_pod(&train, &train.args, root);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert_eq!(
            r.stdout,
            "CUDA is not available.\nPlease Check GPU Device\n"
        );
    }

    // train with the check `False`, whatever this machine has.
    let mut forced = inputs.clone();
    forced.insert("verify-training-Output".into(), "False".into());
    let train_false = pod(&wf, "train", &forced, root);
    let r = run_pod(&train_false, &train_false.args, root);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    no_panic(&r);
    assert_eq!(
        r.stdout,
        "CUDA is not available.\nPlease Check GPU Device\n"
    );

    // Bad values, substituted where Argo substitutes them, and broken argument lists.
    let with_input = |name: &str, value: &str| {
        let mut i = forced.clone();
        i.insert(name.to_owned(), value.to_owned());
        pod(&wf, "train", &i, root).args
    };
    let good = train_false.args.clone();
    let drop_pair = |flag: &str| {
        let mut a = good.clone();
        let i = a.iter().position(|x| x == flag).unwrap();
        a.drain(i..i + 2);
        a
    };
    let drop_value = |flag: &str| {
        let mut a = drop_pair(flag);
        a.push(flag.to_owned());
        a
    };
    let cases: Vec<(&str, Vec<String>, Vec<&str>)> = vec![
        (
            "--epochs abc",
            with_input("epochs", "abc"),
            vec!["`--epochs`", "\"abc\"", "`i64`"],
        ),
        (
            "a bool `maybe`",
            with_input("verify-training-Output", "maybe"),
            vec!["`--checker`", "\"maybe\"", "`bool`"],
        ),
        (
            "missing --epochs",
            drop_pair("--epochs"),
            vec!["missing required flag `--epochs`", "`i64`"],
        ),
        (
            "unknown flag",
            [good.clone(), vec!["--learning-rate".into(), "0.1".into()]].concat(),
            vec!["unknown flag `--learning-rate`", "`--epochs`"],
        ),
        (
            "integer overflow",
            with_input("epochs", "99999999999999999999"),
            vec![
                "`--epochs`",
                "\"99999999999999999999\"",
                "too large",
                "`i64`",
            ],
        ),
        (
            "flag without a value",
            drop_value("--epochs"),
            vec!["flag `--epochs` needs a value"],
        ),
    ];
    for (what, args, says) in cases {
        let r = run_pod(&train_false, &args, root);
        assert_eq!(r.code, Some(2), "{what}: {}", r.stderr);
        no_panic(&r);
        assert!(
            r.stdout.is_empty(),
            "{what}: the component ran: {}",
            r.stdout
        );
        assert!(
            r.stderr.contains("component `train`"),
            "{what}: {}",
            r.stderr
        );
        for s in says {
            assert!(r.stderr.contains(s), "{what}: lacks {s:?}: {}", r.stderr);
        }
    }
}

#[test]
fn the_flagship_compiles_byte_identically() {
    let dir = TempDir::new("flagship-twice");
    let a = compile_with_binary(dir.path(), "a.yaml");
    let b = compile_with_binary(dir.path(), "b.yaml");
    assert_eq!(a, b, "two compiles differ");
    // In-process compiles agree with the binary, and with each other.
    let compiler = Compiler::new().binary_path(IN_IMAGE);
    let pipeline = kfp_examples::yolov8withmlflow::train_pipeline();
    let c = compiler.compile(&pipeline, kfp_core::Target::V1).unwrap();
    let d = compiler
        .compile(
            &kfp_examples::yolov8withmlflow::train_pipeline(),
            kfp_core::Target::V1,
        )
        .unwrap();
    assert_eq!(c, d, "two in-process compiles differ");
    assert_eq!(a, c, "the binary and the library compile differently");
    // The YAML reads back as the workflow the compiler built.
    let back: Value = kfp_core::__private::support::yaml::from_str(&a).unwrap();
    assert_eq!(back, v1_workflow(&compiler, &pipeline));
}
