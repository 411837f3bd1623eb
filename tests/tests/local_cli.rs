//! The `run` command's failure paths and cache, each through a real pipeline binary
//! (`examples/local_faults.rs`), as a user runs it: exit statuses, the summary, the run
//! record (`--json`), the task logs, and the processes left behind.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The binary of example `name` (every example is built once per test process).
fn example_binary(name: &str) -> PathBuf {
    support::built_example(name)
}

/// Runs `example run <args>` in `dir` (its default run and cache folders go there).
fn run_in(dir: &Path, example: &str, args: &[&str]) -> Output {
    Command::new(example_binary(example))
        .arg("run")
        .args(args)
        .current_dir(dir)
        .env_remove("KFP_LOCAL_CACHE")
        .output()
        .expect("cannot start the example")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn record(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("run record")).expect("JSON")
}

fn task<'a>(record: &'a Value, name: &str) -> &'a Value {
    record["tasks"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == name))
        .unwrap_or_else(|| panic!("no task {name} in {record:#}"))
}

fn states(record: &Value) -> BTreeMap<String, String> {
    record["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_failing_task_fails_the_run_its_downstream_does_not_run_and_the_exit_handler_sees_failed() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        "local_faults",
        &["--param", "fail=true", "--json", "r.json"],
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let r = record(&dir.path().join("r.json"));
    assert_eq!(r["state"], "failed");
    assert_eq!(task(&r, "fail-if")["state"], "failed");
    assert_eq!(task(&r, "step")["state"], "not run");
    assert_eq!(task(&r, "step")["attempts"], 0);
    assert_eq!(task(&r, "report")["state"], "succeeded");
    // The summary names the failed task and its log; the log has the function's error.
    let log = task(&r, "fail-if")["log"].as_str().unwrap().to_owned();
    // The summary shows paths inside the current folder relative to it.
    let cwd = std::fs::canonicalize(dir.path()).unwrap();
    let shown = Path::new(&log)
        .strip_prefix(&cwd)
        .unwrap()
        .display()
        .to_string();
    assert!(shown.starts_with("kfp-local/local-faults/"), "{shown}");
    assert!(
        stdout.contains(&format!(
            "error: task `fail-if` failed: exited with status 1 (log: {shown})"
        )),
        "{stdout}"
    );
    assert!(std::fs::read_to_string(&log)
        .unwrap()
        .contains("asked to fail"));
    // The exit task ran with the group's final status, and said so with its `[task]` prefix.
    assert!(stdout.contains("[report] group ended: FAILED"), "{stdout}");
    let input: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(task(&r, "report")["dir"].as_str().unwrap()).join("executor_input.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        input["inputs"]["parameterValues"]["status"]["state"],
        "FAILED"
    );
    assert!(
        stdout.contains("TASK") && stdout.contains("not run"),
        "{stdout}"
    );
}

#[test]
fn retries_happen_the_number_of_times_asked() {
    let dir = tempfile::tempdir().unwrap();
    let counter = dir.path().join("count");
    let c = format!("counter={}", counter.display());
    // Fails twice, succeeds on the third of its 1 + 3 attempts.
    let out = run_in(
        dir.path(),
        "local_faults",
        &[
            "--param",
            &c,
            "--param",
            "flaky_fails=2",
            "--json",
            "r.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r = record(&dir.path().join("r.json"));
    assert_eq!(task(&r, "flaky")["attempts"], 3);
    assert_eq!(task(&r, "flaky")["outputs"]["Output"], 3);
    assert_eq!(std::fs::read_to_string(&counter).unwrap(), "3");
    // Always failing: 4 attempts (set_retry(3)), then the run fails.
    std::fs::remove_file(&counter).unwrap();
    let out = run_in(
        dir.path(),
        "local_faults",
        &[
            "--param",
            &c,
            "--param",
            "flaky_fails=10",
            "--json",
            "r2.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let r = record(&dir.path().join("r2.json"));
    assert_eq!(task(&r, "flaky")["attempts"], 4);
    assert_eq!(task(&r, "flaky")["state"], "failed");
    assert_eq!(std::fs::read_to_string(&counter).unwrap(), "4");
    assert!(
        text(&out.stdout).contains("[flaky] attempt 3 of 4 failed"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_timeout_kills_the_task() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        "local_faults",
        &["--param", "timeout_sleep=600", "--json", "r.json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let r = record(&dir.path().join("r.json"));
    let t = task(&r, "sleepy");
    assert_eq!(t["state"], "timed out");
    assert!(
        t["error"].as_str().unwrap().contains("timeout of 1s"),
        "{t}"
    );
    // Killed, not waited for: far under the 600 s the task asked to sleep.
    assert!(t["durationSeconds"].as_f64().unwrap() < 300.0, "{t}");
    // The other tasks are unaffected.
    assert_eq!(task(&r, "step-4")["state"], "succeeded");
}

#[test]
fn a_bad_param_exits_2_before_any_task() {
    let dir = tempfile::tempdir().unwrap();
    for (args, named) in [
        (&["--param", "x=ten"][..], "`x`"),
        (&["--param", "nope=1"][..], "`nope`"),
        (&["--param", "fail"][..], "--param fail"),
    ] {
        let out = run_in(dir.path(), "local_faults", args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
        assert!(
            !dir.path().join("kfp-local").exists(),
            "a task folder was made for {args:?}"
        );
    }
    // A required parameter left out, named.
    let out = run_in(dir.path(), "yolov8withmlflow", &["--param", "epochs=1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("parameter `model_name`: missing required parameter"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("kfp-local").exists());
}

/// The processes (not zombies) whose process group is `pgid`.
fn group_members(pgid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid pgrp ...`; comm may hold spaces, so split after the `)`.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.first() != Some(&"Z") && fields.get(2) == Some(&pgid.to_string().as_str()) {
            out.push(pid);
        }
    }
    out
}

#[test]
#[cfg(target_os = "linux")]
fn sigint_stops_the_run_and_leaves_no_child() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pids");
    let runner = Command::new(example_binary("local_faults"))
        .args(["run", "--no-cache", "--param", "long_sleep=600", "--param"])
        .arg(format!("pid_file={}", pid_file.display()))
        .args(["--json", "r.json"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The sleeping task writes its pid and its child's once both run (bounded wait).
    let deadline = Instant::now() + Duration::from_secs(120);
    let pids = loop {
        if let Ok(t) = std::fs::read_to_string(&pid_file) {
            let v: Vec<u32> = t
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect();
            if v.len() == 2 {
                break v;
            }
        }
        assert!(Instant::now() < deadline, "the task never started");
        std::thread::sleep(Duration::from_millis(50));
    };
    let (task_pid, sleep_pid) = (pids[0], pids[1]);
    assert!(
        group_members(task_pid).contains(&sleep_pid),
        "the sleep runs in the task's group"
    );
    let status = Command::new("kill")
        .args(["-INT", &runner.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = runner.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    assert_eq!(
        group_members(task_pid),
        Vec::<u32>::new(),
        "processes of the task's group remain"
    );
    let r = record(&dir.path().join("r.json"));
    assert_eq!(r["state"], "cancelled");
    assert_eq!(task(&r, "sleepy-2")["state"], "cancelled");
}

#[test]
fn a_second_run_is_cached_and_a_changed_input_reruns_exactly_what_it_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let first = run_in(dir.path(), "local_faults", &["--json", "1.json"]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let s1 = states(&record(&dir.path().join("1.json")));
    assert!(s1.values().all(|s| s == "succeeded"), "{s1:?}");

    let second = run_in(dir.path(), "local_faults", &["--json", "2.json"]);
    assert_eq!(second.status.code(), Some(0));
    let s2 = states(&record(&dir.path().join("2.json")));
    // Everything cacheable is cached; the tasks with caching off (and the exit task, which
    // reads this run's final status) run again.
    let ran_again = ["flaky", "sleepy", "sleepy-2", "venv-probe", "report"];
    for (name, state) in &s2 {
        let expected = if ran_again.contains(&name.as_str()) {
            "succeeded"
        } else {
            "cached"
        };
        assert_eq!(state, expected, "{name}: {s2:?}");
    }
    let r2 = record(&dir.path().join("2.json"));
    assert_eq!(task(&r2, "step-3")["outputs"]["Output"], 3);

    // y feeds only step-4 (`c`); x feeds step-2 (`a`) and, through it, step-3 (`b`).
    let third = run_in(
        dir.path(),
        "local_faults",
        &["--param", "y=20", "--json", "3.json"],
    );
    assert_eq!(third.status.code(), Some(0));
    let r3 = record(&dir.path().join("3.json"));
    let s3 = states(&r3);
    assert_eq!(s3["step-4"], "succeeded");
    assert_eq!(task(&r3, "step-4")["outputs"]["Output"], 21);
    for t in ["step-2", "step-3", "fail-if", "step"] {
        assert_eq!(s3[t], "cached", "{t}: {s3:?}");
    }
    let fourth = run_in(
        dir.path(),
        "local_faults",
        &["--param", "x=5", "--param", "y=20", "--json", "4.json"],
    );
    assert_eq!(fourth.status.code(), Some(0));
    let r4 = record(&dir.path().join("4.json"));
    let s4 = states(&r4);
    assert_eq!(
        (
            s4["step-2"].as_str(),
            s4["step-3"].as_str(),
            s4["step-4"].as_str()
        ),
        ("succeeded", "succeeded", "cached")
    );
    assert_eq!(task(&r4, "step-3")["outputs"]["Output"], 7);

    // A pipeline with nothing uncacheable: the second run runs no task.
    let a = run_in(dir.path(), "artifact_passing", &["--json", "a1.json"]);
    assert_eq!(a.status.code(), Some(0), "{}", text(&a.stderr));
    let b = run_in(dir.path(), "artifact_passing", &["--json", "a2.json"]);
    assert_eq!(b.status.code(), Some(0));
    let ra = record(&dir.path().join("a2.json"));
    assert!(
        states(&ra).values().all(|s| s == "cached"),
        "{:?}",
        states(&ra)
    );
    // Restored artifacts hold the same bytes, at this run's paths.
    let model = task(&ra, "train-model")["artifacts"]["model"]["uri"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(model.contains(ra["runId"].as_str().unwrap()), "{model}");
    assert_eq!(
        std::fs::read_to_string(model).unwrap(),
        "model trained on 100 rows for 2 epochs"
    );
    // --no-cache runs everything.
    let c = run_in(
        dir.path(),
        "artifact_passing",
        &["--no-cache", "--json", "a3.json"],
    );
    assert_eq!(c.status.code(), Some(0));
    assert!(states(&record(&dir.path().join("a3.json")))
        .values()
        .all(|s| s == "succeeded"));
}

#[test]
fn container_components_are_refused_naming_the_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), "reusable_components", &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("only `--runner docker` runs"), "{stderr}");
    assert!(stderr.contains("`echo-text`"), "{stderr}");
}

#[test]
fn a_params_file_gives_values_and_param_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.json"), r#"{"x": 4, "y": 20}"#).unwrap();
    let out = run_in(
        dir.path(),
        "local_faults",
        &[
            "--no-cache",
            "--params-file",
            "p.json",
            "--param",
            "x=6",
            "--json",
            "r.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r = record(&dir.path().join("r.json"));
    assert_eq!(r["parameters"]["x"], 6);
    assert_eq!(r["parameters"]["y"], 20);
    assert_eq!(task(&r, "step-2")["outputs"]["Output"], 7);
    assert_eq!(task(&r, "step-4")["outputs"]["Output"], 21);
    // A value of the wrong JSON type in the file: exit 2, naming the parameter.
    std::fs::write(dir.path().join("bad.json"), r#"{"fail": "yes"}"#).unwrap();
    let out = run_in(dir.path(), "local_faults", &["--params-file", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("parameter `fail`: invalid value \"yes\": expected a boolean"),
        "{}",
        text(&out.stderr)
    );
}

/// Writes a one-module wheel, `kfp_rs_probe`, into `dir` (with Python's zipfile; RECORD with
/// each file's hash, as pip checks it).
fn write_probe_wheel(dir: &Path) -> bool {
    let script = r#"
import base64, hashlib, sys, zipfile
files = {
    "kfp_rs_probe/__init__.py": "MESSAGE = 'hello from the venv'\n",
    "kfp_rs_probe-0.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: kfp-rs-probe\nVersion: 0.1\n",
    "kfp_rs_probe-0.1.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: kfp-rs-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
record = []
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name, text in files.items():
        data = text.encode()
        z.writestr(name, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("kfp_rs_probe-0.1.dist-info/RECORD,,")
    z.writestr("kfp_rs_probe-0.1.dist-info/RECORD", "\n".join(record) + "\n")
"#;
    Command::new("python3")
        .args(["-c", script])
        .arg(dir.join("kfp_rs_probe-0.1-py3-none-any.whl"))
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn venv_installs_a_package_list_once_and_puts_its_bin_first_on_path() {
    let has_venv = Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_venv {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "python3 with venv is missing under CI"
        );
        eprintln!("skipped: python3 with venv and ensurepip is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    assert!(write_probe_wheel(dir.path()), "cannot write the wheel");
    let args = [
        "--venv",
        "--no-cache",
        "--cache-dir",
        "cache",
        "--param",
        "venv_check=true",
        "--json",
        "r.json",
    ];
    let out = run_in(dir.path(), "local_faults", &args);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("creating a virtualenv for ./kfp_rs_probe-0.1-py3-none-any.whl"),
        "{stderr}"
    );
    let venvs = dir.path().join("cache/venvs");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("[venv-probe] hello from the venv "))
        .unwrap_or_else(|| panic!("{stdout}"));
    // The python3 the task found first on PATH is the venv's.
    let prefix = Path::new(line.rsplit(' ').next().unwrap()).to_path_buf();
    let venvs_abs = std::fs::canonicalize(&venvs).unwrap();
    assert_eq!(prefix.parent(), Some(venvs_abs.as_path()), "{line}");
    // A second run reuses it.
    let again = run_in(dir.path(), "local_faults", &args);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        !text(&again.stderr).contains("creating a virtualenv"),
        "{}",
        text(&again.stderr)
    );
    assert!(text(&again.stdout).contains("[venv-probe] hello from the venv"));
    assert_eq!(std::fs::read_dir(&venvs).unwrap().count(), 1);
}
