//! `mlflow_train` end to end against a real MLflow server (direct `s3://` artifacts, the seed's
//! MinIO setup) and a real S3 server that checks signatures.
//!
//! Two ways to run it: through the pod contract (each task's container command from the
//! compiled KFP v2 IR, the executor input built as the KFP launcher builds it, the task's env
//! from the IR plus the Secret's keys, and the KFP context a runner sets), and through the
//! local runner (`mlflow_train run --param ... --secret ... --root ... --json ...`) when the
//! binary has it. Both check: the MLflow run is FINISHED and tagged with the pipeline, task
//! and KFP run id; the params are the pipeline's; the loss history has one point per epoch
//! and decreases; the model in S3 has the bytes of the task's `Model`. With a wrong S3
//! secret: the task fails with a clear error, the MLflow run is FAILED, and no secret value
//! is printed.

mod mlflow_env;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use kfp_core::mlflow::{ClientBuilder, MlflowClient, RunData, RunStatus};
use kfp_core::prelude::*;
use mlflow_env::{services, unique, Services};
use serde_json::{json, Map, Value};

const IN_IMAGE: &str = "/usr/local/bin/mlflow_train";
const SECRET: &str = "mlflow-s3-credentials";
const EPOCHS: i64 = 12;

fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let out = Command::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "-p",
                "kfp-examples",
                "--example",
                "mlflow_train",
            ])
            .arg("--message-format=json")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cannot run cargo");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "mlflow_train")
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("no mlflow_train executable")
    })
}

fn ir() -> Value {
    let text = Compiler::new()
        .binary_path(IN_IMAGE)
        .compile(&kfp_examples::mlflow_train::mlflow_train(), Target::V2)
        .unwrap();
    let mut docs = kfp_core::__private::support::yaml::from_str_multi(&text).unwrap();
    let platform = docs[1]["platforms"]["kubernetes"]["deploymentSpec"]["executors"].clone();
    for exec in ["exec-train", "exec-evaluate"] {
        assert_eq!(
            platform[exec]["secretAsEnv"][0]["secretName"], SECRET,
            "{exec} takes the S3 keys from the Secret"
        );
    }
    docs.remove(0)
}

fn run_args(s: &Services, experiment: &str) -> Map<String, Value> {
    json!({
        "rows": 150, "seed": 11, "epochs": EPOCHS, "learning_rate": 0.3,
        "tracking_uri": s.mlflow_s3, "s3_endpoint": s.s3, "experiment": experiment,
    })
    .as_object()
    .unwrap()
    .clone()
}

/// What one task did through the pod contract.
struct TaskRun {
    code: Option<i32>,
    output: String,
    outputs: Value,
}

/// Runs `task` of the IR as a KFP v2 pod: inputs from the run's arguments and upstream
/// outputs, output files under `root/<task>/`, env from the IR plus `secret_env` and the KFP
/// context; nothing else from the test's environment.
fn run_task(
    ir: &Value,
    task: &str,
    args: &Map<String, Value>,
    done: &BTreeMap<String, Value>,
    secret_env: &[(&str, &str)],
    kfp_run_id: &str,
    root: &Path,
) -> TaskRun {
    let t = &ir["root"]["dag"]["tasks"][task];
    let comp = &ir["components"][t["componentRef"]["name"].as_str().unwrap()];
    let exec = &ir["deploymentSpec"]["executors"][comp["executorLabel"].as_str().unwrap()];
    let dir = root.join(task);
    std::fs::create_dir_all(&dir).unwrap();
    let mut params = Map::new();
    for name in comp["inputDefinitions"]["parameters"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.keys())
    {
        let src = &t["inputs"]["parameters"][name];
        let v = if let Some(p) = src["componentInputParameter"].as_str() {
            args[p].clone()
        } else {
            let o = &src["taskOutputParameter"];
            done[o["producerTask"].as_str().unwrap()]["parameterValues"]
                [o["outputParameterKey"].as_str().unwrap()]
            .clone()
        };
        params.insert(name.clone(), v);
    }
    let mut in_artifacts = Map::new();
    for name in comp["inputDefinitions"]["artifacts"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.keys())
    {
        let o = &t["inputs"]["artifacts"][name]["taskOutputArtifact"];
        let uri = done[o["producerTask"].as_str().unwrap()]["artifacts"]
            [o["outputArtifactKey"].as_str().unwrap()]
        .clone();
        in_artifacts.insert(
            name.clone(),
            json!({"artifacts": [{"name": name, "uri": uri}]}),
        );
    }
    let mut out_artifacts = Map::new();
    let mut out_uris = Map::new();
    for name in comp["outputDefinitions"]["artifacts"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.keys())
    {
        let uri = dir.join("artifacts").join(name).display().to_string();
        out_uris.insert(name.clone(), json!(uri));
        out_artifacts.insert(
            name.clone(),
            json!({"artifacts": [{"name": name, "uri": uri}]}),
        );
    }
    let mut out_params = Map::new();
    for name in comp["outputDefinitions"]["parameters"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.keys())
    {
        let file = dir.join("outputs").join(name);
        out_params.insert(name.clone(), json!({"outputFile": file}));
    }
    let meta = dir.join("executor_output.json");
    let input = json!({
        "inputs": {"parameterValues": params, "artifacts": in_artifacts},
        "outputs": {"parameters": out_params, "artifacts": out_artifacts, "outputFile": meta},
    });
    let command: Vec<&str> = exec["container"]["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(command[0], IN_IMAGE);
    let cargs: Vec<String> = exec["container"]["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().replace("{{$}}", &input.to_string()))
        .collect();
    let mut cmd = Command::new(binary());
    cmd.args(&command[1..]).args(&cargs).env_clear();
    for e in exec["container"]["env"].as_array().into_iter().flatten() {
        cmd.env(e["name"].as_str().unwrap(), e["value"].as_str().unwrap());
    }
    cmd.envs(secret_env.iter().copied())
        .env(
            "KFP_PIPELINE_NAME",
            ir["pipelineInfo"]["name"].as_str().unwrap(),
        )
        .env("KFP_TASK_NAME", task)
        .env("KFP_RUN_ID", kfp_run_id);
    let out = cmd.output().unwrap();
    let outputs = std::fs::read_to_string(&meta)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .unwrap_or(Value::Null);
    TaskRun {
        code: out.status.code(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        outputs: json!({
            "parameterValues": outputs["parameterValues"],
            "artifacts": out_uris,
            "executorOutput": outputs,
        }),
    }
}

fn client(s: &Services) -> MlflowClient {
    ClientBuilder::new(&s.mlflow_s3)
        .s3_endpoint(&s.s3)
        .s3_credentials(&s.access_key, &s.secret_key)
        .build()
        .unwrap()
}

/// The one MLflow run of the experiment `experiment` with this KFP run id.
fn mlflow_run(c: &MlflowClient, experiment: &str, kfp_run_id: &str) -> RunData {
    let exp = c
        .get_experiment_by_name(experiment)
        .unwrap()
        .unwrap_or_else(|| panic!("no experiment {experiment}"));
    let runs = c
        .search_runs(
            &[&exp.id],
            &format!("tags.`kfp.run_id` = '{kfp_run_id}'"),
            10,
        )
        .unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    runs.into_iter().next().unwrap()
}

/// The checks of a successful run; `model` is the file the train task wrote.
fn check_success(s: &Services, experiment: &str, kfp_run_id: &str, model: &Path, rmse: f64) {
    let c = client(s);
    let run = mlflow_run(&c, experiment, kfp_run_id);
    assert_eq!(run.info.status, RunStatus::Finished);
    assert_eq!(run.tags["kfp.pipeline_name"], "mlflow-train");
    assert_eq!(run.tags["kfp.task_name"], "train");
    assert_eq!(run.tags["kfp.run_id"], kfp_run_id);
    assert_eq!(run.params["epochs"], EPOCHS.to_string());
    assert_eq!(run.params["learning_rate"], "0.3");
    // 150 rows, every fifth held out.
    assert_eq!(run.params["rows"], "120");
    let loss = c.get_metric_history(&run.info.run_id, "loss").unwrap();
    let mut loss: Vec<(i64, f64)> = loss.iter().map(|m| (m.step, m.value)).collect();
    loss.sort_by_key(|p| p.0);
    assert_eq!(
        loss.iter().map(|p| p.0).collect::<Vec<_>>(),
        (0..EPOCHS).collect::<Vec<_>>(),
        "one point per epoch"
    );
    assert!(
        loss.windows(2).all(|w| w[1].1 < w[0].1),
        "the loss decreases: {loss:?}"
    );
    assert_eq!(run.metrics["rmse"], rmse);
    // The model artifact, read straight from the S3 server's disk and through a signed GET.
    let written = std::fs::read(model).unwrap();
    let name = model.file_name().unwrap().to_str().unwrap();
    let prefix = run
        .info
        .artifact_uri
        .strip_prefix(&format!("s3://{}/", s.bucket))
        .unwrap_or_else(|| panic!("{} is not in the bucket", run.info.artifact_uri));
    let object = s
        .s3_data
        .join(&s.bucket)
        .join(prefix)
        .join("model")
        .join(name);
    assert_eq!(
        std::fs::read(&object).unwrap(),
        written,
        "{}",
        object.display()
    );
    assert_eq!(
        c.download_artifact(&run.info, &format!("model/{name}"))
            .unwrap(),
        written
    );
}

fn check_wrong_secret(
    s: &Services,
    experiment: &str,
    kfp_run_id: &str,
    code: Option<i32>,
    output: &str,
    wrong: &str,
) {
    eprintln!("the task's output with a wrong S3 secret:\n{output}");
    assert_eq!(code, Some(1), "{output}");
    assert!(output.contains("refused the credentials"), "{output}");
    assert!(output.contains("SignatureDoesNotMatch"), "{output}");
    assert!(output.contains("AWS_SECRET_ACCESS_KEY"), "{output}");
    assert!(
        !output.contains(wrong),
        "the output names the secret:\n{output}"
    );
    assert!(!output.contains(&s.secret_key), "{output}");
    let run = mlflow_run(&client(s), experiment, kfp_run_id);
    assert_eq!(run.info.status, RunStatus::Failed);
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique(tag));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn mlflow_train_through_the_pod_contract() {
    let Some(s) = services("mlflow_train_through_the_pod_contract") else {
        return;
    };
    let ir = ir();
    let experiment = unique("kfp-rs-e2e-pods");
    let args = run_args(&s, &experiment);
    let secret = [
        ("AWS_ACCESS_KEY_ID", s.access_key.as_str()),
        ("AWS_SECRET_ACCESS_KEY", s.secret_key.as_str()),
    ];

    let root = scratch("kfp-rs-e2e-pods");
    let kfp_run_id = unique("run");
    let mut done = BTreeMap::new();
    for task in ["make-dataset", "train", "evaluate"] {
        let r = run_task(&ir, task, &args, &done, &secret, &kfp_run_id, &root);
        assert_eq!(r.code, Some(0), "{task}:\n{}", r.output);
        done.insert(task.to_owned(), r.outputs);
    }
    let rmse = done["evaluate"]["parameterValues"]["Output"]
        .as_f64()
        .unwrap();
    assert!(rmse < 0.5, "the model learned: rmse {rmse}");
    // The RMSE reaches the KFP UI too: v2 reads it from the Metrics artifact's metadata, v1
    // from the `mlpipeline-metrics` file at the artifact's path.
    let logged =
        kfp_core::ui::read_executor_output(&done["evaluate"]["executorOutput"].to_string())
            .unwrap();
    assert_eq!(logged["mlpipeline_metrics"]["rmse"], rmse);
    let v1_file = done["evaluate"]["artifacts"]["mlpipeline_metrics"]
        .as_str()
        .unwrap();
    let v1 =
        kfp_core::ui::v1::MetricsFile::parse(&std::fs::read_to_string(v1_file).unwrap()).unwrap();
    assert_eq!(
        v1.to_json().unwrap(),
        kfp_core::ui::v1::MetricsFile::new()
            .raw("rmse", rmse)
            .to_json()
            .unwrap()
    );
    let model = PathBuf::from(done["train"]["artifacts"]["model"].as_str().unwrap());
    check_success(&s, &experiment, &kfp_run_id, &model, rmse);

    // The same pipeline with a wrong secret in the Secret.
    let wrong = "wr0ng-secret-value-e2e";
    let bad = [
        ("AWS_ACCESS_KEY_ID", s.access_key.as_str()),
        ("AWS_SECRET_ACCESS_KEY", wrong),
    ];
    let bad_run_id = unique("run-bad");
    let mut done = BTreeMap::new();
    let data = run_task(&ir, "make-dataset", &args, &done, &bad, &bad_run_id, &root);
    assert_eq!(data.code, Some(0), "{}", data.output);
    done.insert("make-dataset".to_owned(), data.outputs);
    let r = run_task(&ir, "train", &args, &done, &bad, &bad_run_id, &root);
    check_wrong_secret(&s, &experiment, &bad_run_id, r.code, &r.output, wrong);
    let _ = std::fs::remove_dir_all(&root);
}

/// The files a run record names (any string value that is a file).
fn files_in(v: &Value, out: &mut Vec<PathBuf>) {
    match v {
        Value::String(s) if Path::new(s).is_file() => out.push(PathBuf::from(s)),
        Value::Array(a) => a.iter().for_each(|x| files_in(x, out)),
        Value::Object(m) => m.values().for_each(|x| files_in(x, out)),
        _ => {}
    }
}

#[test]
fn mlflow_train_through_the_local_runner() {
    let Some(s) = services("mlflow_train_through_the_local_runner") else {
        return;
    };
    let experiment = unique("kfp-rs-e2e-runner");
    let root = scratch("kfp-rs-e2e-runner");
    let run_once = |secret: &str, tag: &str| {
        let env_file = root.join(format!("{tag}.env"));
        std::fs::write(
            &env_file,
            format!(
                "AWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY={secret}\n",
                s.access_key
            ),
        )
        .unwrap();
        let record = root.join(format!("{tag}.json"));
        let mut cmd = Command::new(binary());
        // Every task must reach MLflow: no cache (and none left in the source tree).
        cmd.arg("run").arg("--no-cache");
        for (k, v) in [
            ("rows", "150".to_owned()),
            ("seed", "11".to_owned()),
            ("epochs", EPOCHS.to_string()),
            ("learning_rate", "0.3".to_owned()),
            ("tracking_uri", s.mlflow_s3.clone()),
            ("s3_endpoint", s.s3.clone()),
            ("experiment", experiment.clone()),
        ] {
            cmd.arg("--param").arg(format!("{k}={v}"));
        }
        let out = cmd
            .arg("--secret")
            .arg(format!("{SECRET}={}", env_file.display()))
            .arg("--root")
            .arg(root.join(tag))
            .arg("--json")
            .arg(&record)
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .output()
            .unwrap();
        let output = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let record: Value = std::fs::read_to_string(&record)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        (out.status.code(), output, record)
    };

    let (code, output, record) = run_once(&s.secret_key, "good");
    assert_eq!(code, Some(0), "{output}");
    let c = client(&s);
    let exp = c.get_experiment_by_name(&experiment).unwrap().unwrap();
    let runs = c.search_runs(&[&exp.id], "", 10).unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let kfp_run_id = runs[0]
        .tags
        .get("kfp.run_id")
        .cloned()
        .unwrap_or_else(|| panic!("the runner set no KFP_RUN_ID: {:?}", runs[0].tags));
    let rmse = runs[0].metrics["rmse"];
    // The Model the train task wrote is one of the files the run record names.
    let mut files = Vec::new();
    files_in(&record, &mut files);
    let model = files
        .iter()
        .find(|f| {
            std::fs::read_to_string(f).is_ok_and(|t| t.starts_with("w1 ") && t.contains("\nb "))
        })
        .unwrap_or_else(|| panic!("no model file in the run record {record}"));
    check_success(&s, &experiment, &kfp_run_id, model, rmse);

    let wrong = "wr0ng-secret-value-runner";
    let (code, output, _) = run_once(wrong, "bad");
    let runs = c.search_runs(&[&exp.id], "", 10).unwrap();
    let failed = runs
        .iter()
        .find(|r| r.tags.get("kfp.run_id") != Some(&kfp_run_id))
        .expect("the second run is in MLflow");
    let bad_id = failed.tags["kfp.run_id"].clone();
    check_wrong_secret(&s, &experiment, &bad_id, code, &output, wrong);
    let _ = std::fs::remove_dir_all(&root);
}
