//! Wiring a task for MLflow tracking: the tracking server, the S3 endpoint its artifacts go to,
//! the experiment, and the S3 credentials from a Kubernetes Secret, all as environment variables
//! that MLflow's clients (Python's `mlflow`, ultralytics' MLflow callback) read.
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

use crate::dsl::Task;

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
