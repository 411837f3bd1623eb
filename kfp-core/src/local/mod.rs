//! Runs a whole pipeline on one machine: the local runner behind `<pipeline-binary> run`, and
//! its Rust API for `cargo test`.
//!
//! The runner walks the pipeline model (the one `compile --target v2` compiles), not its YAML:
//! independent tasks run in parallel, conditions (with `elif`/`else`) are evaluated, loops
//! expand over static lists, parameters and task outputs, fan-ins collect a loop's outputs,
//! exit handlers run with the group's final status, and a task's retries, timeout,
//! environment (Secrets and ConfigMaps from env files) and caching are honored. Each task gets
//! an executor input built as KFP v2's launcher builds it, under the run folder
//! (`./kfp-local/<pipeline>/<run-id>/<task>/`), and its outputs are read back from its output
//! files and `executor_output.json`.
//!
//! How a task runs is the runner's [`Executable`]:
//! - [`Runner::binary`]: a subprocess of a pipeline binary started with exactly the command
//!   and arguments of the task's `exec-*` in the v2 IR (the `run` command uses the binary
//!   itself). This is what the cluster runs.
//! - [`Runner::in_process`] (the default): each task's Rust function is called in this
//!   process, on a worker thread, with an invocation built from the same executor input. A
//!   test binary cannot run `component X`, so this is how `cargo test` runs a pipeline; task
//!   timeouts are not enforced there and the tasks' output goes to the test's output.
//!
//! ```
//! use kfp_core::prelude::*;
//!
//! #[component]
//! fn add(a: i64, b: i64) -> i64 {
//!     a + b
//! }
//!
//! #[pipeline(name = "sum")]
//! fn sum(a: i64) {
//!     let first = add(a, 1);
//!     add(first.output(), 10);
//! }
//!
//! fn main() {
//! let root = std::env::temp_dir().join(format!("kfp-local-doc-{}", std::process::id()));
//! let record = kfp_core::local::Runner::in_process()
//!     .param("a", 5)
//!     .root(&root)
//!     .no_cache()
//!     .run(&sum())
//!     .unwrap();
//! assert!(record.succeeded());
//! assert_eq!(record.output::<i64>("add-2", "Output").unwrap(), 16);
//! std::fs::remove_dir_all(&root).unwrap();
//! }
//! ```

pub(crate) mod cache;
pub(crate) mod cli;
mod condition;
pub(crate) mod executor_input;
pub(crate) mod params;
pub(crate) mod process;
pub(crate) mod progress;
pub(crate) mod record;
mod scheduler;
mod worker;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
use sha2::{Digest, Sha256};

pub use params::ParamValue;
pub use process::Executable;
pub use progress::ProgressMode;
pub use record::{ArtifactRecord, RunRecord, RunState, TaskRecord, TaskState};

use crate::settings::EnvSource;
use crate::spec::component::sanitize_name;
use crate::spec::pipeline::Pipeline;
use crate::types::KfpType;

/// Why a local run could not start, or an output could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub enum LocalError {
    /// A parameter is unknown, missing or of the wrong type.
    BadParam {
        /// The parameter (or flag).
        name: String,
        /// What is wrong.
        message: String,
    },
    /// Env vars from Secrets or ConfigMaps that no `--secret` file gives.
    MissingSecrets {
        /// One line per missing value: task, variable, Secret and key.
        missing: Vec<String>,
    },
    /// Container components under a runner that cannot run them.
    ContainerComponents {
        /// The tasks.
        tasks: Vec<String>,
    },
    /// The pipeline has build errors.
    Pipeline(String),
    /// A file or folder could not be made or read.
    Io {
        /// The path.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// An output asked of a run record is not there.
    NoSuchOutput {
        /// The task.
        task: String,
        /// The output.
        output: String,
        /// Why.
        reason: String,
    },
}

impl LocalError {
    /// The exit status of `run` for this error: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            LocalError::BadParam { .. }
            | LocalError::MissingSecrets { .. }
            | LocalError::ContainerComponents { .. } => 2,
            _ => 1,
        }
    }
}

impl fmt::Display for LocalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalError::BadParam { name, message } => write!(f, "parameter `{name}`: {message}"),
            LocalError::MissingSecrets { missing } => write!(
                f,
                "missing Secret/ConfigMap values (give them with `--secret NAME=ENVFILE`):\n  {}",
                missing.join("\n  ")
            ),
            LocalError::ContainerComponents { tasks } => write!(
                f,
                "tasks {} run container components, which only `--runner docker` runs",
                tasks
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            LocalError::Pipeline(e) => write!(f, "the pipeline does not build: {e}"),
            LocalError::Io { path, message } => write!(f, "{}: {message}", path.display()),
            LocalError::NoSuchOutput {
                task,
                output,
                reason,
            } => write!(f, "no output `{output}` of task `{task}`: {reason}"),
        }
    }
}

impl std::error::Error for LocalError {}

/// The options of a local run, and [`Runner::run`] to start it.
#[derive(Clone, Debug)]
pub struct Runner {
    exec: Executable,
    params: Vec<(String, ParamValue)>,
    root: Option<PathBuf>,
    parallelism: Option<usize>,
    cache: bool,
    cache_dir: Option<PathBuf>,
    venv: bool,
    secrets: BTreeMap<String, BTreeMap<String, String>>,
    quiet: bool,
    progress: ProgressMode,
    cancel: Arc<AtomicBool>,
}

impl Default for Runner {
    fn default() -> Self {
        Runner::in_process()
    }
}

impl Runner {
    /// A runner that calls each task's Rust function in this process (see the module docs).
    pub fn in_process() -> Self {
        Runner {
            exec: Executable::InProcess,
            params: Vec::new(),
            root: None,
            parallelism: None,
            cache: true,
            cache_dir: None,
            venv: false,
            secrets: BTreeMap::new(),
            quiet: true,
            progress: ProgressMode::Off,
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }

    /// A runner that starts each task as a subprocess of the pipeline binary at `path` (one
    /// built from `kfp_core::main`), with the command line of its `exec-*` in the v2 IR.
    pub fn binary(path: impl Into<PathBuf>) -> Self {
        Runner {
            exec: Executable::Binary(path.into()),
            quiet: false,
            ..Runner::in_process()
        }
    }

    /// How tasks run.
    pub fn executable(mut self, exec: Executable) -> Self {
        self.exec = exec;
        self
    }

    /// Sets parameter `name` to `value`.
    pub fn param<T: KfpType>(mut self, name: &str, value: T) -> Self {
        self.params
            .push((name.to_owned(), ParamValue::Value(value.to_json())));
        self
    }

    /// Sets parameter `name` from text or JSON, checked against its declared type when the
    /// run starts.
    pub fn param_value(mut self, name: &str, value: ParamValue) -> Self {
        self.params.push((name.to_owned(), value));
        self
    }

    /// The run folder (default: `./kfp-local/<pipeline>/<run-id>`).
    pub fn root(mut self, dir: impl AsRef<Path>) -> Self {
        self.root = Some(dir.as_ref().to_path_buf());
        self
    }

    /// How many tasks run at once (default: the number of cores).
    pub fn parallelism(mut self, n: usize) -> Self {
        self.parallelism = Some(n.max(1));
        self
    }

    /// Turns the cache off (`--no-cache`).
    pub fn no_cache(mut self) -> Self {
        self.cache = false;
        self
    }

    /// The cache folder (default: `$KFP_LOCAL_CACHE`, else `./kfp-local/.cache`).
    pub fn cache_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cache_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Runs tasks with packages in a virtualenv per package list (`--venv`).
    pub fn venv(mut self, on: bool) -> Self {
        self.venv = on;
        self
    }

    /// The keys of Secret or ConfigMap `name`, for the tasks' env vars from it.
    pub fn secret(mut self, name: &str, values: BTreeMap<String, String>) -> Self {
        self.secrets.insert(name.to_owned(), values);
        self
    }

    /// Reads Secret or ConfigMap `name` from an env file of `KEY=VALUE` lines (`#` comments
    /// and blank lines skipped).
    pub fn secret_file(self, name: &str, path: &Path) -> Result<Self, LocalError> {
        let text = std::fs::read_to_string(path).map_err(|e| LocalError::Io {
            path: path.to_path_buf(),
            message: format!("cannot read the env file of `{name}`: {e}"),
        })?;
        let mut values = BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                return Err(LocalError::BadParam {
                    name: format!("--secret {name}"),
                    message: format!("{} line {}: expected KEY=VALUE", path.display(), n + 1),
                });
            };
            values.insert(k.trim().to_owned(), v.to_owned());
        }
        Ok(self.secret(name, values))
    }

    /// Whether to keep the tasks' output to their logs only (the API's default).
    pub fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }

    /// How progress is shown (default: not at all).
    pub fn progress(mut self, mode: ProgressMode) -> Self {
        self.progress = mode;
        self
    }

    /// The flag that interrupts the run when set (the `run` command sets it on Ctrl-C and
    /// SIGTERM): running tasks are stopped and nothing new starts.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }

    /// Runs `pipeline`. An `Err` means nothing ran (bad parameters, missing secrets, ...);
    /// a task's failure is in the record's state.
    pub fn run(&self, pipeline: &Pipeline) -> Result<RunRecord, LocalError> {
        if let Some(e) = pipeline.errors.first() {
            return Err(LocalError::Pipeline(e.to_string()));
        }
        let params = params::resolve(pipeline, &self.params)?;
        if !matches!(self.exec, Executable::Docker { .. }) {
            let tasks: Vec<String> = pipeline
                .tasks
                .iter()
                .filter(|t| t.component.run_fn().is_none())
                .map(|t| t.name.clone())
                .collect();
            if !tasks.is_empty() {
                return Err(LocalError::ContainerComponents { tasks });
            }
        }
        let env = self.task_env(pipeline)?;
        let started = Instant::now();
        let run_id = run_id(&pipeline.name);
        let root = match &self.root {
            Some(r) => r.clone(),
            None => PathBuf::from("kfp-local")
                .join(sanitize_name(&pipeline.name))
                .join(&run_id),
        };
        std::fs::create_dir_all(&root).map_err(|e| LocalError::Io {
            path: root.clone(),
            message: format!("cannot create the run folder: {e}"),
        })?;
        // Artifact URIs are absolute, as a launcher's are.
        let root = std::fs::canonicalize(&root).unwrap_or(root);
        let cache_dir = self
            .cache
            .then(|| self.cache_dir.clone().unwrap_or_else(cache::default_dir));
        let venvs = self.venvs(pipeline)?;
        let mut progress = progress::Progress::new(self.progress);
        if !self.quiet {
            for note in resource_notes(pipeline) {
                eprintln!("{note}");
            }
        }
        let cx = scheduler::Context {
            runner: self,
            params: &params,
            root: root.clone(),
            run_id: run_id.clone(),
            cache_dir,
            env,
            venvs,
            cancel: self.cancel.clone(),
            progress: &mut progress,
        };
        let tasks = scheduler::run(pipeline, cx);
        progress.end();
        let cancelled = self.cancel.load(std::sync::atomic::Ordering::SeqCst)
            || tasks.iter().any(|t| t.state == TaskState::Cancelled);
        let state = if cancelled {
            RunState::Cancelled
        } else if tasks.iter().any(|t| t.state.is_failure()) {
            RunState::Failed
        } else {
            RunState::Succeeded
        };
        let (outputs, output_artifacts) = record::pipeline_outputs(pipeline, &tasks);
        Ok(RunRecord {
            pipeline: pipeline.name.clone(),
            run_id,
            root,
            params,
            tasks,
            state,
            elapsed: started.elapsed(),
            outputs,
            output_artifacts,
        })
    }

    /// Each task's environment, Secret and ConfigMap values resolved; every missing value is
    /// reported at once.
    fn task_env(&self, pipeline: &Pipeline) -> Result<Vec<Vec<(String, String)>>, LocalError> {
        let mut missing = Vec::new();
        let mut out = Vec::new();
        for task in &pipeline.tasks {
            let mut env = Vec::new();
            for var in &task.settings.env {
                let (kind, source, key, optional) = match &var.source {
                    EnvSource::Value(v) => {
                        env.push((var.name.clone(), v.clone()));
                        continue;
                    }
                    EnvSource::Secret {
                        secret,
                        key,
                        optional,
                    } => ("Secret", secret, key, *optional),
                    EnvSource::ConfigMap {
                        config_map,
                        key,
                        optional,
                    } => ("ConfigMap", config_map, key, *optional),
                };
                match self.secrets.get(source).and_then(|s| s.get(key)) {
                    Some(v) => env.push((var.name.clone(), v.clone())),
                    None if optional => {}
                    None => missing.push(format!(
                        "task `{}`: env `{}` from {kind} `{source}` key `{key}`",
                        task.name, var.name
                    )),
                }
            }
            out.push(env);
        }
        if missing.is_empty() {
            Ok(out)
        } else {
            Err(LocalError::MissingSecrets { missing })
        }
    }

    /// Each task's virtualenv `bin` folder with `--venv`: one per distinct package list,
    /// created once under the cache folder and reused by the list's hash.
    fn venvs(&self, pipeline: &Pipeline) -> Result<Vec<Option<PathBuf>>, LocalError> {
        if !self.venv {
            return Ok(vec![None; pipeline.tasks.len()]);
        }
        let base = self
            .cache_dir
            .clone()
            .unwrap_or_else(cache::default_dir)
            .join("venvs");
        // Absolute, as a relative folder on `PATH` would depend on each task's folder.
        let base = std::path::absolute(&base).unwrap_or(base);
        let mut out = Vec::new();
        for task in &pipeline.tasks {
            let packages = &task.component.packages;
            if packages.is_empty() {
                out.push(None);
                continue;
            }
            let hash: String = Sha256::digest(packages.join("\n").as_bytes())
                .iter()
                .take(8)
                .map(|b| format!("{b:02x}"))
                .collect();
            let dir = base.join(hash);
            if !dir.join(".ready").exists() {
                make_venv(&dir, packages)?;
            }
            out.push(Some(dir.join("bin")));
        }
        Ok(out)
    }
}

/// Creates a virtualenv in `dir` and installs `packages` into it, each spec one argument (no
/// shell).
fn make_venv(dir: &Path, packages: &[String]) -> Result<(), LocalError> {
    let fail = |message: String| LocalError::Io {
        path: dir.to_path_buf(),
        message,
    };
    eprintln!(
        "creating a virtualenv for {} in {}",
        packages.join(" "),
        dir.display()
    );
    let status = std::process::Command::new("python3")
        .args(["-m", "venv"])
        .arg(dir)
        .status()
        .map_err(|e| fail(format!("cannot run python3 -m venv: {e}")))?;
    if !status.success() {
        return Err(fail(format!("python3 -m venv failed: {status}")));
    }
    let status = std::process::Command::new(dir.join("bin").join("python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(packages)
        .status()
        .map_err(|e| fail(format!("cannot run pip: {e}")))?;
    if !status.success() {
        return Err(fail(format!("pip install failed: {status}")));
    }
    std::fs::write(dir.join(".ready"), packages.join("\n"))
        .map_err(|e| fail(format!("cannot write .ready: {e}")))
}

/// One note per task that asks for resources, which a local run does not enforce.
pub(crate) fn resource_notes(pipeline: &Pipeline) -> Vec<String> {
    let mut out = Vec::new();
    for t in &pipeline.tasks {
        let s = &t.settings;
        let mut asks = Vec::new();
        if let Some((kind, n)) = &s.accelerator {
            asks.push(format!("{n} {kind}"));
        }
        for (what, v) in [
            ("cpu request", &s.cpu_request),
            ("cpu limit", &s.cpu_limit),
            ("memory request", &s.memory_request),
            ("memory limit", &s.memory_limit),
        ] {
            if let Some(v) = v {
                asks.push(format!("{what} {v}"));
            }
        }
        if !asks.is_empty() {
            out.push(format!(
                "note: task `{}` asks for {}; a local run reports this and does not enforce it",
                t.name,
                asks.join(", ")
            ));
        }
    }
    out
}

/// A run id: `<pipeline>-<yyyymmdd-hhmmss>-<pid>-<n>`, unique within the machine.
fn run_id(pipeline: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = crate::civil::civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    let t = secs % 86_400;
    format!(
        "{}-{y:04}{m:02}{d:02}-{:02}{:02}{:02}-{}-{}",
        sanitize_name(pipeline),
        t / 3600,
        t / 60 % 60,
        t % 60,
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// Runs `pipeline` with `runner`: [`Runner::run`] as a function.
pub fn run(pipeline: &Pipeline, runner: &Runner) -> Result<RunRecord, LocalError> {
    runner.run(pipeline)
}

/// The JSON value of a parameter given as text for `kind`, for callers that parse their own
/// flags.
pub fn parse_param(kind: crate::types::ParamKind, text: &str) -> Result<Value, String> {
    params::parse_text(kind, text)
}
