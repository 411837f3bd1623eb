//! Kubernetes Secret keys as env vars, as the oracle's v1 `k8s_secret_env` pipeline has them
//! (kfp 1.8.9's `use_k8s_secret`, and a `secretKeyRef` written by hand).

use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn show_env() {
    let mut names: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
    names.sort();
    println!("{names:?}");
}

#[pipeline(name = "k8s-secret-env")]
pub fn k8s_secret_env() {
    show_env().use_secret_as_env(
        "mlflow-s3",
        [
            ("access_key", "AWS_ACCESS_KEY_ID"),
            ("secret_key", "AWS_SECRET_ACCESS_KEY"),
        ],
    );
    show_env().use_secret_as_env("db", [("password", "DB_PASSWORD")]);
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(k8s_secret_env)
}
