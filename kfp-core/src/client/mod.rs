//! A synchronous client for the Kubeflow Pipelines REST API, v1beta1 (KFP 1.x) and v2beta1
//! (KFP 2.x), with the operations named as `kfp.Client` names them.
//!
//! Every request is first a [`RequestPlan`] built by a pure function of [`v1`] or [`v2`]
//! (inspectable, and checked against the official specs by the contract tests), then sent by
//! one executor on the shared [`crate::http`] layer.
//!
//! ```no_run
//! use kfp_core::client::{Client, ClientConfig, RunOptions};
//! use kfp_core::Target;
//!
//! let client = Client::new(ClientConfig::new("http://localhost:8080").target(Target::V2))?;
//! let yaml = std::fs::read_to_string("yolov8withmlflow.yaml")?;
//! let run = client.create_run_from_pipeline_package(
//!     &yaml,
//!     &RunOptions {
//!         arguments: vec![("epochs".into(), 3.into())],
//!         experiment_name: Some("yolo".into()),
//!         ..RunOptions::default()
//!     },
//! )?;
//! println!("{}", client.run_url(&run.id));
//! let done = client.wait_for_run_completion(&run.id, None, std::time::Duration::from_secs(5))?;
//! assert!(done.state.is_terminal());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod commands;
mod config;
mod exec;
pub mod multipart;
mod package;
mod plan;
pub mod types;
pub mod v1;
pub mod v2;

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::compiler::Target;
use crate::http::{Auth, Http};

use config::token_source;
pub use config::{ClientConfig, RunOptions};
pub use exec::{ClientError, CredentialSource};
pub use package::package;
use package::{check_size, default_run_name};
pub(crate) use plan::{encode, name_filter};
pub use plan::{Body, RequestPlan};
pub use types::{
    Experiment, PipelineInfo, PipelineSource, PipelineVersionInfo, RecurringRun, Run, RunBody,
    RunState, TaskState,
};

/// Where the in-cluster ServiceAccount token is mounted when `KF_PIPELINES_SA_TOKEN_PATH` is
/// not set.
pub const DEFAULT_TOKEN_PATH: &str = "/var/run/secrets/kubeflow/pipelines/token";

/// A client for one KFP API server.
#[derive(Clone, Debug)]
pub struct Client {
    http: Http,
    host: String,
    target: Target,
    namespace: Option<String>,
    sources: Vec<CredentialSource>,
    /// The token file, re-read before each request: projected ServiceAccount tokens rotate
    /// (as kfp's `ServiceAccountTokenVolumeCredentials` re-reads them).
    token_path: Option<std::path::PathBuf>,
}

impl Client {
    /// A client for `config`. The token file, if any, must be readable now; it is read again
    /// before each request, so a rotated token is picked up.
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let host = config
            .host
            .clone()
            .or_else(|| std::env::var("KF_PIPELINES_ENDPOINT").ok())
            .filter(|h| !h.trim().is_empty())
            .ok_or_else(|| {
                ClientError::Config(
                    "no KFP host: pass --host URL or set KF_PIPELINES_ENDPOINT".into(),
                )
            })?;
        let host = host.trim().trim_end_matches('/').to_owned();
        if !(host.starts_with("http://") || host.starts_with("https://")) {
            return Err(ClientError::Config(format!(
                "the KFP host `{host}` is not an http:// or https:// URL"
            )));
        }
        let mut sources = Vec::new();
        let mut token_path = None;
        let token = match token_source(&config) {
            Some(source) => {
                let CredentialSource::TokenFile { path, .. } = &source else {
                    unreachable!("token_source returns token files")
                };
                let token = std::fs::read_to_string(path).map_err(|e| {
                    ClientError::Config(format!("cannot read the token file {source}: {e}"))
                })?;
                let token = token.trim().to_owned();
                if token.is_empty() {
                    return Err(ClientError::Config(format!(
                        "the token file {source} is empty"
                    )));
                }
                token_path = Some(path.clone());
                sources.push(source);
                Some(Auth::Bearer(token))
            }
            None => None,
        };
        let mut http = Http::new(config.retry.unwrap_or_default()).with_auth(token);
        if let Some(cookie) = config.cookie.filter(|c| !c.is_empty()) {
            http = http.with_header("Cookie", cookie);
            sources.push(CredentialSource::Cookie);
        }
        Ok(Client {
            http,
            host,
            target: config.target,
            namespace: config.namespace,
            sources,
            token_path,
        })
    }

    /// The API's base URL, without a trailing `/`.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The API this client speaks.
    pub fn target(&self) -> Target {
        self.target
    }

    /// The run's page in the KFP UI.
    pub fn run_url(&self, run_id: &str) -> String {
        format!("{}/#/runs/details/{run_id}", self.host)
    }

    fn ns(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// Uploads a compiled pipeline as a new pipeline named `name` (`description` optional).
    /// A YAML over [`K8S_OBJECT_LIMIT`](crate::cli::K8S_OBJECT_LIMIT) is refused before anything is sent.
    pub fn upload_pipeline(
        &self,
        yaml: &str,
        name: &str,
        description: Option<&str>,
    ) -> Result<PipelineInfo, ClientError> {
        check_size(yaml)?;
        let plan = match self.target {
            Target::V1 => v1::upload_pipeline(name, description, self.ns(), yaml.as_bytes()),
            Target::V2 => v2::upload_pipeline(name, description, self.ns(), yaml.as_bytes()),
        };
        let v = self.create(&plan, "upload the pipeline", || {
            self.get_pipeline(name).map(|p| p.map(|p| p.raw))
        })?;
        types::parse_pipeline(self.target, &v)
    }

    /// Uploads a compiled pipeline as version `version_name` of the pipeline `pipeline_id`.
    pub fn upload_pipeline_version(
        &self,
        yaml: &str,
        version_name: &str,
        pipeline_id: &str,
    ) -> Result<PipelineVersionInfo, ClientError> {
        check_size(yaml)?;
        let plan = match self.target {
            Target::V1 => v1::upload_pipeline_version(version_name, pipeline_id, yaml.as_bytes()),
            Target::V2 => v2::upload_pipeline_version(version_name, pipeline_id, yaml.as_bytes()),
        };
        let v = self.create(&plan, "upload the pipeline version", || {
            self.get_pipeline_version(pipeline_id, version_name)
                .map(|p| p.map(|p| p.raw))
        })?;
        types::parse_pipeline_version(self.target, &v, pipeline_id)
    }

    /// The pipeline named `name`, if there is one.
    pub fn get_pipeline(&self, name: &str) -> Result<Option<PipelineInfo>, ClientError> {
        let plan = match self.target {
            Target::V1 => v1::find_pipeline(name, self.ns()),
            Target::V2 => v2::find_pipeline(name, self.ns()),
        };
        let v = self.execute(&plan, "look up the pipeline")?;
        types::list_items(&v, "pipelines")
            .iter()
            .map(|p| types::parse_pipeline(self.target, p))
            .find(|p| p.as_ref().map_or(true, |p| p.name == name))
            .transpose()
    }

    /// The version named `name` of the pipeline `pipeline_id`, if there is one.
    pub fn get_pipeline_version(
        &self,
        pipeline_id: &str,
        name: &str,
    ) -> Result<Option<PipelineVersionInfo>, ClientError> {
        let (plan, key) = match self.target {
            Target::V1 => (v1::find_pipeline_version(pipeline_id, name), "versions"),
            Target::V2 => (
                v2::find_pipeline_version(pipeline_id, name),
                "pipeline_versions",
            ),
        };
        let v = self.execute(&plan, "look up the pipeline version")?;
        types::list_items(&v, key)
            .iter()
            .map(|p| types::parse_pipeline_version(self.target, p, pipeline_id))
            .find(|p| p.as_ref().map_or(true, |p| p.name == name))
            .transpose()
    }

    /// Creates the experiment `name`, or returns the existing one of that name (as kfp does).
    pub fn create_experiment(&self, name: &str) -> Result<Experiment, ClientError> {
        if let Some(e) = self.get_experiment(name)? {
            return Ok(e);
        }
        let plan = match self.target {
            Target::V1 => v1::create_experiment(name, self.ns()),
            Target::V2 => v2::create_experiment(name, self.ns()),
        };
        let v = self.create(&plan, "create the experiment", || {
            self.get_experiment(name).map(|e| e.map(|e| e.raw))
        })?;
        types::parse_experiment(self.target, &v)
    }

    /// The experiment named `name`, if there is one.
    pub fn get_experiment(&self, name: &str) -> Result<Option<Experiment>, ClientError> {
        let plan = match self.target {
            Target::V1 => v1::find_experiment(name, self.ns()),
            Target::V2 => v2::find_experiment(name, self.ns()),
        };
        let v = self.execute(&plan, "look up the experiment")?;
        types::list_items(&v, "experiments")
            .iter()
            .map(|e| types::parse_experiment(self.target, e))
            .find(|e| e.as_ref().map_or(true, |e| e.name == name))
            .transpose()
    }

    /// Starts a run of the compiled pipeline `yaml`, which goes inline in the run; creates the
    /// experiment when it is missing.
    pub fn create_run_from_pipeline_package(
        &self,
        yaml: &str,
        options: &RunOptions,
    ) -> Result<Run, ClientError> {
        check_size(yaml)?;
        let (spec, pipeline_name) = package(self.target, yaml, options.enable_caching)?;
        let experiment =
            self.create_experiment(options.experiment_name.as_deref().unwrap_or("Default"))?;
        let name = options
            .run_name
            .clone()
            .unwrap_or_else(|| default_run_name(&pipeline_name));
        self.run_pipeline(
            &experiment.id,
            &name,
            &PipelineSource::Inline(spec),
            &options.arguments,
        )
    }

    /// Starts a run named `job_name` in the experiment `experiment_id`, of an uploaded
    /// pipeline version or an inline pipeline.
    pub fn run_pipeline(
        &self,
        experiment_id: &str,
        job_name: &str,
        pipeline: &PipelineSource,
        arguments: &[(String, Value)],
    ) -> Result<Run, ClientError> {
        let body = RunBody {
            name: job_name.to_owned(),
            experiment_id: experiment_id.to_owned(),
            pipeline: pipeline.clone(),
            arguments: arguments.to_vec(),
        };
        let plan = match self.target {
            Target::V1 => v1::create_run(&body),
            Target::V2 => v2::create_run(&body),
        };
        let v = self.create(&plan, "create the run", || {
            self.find_run(job_name, experiment_id)
        })?;
        types::parse_run(self.target, &v)
    }

    fn find_run(&self, name: &str, experiment_id: &str) -> Result<Option<Value>, ClientError> {
        let plan = match self.target {
            Target::V1 => v1::find_run(name, experiment_id),
            Target::V2 => v2::find_run(name, experiment_id),
        };
        let v = self.execute(&plan, "look up the run")?;
        let key = self.name_key();
        Ok(types::list_items(&v, "runs")
            .iter()
            .find(|r| r.get(key).and_then(Value::as_str) == Some(name))
            .cloned())
    }

    fn name_key(&self) -> &'static str {
        match self.target {
            Target::V1 => "name",
            Target::V2 => "display_name",
        }
    }

    /// The run `run_id`, with its tasks' states.
    pub fn get_run(&self, run_id: &str) -> Result<Run, ClientError> {
        let plan = match self.target {
            Target::V1 => v1::get_run(run_id),
            Target::V2 => v2::get_run(run_id),
        };
        let v = self.execute(&plan, "get the run")?;
        types::parse_run(self.target, &v)
    }

    /// The newest `limit` runs, of the experiment `experiment_id` when given.
    pub fn list_runs(
        &self,
        experiment_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Run>, ClientError> {
        let plan = match self.target {
            Target::V1 => v1::list_runs(experiment_id, self.ns(), limit),
            Target::V2 => v2::list_runs(experiment_id, self.ns(), limit),
        };
        let v = self.execute(&plan, "list the runs")?;
        types::list_items(&v, "runs")
            .iter()
            .map(|r| types::parse_run(self.target, r))
            .collect()
    }

    /// Polls the run every `interval` until it ends (SUCCEEDED, SKIPPED, FAILED, ERROR or
    /// CANCELED) and returns it, or [`ClientError::Timeout`] after `timeout`.
    pub fn wait_for_run_completion(
        &self,
        run_id: &str,
        timeout: Option<Duration>,
        interval: Duration,
    ) -> Result<Run, ClientError> {
        self.wait_with(run_id, timeout, interval, |_| {})
    }

    /// [`Client::wait_for_run_completion`], calling `progress` with each run polled.
    pub fn wait_with(
        &self,
        run_id: &str,
        timeout: Option<Duration>,
        interval: Duration,
        mut progress: impl FnMut(&Run),
    ) -> Result<Run, ClientError> {
        let start = Instant::now();
        loop {
            let run = self.get_run(run_id)?;
            progress(&run);
            if run.state.is_terminal() {
                return Ok(run);
            }
            if let Some(t) = timeout {
                if start.elapsed() + interval > t {
                    return Err(ClientError::Timeout {
                        run_id: run_id.to_owned(),
                        seconds: t.as_secs(),
                        state: run.state.to_string(),
                    });
                }
            }
            std::thread::sleep(interval);
        }
    }

    /// Creates a recurring run (a v1 job) named `job_name` on the cron schedule `cron` (six
    /// fields, seconds first, as KFP's scheduler reads it).
    pub fn create_recurring_run(
        &self,
        experiment_id: &str,
        job_name: &str,
        cron: &str,
        pipeline: &PipelineSource,
        arguments: &[(String, Value)],
    ) -> Result<RecurringRun, ClientError> {
        let body = RunBody {
            name: job_name.to_owned(),
            experiment_id: experiment_id.to_owned(),
            pipeline: pipeline.clone(),
            arguments: arguments.to_vec(),
        };
        let (plan, find, key) = match self.target {
            Target::V1 => (
                v1::create_job(&body, cron),
                v1::find_job(job_name, experiment_id),
                "jobs",
            ),
            Target::V2 => (
                v2::create_recurring_run(&body, cron),
                v2::find_recurring_run(job_name, experiment_id),
                "recurringRuns",
            ),
        };
        let name_key = self.name_key();
        let v = self.create(&plan, "create the recurring run", || {
            let v = self.execute(&find, "look up the recurring run")?;
            Ok(types::list_items(&v, key)
                .iter()
                .find(|r| r.get(name_key).and_then(Value::as_str) == Some(job_name))
                .cloned())
        })?;
        types::parse_recurring_run(self.target, &v)
    }

    /// Deletes the run `run_id`.
    pub fn delete_run(&self, run_id: &str) -> Result<(), ClientError> {
        let plan = match self.target {
            Target::V1 => v1::delete_run(run_id),
            Target::V2 => v2::delete_run(run_id),
        };
        self.execute(&plan, "delete the run").map(drop)
    }

    /// Deletes the experiment `experiment_id`.
    pub fn delete_experiment(&self, experiment_id: &str) -> Result<(), ClientError> {
        let plan = match self.target {
            Target::V1 => v1::delete_experiment(experiment_id),
            Target::V2 => v2::delete_experiment(experiment_id),
        };
        self.execute(&plan, "delete the experiment").map(drop)
    }

    /// Deletes the pipeline `pipeline_id` (v2: with its versions).
    pub fn delete_pipeline(&self, pipeline_id: &str) -> Result<(), ClientError> {
        let plan = match self.target {
            Target::V1 => v1::delete_pipeline(pipeline_id),
            Target::V2 => v2::delete_pipeline(pipeline_id),
        };
        self.execute(&plan, "delete the pipeline").map(drop)
    }

    /// Deletes the recurring run (v1 job) `id`.
    pub fn delete_recurring_run(&self, id: &str) -> Result<(), ClientError> {
        let plan = match self.target {
            Target::V1 => v1::delete_job(id),
            Target::V2 => v2::delete_recurring_run(id),
        };
        self.execute(&plan, "delete the recurring run").map(drop)
    }
}
