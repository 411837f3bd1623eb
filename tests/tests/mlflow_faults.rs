//! The MLflow client's faults: an outage of a real MLflow server in the middle of a run loses
//! nothing and duplicates nothing; refused credentials (MLflow 401/403 from a loopback stub, a
//! wrong S3 secret against s3s-fs) name the variables, never the values; 5xx and connection
//! failures are retried, then reported with the server and what was not logged; bad names are
//! refused before anything is sent.

mod mlflow_env;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kfp_core::http::{Http, Retry};
use kfp_core::mlflow::{ClientBuilder, Experiment, Metric, MlflowClient, MlflowError, RunStatus};
use mlflow_env::{answer, fast_retry, services, stub, unique};

const RUN_JSON: &str = r#"{"run":{"info":{"run_id":"r1","experiment_id":"1","run_name":"x",
"status":"RUNNING","artifact_uri":"mlflow-artifacts:/1/r1/artifacts"},"data":{}}}"#;

fn experiment() -> Experiment {
    Experiment {
        id: "1".into(),
        name: "e".into(),
        artifact_location: String::new(),
    }
}

#[test]
fn refused_credentials_name_the_variables_not_the_values() {
    let page = "<html><body>Unauthorized</body></html>";
    for (status, builder, var) in [
        (
            "401 UNAUTHORIZED",
            ClientBuilder::from_lookup(|k| match k {
                "MLFLOW_TRACKING_USERNAME" => Some("ci-user".into()),
                "MLFLOW_TRACKING_PASSWORD" => Some("pa55-w0rd-value".into()),
                _ => None,
            })
            .unwrap(),
            "MLFLOW_TRACKING_PASSWORD",
        ),
        (
            "403 FORBIDDEN",
            ClientBuilder::from_lookup(|k| {
                (k == "MLFLOW_TRACKING_TOKEN").then(|| "t0ken-value".to_owned())
            })
            .unwrap(),
            "MLFLOW_TRACKING_TOKEN",
        ),
    ] {
        let (url, rx, handle) = stub(vec![answer(status, "text/html", page)]);
        let c = builder
            .tracking_uri(&url)
            .retry(fast_retry(3))
            .build()
            .unwrap();
        let err = c.create_experiment("e").unwrap_err();
        assert!(err.is_refused(), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains("refused the credentials"), "{msg}");
        assert!(msg.contains(var), "{msg}");
        assert!(msg.contains(&url), "{msg}");
        assert!(msg.contains("creating experiment"), "{msg}");
        for secret in ["pa55-w0rd-value", "t0ken-value"] {
            assert!(!msg.contains(secret), "{msg}");
            assert!(!format!("{err:?}").contains(secret));
        }
        // Sent once: a refusal is not retried. The credentials did go to the server.
        let got = rx.recv().unwrap();
        assert!(
            got.headers.iter().any(|(k, _)| k == "authorization"),
            "{got:?}"
        );
        handle.join().unwrap();
        assert!(rx.try_recv().is_err());
    }
    // No credentials at all: the message says which variables were unset.
    let (url, _rx, handle) = stub(vec![answer("401 UNAUTHORIZED", "text/plain", "no")]);
    let err = ClientBuilder::new(&url)
        .build()
        .unwrap()
        .create_experiment("e");
    let msg = err.unwrap_err().to_string();
    assert!(msg.contains("MLFLOW_TRACKING_USERNAME"), "{msg}");
    handle.join().unwrap();
}

#[test]
fn bad_names_are_refused_before_anything_is_sent() {
    // A server that would record any request: none arrives.
    let (url, rx, _handle) = stub(vec![answer("200 OK", "application/json", RUN_JSON)]);
    let c = ClientBuilder::new(&url)
        .retry(Retry::none())
        .build()
        .unwrap();
    let long = "k".repeat(251);
    let too_long_value = "v".repeat(6001);
    let cases: Vec<(Result<(), MlflowError>, &str)> = vec![
        (
            c.log_batch("r1", &[Metric::now("metrics/mAP50(B)", 1.0, 0)], &[], &[]),
            "metrics/mAP50(B)",
        ),
        (c.log_batch("r1", &[], &[(&long, "v")], &[]), &long),
        (
            c.log_batch("r1", &[], &[("epochs", &too_long_value)], &[]),
            "epochs",
        ),
        (c.log_batch("r1", &[], &[], &[("../up", "v")]), "../up"),
        (
            // One bad metric among good ones: nothing of the batch is sent.
            c.log_batch(
                "r1",
                &[Metric::now("ok", 1.0, 0), Metric::now("bad key!", 1.0, 1)],
                &[("p", "1")],
                &[],
            ),
            "bad key!",
        ),
        (
            c.create_run("1", "x", &[("a\nb", "v")]).map(|_| ()),
            "a\\nb",
        ),
    ];
    for (result, key) in cases {
        let err = result.unwrap_err();
        assert!(matches!(err, MlflowError::InvalidName { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains(key), "{msg} should name {key}");
        assert!(msg.contains("nothing was sent"), "{msg}");
    }
    assert!(rx.try_recv().is_err(), "a request was sent");
}

#[test]
fn server_errors_are_retried_then_reported_with_what_was_not_logged() {
    let err500 = answer(
        "500 INTERNAL SERVER ERROR",
        "application/json",
        r#"{"error_code":"INTERNAL_ERROR","message":"db locked"}"#,
    );
    // Two 500s then success: the batch arrives, once.
    let (url, rx, handle) = stub(vec![
        err500.clone(),
        err500.clone(),
        answer("200 OK", "application/json", "{}"),
    ]);
    let c = ClientBuilder::new(&url)
        .retry(fast_retry(5))
        .build()
        .unwrap();
    c.log_batch("r1", &[Metric::now("loss", 0.5, 7)], &[], &[])
        .unwrap();
    handle.join().unwrap();
    let bodies: Vec<String> = rx.try_iter().map(|r| r.body).collect();
    assert_eq!(bodies.len(), 3);
    assert!(
        bodies.iter().all(|b| b.contains("\"step\":7")),
        "{bodies:?}"
    );

    // Always 500: after the attempts, the error names the server and the metrics.
    let (url, _rx, handle) = stub(vec![err500.clone(), err500.clone(), err500]);
    let c = ClientBuilder::new(&url)
        .retry(fast_retry(3))
        .build()
        .unwrap();
    let msg = c
        .log_batch("r1", &[Metric::now("loss", 0.5, 7)], &[], &[])
        .unwrap_err()
        .to_string();
    assert!(msg.contains(&url), "{msg}");
    assert!(msg.contains("3 attempts"), "{msg}");
    assert!(msg.contains("1 metric (first: \"loss\" step 7)"), "{msg}");
    handle.join().unwrap();
}

#[test]
fn an_unreachable_server_keeps_the_metrics_for_the_next_flush() {
    // The run is created, then the server goes away: the metric stays buffered.
    let (url, _rx, handle) = stub(vec![answer("200 OK", "application/json", RUN_JSON)]);
    let c = ClientBuilder::new(&url)
        .retry(fast_retry(2))
        .build()
        .unwrap();
    let mut run = c.start_run(&experiment(), "x", &[]).unwrap();
    handle.join().unwrap(); // the listener is closed: connections are refused
    let msg = run.log_metric("loss", 0.25, 3).unwrap_err().to_string();
    assert!(msg.contains(&url), "{msg}");
    assert!(msg.contains("2 attempts"), "{msg}");
    assert!(msg.contains("kept to send with the next flush"), "{msg}");
    assert_eq!(run.pending(), 1);
    // The server is back on the same port: the next flush sends the kept metric, then ends.
    let port = url.rsplit(':').next().unwrap();
    let (url2, rx2, handle2) = mlflow_env::stub_at(
        &format!("127.0.0.1:{port}"),
        vec![
            answer("200 OK", "application/json", "{}"),
            answer("200 OK", "application/json", "{}"),
        ],
    );
    assert_eq!(url2, url);
    run.log_metric("loss", 0.125, 4).unwrap();
    assert_eq!(run.pending(), 0);
    run.finish().unwrap();
    handle2.join().unwrap();
    let got: Vec<_> = rx2.try_iter().collect();
    assert!(got[0].line.contains("runs/log-batch"), "{:?}", got[0]);
    assert!(got[0].body.contains("\"step\":3") && got[0].body.contains("\"step\":4"));
    assert!(got[1].body.contains("FINISHED"), "{:?}", got[1]);
}

#[test]
fn a_wrong_s3_secret_is_refused_by_the_signature_check() {
    let Some(s) = services("a_wrong_s3_secret_is_refused_by_the_signature_check") else {
        return;
    };
    let wrong = "wr0ng-s3-secret-value";
    let c = ClientBuilder::from_lookup(|k| match k {
        "MLFLOW_TRACKING_URI" => Some(s.mlflow_s3.clone()),
        "MLFLOW_S3_ENDPOINT_URL" => Some(s.s3.clone()),
        "AWS_ACCESS_KEY_ID" => Some(s.access_key.clone()),
        "AWS_SECRET_ACCESS_KEY" => Some(wrong.to_owned()),
        _ => None,
    })
    .unwrap()
    .build()
    .unwrap();
    let exp = c
        .get_or_create_experiment(&unique("kfp-rs-wrong-s3"))
        .unwrap();
    let mut run = c.start_run(&exp, "wrong-secret", &[]).unwrap();
    let dir = std::env::temp_dir().join(unique("kfp-rs-wrong-s3"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("model.bin"), b"weights").unwrap();
    let err = run
        .log_artifact(&dir.join("model.bin"), Some("model"))
        .unwrap_err();
    let id = run.id().to_owned();
    drop(run); // the guard: the run ends FAILED
    let msg = err.to_string();
    assert!(err.is_refused(), "{err:?}");
    assert!(msg.contains("SignatureDoesNotMatch"), "{msg}");
    assert!(msg.contains("AWS_SECRET_ACCESS_KEY"), "{msg}");
    assert!(msg.contains(&s.s3), "{msg}");
    assert!(
        !msg.contains(wrong) && !msg.contains(&s.secret_key),
        "{msg}"
    );
    assert!(!format!("{err:?}").contains(wrong));
    assert_eq!(c.get_run(&id).unwrap().info.status, RunStatus::Failed);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An MLflow server of this test's own, so that stopping it disturbs no other test.
struct OwnServer {
    bin: std::path::PathBuf,
    port: u16,
    dir: std::path::PathBuf,
    child: Option<Child>,
}

impl OwnServer {
    fn start(bin: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(unique("kfp-rs-outage"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut s = OwnServer {
            bin: bin.to_owned(),
            port,
            dir,
            child: None,
        };
        s.spawn();
        s.wait_healthy();
        s
    }

    fn uri(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) {
        use std::os::unix::process::CommandExt;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .unwrap();
        let child = Command::new(&self.bin)
            .args(["server", "--host", "127.0.0.1", "--workers", "1", "--port"])
            .arg(self.port.to_string())
            .arg("--backend-store-uri")
            .arg(format!(
                "sqlite:///{}",
                self.dir.join("mlflow.db").display()
            ))
            .arg("--artifacts-destination")
            .arg(self.dir.join("artifacts"))
            .env("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
            .env("MLFLOW_DISABLE_TELEMETRY", "true")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    fn wait_healthy(&self) {
        let http = Http::new(Retry::none());
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(240) {
            if matches!(http.get(&format!("{}/health", self.uri())), Ok(r) if r.is_success()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "own MLflow server not healthy; log:\n{}",
            std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
        );
    }

    /// SIGTERM to the whole process group (the server and its uvicorn worker), then waits.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", "--", &format!("-{}", child.id())])
                .status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(30) {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .stderr(Stdio::null())
                .status();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn an_outage_mid_run_loses_nothing_and_duplicates_nothing() {
    let Some(s) = services("an_outage_mid_run_loses_nothing_and_duplicates_nothing") else {
        return;
    };
    let mut server = OwnServer::start(&s.mlflow_bin);
    // Long enough to outlast a restart on a loaded machine; correctness does not depend on it.
    let retry = Retry {
        attempts: 200,
        max_elapsed: Duration::from_secs(300),
        initial_backoff: Duration::from_millis(200),
        max_backoff: Duration::from_secs(2),
        timeout: Duration::from_secs(30),
    };
    let c: MlflowClient = ClientBuilder::new(&server.uri())
        .retry(retry)
        .build()
        .unwrap();
    let exp = c.get_or_create_experiment("outage").unwrap();
    let mut run = c.start_run(&exp, "outage", &[]).unwrap();
    run.set_flush_every(4);
    let value = |step: i64| 100.0 - step as f64 * 0.75;
    for step in 0..20 {
        run.log_metric("loss", value(step), step).unwrap(); // before
    }
    assert_eq!(run.pending(), 0);
    server.stop();
    // The server is down: these are logged during the outage. It comes back while the
    // client's flush is retrying.
    server.spawn();
    for step in 20..40 {
        run.log_metric("loss", value(step), step).unwrap(); // during
    }
    server.wait_healthy();
    for step in 40..60 {
        run.log_metric("loss", value(step), step).unwrap(); // after
    }
    let id = run.id().to_owned();
    run.finish().unwrap();

    let history = c.get_metric_history(&id, "loss").unwrap();
    let mut by_step: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for m in &history {
        by_step.entry(m.step).or_default().push(m.value);
    }
    assert_eq!(history.len(), 60, "{by_step:?}");
    assert_eq!(by_step.len(), 60);
    for (step, values) in by_step {
        assert_eq!(values, vec![value(step)], "step {step}");
    }
    assert_eq!(c.get_run(&id).unwrap().info.status, RunStatus::Finished);
}
