//! Kubernetes Secret keys as env vars, an optional Secret, a Secret as a volume and a ConfigMap
//! as env. Port of the oracle's v2 `k8s_secret_env` pipeline; `k8s_secret_env_v1` ports the
//! v1 one, a subset (the `k8s_secret_env_v1` example compiles it alone).

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
    show_env()
        .use_optional_secret_as_env("db", [("password", "DB_PASSWORD")])
        .use_secret_as_volume("tls", "/etc/tls")
        .use_config_map_as_env("settings", [("level", "LOG_LEVEL")]);
}

// The oracle's v1 pipeline: kfp 1.8.9's `use_k8s_secret`, and a `secretKeyRef` written by hand.
#[pipeline(name = "k8s-secret-env")]
pub fn k8s_secret_env_v1() {
    show_env().use_secret_as_env(
        "mlflow-s3",
        [
            ("access_key", "AWS_ACCESS_KEY_ID"),
            ("secret_key", "AWS_SECRET_ACCESS_KEY"),
        ],
    );
    show_env().use_secret_as_env("db", [("password", "DB_PASSWORD")]);
}

/// KFP v1 gets the oracle's v1 pipeline, KFP v2 the v2 one.
#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(kfp_core::cli::PerTarget {
        v1: k8s_secret_env_v1,
        v2: k8s_secret_env,
    })
}
