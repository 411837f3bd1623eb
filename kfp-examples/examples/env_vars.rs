//! Plain environment variables on a task (the seed's MLflow settings). Port of the oracle's
//! `env_vars` pipeline.

use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn show_env() {
    println!("{:?}", std::env::var("MLFLOW_TRACKING_URI").ok());
}

#[pipeline(name = "env-vars")]
pub fn env_vars() {
    show_env()
        .set_env_variable(
            "MLFLOW_TRACKING_URI",
            "http://mlflow-server-service.mlflow-system.svc:5000",
        )
        .set_env_variable(
            "MLFLOW_S3_ENDPOINT_URL",
            "http://minio-service.kubeflow.svc:9000",
        );
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(env_vars)
}
