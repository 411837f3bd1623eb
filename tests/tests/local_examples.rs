//! Every example made of Rust components runs locally to success with `kfp_core::local`, in
//! this test process (the in-process executable), with its outputs asserted; the flagship also
//! runs as subprocesses of its own binary, as the `run` command runs it.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use kfp_core::local::{RunRecord, Runner, TaskState};
use kfp_core::Pipeline;
use serde_json::{json, Value};

fn run(pipeline: &Pipeline, runner: Runner) -> (RunRecord, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let record = runner
        .root(dir.path().join("run"))
        .cache_dir(dir.path().join("cache"))
        .run(pipeline)
        .unwrap_or_else(|e| panic!("{} does not start: {e}", pipeline.name));
    (record, dir)
}

fn assert_succeeded(record: &RunRecord) {
    assert!(
        record.succeeded(),
        "{} {}: {:#?}",
        record.pipeline,
        record.state.as_str(),
        record.tasks
    );
}

/// The binary of example `name` (every example is built once per test process).
fn example_binary(name: &str) -> PathBuf {
    support::built_example(name)
}

#[test]
fn multiple_outputs_gives_its_values() {
    let (r, _d) = run(
        &kfp_examples::multiple_outputs::multiple_outputs(),
        Runner::in_process(),
    );
    assert_succeeded(&r);
    assert_eq!(r.output::<f64>("split-stats", "sum").unwrap(), 5.5);
    assert_eq!(r.output::<f64>("split-stats", "product").unwrap(), 7.0);
    assert_eq!(
        r.output::<String>("split-stats", "label").unwrap(),
        "2.0x3.5"
    );
    assert!(r.output::<bool>("split-stats", "ok").unwrap());
    assert_eq!(r.in_state(TaskState::Succeeded).len(), r.tasks.len());
}

#[test]
fn condition_takes_the_branch_the_coin_gives() {
    // The coin is random: each run must take exactly the branch its flip gave, and the nested
    // `if` on random-num's output follows the threshold (-1: always; 9: never).
    let mut seen = Vec::new();
    for (i, threshold) in [-1_i64, 9, -1, 9, -1, 9].into_iter().enumerate() {
        let (r, _d) = run(
            &kfp_examples::condition::condition(),
            Runner::in_process().param("threshold", threshold),
        );
        assert_succeeded(&r);
        let flip = r.output::<String>("flip-coin", "Output").unwrap();
        let state = |t: &str| r.task(t).unwrap_or_else(|| panic!("no {t}")).state;
        let (ran, skipped) = (TaskState::Succeeded, TaskState::Skipped);
        let heads = flip == "heads";
        assert_eq!(
            state("print-msg"),
            if heads { ran } else { skipped },
            "run {i}: {flip}"
        );
        assert_eq!(state("random-num"), if heads { ran } else { skipped });
        let big = heads && r.output::<i64>("random-num", "Output").unwrap() > threshold;
        assert_eq!(state("print-msg-2"), if big { ran } else { skipped });
        assert_eq!(state("print-msg-3"), if heads { skipped } else { ran });
        assert_eq!(
            state("print-msg-4"),
            skipped,
            "the else branch: the coin has no edge"
        );
        assert_eq!(state("print-msg-5"), if heads { skipped } else { ran });
        seen.push(flip);
    }
    assert_eq!(seen.len(), 6);
}

#[test]
fn parallelfor_static_collects_the_squares() {
    let (r, _d) = run(
        &kfp_examples::parallelfor_static::parallelfor_static(),
        Runner::in_process(),
    );
    assert_succeeded(&r);
    let squares: Vec<i64> = r
        .iterations("square")
        .map(|t| t.outputs["Output"].as_i64().unwrap())
        .collect();
    assert_eq!(squares, [1, 4, 9]);
    assert_eq!(r.output::<i64>("total", "Output").unwrap(), 14);
    assert_eq!(r.iterations("show").count(), 2);
    assert_eq!(r.task("show[1]").unwrap().iteration, [1]);
}

#[test]
fn artifact_passing_passes_bytes_and_accuracy() {
    let (r, _d) = run(
        &kfp_examples::artifact_passing::artifact_passing(),
        Runner::in_process(),
    );
    assert_succeeded(&r);
    let data =
        std::fs::read_to_string(r.artifact_path("make-dataset", "dataset").unwrap()).unwrap();
    assert_eq!(data.lines().count(), 100);
    assert_eq!(data.lines().nth(3), Some("3,9"));
    let model = std::fs::read_to_string(r.artifact_path("train-model", "model").unwrap()).unwrap();
    assert_eq!(model, "model trained on 100 rows for 2 epochs");
    assert_eq!(r.output::<f64>("train-model", "Output").unwrap(), 0.9);
    let copy = std::fs::read(r.artifact_path("copy-file", "dst_path").unwrap()).unwrap();
    assert_eq!(copy, data.as_bytes());
    let metrics = &r.task("train-model").unwrap().artifacts["metrics"];
    assert_eq!(metrics.schema_title, "system.Metrics");
    assert_eq!(metrics.metadata, json!({}));
}

#[test]
fn nested_pipeline_gives_its_result() {
    let (r, _d) = run(
        &kfp_examples::nested_pipeline::nested_pipeline(),
        Runner::in_process().param("start", 20_i64),
    );
    assert_succeeded(&r);
    // 20 + 2 + 2, then + 1 + 1 (the second call's default step).
    assert_eq!(r.output::<i64>("add-2", "Output").unwrap(), 24);
    assert_eq!(r.output::<i64>("add-4", "Output").unwrap(), 26);
    assert_eq!(r.task("show").unwrap().state, TaskState::Succeeded);
}

#[test]
fn pipelines_as_components_run_with_their_outputs() {
    let (r, _d) = run(
        &kfp_examples::pipeline_as_component::pipeline_as_component(),
        Runner::in_process(),
    );
    assert_succeeded(&r);
    // 10 + 2 + 2 = 14; then 14 + 14 + 14 = 42, read by `show` outside the nested pipeline.
    assert_eq!(r.output::<i64>("add-2", "Output").unwrap(), 14);
    assert_eq!(r.output::<i64>("add-4", "Output").unwrap(), 42);
    // `count` reads the Dataset `make-and-add` returns: "14".
    assert_eq!(r.output::<i64>("count", "Output").unwrap(), 2);
    assert_eq!(r.task("show").unwrap().state, TaskState::Succeeded);
    // What the pipeline returns: `make-and-add`'s `total`.
    assert_eq!(r.pipeline_output::<i64>("Output").unwrap(), 42);
    assert_eq!(r.to_json()["outputs"]["Output"], 42);
    assert!(kfp_core::__private::support::run_summary(&r)
        .contains("pipeline outputs:\n  Output = 42\n"));
}

#[test]
fn control_flow_inside_nested_pipelines_runs() {
    let (r, _d) = run(
        &kfp_examples::nested_control::nested_control(),
        Runner::in_process().param("start", 3_i64),
    );
    assert_succeeded(&r);
    // First call: x = 3 + 1 = 4, not over 5; second call (inside `start < 100`): x = 3.
    assert_eq!(r.task("show").unwrap().state, TaskState::Skipped);
    assert_eq!(r.task("show-2").unwrap().state, TaskState::Skipped);
    assert_eq!(r.output::<i64>("add-2[1]", "Output").unwrap(), 6);
    assert_eq!(r.output::<i64>("add-3[0]", "Output").unwrap(), 4);
}

#[test]
fn a_loop_over_files_reads_each_file() {
    let (r, _d) = run(
        &kfp_examples::loop_over_files::loop_over_files(),
        Runner::in_process(),
    );
    assert_succeeded(&r);
    // One `read` per file the first loop wrote, in order: "1", "22", "333".
    let lens: Vec<i64> = (0..3)
        .map(|i| r.output::<i64>(&format!("read[{i}]"), "Output").unwrap())
        .collect();
    assert_eq!(lens, [1, 2, 3]);
}

#[test]
fn exit_handler_runs_its_exit_task() {
    let (r, _d) = run(
        &kfp_examples::exit_handler::exit_handler(),
        Runner::in_process(),
    );
    assert_succeeded(&r);
    assert_eq!(r.task("report").unwrap().state, TaskState::Succeeded);
    let (r, _d) = run(
        &kfp_examples::exit_handler::exit_handler(),
        Runner::in_process().param("fail", true),
    );
    assert!(!r.succeeded());
    assert_eq!(r.task("fail-maybe").unwrap().state, TaskState::Failed);
    assert_eq!(r.task("report").unwrap().state, TaskState::Succeeded);
}

#[test]
fn the_other_rust_examples_run() {
    use kfp_examples as ex;
    let cases: Vec<(Pipeline, Runner)> = vec![
        (
            ex::param_types::param_types(),
            Runner::in_process().param("s_required", "given".to_owned()),
        ),
        (ex::after::after(), Runner::in_process()),
        (ex::env_vars::env_vars(), Runner::in_process()),
        (ex::task_settings::task_settings(), Runner::in_process()),
        (ex::gpu::gpu(), Runner::in_process()),
        (ex::local_faults::local_faults(), Runner::in_process()),
        (
            ex::k8s_secret_env::k8s_secret_env(),
            Runner::in_process()
                .secret("mlflow-s3", secret(&["access_key", "secret_key"]))
                .secret("settings", secret(&["level"])),
        ),
    ];
    for (p, runner) in cases {
        let (r, _d) = run(&p, runner.parallelism(2));
        assert_succeeded(&r);
    }
}

fn secret(keys: &[&str]) -> BTreeMap<String, String> {
    keys.iter()
        .map(|k| ((*k).to_owned(), format!("value of {k}")))
        .collect()
}

#[test]
fn the_flagship_runs_without_a_gpu() {
    // As the `run` command runs it: each task a subprocess of the flagship's binary, with the
    // MinIO credentials of its Secret from an env file.
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join("creds.env");
    std::fs::write(&env, "AWS_ACCESS_KEY_ID=id\nAWS_SECRET_ACCESS_KEY=key\n").unwrap();
    let runner = Runner::binary(example_binary("yolov8withmlflow"))
        .quiet(true)
        .param("model_name", "yolov8n.pt".to_owned())
        .param("epochs", 1_i64)
        .param("imgsz", 64_i64)
        .param("batchsize", 1_i64)
        .secret_file("mlflow-s3-credentials", &env)
        .unwrap();
    let (r, _d) = run(&kfp_examples::yolov8withmlflow::train_pipeline(), runner);
    assert_succeeded(&r);
    assert!(!r.output::<bool>("verify-training", "Output").unwrap());
    let train = r.task("train").unwrap();
    assert_eq!(train.display_name.as_deref(), Some("YOLOv8 test training"));
    let log = std::fs::read_to_string(train.log.as_ref().unwrap()).unwrap();
    assert!(
        log.contains("CUDA is not available.\nPlease Check GPU Device"),
        "{log}"
    );
    // The env the cluster gives it, the Secret's keys included.
    let input =
        std::fs::read_to_string(train.dir.as_ref().unwrap().join("executor_input.json")).unwrap();
    let input: Value = serde_json::from_str(&input).unwrap();
    assert_eq!(input["inputs"]["parameterValues"]["checker"], false);
    assert_eq!(
        input["inputs"]["parameterValues"]["model_name"],
        "yolov8n.pt"
    );
}

#[test]
fn secrets_missing_are_refused_before_any_task() {
    let dir = tempfile::tempdir().unwrap();
    let err = Runner::in_process()
        .param("model_name", "m".to_owned())
        .param("epochs", 1_i64)
        .param("imgsz", 1_i64)
        .param("batchsize", 1_i64)
        .root(dir.path().join("run"))
        .run(&kfp_examples::yolov8withmlflow::train_pipeline())
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("`AWS_ACCESS_KEY_ID` from Secret `mlflow-s3-credentials`"),
        "{text}"
    );
    assert_eq!(err.exit_code(), 2);
    assert!(!dir.path().join("run").exists());
}

#[test]
fn container_components_are_refused_under_the_default_runner() {
    let err = Runner::in_process()
        .run(&kfp_examples::reusable_components::reusable_components())
        .unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("--runner docker"), "{err}");
}

#[test]
fn typed_output_access_names_what_is_wrong() {
    let (r, _d) = run(
        &kfp_examples::multiple_outputs::multiple_outputs(),
        Runner::in_process(),
    );
    let e = r
        .output::<i64>("split-stats", "label")
        .unwrap_err()
        .to_string();
    assert!(e.contains("`label`") && e.contains("i64"), "{e}");
    let e = r.output::<i64>("nope", "Output").unwrap_err().to_string();
    assert!(e.contains("`nope`"), "{e}");
}

#[test]
fn the_docker_runner_builds_the_docker_run_of_a_container_component() {
    use kfp_core::__private::support::docker_argv;
    use kfp_core::__private::support::executor_input::{build, TaskInputs};
    let p = kfp_examples::reusable_components::reusable_components();
    let task = p
        .tasks
        .iter()
        .find(|t| t.name == "echo-text")
        .expect("echo-text");
    let mut inputs = TaskInputs::default();
    inputs.params.insert("msg".into(), json!("hi"));
    inputs.artifacts.insert(
        "data".into(),
        vec![kfp_core::local::ArtifactRecord {
            uri: "/runs/r1/make/artifacts/data_path".into(),
            schema_title: "system.Artifact".into(),
            metadata: json!({}),
        }],
    );
    let dir = PathBuf::from("/runs/r1/echo-text");
    let input = build(&task.component, &inputs, &dir);
    let argv = docker_argv(
        "/usr/local/bin/reusable_components",
        &task.component,
        &input,
        &inputs.params,
        std::path::Path::new("/runs/r1"),
        &[("LEVEL".to_owned(), "debug".to_owned())],
    );
    let own = task.component.container().expect("a container component");
    assert_eq!(
        &argv[..7],
        [
            "docker",
            "run",
            "--rm",
            "-v",
            "/runs/r1:/runs/r1",
            "-e",
            "LEVEL=debug"
        ]
    );
    assert_eq!(argv[7], "--entrypoint");
    assert_eq!(argv[9], own.image);
    // The command and arguments of `components/echo.yaml`, placeholders filled in: the input's
    // value, the output files under the task's folder, the input artifact's path, and the
    // default of `times`, which is present, so `--twice` follows.
    assert_eq!(
        argv[10..],
        [
            "-c",
            r#"echo "$0" > "$1"; cp "$2" "$3""#,
            "hi",
            "/runs/r1/echo-text/outputs/out",
            "/runs/r1/make/artifacts/data_path",
            "/runs/r1/echo-text/artifacts/copy",
            "--times",
            "1",
            "--twice",
            "pre-hi",
        ]
    );
}

/// Records when it started and ended (nanoseconds since the epoch) in `<dir>/<i>`.
#[kfp_core::component]
fn stamp(dir: String, i: i64) -> Result<(), kfp_core::BoxError> {
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    };
    let start = now();
    std::thread::sleep(std::time::Duration::from_millis(30));
    std::fs::write(
        PathBuf::from(dir).join(i.to_string()),
        format!("{start} {}", now()),
    )?;
    Ok(())
}

#[kfp_core::pipeline(name = "loop-limit")]
fn loop_limit(dir: String) {
    kfp_core::ParallelFor::new(0..4_i64)
        .parallelism(1)
        .run(|i| {
            stamp(dir, i);
        });
    for i in 10..14_i64 {
        stamp(dir, i);
    }
}

#[test]
fn a_loop_with_parallelism_1_never_runs_two_iterations_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let stamps = dir.path().join("stamps");
    std::fs::create_dir_all(&stamps).unwrap();
    // Plenty of room overall: only the loop's own limit keeps its iterations apart.
    let (r, _d) = run(
        &loop_limit(),
        Runner::in_process()
            .no_cache()
            .parallelism(8)
            .param("dir", stamps.display().to_string()),
    );
    assert_succeeded(&r);
    let mut spans: Vec<(u128, u128)> = (0..4)
        .map(|i| {
            let t = std::fs::read_to_string(stamps.join(i.to_string())).unwrap();
            let (a, b) = t.split_once(' ').unwrap();
            (a.parse().unwrap(), b.parse().unwrap())
        })
        .collect();
    spans.sort_unstable();
    for w in spans.windows(2) {
        assert!(w[0].1 <= w[1].0, "iterations overlap: {spans:?}");
    }
    assert_eq!(r.iterations("stamp").count(), 4);
    assert_eq!(std::fs::read_dir(&stamps).unwrap().count(), 8);
}

#[test]
fn the_summary_and_the_run_record_carry_the_logged_metrics() {
    // `ui_outputs` logs scalar metrics, a confusion matrix and a ROC curve (KFP v2's
    // `Output[Metrics]` / `Output[ClassificationMetrics]`): the summary prints them and the
    // run record keeps them as each artifact's metadata.
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("record.json");
    let out = Command::new(example_binary("ui_outputs"))
        .arg("run")
        .arg("--quiet")
        .arg("--no-cache")
        .arg("--root")
        .arg(dir.path().join("run"))
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    let metrics = text
        .split("metrics:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no metrics in the summary:\n{text}"));
    assert!(
        metrics.contains("evaluate.metrics: accuracy = 0.85, threshold = 0.5"),
        "{text}"
    );
    assert!(
        metrics.contains("confusion matrix 2x2") && metrics.contains("ROC curve of 4 points"),
        "{text}"
    );
    let record: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let text = record.to_string();
    assert!(text.contains(r#""accuracy":0.85"#), "{text}");
    assert!(text.contains(r#""confusionMatrix""#), "{text}");
}
