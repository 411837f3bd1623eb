//! One task on a worker thread: the cache lookup, the attempts with their retries and
//! backoff, the outputs read back and stored in the cache, and the task's record.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::cache;
use super::executor_input::{self, TaskInputs};
use super::process::{self, Attempt, Executable, Outcome};
use super::record::{TaskRecord, TaskState};

/// One task to run on a worker thread.
pub(crate) struct Job {
    pub(crate) component: Arc<crate::spec::component::ComponentSpec>,
    pub(crate) inputs: TaskInputs,
    pub(crate) dir: PathBuf,
    pub(crate) root: PathBuf,
    pub(crate) env: Vec<(String, String)>,
    /// Who is running: `KFP_PIPELINE_NAME`, `KFP_TASK_NAME`, `KFP_RUN_ID` (what a client such
    /// as the MLflow one tags its runs with). Not part of the cache key: it changes every run.
    pub(crate) context: Vec<(String, String)>,
    pub(crate) venv: Option<PathBuf>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: Option<crate::settings::Retry>,
    pub(crate) cache: Option<PathBuf>,
    pub(crate) exec: Executable,
    pub(crate) cancel: Arc<AtomicBool>,
    pub(crate) echo: Option<String>,
}

impl Job {
    pub(crate) fn run(self, mut record: TaskRecord) -> TaskRecord {
        let started = Instant::now();
        record.dir = Some(self.dir.clone());
        if let Err(e) = std::fs::create_dir_all(&self.dir) {
            record.state = TaskState::Failed;
            record.error = Some(format!("cannot create {}: {e}", self.dir.display()));
            return record;
        }
        let input = executor_input::build(&self.component, &self.inputs, &self.dir);
        let _ = std::fs::write(
            self.dir.join("executor_input.json"),
            serde_json::to_string_pretty(&input).unwrap_or_default(),
        );
        let key = self
            .cache
            .as_ref()
            .and_then(|_| cache::key(&self.component, &self.inputs, &self.env));
        if let (Some(dir), Some(key)) = (&self.cache, &key) {
            if let Some(hit) = cache::restore(dir, key, &self.dir) {
                record.state = TaskState::Cached;
                record.outputs = hit.outputs;
                record.artifacts = hit.artifacts;
                record.duration = started.elapsed();
                return record;
            }
        }
        if !matches!(self.exec, Executable::InProcess) {
            record.log = Some(self.dir.join("log.txt"));
        }
        let env: Vec<(String, String)> = self.env.iter().chain(&self.context).cloned().collect();
        let tries = 1 + self.retry.as_ref().map_or(0, |r| r.limit);
        let mut outcome = Outcome::Failed("not started".into());
        for attempt in 1..=tries {
            record.attempts = attempt;
            let a = Attempt {
                component: &self.component,
                executor_input: &input,
                dir: &self.dir,
                root: &self.root,
                env: &env,
                path_prefix: self.venv.as_deref(),
                timeout: self.timeout,
                cancel: &self.cancel,
                echo: self.echo.as_deref(),
                inputs: &self.inputs.params,
            };
            outcome = process::run_attempt(&self.exec, &a);
            if matches!(outcome, Outcome::Succeeded | Outcome::Cancelled) || attempt == tries {
                break;
            }
            let wait = self.backoff(attempt);
            if let Some(p) = &self.echo {
                println!(
                    "[{p}] attempt {attempt} of {tries} {}; retrying in {:.1}s",
                    describe(&outcome),
                    wait.as_secs_f64()
                );
            }
            let until = Instant::now() + wait;
            while Instant::now() < until && !self.cancel.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20).min(until - Instant::now()));
            }
        }
        record.duration = started.elapsed();
        match outcome {
            Outcome::Succeeded => match executor_input::read_outputs(&self.component, &self.dir) {
                Ok((outputs, artifacts)) => {
                    if let (Some(dir), Some(key)) = (&self.cache, &key) {
                        let _ = std::fs::create_dir_all(dir);
                        cache::store(dir, key, &outputs, &artifacts);
                    }
                    record.state = TaskState::Succeeded;
                    record.outputs = outputs;
                    record.artifacts = artifacts;
                }
                Err(e) => {
                    record.state = TaskState::Failed;
                    record.error = Some(e);
                }
            },
            Outcome::Failed(e) => {
                record.state = TaskState::Failed;
                record.error = Some(e);
            }
            Outcome::TimedOut => {
                record.state = TaskState::TimedOut;
                record.error = Some(format!(
                    "killed after its timeout of {}s",
                    self.timeout.map_or(0, |t| t.as_secs())
                ));
            }
            Outcome::Cancelled => {
                record.state = TaskState::Cancelled;
                record.error = Some("stopped: the run was interrupted".into());
            }
        }
        record
    }

    /// The wait before retry `attempt + 1`: KFP's backoff (`backoff_duration`, default 0s,
    /// times `backoff_factor`, default 2, per retry, at most `backoff_max_duration`, default
    /// 1h).
    fn backoff(&self, attempt: u32) -> Duration {
        let Some(r) = &self.retry else {
            return Duration::ZERO;
        };
        let base = r.backoff_duration.as_ref().map_or(0, |d| d.seconds) as f64;
        let factor = r.backoff_factor.unwrap_or(2.0);
        let max = r.backoff_max_duration.as_ref().map_or(3600, |d| d.seconds) as f64;
        let exp = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        Duration::from_secs_f64((base * factor.powi(exp)).clamp(0.0, max))
    }
}

fn describe(o: &Outcome) -> String {
    match o {
        Outcome::Failed(e) => format!("failed ({e})"),
        Outcome::TimedOut => "timed out".into(),
        Outcome::Cancelled => "was cancelled".into(),
        Outcome::Succeeded => "succeeded".into(),
    }
}
