//! Benchmark: build + compile the synthetic pipelines of `examples/scale.rs` for N = 100, 1000,
//! 5000 and 10000 tasks, every shape, both targets, in one process.
//!
//! ```text
//! cargo bench -p kfp-examples --bench compile              # every case
//! cargo bench -p kfp-examples --bench compile -- v1 chain  # cases whose label has every word
//! cargo bench -p kfp-examples --bench compile -- --runs 5  # at most 5 timed runs per case
//! ```
//!
//! A plain `harness = false` binary with no dependencies: criterion would become a
//! dev-dependency of kfp-examples, and cargo builds dev-dependencies for every example, so it
//! would slow down `cargo build --example yolov8withmlflow` for everyone. Each case runs once to
//! warm up, then until it has `--runs` timed runs (default 15) or has spent about 3 s, and
//! prints the median and the spread as a Markdown table. The whole-process numbers (start-up,
//! writing the file, peak memory) come from `bench/compare_kfp.py`.

use std::time::{Duration, Instant};

use kfp_core::{Compiler, Target};

#[path = "../examples/scale.rs"]
#[allow(dead_code, missing_docs)] // the example's `main` and CLI are unused here
mod scale;

use scale::{synthetic, Shape};

const SIZES: [usize; 4] = [100, 1000, 5000, 10000];
const BUDGET: Duration = Duration::from_secs(3);

struct Case {
    target: Target,
    shape: Shape,
    n: usize,
}

impl Case {
    fn label(&self) -> String {
        format!("{} {} {}", self.target, self.shape.as_str(), self.n)
    }

    /// Builds and compiles once; returns (build, compile) times, the number of tasks and the
    /// YAML's size.
    fn run(&self, compiler: &Compiler) -> (Duration, Duration, usize, usize) {
        let t0 = Instant::now();
        let pipeline = synthetic(self.shape, self.n);
        let t1 = Instant::now();
        let yaml = compiler.compile(&pipeline, self.target);
        let t2 = Instant::now();
        let tasks = pipeline.tasks.len();
        let bytes = match yaml {
            Ok(y) => std::hint::black_box(y).len(),
            Err(e) => {
                eprintln!("error: {}: {e}", self.label());
                std::process::exit(1);
            }
        };
        (t1 - t0, t2 - t1, tasks, bytes)
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
    let mut max_runs = 15usize;
    let mut words: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            // `cargo bench` passes `--bench`; ignore it and any other flag we do not know.
            "--runs" => {
                max_runs = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n > 0)
                    .unwrap_or(max_runs);
            }
            flag if flag.starts_with('-') => {}
            word => words.push(word.to_owned()),
        }
    }

    let compiler = Compiler::new().binary_path("/usr/local/bin/scale");
    println!(
        "| target | shape | N | runs | build (ms) | compile (ms) | total median (ms) | \
         total min..max (ms) | µs/task | YAML |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for target in [Target::V1, Target::V2] {
        for shape in [Shape::Chain, Shape::Fanout, Shape::Conditions] {
            for n in SIZES {
                let case = Case { target, shape, n };
                let label = case.label();
                if !words.iter().all(|w| label.split(' ').any(|l| l == w)) {
                    continue;
                }
                let (_, _, tasks, bytes) = case.run(&compiler);
                let (mut builds, mut compiles, mut totals) = (Vec::new(), Vec::new(), Vec::new());
                let started = Instant::now();
                while totals.len() < max_runs && (totals.len() < 3 || started.elapsed() < BUDGET) {
                    let (b, c, _, _) = case.run(&compiler);
                    builds.push(b);
                    compiles.push(c);
                    totals.push(b + c);
                }
                let runs = totals.len();
                let (lo, hi) = (
                    totals.iter().min().copied().unwrap_or_default(),
                    totals.iter().max().copied().unwrap_or_default(),
                );
                let total = median(totals);
                println!(
                    "| {target} | {} | {n} | {runs} | {} | {} | {} | {}..{} | {:.1} | {:.1} MB |",
                    shape.as_str(),
                    ms(median(builds)),
                    ms(median(compiles)),
                    ms(total),
                    ms(lo),
                    ms(hi),
                    total.as_secs_f64() * 1e6 / tasks as f64,
                    bytes as f64 / 1e6,
                );
            }
        }
    }
}
