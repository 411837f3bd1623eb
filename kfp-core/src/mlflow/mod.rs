//! MLflow tracking: wiring a task's environment for it ([`Mlflow`], always available), and,
//! with the `mlflow` cargo feature, a synchronous client for component bodies
//! (`MlflowClient`, `ActiveRun`) over MLflow's REST API 2.0.
//!
//! # Wiring a task
//!
//! The tracking server, the S3 endpoint its artifacts go to,
//! the experiment, and the S3 credentials from a Kubernetes Secret, all as environment variables
//! that MLflow's clients (Python's `mlflow`, ultralytics' MLflow callback, `MlflowClient`) read.
//!
//! ```
//! use kfp_core::mlflow::Mlflow;
//! use kfp_core::prelude::*;
//!
//! #[component(base_image = "python:3.11")]
//! fn train() {}
//!
//! #[pipeline(name = "tracked")]
//! fn tracked() {
//!     let mlflow = Mlflow::new("http://mlflow.mlflow-system.svc:5000")
//!         .s3_endpoint("http://minio-service.kubeflow.svc:9000")
//!         .experiment("yolov8")
//!         .credentials_secret("mlflow-s3-credentials");
//!     train().use_mlflow(&mlflow);
//! }
//!
//! fn main() {
//!     let yaml = Compiler::new()
//!         .binary_path("/usr/local/bin/tracked")
//!         .compile(&tracked(), Target::V1)
//!         .unwrap();
//!     assert!(yaml.contains("MLFLOW_TRACKING_URI"));
//!     assert!(yaml.contains("secretKeyRef"));
//! }
//! ```
//!
//! # Logging from a component body (feature `mlflow`)
//!
//! `MlflowClient::from_env` reads the variables Python's `mlflow` reads; a run started with
//! `MlflowClient::start_run` is tagged with the KFP context ([`CONTEXT_TAGS`]) and ends
//! FAILED unless `ActiveRun::finish` is called, so a `?` or a panic in the body marks it
//! failed:
//!
//! ```no_run
//! # #[cfg(feature = "mlflow")]
//! # fn main() -> Result<(), kfp_core::mlflow::MlflowError> {
//! use kfp_core::mlflow::MlflowClient;
//!
//! let client = MlflowClient::from_env()?;
//! let experiment = client.get_or_create_experiment("demo")?;
//! let mut run = client.start_run(&experiment, "train", &[])?;
//! run.log_param("epochs", "3")?;
//! for epoch in 0..3 {
//!     run.log_metric("loss", 1.0 / (epoch + 1) as f64, epoch)?;
//! }
//! run.log_artifact(std::path::Path::new("model.txt"), Some("model"))?;
//! run.finish()?;
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "mlflow"))]
//! # fn main() {}
//! ```

use crate::dsl::Task;

#[cfg(feature = "mlflow")]
mod artifacts;
#[cfg(feature = "mlflow")]
mod client;
#[cfg(feature = "mlflow")]
mod config;
#[cfg(feature = "mlflow")]
mod error;
#[cfg(feature = "mlflow")]
mod run;
#[cfg(feature = "mlflow")]
mod types;
#[cfg(feature = "mlflow")]
mod validate;

#[cfg(feature = "mlflow")]
pub use artifacts::ArtifactStore;
#[cfg(feature = "mlflow")]
pub use client::MlflowClient;
#[cfg(feature = "mlflow")]
pub use config::{ClientBuilder, S3Config};
#[cfg(feature = "mlflow")]
pub use error::MlflowError;
#[cfg(feature = "mlflow")]
pub use run::ActiveRun;
#[cfg(feature = "mlflow")]
pub use types::{Experiment, Metric, RunData, RunInfo, RunStatus};
#[cfg(feature = "mlflow")]
pub use validate::{
    validate_key, validate_param_value, validate_tag_value, MAX_BATCH_ENTITIES, MAX_KEY_LEN,
    MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH, MAX_PARAM_VALUE_LEN, MAX_TAG_VALUE_LEN,
};

/// The KFP context a run is tagged with: `(environment variable, MLflow tag)`. Each variable
/// that is set becomes the tag on every run `MlflowClient::start_run` starts. The local
/// runner sets the first three for every task; on a cluster, set them with
/// `Task::set_env_variable` (Argo substitutes `{{workflow.uid}}` for `KFP_RUN_ID` in KFP v1).
/// `KFP_POD_NAME` is what KFP itself sets in v2 pods.
pub const CONTEXT_TAGS: [(&str, &str); 4] = [
    ("KFP_PIPELINE_NAME", "kfp.pipeline_name"),
    ("KFP_TASK_NAME", "kfp.task_name"),
    ("KFP_RUN_ID", "kfp.run_id"),
    ("KFP_POD_NAME", "kfp.pod_name"),
];

/// Where a task tracks its runs, and where the credentials for the artifact store are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mlflow {
    tracking_uri: String,
    s3_endpoint: Option<String>,
    experiment: Option<String>,
    secret: Option<String>,
    access_key_key: String,
    secret_key_key: String,
}

impl Mlflow {
    /// Tracking to the MLflow server at `tracking_uri` (`MLFLOW_TRACKING_URI`).
    pub fn new(tracking_uri: &str) -> Self {
        Mlflow {
            tracking_uri: tracking_uri.to_owned(),
            s3_endpoint: None,
            experiment: None,
            secret: None,
            access_key_key: "AWS_ACCESS_KEY_ID".to_owned(),
            secret_key_key: "AWS_SECRET_ACCESS_KEY".to_owned(),
        }
    }

    /// The S3 (MinIO) endpoint the artifacts go to (`MLFLOW_S3_ENDPOINT_URL`).
    pub fn s3_endpoint(mut self, url: &str) -> Self {
        self.s3_endpoint = Some(url.to_owned());
        self
    }

    /// The experiment runs are logged under (`MLFLOW_EXPERIMENT_NAME`).
    pub fn experiment(mut self, name: &str) -> Self {
        self.experiment = Some(name.to_owned());
        self
    }

    /// The Kubernetes Secret holding the S3 credentials, under the keys `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY` (create it once with `kubectl create secret generic <name>
    /// --from-literal=AWS_ACCESS_KEY_ID=... --from-literal=AWS_SECRET_ACCESS_KEY=...`).
    pub fn credentials_secret(mut self, secret: &str) -> Self {
        self.secret = Some(secret.to_owned());
        self
    }

    /// The Secret's keys for the access key and the secret key, when they are not
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.
    pub fn credentials_keys(mut self, access_key: &str, secret_key: &str) -> Self {
        self.access_key_key = access_key.to_owned();
        self.secret_key_key = secret_key.to_owned();
        self
    }
}

impl<O> Task<O> {
    /// Sets the task's environment for MLflow tracking: `MLFLOW_TRACKING_URI`, and where given
    /// `MLFLOW_S3_ENDPOINT_URL`, `MLFLOW_EXPERIMENT_NAME`, and `AWS_ACCESS_KEY_ID` /
    /// `AWS_SECRET_ACCESS_KEY` from the Secret. No credential is written into the YAML.
    pub fn use_mlflow(self, mlflow: &Mlflow) -> Self {
        let mut task = self.set_env_variable("MLFLOW_TRACKING_URI", &mlflow.tracking_uri);
        if let Some(s3) = &mlflow.s3_endpoint {
            task = task.set_env_variable("MLFLOW_S3_ENDPOINT_URL", s3);
        }
        if let Some(e) = &mlflow.experiment {
            task = task.set_env_variable("MLFLOW_EXPERIMENT_NAME", e);
        }
        if let Some(secret) = &mlflow.secret {
            task = task.use_secret_as_env(
                secret,
                [
                    (mlflow.access_key_key.as_str(), "AWS_ACCESS_KEY_ID"),
                    (mlflow.secret_key_key.as_str(), "AWS_SECRET_ACCESS_KEY"),
                ],
            );
        }
        task
    }
}
