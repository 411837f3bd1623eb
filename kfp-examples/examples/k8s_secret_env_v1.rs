//! Kubernetes Secret keys as env vars, as the oracle's v1 `k8s_secret_env` pipeline has them
//! (kfp 1.8.9's `use_k8s_secret`, and a `secretKeyRef` written by hand), compiled for both
//! targets. It lives in `k8s_secret_env.rs` beside the v2 one, with which it shares its
//! component.

pub use kfp_examples::k8s_secret_env::k8s_secret_env_v1 as k8s_secret_env;

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(k8s_secret_env)
}
