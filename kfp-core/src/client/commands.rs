//! The `submit`, `upload` and `runs` commands every pipeline binary gets with the `client`
//! feature.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command};

use super::types::{format_utc, parse_rfc3339};
use super::{Client, ClientConfig, ClientError, PipelineSource, Run, RunState};
use crate::compiler::{Compiler, Target};
use crate::spec::pipeline::Pipeline;

/// The names of the commands this module runs.
pub(crate) const COMMANDS: [&str; 3] = ["submit", "upload", "runs"];

fn connection_args(cmd: Command) -> Command {
    cmd.arg(
        Arg::new("host")
            .long("host")
            .value_name("URL")
            .help("The KFP API (http://localhost:8080, https://<kubeflow>/pipeline) [default: $KF_PIPELINES_ENDPOINT]"),
    )
    .arg(
        Arg::new("target")
            .long("target")
            .value_name("TARGET")
            .value_parser(["v1", "v2"])
            .default_value("v1")
            .help("v1: KFP 1.x (v1beta1 API, Argo YAML); v2: KFP 2.x (v2beta1 API, IR YAML)"),
    )
    .arg(
        Arg::new("token-file")
            .long("token-file")
            .value_name("FILE")
            .help("A file holding a bearer token [default: $KF_PIPELINES_SA_TOKEN_PATH, or the in-cluster token when it exists]"),
    )
    .arg(
        Arg::new("cookie")
            .long("cookie")
            .value_name("COOKIE")
            .help("A session cookie for Dex/Istio (oauth2_proxy_kubeflow=...)"),
    )
    .arg(
        Arg::new("namespace")
            .long("namespace")
            .value_name("NS")
            .help("The namespace (profile) of a multi-user KFP"),
    )
}

fn build_args(cmd: Command) -> Command {
    cmd.arg(
        Arg::new("binary")
            .long("binary")
            .value_name("PATH")
            .help("Absolute path of this binary inside the image [default: /usr/local/bin/<this binary's name>]"),
    )
    .arg(
        Arg::new("image")
            .long("image")
            .value_name("IMAGE")
            .help("Run every component in IMAGE (an image that holds this binary) instead of its base_image"),
    )
}

fn pipeline_arg(required: bool) -> Arg {
    Arg::new("pipeline")
        .long("pipeline")
        .value_name("NAME")
        .required(required)
        .help("Upload the pipeline under NAME (a new version when NAME exists)")
}

fn version_arg() -> Arg {
    Arg::new("version")
        .long("version")
        .value_name("NAME")
        .requires("pipeline")
        .help("The new version's name when the pipeline exists [default: <pipeline> <UTC time>]")
}

/// The `submit`, `upload` and `runs` subcommands.
pub(crate) fn subcommands() -> Vec<Command> {
    let submit = Command::new("submit")
        .about("Compile the pipeline and start a run on a KFP cluster")
        .arg(
            Arg::new("experiment")
                .long("experiment")
                .value_name("NAME")
                .default_value("Default")
                .help("The experiment, created when missing"),
        )
        .arg(
            Arg::new("run-name")
                .long("run-name")
                .value_name("NAME")
                .help("The run's name [default: <pipeline> <UTC time>]"),
        )
        .arg(
            Arg::new("param")
                .long("param")
                .value_name("NAME=VALUE")
                .action(ArgAction::Append)
                .help("A pipeline parameter, checked against its type"),
        )
        .arg(pipeline_arg(false))
        .arg(version_arg())
        .arg(
            Arg::new("no-cache")
                .long("no-cache")
                .action(ArgAction::SetTrue)
                .help("Turn caching off for every task"),
        )
        .arg(
            Arg::new("cron")
                .long("cron")
                .value_name("EXPR")
                .conflicts_with("wait")
                .help("Create a recurring run on this cron schedule (6 fields, seconds first) instead"),
        )
        .arg(
            Arg::new("wait")
                .long("wait")
                .action(ArgAction::SetTrue)
                .help("Wait for the run to end; exit 0 when it succeeds, 1 otherwise"),
        )
        .arg(
            Arg::new("timeout")
                .long("timeout")
                .value_name("SECS")
                .value_parser(clap::value_parser!(u64))
                .requires("wait")
                .help("Give up waiting after SECS seconds (exit 1)"),
        )
        .arg(
            Arg::new("poll")
                .long("poll")
                .value_name("SECS")
                .value_parser(clap::value_parser!(f64))
                .default_value("5")
                .help("Seconds between two status polls with --wait"),
        );
    let upload = Command::new("upload")
        .about("Compile the pipeline and upload it to a KFP cluster (a new version when it exists)")
        .arg(pipeline_arg(true))
        .arg(version_arg());
    let runs = Command::new("runs")
        .about("List recent runs on a KFP cluster")
        .arg(
            Arg::new("experiment")
                .long("experiment")
                .value_name("NAME")
                .help("Only the runs of this experiment"),
        )
        .arg(
            Arg::new("limit")
                .long("limit")
                .value_name("N")
                .value_parser(clap::value_parser!(u32).range(1..=1000))
                .default_value("20")
                .help("How many runs, newest first"),
        );
    vec![
        build_args(connection_args(submit)),
        build_args(connection_args(upload)),
        connection_args(runs),
    ]
}

/// The target a command's `--target` names.
pub(crate) fn target_of(m: &ArgMatches) -> Target {
    m.get_one::<String>("target")
        .and_then(|t| t.parse().ok())
        .unwrap_or_default()
}

/// Runs `submit`, `upload` or `runs`; returns the exit status.
pub(crate) fn run(name: &str, m: &ArgMatches, pipeline: &Pipeline) -> u8 {
    let result = match name {
        "submit" => submit(m, pipeline),
        "upload" => upload(m, pipeline),
        _ => runs(m),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Usage(msg)) => {
            eprintln!("error: {msg}");
            2
        }
        Err(Failure::Compile(msg)) => {
            eprintln!("error: {msg}");
            1
        }
        Err(Failure::Client(e)) => {
            eprintln!("error: {e}");
            if matches!(e, ClientError::Config(_)) {
                2
            } else {
                1
            }
        }
    }
}

enum Failure {
    /// A bad invocation: exit 2.
    Usage(String),
    /// The pipeline does not compile: exit 1.
    Compile(String),
    Client(ClientError),
}

impl From<ClientError> for Failure {
    fn from(e: ClientError) -> Self {
        Failure::Client(e)
    }
}

fn client(m: &ArgMatches) -> Result<Client, Failure> {
    let config = ClientConfig {
        host: m.get_one::<String>("host").cloned(),
        target: target_of(m),
        token_file: m.get_one::<String>("token-file").map(PathBuf::from),
        cookie: m.get_one::<String>("cookie").cloned(),
        namespace: m.get_one::<String>("namespace").cloned(),
        retry: None,
    };
    Ok(Client::new(config)?)
}

/// The YAML to send: compiled for the command's target, with `--image`, `--binary` and
/// (`no_cache`) caching off for every task, as kfp compiles with caching disabled.
fn compile(m: &ArgMatches, pipeline: &Pipeline, no_cache: bool) -> Result<String, Failure> {
    let mut p = match m.get_one::<String>("image") {
        Some(image) => crate::cli::with_image(pipeline, image),
        None => pipeline.clone(),
    };
    if no_cache {
        for t in &mut p.tasks {
            t.caching = false;
        }
    }
    let mut compiler = Compiler::new();
    if let Some(b) = m.get_one::<String>("binary") {
        compiler = compiler.binary_path(b.clone());
    }
    let yaml = compiler
        .compile(&p, target_of(m))
        .map_err(|e| Failure::Compile(e.to_string()))?;
    if yaml.len() > crate::cli::K8S_OBJECT_LIMIT {
        return Err(ClientError::TooLarge { bytes: yaml.len() }.into());
    }
    Ok(yaml)
}

fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(secs, '-')
}

/// Uploads `yaml` as the pipeline `name`, or as a new version when `name` exists.
fn upload_or_version(
    client: &Client,
    yaml: &str,
    name: &str,
    version: Option<&str>,
) -> Result<PipelineSource, Failure> {
    match client.get_pipeline(name)? {
        Some(existing) => {
            let version_name =
                version.map_or_else(|| format!("{name} {}", now_utc()), str::to_owned);
            let v = client.upload_pipeline_version(yaml, &version_name, &existing.id)?;
            println!("pipeline: {name} ({})", existing.id);
            println!("version: {} ({})", v.name, v.id);
            Ok(PipelineSource::Version {
                pipeline_id: existing.id,
                version_id: Some(v.id),
            })
        }
        None => {
            let p = client.upload_pipeline(yaml, name, None)?;
            println!("pipeline: {name} ({}) uploaded", p.id);
            Ok(PipelineSource::Version {
                pipeline_id: p.id,
                version_id: p.default_version_id,
            })
        }
    }
}

fn submit(m: &ArgMatches, pipeline: &Pipeline) -> Result<u8, Failure> {
    let given: Vec<String> = m
        .get_many::<String>("param")
        .map(|v| v.cloned().collect())
        .unwrap_or_default();
    let arguments = crate::params::parse_params(&pipeline.params, &given)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let cron = m.get_one::<String>("cron");
    if let Some(c) = cron {
        let fields = c.split_whitespace().count();
        if fields != 6 {
            return Err(Failure::Usage(format!(
                "--cron `{c}` has {fields} fields; KFP's scheduler reads 6 (seconds first), \
                 e.g. `0 0 * * * *` for every hour"
            )));
        }
    }
    let client = client(m)?;
    let yaml = compile(m, pipeline, m.get_flag("no-cache"))?;
    let experiment_name = m
        .get_one::<String>("experiment")
        .map_or("Default", String::as_str);
    let source = match m.get_one::<String>("pipeline") {
        Some(name) => upload_or_version(
            &client,
            &yaml,
            name,
            m.get_one::<String>("version").map(String::as_str),
        )?,
        None => PipelineSource::Inline(super::package(client.target(), &yaml, None)?.0),
    };
    let experiment = client.create_experiment(experiment_name)?;
    let run_name = m
        .get_one::<String>("run-name")
        .cloned()
        .unwrap_or_else(|| format!("{} {}", pipeline.name, now_utc()));
    if let Some(cron) = cron {
        let rr =
            client.create_recurring_run(&experiment.id, &run_name, cron, &source, &arguments)?;
        println!("recurring run: {} ({})", rr.name, rr.id);
        return Ok(0);
    }
    let run = client.run_pipeline(&experiment.id, &run_name, &source, &arguments)?;
    println!("run: {} ({})", run.name, run.id);
    println!("link: {}", client.run_url(&run.id));
    if !m.get_flag("wait") {
        return Ok(0);
    }
    wait(m, &client, &run)
}

fn wait(m: &ArgMatches, client: &Client, run: &Run) -> Result<u8, Failure> {
    let poll = m.get_one::<f64>("poll").copied().unwrap_or(5.0);
    let interval = Duration::try_from_secs_f64(poll.max(0.0)).unwrap_or(Duration::from_secs(5));
    let timeout = m.get_one::<u64>("timeout").map(|s| Duration::from_secs(*s));
    let live = std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    let mut last: Option<RunState> = None;
    let result = client.wait_with(&run.id, timeout, interval, |r| {
        let mut err = std::io::stderr();
        if live {
            let _ = write!(
                err,
                "\r\x1b[2K{}: {} ({} s)",
                r.name,
                r.state,
                started.elapsed().as_secs()
            );
            let _ = err.flush();
        } else if last.as_ref() != Some(&r.state) {
            let _ = writeln!(err, "{}: {}", r.name, r.state);
        }
        last = Some(r.state.clone());
    });
    if live {
        eprintln!();
    }
    let done = match result {
        Ok(done) => done,
        Err(e @ ClientError::Timeout { .. }) => {
            eprintln!("error: {e}");
            return Ok(1);
        }
        Err(e) => return Err(e.into()),
    };
    print_tasks(&done);
    println!("run {}: {}", done.name, done.state);
    if done.state == RunState::Succeeded {
        return Ok(0);
    }
    let failed: Vec<&str> = done
        .tasks
        .iter()
        .filter(|t| matches!(t.state, RunState::Failed | RunState::Error))
        .map(|t| t.name.as_str())
        .collect();
    let mut msg = format!("error: the run ended {}", done.state);
    if !failed.is_empty() {
        msg.push_str(&format!("; failed: {}", failed.join(", ")));
    }
    if let Some(e) = &done.error {
        msg.push_str(&format!(" ({e})"));
    }
    eprintln!("{msg}");
    Ok(1)
}

fn print_tasks(run: &Run) {
    if run.tasks.is_empty() {
        return;
    }
    let width = run
        .tasks
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    println!("{:width$}  STATE", "TASK");
    for t in &run.tasks {
        println!("{:width$}  {}", t.name, t.state);
    }
}

fn upload(m: &ArgMatches, pipeline: &Pipeline) -> Result<u8, Failure> {
    let client = client(m)?;
    let yaml = compile(m, pipeline, false)?;
    let name = m.get_one::<String>("pipeline").map_or("", String::as_str);
    let version = m.get_one::<String>("version").map(String::as_str);
    if let PipelineSource::Version { pipeline_id, .. } =
        upload_or_version(&client, &yaml, name, version)?
    {
        println!("link: {}/#/pipelines/details/{pipeline_id}", client.host());
    }
    Ok(0)
}

/// `1h02m03s`, `4m05s`, `12s`.
fn duration(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    if h > 0 {
        format!("{h}h{m:02}m{s:02}s")
    } else if m > 0 {
        format!("{m}m{s:02}s")
    } else {
        format!("{s}s")
    }
}

/// The `runs` table: name, state, created (UTC), duration.
pub(crate) fn runs_table(runs: &[Run]) -> String {
    let rows: Vec<[String; 4]> = runs
        .iter()
        .map(|r| {
            let created = r.created_at.as_deref().and_then(parse_rfc3339);
            let finished = r.finished_at.as_deref().and_then(parse_rfc3339);
            [
                r.name.clone(),
                r.state.to_string(),
                created
                    .and_then(|c| u64::try_from(c).ok())
                    .map_or_else(|| "-".into(), |c| format_utc(c, ':')),
                match (created, finished) {
                    (Some(c), Some(f)) if f >= c => duration(f - c),
                    _ => "-".into(),
                },
            ]
        })
        .collect();
    let header = ["NAME", "STATE", "CREATED", "DURATION"].map(str::to_owned);
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let line = format!(
            "{:w0$}  {:w1$}  {:w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn runs(m: &ArgMatches) -> Result<u8, Failure> {
    let client = client(m)?;
    let limit = m.get_one::<u32>("limit").copied().unwrap_or(20);
    let experiment_id = match m.get_one::<String>("experiment") {
        Some(name) => Some(
            client
                .get_experiment(name)?
                .ok_or_else(|| {
                    ClientError::Config(format!("there is no experiment named `{name}`"))
                })?
                .id,
        ),
        None => None,
    };
    let runs = client.list_runs(experiment_id.as_deref(), limit)?;
    print!("{}", runs_table(&runs));
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_table_aligns_and_measures() {
        let run = |name: &str, state: &str, c: Option<&str>, f: Option<&str>| Run {
            id: "id".into(),
            name: name.into(),
            state: RunState::parse(state),
            created_at: c.map(str::to_owned),
            finished_at: f.map(str::to_owned),
            error: None,
            tasks: vec![],
        };
        let table = runs_table(&[
            run(
                "yolo 1",
                "Succeeded",
                Some("2024-05-01T10:00:00Z"),
                Some("2024-05-01T11:02:03Z"),
            ),
            run(
                "long run name",
                "RUNNING",
                Some("2024-05-01T12:00:00Z"),
                None,
            ),
        ]);
        assert_eq!(
            table,
            "NAME           STATE      CREATED              DURATION\n\
             yolo 1         SUCCEEDED  2024-05-01 10:00:00  1h02m03s\n\
             long run name  RUNNING    2024-05-01 12:00:00  -\n"
        );
    }
}
