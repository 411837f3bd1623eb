//! A run in progress: metrics buffered on the client until they are sent, and a guard that
//! ends the run FAILED when the component body returns early (`?`) or panics.

use std::path::Path;

use super::client::describe;
use super::types::Metric;
use super::{MlflowClient, MlflowError, RunInfo, RunStatus};

/// A RUNNING MLflow run. [`ActiveRun::finish`] ends it FINISHED; dropping it any other way
/// (an `Err` returned with `?`, a panic) ends it FAILED.
///
/// Metrics are kept in a buffer and sent in batches of [`ActiveRun::flush_every`] (1 by
/// default, as Python's `mlflow.log_metric` sends each at once). A batch that cannot be sent
/// after every retry stays in the buffer and is sent with the next one, so a server outage
/// longer than the retry window loses nothing as long as the run ends after it. Each metric
/// carries the timestamp of its `log_metric` call, so a batch sent twice (the server
/// committed it but the answer was lost) is stored once: MLflow ignores an identical metric.
///
/// ```no_run
/// use kfp_core::mlflow::MlflowClient;
///
/// fn body(client: &MlflowClient) -> Result<f64, Box<dyn std::error::Error>> {
///     let exp = client.get_or_create_experiment("demo")?;
///     let mut run = client.start_run(&exp, "train", &[("stage", "dev")])?;
///     run.set_flush_every(100);
///     run.log_params(&[("epochs", "10"), ("lr", "0.1")])?;
///     let mut loss = 1.0;
///     for epoch in 0..10 {
///         loss *= 0.9;
///         run.log_metric("loss", loss, epoch)?;
///     }
///     run.finish()?; // FINISHED; any `?` above leaves the run FAILED
///     Ok(loss)
/// }
///
/// let client = MlflowClient::from_env().unwrap();
/// println!("final loss {}", body(&client).unwrap());
/// ```
#[derive(Debug)]
pub struct ActiveRun {
    client: MlflowClient,
    info: RunInfo,
    pending: Vec<Metric>,
    flush_every: usize,
    ended: bool,
}

impl ActiveRun {
    pub(crate) fn new(client: MlflowClient, info: RunInfo) -> Self {
        ActiveRun {
            client,
            info,
            pending: Vec::new(),
            flush_every: 1,
            ended: false,
        }
    }

    /// The run's id.
    pub fn id(&self) -> &str {
        &self.info.run_id
    }

    /// The run as the server created it (id, experiment, `artifact_uri`).
    pub fn info(&self) -> &RunInfo {
        &self.info
    }

    /// The client the run logs through.
    pub fn client(&self) -> &MlflowClient {
        &self.client
    }

    /// Metrics not sent yet.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// How many metrics are buffered before they are sent (at least 1).
    pub fn flush_every(&self) -> usize {
        self.flush_every
    }

    /// Sends metrics once `n` are buffered (1 sends each at once).
    pub fn set_flush_every(&mut self, n: usize) {
        self.flush_every = n.max(1);
    }

    /// Logs `value` for `key` at `step`, stamped now. The key is checked at once; the value is
    /// sent when the buffer is full.
    pub fn log_metric(&mut self, key: &str, value: f64, step: i64) -> Result<(), MlflowError> {
        super::validate_key(key)?;
        self.pending.push(Metric::now(key, value, step));
        if self.pending.len() >= self.flush_every {
            self.flush()
        } else {
            Ok(())
        }
    }

    /// Sends every buffered metric. On failure they stay buffered for the next flush.
    pub fn flush(&mut self) -> Result<(), MlflowError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.client
            .log_batch(&self.info.run_id, &self.pending, &[], &[])
            .map_err(|e| match e {
                MlflowError::Http { source, .. } => MlflowError::Http {
                    source,
                    what: format!(
                        "{} (kept to send with the next flush)",
                        describe(&self.pending, 0, 0)
                    ),
                },
                other => other,
            })?;
        self.pending.clear();
        Ok(())
    }

    /// Logs one param (params cannot change once logged).
    pub fn log_param(&mut self, key: &str, value: &str) -> Result<(), MlflowError> {
        self.log_params(&[(key, value)])
    }

    /// Logs params, in batches of at most 100.
    pub fn log_params(&mut self, params: &[(&str, &str)]) -> Result<(), MlflowError> {
        self.client.log_batch(&self.info.run_id, &[], params, &[])
    }

    /// Sets tags.
    pub fn set_tags(&mut self, tags: &[(&str, &str)]) -> Result<(), MlflowError> {
        self.client.log_batch(&self.info.run_id, &[], &[], tags)
    }

    /// Uploads a file to the run's artifacts ([`MlflowClient::log_artifact`]).
    pub fn log_artifact(
        &mut self,
        local: &Path,
        artifact_path: Option<&str>,
    ) -> Result<(), MlflowError> {
        self.client.log_artifact(&self.info, local, artifact_path)
    }

    /// Uploads a folder to the run's artifacts ([`MlflowClient::log_artifacts`]).
    pub fn log_artifacts(
        &mut self,
        local: &Path,
        artifact_path: Option<&str>,
    ) -> Result<(), MlflowError> {
        self.client.log_artifacts(&self.info, local, artifact_path)
    }

    /// Sends what is buffered and ends the run FINISHED.
    pub fn finish(mut self) -> Result<(), MlflowError> {
        self.end(RunStatus::Finished)
    }

    /// Sends what is buffered and ends the run FAILED.
    pub fn fail(mut self) -> Result<(), MlflowError> {
        self.end(RunStatus::Failed)
    }

    /// Ends the run FINISHED if `result` is `Ok`, FAILED if it is `Err`, and hands `result`
    /// back (an error ending the run is returned only when `result` is `Ok`).
    pub fn end_with<T, E: From<MlflowError>>(self, result: Result<T, E>) -> Result<T, E> {
        match result {
            Ok(v) => self.finish().map(|()| v).map_err(E::from),
            Err(e) => {
                if let Err(end) = self.fail() {
                    eprintln!("warning: {end}");
                }
                Err(e)
            }
        }
    }

    fn end(&mut self, status: RunStatus) -> Result<(), MlflowError> {
        self.ended = true;
        let flushed = self.flush();
        // The run ends even when its last metrics could not be sent, so it is not left RUNNING.
        let status = if flushed.is_err() {
            RunStatus::Failed
        } else {
            status
        };
        self.client.set_terminated(&self.info.run_id, status)?;
        flushed
    }
}

impl Drop for ActiveRun {
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        let why = if std::thread::panicking() {
            "the component panicked"
        } else {
            "the run was dropped without finish(): the component returned an error"
        };
        if let Err(e) = self.end(RunStatus::Failed) {
            eprintln!("warning: MLflow run {}: {e}", self.info.run_id);
        }
        eprintln!("MLflow run {} ended FAILED: {why}", self.info.run_id);
    }
}
