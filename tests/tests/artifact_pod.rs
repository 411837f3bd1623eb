//! A producer and a consumer of files, run from the compiled YAML's own commands the way Argo
//! runs them: each pod has its own `/tmp`, and Argo copies an output artifact to the path the
//! consuming template names. The bytes the producer writes arrive at the consumer.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{example, run_in, Run, TempDir};

const BIN: &str = "artifact_passing_v1";

fn template<'a>(wf: &'a Value, name: &str) -> &'a Value {
    wf["spec"]["templates"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == name))
        .unwrap_or_else(|| panic!("no template {name}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The pod's own `/tmp`, under `root`.
fn pod_path(root: &Path, pod: &str, path: &str) -> PathBuf {
    let rel = path.strip_prefix('/').unwrap_or(path);
    root.join(pod).join(rel)
}

/// Runs template `name` with its parameters substituted, `/tmp` mapped into the pod's folder
/// and the in-image binary mapped to the built one.
fn run_pod(wf: &Value, name: &str, params: &BTreeMap<&str, String>, root: &Path) -> Run {
    let t = template(wf, name);
    let bin = example(BIN);
    let mut argv: Vec<String> = strings(&t["container"]["command"])
        .into_iter()
        .chain(strings(&t["container"]["args"]))
        .map(|a| {
            let mut a = a;
            for (k, v) in params {
                a = a.replace(&format!("{{{{inputs.parameters.{k}}}}}"), v);
            }
            if a.starts_with("/tmp/") {
                pod_path(root, name, &a).display().to_string()
            } else {
                a
            }
        })
        .collect();
    assert_eq!(argv[0], format!("/usr/local/bin/{BIN}"), "{argv:?}");
    argv.remove(0);
    run_in(&bin, &argv, root)
}

/// What Argo does between two pods: copies each input artifact of `consumer` from the
/// producer's output path.
fn pass_artifacts(wf: &Value, consumer: &str, root: &Path) {
    let inputs = template(wf, consumer)["inputs"]["artifacts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!inputs.is_empty(), "{consumer} takes no file");
    for input in inputs {
        let name = input["name"].as_str().unwrap();
        let producer = wf["spec"]["templates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| {
                t["outputs"]["artifacts"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|o| o["name"] == name))
            })
            .unwrap_or_else(|| panic!("nobody produces {name}"));
        let out = producer["outputs"]["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == name)
            .unwrap();
        let from = pod_path(
            root,
            producer["name"].as_str().unwrap(),
            out["path"].as_str().unwrap(),
        );
        let to = pod_path(root, consumer, input["path"].as_str().unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to)
            .unwrap_or_else(|e| panic!("{} → {}: {e}", from.display(), to.display()));
    }
}

#[test]
fn files_written_by_one_task_arrive_at_the_next() {
    let dir = TempDir::new("artifact-pod");
    let root = dir.path();
    let yaml_path = root.join("wf.yaml");
    let compiled = run_in(
        &example(BIN),
        &["compile", "-o", yaml_path.to_str().unwrap()],
        root,
    );
    assert_eq!(compiled.code, Some(0), "{}", compiled.stderr);
    let wf: Value =
        kfp_core::__private::support::yaml::from_str(&std::fs::read_to_string(&yaml_path).unwrap())
            .unwrap();

    let params = BTreeMap::from([("rows", "5".to_owned()), ("epochs", "2".to_owned())]);
    let made = run_pod(&wf, "make-dataset", &params, root);
    assert_eq!(made.code, Some(0), "{}", made.stderr);
    let produced =
        std::fs::read(pod_path(root, "make-dataset", "/tmp/outputs/dataset/data")).unwrap();
    assert_eq!(produced, b"0,0\n1,1\n2,4\n3,9\n4,16\n");

    pass_artifacts(&wf, "train-model", root);
    let received =
        std::fs::read(pod_path(root, "train-model", "/tmp/inputs/dataset/data")).unwrap();
    assert_eq!(received, produced, "the bytes arrive unchanged");
    let trained = run_pod(&wf, "train-model", &params, root);
    assert_eq!(trained.code, Some(0), "{}", trained.stderr);
    let model =
        std::fs::read_to_string(pod_path(root, "train-model", "/tmp/outputs/model/data")).unwrap();
    assert_eq!(model, "model trained on 5 rows for 2 epochs");
    let metrics =
        std::fs::read_to_string(pod_path(root, "train-model", "/tmp/outputs/metrics/data"))
            .unwrap();
    assert_eq!(metrics, r#"{"rows": 5}"#);
    let accuracy =
        std::fs::read_to_string(pod_path(root, "train-model", "/tmp/outputs/Output/data")).unwrap();
    assert_eq!(accuracy, "0.9");

    pass_artifacts(&wf, "evaluate", root);
    let params = BTreeMap::from([("train-model-Output", accuracy.clone())]);
    let evaluated = run_pod(&wf, "evaluate", &params, root);
    assert_eq!(evaluated.code, Some(0), "{}", evaluated.stderr);
    assert_eq!(
        evaluated.stdout.trim(),
        "model trained on 5 rows for 2 epochs (5 rows) 0.9"
    );
}

#[test]
fn a_missing_input_file_fails_the_task_with_its_path() {
    let dir = TempDir::new("artifact-missing");
    let root = dir.path();
    let yaml_path = root.join("wf.yaml");
    let compiled = run_in(
        &example(BIN),
        &["compile", "-o", yaml_path.to_str().unwrap()],
        root,
    );
    assert_eq!(compiled.code, Some(0), "{}", compiled.stderr);
    let wf: Value =
        kfp_core::__private::support::yaml::from_str(&std::fs::read_to_string(&yaml_path).unwrap())
            .unwrap();
    // No artifact passed: the component's own read fails, an error of the function (exit 1).
    let params = BTreeMap::from([("epochs", "2".to_owned())]);
    let run = run_pod(&wf, "train-model", &params, root);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("train_model"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}
