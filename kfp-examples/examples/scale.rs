//! Synthetic N-task pipelines for measuring how compile time grows with size: the pipelines
//! that kfp's own perf scripts build (`../shared/oracle/perf/gen_v1.py`, `gen_v2.py`).
//!
//! ```text
//! cargo run --release --example scale -- --tasks N --shape chain|fanout [--target v1|v2] -o PATH
//! cargo run --release --example scale -- --tasks N --shape conditions -o PATH
//! ```
//!
//! - `chain`: N tasks, each consuming the previous task's output (the first takes `start`);
//! - `fanout`: one task taking `start`, and N tasks consuming its output (N + 1 tasks);
//! - `conditions` (kfp-rs only): one task, and N conditions on its output, each running one
//!   task that consumes it (N + 1 tasks, N groups).
//!
//! The component (`step(x: int) -> int` on `python:3.11`), the pipeline name
//! (`synthetic-<shape>-<N>`) and its parameter (`start: int = 0`) are those of kfp's scripts,
//! so the YAML is comparable with theirs. Like them, it prints one JSON line with the time spent
//! building and compiling the pipeline inside the process (`-o -` writes the YAML to stdout
//! instead, and the JSON line to stderr).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use kfp_core::prelude::*;

// kfp's `step(x: int) -> int`. No doc comment: it would become the component's description,
// which kfp's `step` does not have.
#[component(base_image = "python:3.11")]
fn step(x: i64) -> i64 {
    x + 1
}

/// The shape of a synthetic pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// N tasks, each consuming the previous task's output.
    Chain,
    /// One task, and N tasks consuming its output.
    Fanout,
    /// One task, and N conditions on its output (`== 0`, `== 1`, ...), each running one task
    /// that consumes it. Not in kfp's scripts: it measures how groups scale.
    Conditions,
}

impl Shape {
    /// The name used on the command line and in the pipeline name.
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Chain => "chain",
            Shape::Fanout => "fanout",
            Shape::Conditions => "conditions",
        }
    }
}

impl std::str::FromStr for Shape {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "chain" => Ok(Shape::Chain),
            "fanout" => Ok(Shape::Fanout),
            "conditions" => Ok(Shape::Conditions),
            other => Err(format!(
                "unknown shape `{other}`; expected `chain`, `fanout` or `conditions`"
            )),
        }
    }
}

/// Builds `synthetic-<shape>-<n>` as gen_v1.py/gen_v2.py do: for `Chain`, `n` tasks (at least
/// one); for `Fanout`, one producer and `n` consumers; for `Conditions`, one producer and `n`
/// conditions on its output, each with one consumer.
pub fn synthetic(shape: Shape, n: usize) -> Pipeline {
    let name = format!("synthetic-{}-{n}", shape.as_str());
    kfp_core::build_pipeline(&name, None, |params| {
        let start = params.param::<i64>("start", Some(0));
        match shape {
            Shape::Chain => {
                let mut prev = step::task(start);
                for _ in 1..n {
                    prev = step::task(prev.output());
                }
            }
            Shape::Fanout => {
                let root = step::task(start);
                for _ in 0..n {
                    step::task(root.output());
                }
            }
            Shape::Conditions => {
                let root = step::task(start);
                for i in 0..n {
                    root.output().equals(i as i64).then(|| {
                        step::task(root.output());
                    });
                }
            }
        }
    })
}

/// The command line: `--tasks N --shape chain|fanout|conditions [--target v1|v2]
/// [--binary PATH] -o PATH`.
#[derive(Debug)]
struct Args {
    tasks: usize,
    shape: Shape,
    target: Target,
    binary: Option<String>,
    output: PathBuf,
}

const USAGE: &str = "usage: scale --tasks N --shape chain|fanout|conditions [--target v1|v2] \
                     [--binary PATH] -o PATH (`-` for stdout)";

fn parse_args(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut tasks, mut shape, mut target, mut binary, mut output) =
        (None, None, Target::V1, None, None);
    while let Some(flag) = argv.next() {
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let mut value = || argv.next().ok_or_else(|| format!("`{flag}` needs a value"));
        match flag.as_str() {
            "--tasks" | "-n" => {
                let v = value()?;
                tasks = Some(
                    v.parse::<usize>()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| format!("`--tasks {v}`: expected a positive integer"))?,
                );
            }
            "--shape" => shape = Some(value()?.parse()?),
            "--target" => target = value()?.parse()?,
            "--binary" => binary = Some(value()?),
            "-o" | "--output" => output = Some(PathBuf::from(value()?)),
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    Ok(Args {
        tasks: tasks.ok_or("`--tasks N` is required")?,
        shape: shape.ok_or("`--shape chain|fanout` is required")?,
        target,
        binary,
        output: output.ok_or("`-o PATH` is required")?,
    })
}

#[allow(dead_code)] // also compiled into the compile benchmark, where `main` is unused
fn main() -> ExitCode {
    // The compiled YAML runs `scale component step ...` in its pods: every shape has the one
    // component, so any pipeline of them serves that.
    if std::env::args_os().nth(1).is_some_and(|a| a == "component") {
        let code = kfp_core::cli::run(std::env::args_os().collect(), || synthetic(Shape::Chain, 1));
        return ExitCode::from(code);
    }
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let t0 = Instant::now();
    let pipeline = synthetic(args.shape, args.tasks);
    let t1 = Instant::now();
    let mut compiler = Compiler::new();
    if let Some(b) = &args.binary {
        compiler = compiler.binary_path(b.clone());
    }
    let yaml = match compiler.compile(&pipeline, args.target) {
        Ok(y) => y,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let t2 = Instant::now();
    if let Some(warning) = kfp_core::cli::size_warning(yaml.len()) {
        eprintln!("{warning}");
    }
    let written = if args.output.as_os_str() == "-" {
        std::io::stdout().lock().write_all(yaml.as_bytes())
    } else {
        std::fs::write(&args.output, &yaml)
    };
    if let Err(e) = written {
        eprintln!("error: cannot write {}: {e}", args.output.display());
        return ExitCode::FAILURE;
    }
    let t3 = Instant::now();
    let report = format!(
        "{{\"sdk\": \"kfp-rs\", \"target\": \"{}\", \"shape\": \"{}\", \"n\": {}, \"tasks\": {}, \
         \"build_s\": {:.6}, \"compile_s\": {:.6}, \"write_s\": {:.6}, \"bytes\": {}}}",
        args.target,
        args.shape.as_str(),
        args.tasks,
        pipeline.tasks.len(),
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        (t3 - t2).as_secs_f64(),
        yaml.len()
    );
    if args.output.as_os_str() == "-" {
        eprintln!("{report}");
    } else {
        println!("{report}");
    }
    ExitCode::SUCCESS
}
