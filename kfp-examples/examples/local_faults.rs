//! A pipeline for the local runner's failure paths (issue 12): a task that fails on demand
//! inside an exit handler, a flaky task that fails a set number of times before it succeeds,
//! a task that outlives its timeout, a task that sleeps (with a child process of its own) for
//! Ctrl-C, a task that checks its `--venv` package, and a small chain for the cache. Every
//! fault is off by default.
//!
//! `cargo run --example local_faults -- run --param fail=true` shows a failed run.

use std::path::Path;
use std::process::Command;

use kfp_core::prelude::*;

/// Adds one to `x`, printing `label`.
#[component(base_image = "python:3.11")]
fn step(label: String, x: i64) -> i64 {
    println!("{label}: {x} + 1");
    x + 1
}

/// Fails when asked.
#[component(base_image = "python:3.11")]
fn fail_if(fail: bool) -> Result<i64, BoxError> {
    if fail {
        return Err("asked to fail".into());
    }
    Ok(1)
}

/// Fails the first `fails` times it runs, counting its runs in `counter` (a file path; no
/// counting when empty).
#[component(base_image = "python:3.11")]
fn flaky(counter: String, fails: i64) -> Result<i64, BoxError> {
    if counter.is_empty() {
        return Ok(0);
    }
    let path = Path::new(&counter);
    let runs: i64 = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0)
        + 1;
    std::fs::write(path, runs.to_string())?;
    if runs <= fails {
        return Err(format!("flaky: run {runs} of the {fails} that fail").into());
    }
    Ok(runs)
}

/// Sleeps `seconds` in a child `sleep` process (so that stopping the task must stop its
/// children too), writing the child's pid to `pid_file` when that is not empty.
#[component(base_image = "python:3.11")]
fn sleepy(seconds: i64, pid_file: String) -> Result<(), BoxError> {
    if seconds <= 0 {
        return Ok(());
    }
    let mut child = Command::new("sleep").arg(seconds.to_string()).spawn()?;
    if !pid_file.is_empty() {
        std::fs::write(&pid_file, format!("{} {}", std::process::id(), child.id()))?;
    }
    println!("sleeping {seconds}s");
    let status = child.wait()?;
    if !status.success() {
        return Err(format!("sleep ended with {status}").into());
    }
    Ok(())
}

/// With `check`, imports the package a `--venv` run installs from the wheel in the current
/// folder, with the `python3` first on `PATH`.
#[component(
    base_image = "python:3.11",
    packages = ["./kfp_rs_probe-0.1-py3-none-any.whl"]
)]
fn venv_probe(check: bool) -> Result<(), BoxError> {
    if !check {
        return Ok(());
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import kfp_rs_probe, sys; print(kfp_rs_probe.MESSAGE, sys.prefix)",
        ])
        .output()?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned().into());
    }
    Ok(())
}

/// Reports how the exit handler's group ended.
#[component(base_image = "python:3.11")]
fn report(status: TaskFinalStatus) {
    println!("group ended: {}", status.state);
}

/// The failure paths, each off by default.
#[pipeline(name = "local-faults")]
pub fn local_faults(
    #[kfp(default = false)] fail: bool,
    #[kfp(default = "".to_string())] counter: String,
    #[kfp(default = 0)] flaky_fails: i64,
    #[kfp(default = 0)] timeout_sleep: i64,
    #[kfp(default = 0)] long_sleep: i64,
    #[kfp(default = "".to_string())] pid_file: String,
    #[kfp(default = 1)] x: i64,
    #[kfp(default = 10)] y: i64,
    #[kfp(default = false)] venv_check: bool,
) {
    let cleanup = report();
    ExitHandler::new(&cleanup).run(|| {
        let risky = fail_if(fail);
        step("after-fail", risky.output()).set_display_name("after fail");
    });
    flaky(counter, flaky_fails)
        .set_retry(3)
        .set_caching_options(false);
    sleepy(timeout_sleep, "")
        .set_timeout("1s")
        .set_caching_options(false);
    sleepy(long_sleep, pid_file).set_caching_options(false);
    venv_probe(venv_check).set_caching_options(false);
    let a = step("a", x);
    step("b", a.output());
    step("c", y);
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(local_faults)
}
