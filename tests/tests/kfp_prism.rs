//! The flagship's `submit`, `upload` and `runs` against Prism mocks of the official KFP specs
//! (`.ci/services/prism.sh start` exports `KFP_RS_PRISM_V1` and `KFP_RS_PRISM_V2`). Prism
//! refuses any request that does not fit the spec (401 without credentials, 422 for a bad body
//! or query, 404 for an unknown path), so each command exiting 0 means each of its requests
//! fit.
//!
//! Without the variables the tests say so and pass, except under `CI=true`, where they fail.

mod support;

use std::path::Path;
use std::process::Command;

use support::{example, Run, TempDir};

/// The mock's URL for `var`, or `None` (with a message) when it is not running outside CI.
fn prism(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true and {var} is not set: .ci/run starts Prism with .ci/services/prism.sh"
            );
            eprintln!("skipped: {var} is not set; start Prism with `eval \"$(bash .ci/services/prism.sh start)\"`");
            None
        }
    }
}

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

const PARAMS: [&str; 8] = [
    "--param",
    "model_name=yolov8n.pt",
    "--param",
    "epochs=3",
    "--param",
    "imgsz=640",
    "--param",
    "batchsize=16",
];

fn against(var: &str, target: &str) {
    let Some(url) = prism(var) else { return };
    let dir = TempDir::new("kfp-prism");
    let token = dir.path().join("token");
    std::fs::write(&token, "prism-token\n").unwrap();
    let token = token.to_str().unwrap();
    let common = [
        "--host",
        url.as_str(),
        "--target",
        target,
        "--token-file",
        token,
    ];
    let ok = |args: Vec<&str>| -> Run {
        let r = flagship(&args, dir.path());
        assert_eq!(
            r.code,
            Some(0),
            "{args:?}\nstdout:\n{}\nstderr:\n{}",
            r.stdout,
            r.stderr
        );
        r
    };

    // Inline run, then a run of an uploaded pipeline, then a recurring run.
    let r = ok([
        &["submit"][..],
        &common,
        &PARAMS,
        &["--experiment", "prism"],
    ]
    .concat());
    assert!(
        r.stdout.contains(&format!("link: {url}/#/runs/details/")),
        "{}",
        r.stdout
    );
    let r = ok([
        &["submit"][..],
        &common,
        &PARAMS,
        &["--pipeline", "yolo", "--no-cache"],
    ]
    .concat());
    assert!(r.stdout.contains("pipeline: yolo ("), "{}", r.stdout);
    let r = ok([
        &["submit"][..],
        &common,
        &PARAMS,
        &["--cron", "0 0 * * * *"],
    ]
    .concat());
    assert!(r.stdout.starts_with("recurring run: "), "{}", r.stdout);

    let r = ok([&["upload"][..], &common, &["--pipeline", "yolo"]].concat());
    assert!(
        r.stdout
            .contains(&format!("link: {url}/#/pipelines/details/")),
        "{}",
        r.stdout
    );

    let r = ok([&["runs"][..], &common, &["--limit", "5"]].concat());
    assert!(r.stdout.starts_with("NAME "), "{}", r.stdout);
    assert!(r.stdout.lines().count() >= 2, "{}", r.stdout);

    // Prism's example run never ends: --wait gives up at the timeout with exit 1.
    let r = flagship(
        &[
            &["submit"][..],
            &common,
            &PARAMS,
            &["--wait", "--timeout", "1", "--poll", "0.2"],
        ]
        .concat(),
        dir.path(),
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("did not end within 1 s"), "{}", r.stderr);

    // Without credentials Prism answers 401, and the message says how to send some.
    let r = flagship(&["runs", "--host", &url, "--target", target], dir.path());
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr.contains("(401): it needs credentials"),
        "{}",
        r.stderr
    );
}

#[test]
fn submit_upload_and_runs_fit_the_v1beta1_mock() {
    against("KFP_RS_PRISM_V1", "v1");
}

#[test]
fn submit_upload_and_runs_fit_the_v2beta1_mock() {
    against("KFP_RS_PRISM_V2", "v2");
}
