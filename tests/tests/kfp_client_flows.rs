//! The KFP client's flows against an in-process stub of the KFP API (std `TcpListener`): the
//! flagship's own binary runs `submit`, `upload` and `--wait` against it, and the stub records
//! every request, so the tests check exact headers, the multipart framing of uploads, the
//! order of calls, and that retries never create a second run.

mod support;

#[path = "kfp_client_stub/mod.rs"]
mod stub;

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use kfp_core::client::{Client, ClientConfig, ClientError, RunOptions};
use kfp_core::http::Retry;
use kfp_core::Target;
use serde_json::{json, Value};
use stub::{multipart, State, Stub};
use support::{example, Run, TempDir};

const TOKEN: &str = "s3cr3t-t0ken-value";
const COOKIE: &str = "oauth2_proxy_kubeflow=c00kie-value";

const FLAGSHIP_PARAMS: [&str; 8] = [
    "--param",
    "model_name=yolov8n.pt",
    "--param",
    "epochs=3",
    "--param",
    "imgsz=640",
    "--param",
    "batchsize=16",
];

/// Runs the flagship's binary with `args`, with no KFP variables from the environment.
fn flagship(args: &[&str], cwd: &Path) -> Run {
    Command::new(example("yolov8withmlflow"))
        .args(args)
        .current_dir(cwd)
        .env_remove("KF_PIPELINES_ENDPOINT")
        .env_remove("KF_PIPELINES_SA_TOKEN_PATH")
        .output()
        .expect("run the flagship")
        .into()
}

fn token_file(dir: &TempDir) -> String {
    let path = dir.path().join("token");
    std::fs::write(&path, format!("{TOKEN}\n")).unwrap();
    path.to_str().unwrap().to_owned()
}

/// The compiled YAML the binary sends for `target`.
fn compiled(target: &str, dir: &Path) -> String {
    let r = flagship(&["compile", "--target", target, "-o", "-"], dir);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    r.stdout
}

#[test]
fn submit_uploads_creates_runs_and_waits_for_success() {
    let dir = TempDir::new("kfp-flow-ok");
    let stub = Stub::start(State {
        run_states: vec!["Running", "Running", "Succeeded"],
        task_states: vec![
            ("verify-training", "Succeeded"),
            ("YOLOv8 test training", "Succeeded"),
        ],
        ..State::default()
    });
    let token = token_file(&dir);
    let mut args = vec![
        "submit",
        "--host",
        &stub.url,
        "--pipeline",
        "yolo",
        "--experiment",
        "exp-1",
        "--run-name",
        "run-1",
        "--token-file",
        &token,
        "--cookie",
        COOKIE,
        "--wait",
        "--poll",
        "0.01",
    ];
    args.extend(FLAGSHIP_PARAMS);
    let r = flagship(&args, dir.path());
    assert_eq!(
        r.code,
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );

    assert_eq!(
        stub.calls(),
        [
            "GET /apis/v1beta1/pipelines",
            "POST /apis/v1beta1/pipelines/upload",
            "GET /apis/v1beta1/experiments",
            "POST /apis/v1beta1/experiments",
            "POST /apis/v1beta1/runs",
            "GET /apis/v1beta1/runs/run-3",
            "GET /apis/v1beta1/runs/run-3",
            "GET /apis/v1beta1/runs/run-3",
        ]
    );
    let seen = stub.seen();
    for s in &seen {
        assert_eq!(
            s.headers.get("authorization").map(String::as_str),
            Some(&*format!("Bearer {TOKEN}")),
            "{s:?}"
        );
        assert_eq!(
            s.headers.get("cookie").map(String::as_str),
            Some(COOKIE),
            "{s:?}"
        );
    }
    // The upload: one `uploadfile` part named `<name>.yaml` holding the compiled YAML.
    let upload = &seen[1];
    assert_eq!(upload.query.get("name").map(String::as_str), Some("yolo"));
    let (name, filename, bytes) = multipart(upload);
    assert_eq!(
        (name.as_str(), filename.as_str()),
        ("uploadfile", "yolo.yaml")
    );
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        compiled("v1", dir.path())
    );
    // The run: the uploaded default version, in the new experiment, parameters as strings.
    let run = seen[4].json();
    assert_eq!(run["name"], "run-1");
    assert_eq!(
        run["resource_references"],
        json!([
            {"key": {"type": "EXPERIMENT", "id": "experiment-2"}, "relationship": "OWNER"},
            {"key": {"type": "PIPELINE_VERSION", "id": "pipeline-1-v0"}, "relationship": "CREATOR"},
        ])
    );
    assert_eq!(
        run["pipeline_spec"]["parameters"],
        json!([
            {"name": "model_name", "value": "yolov8n.pt"},
            {"name": "epochs", "value": "3"},
            {"name": "imgsz", "value": "640"},
            {"name": "batchsize", "value": "16"},
        ])
    );
    assert!(r.stdout.contains("run: run-1 (run-3)"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains(&format!("link: {}/#/runs/details/run-3", stub.url)),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "TASK                  STATE\nYOLOv8 test training  SUCCEEDED\nverify-training       SUCCEEDED\n"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.ends_with("run run-1: SUCCEEDED\n"), "{}", r.stdout);
    // Not a terminal: one plain line per state.
    assert_eq!(r.stderr, "run-1: RUNNING\nrun-1: SUCCEEDED\n");
    for secret in [TOKEN, "c00kie-value"] {
        assert!(!r.stdout.contains(secret) && !r.stderr.contains(secret));
    }
}

#[test]
fn submit_wait_exits_1_naming_the_failed_task() {
    let dir = TempDir::new("kfp-flow-failed");
    let stub = Stub::start(State {
        run_states: vec!["Running", "Running", "Failed"],
        task_states: vec![
            ("verify-training", "Succeeded"),
            ("YOLOv8 test training", "Failed"),
        ],
        ..State::default()
    });
    let token = token_file(&dir);
    let mut args = vec![
        "submit",
        "--host",
        &stub.url,
        "--run-name",
        "run-f",
        "--no-cache",
        "--token-file",
        &token,
        "--wait",
        "--poll",
        "0.01",
    ];
    args.extend(FLAGSHIP_PARAMS);
    let r = flagship(&args, dir.path());
    assert_eq!(
        r.code,
        Some(1),
        "stdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
    assert!(
        r.stderr
            .contains("error: the run ended FAILED; failed: YOLOv8 test training"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.contains("YOLOv8 test training  FAILED"),
        "{}",
        r.stdout
    );
    // Without --pipeline the workflow goes inline, as a JSON string of the compiled YAML.
    let create = stub
        .seen()
        .into_iter()
        .find(|s| s.method == "POST" && s.path == "/apis/v1beta1/runs")
        .expect("a run was created");
    let manifest = create.json()["pipeline_spec"]["workflow_manifest"]
        .as_str()
        .expect("workflow_manifest is a string")
        .to_owned();
    let sent: Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(sent["kind"], "Workflow");
    assert_eq!(sent["metadata"]["generateName"], "yolov8withmlflow-");
    // --no-cache: every task's caching label is off, as kfp 1.8.9's override leaves it.
    let labels: Vec<&Value> = sent["spec"]["templates"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.pointer("/metadata/labels/pipelines.kubeflow.org~1enable_caching"))
        .collect();
    assert_eq!(labels.len(), 2, "{sent}");
    assert!(labels.iter().all(|l| *l == "false"), "{labels:?}");
    assert!(stub.calls().iter().all(|c| !c.contains("upload")));
}

#[test]
fn two_503s_then_ok_create_exactly_one_run() {
    let dir = TempDir::new("kfp-flow-503");
    let stub = Stub::start(State {
        fail_run_creates: 2,
        ..State::default()
    });
    let token = token_file(&dir);
    let mut args = vec![
        "submit",
        "--host",
        &stub.url,
        "--run-name",
        "run-r",
        "--token-file",
        &token,
    ];
    args.extend(FLAGSHIP_PARAMS);
    let r = flagship(&args, dir.path());
    assert_eq!(
        r.code,
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
    let calls = stub.calls();
    let creates = calls
        .iter()
        .filter(|c| *c == "POST /apis/v1beta1/runs")
        .count();
    assert_eq!(creates, 3, "{calls:?}");
    // Before each repeat the run is looked up by name.
    let lookups = calls
        .iter()
        .filter(|c| *c == "GET /apis/v1beta1/runs")
        .count();
    assert_eq!(lookups, 2, "{calls:?}");
    assert_eq!(stub.state.lock().unwrap().runs.len(), 1);
    assert!(r.stdout.contains("run: run-r (run-2)"), "{}", r.stdout);
}

fn fast_client(url: &str, target: Target, token: &str) -> Client {
    Client::new(ClientConfig {
        retry: Some(Retry {
            attempts: 4,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
            ..Retry::default()
        }),
        ..ClientConfig::new(url).target(target).token_file(token)
    })
    .expect("client")
}

#[test]
fn a_create_that_succeeded_behind_a_503_is_found_not_repeated() {
    for target in [Target::V1, Target::V2] {
        let dir = TempDir::new("kfp-flow-lost");
        let stub = Stub::start(State {
            create_then_fail: 1,
            ..State::default()
        });
        let client = fast_client(&stub.url, target, &token_file(&dir));
        let yaml = compiled(&target.to_string(), dir.path());
        let run = client
            .create_run_from_pipeline_package(
                &yaml,
                &RunOptions {
                    run_name: Some("only-once".into()),
                    arguments: vec![("model_name".into(), json!("m"))],
                    ..RunOptions::default()
                },
            )
            .expect("the run");
        assert_eq!(run.name, "only-once");
        let st = stub.state.lock().unwrap();
        assert_eq!(st.runs.len(), 1, "{target}");
        let creates = st
            .seen
            .iter()
            .filter(|s| s.method == "POST" && s.path.ends_with("/runs"))
            .count();
        assert_eq!(creates, 1, "{target}");
    }
}

#[test]
fn a_401_names_the_credential_source_and_never_the_secret() {
    let dir = TempDir::new("kfp-flow-401");
    let stub = Stub::start(State {
        refuse: Some((
            401,
            r#"{"error":"Unauthorized","message":"Unauthorized: token expired","code":16}"#,
        )),
        ..State::default()
    });
    let token = token_file(&dir);
    let mut args = vec![
        "submit",
        "--host",
        &stub.url,
        "--token-file",
        &token,
        "--cookie",
        COOKIE,
    ];
    args.extend(FLAGSHIP_PARAMS);
    let r = flagship(&args, dir.path());
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(
        r.stderr,
        format!(
            "error: {} refused the credentials (401) from {token} (from --token-file) and the \
             --cookie session cookie: Unauthorized: token expired\n",
            stub.url
        )
    );
    for secret in [TOKEN, "c00kie-value"] {
        assert!(!r.stdout.contains(secret) && !r.stderr.contains(secret));
    }
    // Without credentials the message says how to give some.
    let r = flagship(&["runs", "--host", &stub.url], dir.path());
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr
            .contains("it needs credentials, and none were sent; pass --token-file"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_existing_pipeline_name_gets_a_new_version() {
    for target in ["v1", "v2"] {
        let dir = TempDir::new("kfp-flow-version");
        let stub = Stub::start(State {
            pipelines: vec![("yolo".into(), "pipeline-77".into())],
            ..State::default()
        });
        let token = token_file(&dir);
        let r = flagship(
            &[
                "upload",
                "--host",
                &stub.url,
                "--target",
                target,
                "--pipeline",
                "yolo",
                "--version",
                "v-2",
                "--token-file",
                &token,
            ],
            dir.path(),
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let api = if target == "v1" { "v1beta1" } else { "v2beta1" };
        assert_eq!(
            stub.calls(),
            [
                format!("GET /apis/{api}/pipelines"),
                format!("POST /apis/{api}/pipelines/upload_version"),
            ]
        );
        let seen = stub.seen();
        assert_eq!(
            seen[1].query.get("pipelineid").map(String::as_str),
            Some("pipeline-77")
        );
        assert_eq!(seen[1].query.get("name").map(String::as_str), Some("v-2"));
        let (part, filename, bytes) = multipart(&seen[1]);
        assert_eq!(
            (part.as_str(), filename.as_str()),
            ("uploadfile", "v-2.yaml")
        );
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            compiled(target, dir.path())
        );
        assert!(
            r.stdout.contains("version: v-2 (version-1)"),
            "{}",
            r.stdout
        );
    }
}

#[test]
fn v2_submit_sends_the_ir_inline_with_typed_parameters() {
    let dir = TempDir::new("kfp-flow-v2");
    let stub = Stub::start(State {
        run_states: vec!["RUNNING", "SUCCEEDED"],
        task_states: vec![("train", "SUCCEEDED"), ("verify-training", "SUCCEEDED")],
        ..State::default()
    });
    let token = token_file(&dir);
    let mut args = vec![
        "submit",
        "--host",
        &stub.url,
        "--target",
        "v2",
        "--run-name",
        "run-v2",
        "--token-file",
        &token,
        "--no-cache",
        "--wait",
        "--poll",
        "0.01",
    ];
    args.extend(FLAGSHIP_PARAMS);
    let r = flagship(&args, dir.path());
    assert_eq!(
        r.code,
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
    let create = stub
        .seen()
        .into_iter()
        .find(|s| s.method == "POST" && s.path == "/apis/v2beta1/runs")
        .expect("a run");
    let body = create.json();
    assert_eq!(body["display_name"], "run-v2");
    assert_eq!(body["experiment_id"], "experiment-1");
    assert_eq!(
        body["runtime_config"]["parameters"],
        json!({"model_name": "yolov8n.pt", "epochs": 3, "imgsz": 640, "batchsize": 16})
    );
    // The flagship's YAML has a platform document (its MLflow secret), so the IR (first
    // document, caching off as kfp compiles it) and the platform spec both go, as kfp.Client
    // sends them.
    let spec = &body["pipeline_spec"];
    assert_eq!(spec.as_object().unwrap().len(), 2, "{spec}");
    let ir = &spec["pipeline_spec"];
    assert_eq!(ir["pipelineInfo"]["name"], "yolov8withmlflow");
    for (name, task) in ir["root"]["dag"]["tasks"].as_object().unwrap() {
        assert_eq!(task["cachingOptions"], json!({}), "{name}");
    }
    assert!(
        spec["platform_spec"]["platforms"]["kubernetes"].is_object(),
        "{spec}"
    );
    assert!(
        r.stdout.contains("train            SUCCEEDED"),
        "{}",
        r.stdout
    );
}

#[test]
fn bad_params_and_oversize_pipelines_send_nothing() {
    let dir = TempDir::new("kfp-flow-bad");
    let stub = Stub::start(State::default());
    let token = token_file(&dir);
    let r = flagship(
        &[
            "submit",
            "--host",
            &stub.url,
            "--token-file",
            &token,
            "--param",
            "model_name=m",
            "--param",
            "epochs=3.5",
        ],
        dir.path(),
    );
    assert_eq!(r.code, Some(2));
    assert_eq!(
        r.stderr,
        "error: --param `epochs=3.5`: `epochs` is an integer, and `3.5` is not one\n"
    );
    let r = flagship(
        &[
            "submit",
            "--host",
            &stub.url,
            "--token-file",
            &token,
            "--param",
            "epoch=3",
        ],
        dir.path(),
    );
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("no parameter `epoch`"), "{}", r.stderr);

    let client = fast_client(&stub.url, Target::V1, &token);
    let big = format!("a: '{}'\n", "x".repeat(1_600_000));
    let err = client.upload_pipeline(&big, "big", None).unwrap_err();
    assert!(
        matches!(err, ClientError::TooLarge { bytes } if bytes == big.len()),
        "{err}"
    );
    assert!(
        err.to_string().contains("1.53 MiB (1600006 bytes)"),
        "{err}"
    );
    assert!(stub.seen().is_empty(), "{:?}", stub.calls());
}

#[test]
fn kfp_error_bodies_show_their_message_and_refused_connections_name_the_host() {
    let dir = TempDir::new("kfp-flow-errors");
    let stub = Stub::start(State {
        refuse: Some((
            400,
            r#"{"error":"Invalid input error: name is too long","code":3,"message":"Invalid input error: name is too long","details":[]}"#,
        )),
        ..State::default()
    });
    let client = fast_client(&stub.url, Target::V2, &token_file(&dir));
    let err = client.get_experiment("x").unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot look up the experiment: the server answered 400: Invalid input error: name is too long"
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = fast_client(
        &format!("http://127.0.0.1:{port}"),
        Target::V1,
        &token_file(&dir),
    );
    let err = client.get_run("r").unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("cannot reach http://127.0.0.1:{port}:"))
            && err.contains("4 attempts"),
        "{err}"
    );
}

#[test]
fn the_readme_library_example_is_the_doc_tested_one() {
    // The README's Rust block under "Ship it to a cluster" is the `client` module's doc
    // example (compiled by `cargo test --doc`), less its hidden lines.
    let readme = std::fs::read_to_string(support::workspace().join("README.md")).unwrap();
    let section = &readme[readme.find("## Ship it to a cluster").expect("the section")..];
    let start = section.find("```rust\n").expect("a rust block") + "```rust\n".len();
    let block: Vec<&str> = section[start..]
        .lines()
        .map(str::trim)
        .take_while(|l| *l != "```")
        .collect();
    let module =
        std::fs::read_to_string(support::workspace().join("kfp-core/src/client/mod.rs")).unwrap();
    let doc: Vec<&str> = module
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(str::trim)
        .skip_while(|l| *l != "```no_run")
        .skip(1)
        .take_while(|l| *l != "```")
        .filter(|l| !l.starts_with("# "))
        .collect();
    assert!(block.len() > 5, "{block:?}");
    assert_eq!(block, doc);
}

#[test]
fn a_rotated_token_file_is_read_again() {
    // Projected ServiceAccount tokens rotate: each request sends the file's current token.
    let dir = TempDir::new("kfp-flow-rotate");
    let stub = Stub::start(State::default());
    let path = token_file(&dir);
    let client = fast_client(&stub.url, Target::V2, &path);
    client.get_experiment("a").unwrap();
    std::fs::write(&path, "rotated-token\n").unwrap();
    client.get_experiment("b").unwrap();
    let sent: Vec<String> = stub
        .seen()
        .iter()
        .map(|s| s.headers["authorization"].clone())
        .collect();
    assert_eq!(
        sent,
        [format!("Bearer {TOKEN}"), "Bearer rotated-token".to_owned()]
    );
}
