//! The MLflow client against a real MLflow Tracking Server (proxied artifacts) and a real S3
//! server: experiments, runs, batching past MLflow's limits, search, metric history, the run
//! guard, and artifacts in all three stores.

mod mlflow_env;

use std::collections::BTreeSet;
use std::path::Path;

use kfp_core::mlflow::{
    ClientBuilder, Metric, MlflowClient, RunInfo, RunStatus, MAX_METRICS_PER_BATCH,
    MAX_PARAMS_TAGS_PER_BATCH,
};
use mlflow_env::{services, unique};

fn client(uri: &str) -> MlflowClient {
    ClientBuilder::new(uri).build().unwrap()
}

#[test]
fn experiments_are_found_or_created_once() {
    let Some(s) = services("experiments_are_found_or_created_once") else {
        return;
    };
    let c = client(&s.mlflow);
    let name = unique("kfp-rs-exp");
    assert_eq!(c.get_experiment_by_name(&name).unwrap(), None);
    let first = c.get_or_create_experiment(&name).unwrap();
    let again = c.get_or_create_experiment(&name).unwrap();
    assert_eq!(first, again);
    assert_eq!(first.name, name);
    assert!(
        first.artifact_location.starts_with("mlflow-artifacts:/"),
        "{first:?}"
    );
    // Creating it again is MLflow's RESOURCE_ALREADY_EXISTS, reported with the server's words.
    let err = c.create_experiment(&name).unwrap_err().to_string();
    assert!(err.contains("RESOURCE_ALREADY_EXISTS"), "{err}");
    assert!(err.contains(&s.mlflow), "{err}");
}

#[test]
fn batches_past_mlflows_limits_arrive_whole() {
    let Some(s) = services("batches_past_mlflows_limits_arrive_whole") else {
        return;
    };
    let c = client(&s.mlflow);
    let exp = c.get_or_create_experiment(&unique("kfp-rs-batch")).unwrap();
    let run = c.start_run(&exp, "batch", &[("suite", "client")]).unwrap();
    // 2.5 x the metric limit and 2.5 x the params+tags limit: several requests each.
    let n_metrics = MAX_METRICS_PER_BATCH * 5 / 2;
    let n_params = MAX_PARAMS_TAGS_PER_BATCH * 5 / 2;
    let metrics: Vec<Metric> = (0..n_metrics)
        .map(|i| Metric::now("m", i as f64 * 0.5, i as i64))
        .collect();
    let keys: Vec<(String, String)> = (0..n_params)
        .map(|i| (format!("p{i:03}"), "v".repeat(i % 7 + 1)))
        .collect();
    let params: Vec<(&str, &str)> = keys.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let long = "x".repeat(6000);
    let mut params_all = params.clone();
    params_all.push(("long", &long));
    c.log_batch(run.id(), &metrics, &params_all, &[("t1", "a"), ("t2", "b")])
        .unwrap();
    let id = run.id().to_owned();
    run.finish().unwrap();

    let got = c.get_run(&id).unwrap();
    assert_eq!(got.info.status, RunStatus::Finished);
    assert_eq!(got.params.len(), n_params + 1);
    assert_eq!(got.params["p045"], "vvvv");
    assert_eq!(got.params["long"].len(), 6000);
    assert_eq!(got.tags["t1"], "a");
    assert_eq!(got.tags["suite"], "client");
    let history = c.get_metric_history(&id, "m").unwrap();
    assert_eq!(history.len(), n_metrics);
    let steps: BTreeSet<i64> = history.iter().map(|m| m.step).collect();
    assert_eq!(steps, (0..n_metrics as i64).collect());
    assert!(history.iter().all(|m| m.value == m.step as f64 * 0.5));
}

#[test]
fn search_finds_runs_by_params_and_tags() {
    let Some(s) = services("search_finds_runs_by_params_and_tags") else {
        return;
    };
    let c = client(&s.mlflow);
    let exp = c
        .get_or_create_experiment(&unique("kfp-rs-search"))
        .unwrap();
    for lr in ["0.1", "0.2", "0.3"] {
        let mut run = c
            .start_run(&exp, &format!("lr-{lr}"), &[("lr", lr)])
            .unwrap();
        run.log_param("learning_rate", lr).unwrap();
        run.log_metric("loss", 1.0, 0).unwrap();
        run.finish().unwrap();
    }
    let all = c.search_runs(&[&exp.id], "", 10).unwrap();
    assert_eq!(all.len(), 3);
    let hits = c
        .search_runs(&[&exp.id], "params.learning_rate = '0.2'", 10)
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].info.run_name, "lr-0.2");
    assert_eq!(hits[0].tags["lr"], "0.2");
    assert_eq!(hits[0].metrics["loss"], 1.0);
    assert_eq!(c.search_runs(&[&exp.id], "", 2).unwrap().len(), 2);
}

#[test]
fn the_run_guard_ends_failed_on_err_and_panic_and_finished_on_ok() {
    let Some(s) = services("the_run_guard_ends_failed_on_err_and_panic_and_finished_on_ok") else {
        return;
    };
    let c = client(&s.mlflow);
    let exp = c.get_or_create_experiment(&unique("kfp-rs-guard")).unwrap();

    let body_ok = |c: &MlflowClient| -> Result<String, Box<dyn std::error::Error>> {
        let mut run = c.start_run(&exp, "ok", &[])?;
        run.log_metric("x", 1.0, 0)?;
        let id = run.id().to_owned();
        run.finish()?;
        Ok(id)
    };
    let ok = body_ok(&c).unwrap();

    let mut err_id = String::new();
    let body_err = |c: &MlflowClient, id: &mut String| -> Result<(), Box<dyn std::error::Error>> {
        let mut run = c.start_run(&exp, "err", &[])?;
        *id = run.id().to_owned();
        run.set_flush_every(10);
        run.log_metric("x", 2.0, 0)?; // buffered: sent when the guard ends the run
        Err("the component failed".into())
    };
    assert!(body_err(&c, &mut err_id).is_err());

    let panic_id = std::sync::Mutex::new(String::new());
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let run = c.start_run(&exp, "panic", &[]).unwrap();
        *panic_id.lock().unwrap() = run.id().to_owned();
        panic!("the component panicked");
    }));
    assert!(caught.is_err());
    let panic_id = panic_id.into_inner().unwrap();

    let status = |id: &str| c.get_run(id).unwrap().info.status;
    assert_eq!(status(&ok), RunStatus::Finished);
    assert_eq!(status(&err_id), RunStatus::Failed);
    assert_eq!(status(&panic_id), RunStatus::Failed);
    // The metric buffered before the error arrived.
    assert_eq!(c.get_metric_history(&err_id, "x").unwrap().len(), 1);
}

fn write_tree(root: &Path) {
    std::fs::create_dir_all(root.join("weights")).unwrap();
    std::fs::write(root.join("weights/best.pt"), b"best \x00\x01\xff").unwrap();
    std::fs::write(root.join("weights/last.pt"), b"last").unwrap();
    std::fs::write(root.join("results.csv"), b"epoch,loss\n0,1.5\n").unwrap();
}

fn scratch(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(unique(&format!("kfp-rs-mlflow-{tag}")));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn proxied_artifacts_go_through_the_server() {
    let Some(s) = services("proxied_artifacts_go_through_the_server") else {
        return;
    };
    let c = client(&s.mlflow);
    let exp = c
        .get_or_create_experiment(&unique("kfp-rs-proxied"))
        .unwrap();
    let mut run = c.start_run(&exp, "artifacts", &[]).unwrap();
    assert!(run.info().artifact_uri.starts_with("mlflow-artifacts:/"));
    let dir = scratch("proxied");
    write_tree(&dir);
    run.log_artifacts(&dir, Some("out")).unwrap();
    run.log_artifact(&dir.join("results.csv"), None).unwrap();
    let info = run.info().clone();
    run.finish().unwrap();
    assert_eq!(
        c.download_artifact(&info, "out/weights/best.pt").unwrap(),
        b"best \x00\x01\xff"
    );
    assert_eq!(
        c.download_artifact(&info, "out/results.csv").unwrap(),
        b"epoch,loss\n0,1.5\n"
    );
    assert_eq!(
        c.download_artifact(&info, "results.csv").unwrap(),
        b"epoch,loss\n0,1.5\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn s3_artifacts_are_signed_and_land_in_the_bucket() {
    let Some(s) = services("s3_artifacts_are_signed_and_land_in_the_bucket") else {
        return;
    };
    let c = ClientBuilder::new(&s.mlflow_s3)
        .s3_endpoint(&s.s3)
        .s3_credentials(&s.access_key, &s.secret_key)
        .build()
        .unwrap();
    let exp = c.get_or_create_experiment(&unique("kfp-rs-s3")).unwrap();
    let mut run = c.start_run(&exp, "artifacts", &[]).unwrap();
    let uri = run.info().artifact_uri.clone();
    let prefix = uri
        .strip_prefix(&format!("s3://{}/", s.bucket))
        .unwrap_or_else(|| panic!("{uri} is not in s3://{}", s.bucket));
    let dir = scratch("s3");
    write_tree(&dir);
    run.log_artifacts(&dir, Some("out")).unwrap();
    let info = run.info().clone();
    run.finish().unwrap();
    // The object is on s3s-fs's disk, byte for byte, where MLflow's own S3 store would put it.
    let on_disk = s
        .s3_data
        .join(&s.bucket)
        .join(prefix)
        .join("out/weights/best.pt");
    assert_eq!(std::fs::read(&on_disk).unwrap(), b"best \x00\x01\xff");
    assert_eq!(
        c.download_artifact(&info, "out/weights/last.pt").unwrap(),
        b"last"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn file_artifacts_are_copied_into_the_folder() {
    // A `file:` store needs no server: the client copies.
    let c = client("http://127.0.0.1:9");
    let dir = scratch("file-src");
    write_tree(&dir);
    let dest = scratch("file-dest");
    let info = RunInfo {
        run_id: "r".into(),
        experiment_id: "0".into(),
        run_name: "local".into(),
        status: RunStatus::Running,
        artifact_uri: format!("file://{}", dest.display()),
    };
    c.log_artifacts(&info, &dir, Some("out")).unwrap();
    c.log_artifact(&info, &dir.join("results.csv"), Some("top"))
        .unwrap();
    assert_eq!(
        std::fs::read(dest.join("out/weights/best.pt")).unwrap(),
        b"best \x00\x01\xff"
    );
    assert_eq!(
        c.download_artifact(&info, "top/results.csv").unwrap(),
        b"epoch,loss\n0,1.5\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&dest);
}
