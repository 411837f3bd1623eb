//! The `run` command: parses its flags, runs the pipeline with the binary itself as each
//! task's executable, prints the summary, and returns the exit status (0 success, 1 a task
//! failed, 2 bad input before any task, 130 interrupted).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use clap::{Arg, ArgAction, ArgMatches, Command};

use super::{Executable, ParamValue, ProgressMode, RunState, Runner};
use crate::spec::pipeline::Pipeline;

/// The `run` subcommand's definition.
pub(crate) fn command() -> Command {
    Command::new("run")
        .about("Run the whole pipeline on this machine (the pipeline `compile --target v2` compiles)")
        .arg(
            Arg::new("param")
                .long("param")
                .value_name("NAME=VALUE")
                .action(ArgAction::Append)
                .help("A pipeline parameter, typed as the pipeline declares it"),
        )
        .arg(
            Arg::new("params-file")
                .long("params-file")
                .value_name("JSON")
                .help("A JSON object of parameter values (--param wins)"),
        )
        .arg(
            Arg::new("root")
                .long("root")
                .value_name("DIR")
                .help("The run folder [default: ./kfp-local/<pipeline>/<run-id>]"),
        )
        .arg(
            Arg::new("parallelism")
                .long("parallelism")
                .value_name("N")
                .value_parser(clap::value_parser!(u32).range(1..))
                .help("How many tasks run at once [default: the number of cores]"),
        )
        .arg(
            Arg::new("no-cache")
                .long("no-cache")
                .action(ArgAction::SetTrue)
                .help("Run every task, reading and writing no cache entry"),
        )
        .arg(
            Arg::new("cache-dir")
                .long("cache-dir")
                .value_name("DIR")
                .help("The cache folder [default: $KFP_LOCAL_CACHE, else ./kfp-local/.cache]"),
        )
        .arg(
            Arg::new("venv")
                .long("venv")
                .action(ArgAction::SetTrue)
                .help("Run tasks with packages in a virtualenv per package list"),
        )
        .arg(
            Arg::new("runner")
                .long("runner")
                .value_name("RUNNER")
                .value_parser(["subprocess", "docker"])
                .default_value("subprocess")
                .help("subprocess: this binary; docker: `docker run` each task in its image"),
        )
        .arg(
            Arg::new("binary")
                .long("binary")
                .value_name("PATH")
                .help("With --runner docker: this binary's path inside the images [default: /usr/local/bin/<this binary's name>]"),
        )
        .arg(
            Arg::new("secret")
                .long("secret")
                .value_name("NAME=ENVFILE")
                .action(ArgAction::Append)
                .help("Secret or ConfigMap NAME's keys, from a file of KEY=VALUE lines"),
        )
        .arg(
            Arg::new("quiet")
                .long("quiet")
                .short('q')
                .action(ArgAction::SetTrue)
                .help("Keep task output in the logs only; no progress"),
        )
        .arg(
            Arg::new("json")
                .long("json")
                .value_name("PATH")
                .help("Write the run record (parameters, states, timings, outputs, artifacts) as JSON"),
        )
}

fn split_pair<'a>(flag: &str, text: &'a str) -> Result<(&'a str, &'a str), String> {
    text.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("error: `{flag} {text}`: expected NAME=VALUE"))
}

fn build_runner(m: &ArgMatches, pipeline: &Pipeline) -> Result<Runner, String> {
    let exec = match m.get_one::<String>("runner").map(String::as_str) {
        Some("docker") => Executable::Docker {
            binary: m.get_one::<String>("binary").cloned().unwrap_or_else(|| {
                crate::compiler::Compiler::new()
                    .get_binary_path()
                    .to_owned()
            }),
        },
        _ => Executable::Binary(
            std::env::current_exe().map_err(|e| format!("error: cannot find this binary: {e}"))?,
        ),
    };
    let mut runner = Runner::binary(PathBuf::new()).executable(exec);
    if let Some(file) = m.get_one::<String>("params-file") {
        for (k, v) in
            super::params::read_file(Path::new(file)).map_err(|e| format!("error: {e}"))?
        {
            runner = runner.param_value(&k, v);
        }
    }
    for p in m.get_many::<String>("param").into_iter().flatten() {
        let (k, v) = split_pair("--param", p)?;
        runner = runner.param_value(k, ParamValue::Text(v.to_owned()));
    }
    for s in m.get_many::<String>("secret").into_iter().flatten() {
        let (k, v) = split_pair("--secret", s)?;
        runner = runner
            .secret_file(k, Path::new(v))
            .map_err(|e| format!("error: {e}"))?;
    }
    if let Some(root) = m.get_one::<String>("root") {
        runner = runner.root(root);
    }
    if let Some(n) = m.get_one::<u32>("parallelism") {
        runner = runner.parallelism(usize::try_from(*n).unwrap_or(1));
    }
    if m.get_flag("no-cache") {
        runner = runner.no_cache();
    }
    if let Some(dir) = m.get_one::<String>("cache-dir") {
        runner = runner.cache_dir(dir);
    }
    let quiet = m.get_flag("quiet");
    let progress = if quiet {
        ProgressMode::Off
    } else if std::io::stderr().is_terminal() {
        ProgressMode::Live
    } else {
        ProgressMode::Lines
    };
    let _ = pipeline;
    Ok(runner
        .venv(m.get_flag("venv"))
        .quiet(quiet)
        .progress(progress))
}

/// Runs `run` with its matches `m` on `pipeline`; returns the exit status.
pub(crate) fn main(m: &ArgMatches, pipeline: &Pipeline) -> u8 {
    let runner = match build_runner(m, pipeline) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let cancel = runner.cancel_flag();
    // Ctrl-C and SIGTERM stop the tasks through the flag; the tasks sit in process groups
    // of their own, so the terminal's signal reaches the runner only.
    let _ = ctrlc::set_handler(move || cancel.store(true, Ordering::SeqCst));
    let record = match runner.run(pipeline) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return e.exit_code();
        }
    };
    print!("\n{}", super::progress::summary(&record));
    if let Some(path) = m.get_one::<String>("json") {
        let text = serde_json::to_string_pretty(&record.to_json()).unwrap_or_default();
        if let Err(e) = std::fs::write(path, text + "\n") {
            eprintln!("error: cannot write {path}: {e}");
            return 1;
        }
    }
    match record.state {
        RunState::Succeeded => 0,
        RunState::Failed => 1,
        RunState::Cancelled => 130,
    }
}
