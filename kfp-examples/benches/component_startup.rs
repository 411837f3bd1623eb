//! Benchmark: how long a pod waits before its component runs, in a binary whose pipeline has
//! N tasks (5000 by default): `<binary> component step <KFP args>` as a whole process, for a
//! KFP v1 pod (`--x 1 ----output-paths ...`) and a KFP v2 pod (`--executor_input ...`), in a
//! binary with one pipeline and in a `PerTarget` binary (a pipeline per target).
//!
//! ```text
//! cargo bench -p kfp-examples --bench component_startup                 # N = 5000
//! cargo bench -p kfp-examples --bench component_startup -- --tasks 10000 --runs 30
//! ```
//!
//! The binary plays both parts: run with `component ...` it is the pod (the pipeline is
//! `examples/scale.rs`'s chain of `step`s, its size and form read from the environment);
//! otherwise it runs itself as the pod `--runs` times per case (default 15) and prints the
//! median and the spread as a Markdown table. A plain `harness = false` binary, as
//! `benches/compile.rs` is, for the same reason (no benchmark framework as a dev-dependency).

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kfp_core::cli::{self, PerTarget};

#[path = "../examples/scale.rs"]
#[allow(dead_code, missing_docs)] // the example's `main` and CLI are unused here
mod scale;

use scale::{synthetic, Shape};

const TASKS_VAR: &str = "KFP_BENCH_TASKS";
const FORM_VAR: &str = "KFP_BENCH_FORM";

/// The pod: runs `component ...` against a pipeline of `KFP_BENCH_TASKS` tasks, as one
/// pipeline (`KFP_BENCH_FORM=one`) or one per target (`per-target`).
fn pod(argv: Vec<OsString>) -> u8 {
    let n = std::env::var(TASKS_VAR)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let chain = move || synthetic(Shape::Chain, n);
    if std::env::var(FORM_VAR).is_ok_and(|f| f == "per-target") {
        cli::run(
            argv,
            PerTarget {
                v1: chain,
                v2: chain,
            },
        )
    } else {
        cli::run(argv, chain)
    }
}

/// The arguments a pod of `target` passes to `component step`, writing into `dir`.
fn pod_args(target: &str, dir: &Path) -> Vec<String> {
    let out = |f: &str| dir.join(f).to_string_lossy().into_owned();
    if target == "v1" {
        vec![
            "--x".into(),
            "1".into(),
            "----output-paths".into(),
            out("Output"),
        ]
    } else {
        let input = serde_json::json!({
            "inputs": {"parameterValues": {"x": 1}},
            "outputs": {
                "parameters": {"Output": {"outputFile": out("Output")}},
                "outputFile": out("executor_output.json"),
            },
        });
        vec![
            "--executor_input".into(),
            input.to_string(),
            "--function_to_execute".into(),
            "step".into(),
        ]
    }
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort_unstable();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

fn main() {
    let argv: Vec<OsString> = std::env::args_os().collect();
    if argv.get(1).is_some_and(|a| a == "component") {
        std::process::exit(i32::from(pod(argv)));
    }
    let (mut tasks, mut runs) = (5000usize, 15usize);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut number = |default: usize| {
            args.next()
                .and_then(|v| v.parse().ok())
                .filter(|&n| n > 0)
                .unwrap_or(default)
        };
        match a.as_str() {
            "--tasks" => tasks = number(tasks),
            "--runs" => runs = number(runs),
            // `cargo bench` passes `--bench`; ignore it and any other argument.
            _ => {}
        }
    }
    let me = std::env::current_exe().expect("the benchmark's own path");
    let dir = std::env::temp_dir().join(format!("kfp-bench-pod-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp folder");
    println!("| binary | pod | N | runs | median (ms) | min..max (ms) |");
    println!("|---|---|---|---|---|---|");
    for form in ["one", "per-target"] {
        for target in ["v1", "v2"] {
            let once = || {
                let t0 = Instant::now();
                let status = Command::new(&me)
                    .arg("component")
                    .arg("step")
                    .args(pod_args(target, &dir))
                    .env(TASKS_VAR, tasks.to_string())
                    .env(FORM_VAR, form)
                    .stdout(Stdio::null())
                    .status()
                    .expect("the pod runs");
                assert!(status.success(), "{form} {target}: {status}");
                t0.elapsed()
            };
            once();
            let times: Vec<Duration> = (0..runs).map(|_| once()).collect();
            let (lo, hi) = (
                times.iter().min().copied().unwrap_or_default(),
                times.iter().max().copied().unwrap_or_default(),
            );
            println!(
                "| {form} | {target} | {tasks} | {runs} | {} | {}..{} |",
                ms(median(times)),
                ms(lo),
                ms(hi)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
