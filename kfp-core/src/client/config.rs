//! [`ClientConfig`] (where the API is and which credentials to send) and [`RunOptions`].

use std::path::PathBuf;

use serde_json::Value;

use super::{CredentialSource, DEFAULT_TOKEN_PATH};
use crate::compiler::Target;
use crate::http::Retry;

/// How to reach and authenticate to a KFP API server.
#[derive(Clone, Debug, Default)]
pub struct ClientConfig {
    /// The API's base URL (`http://localhost:8080`, or `https://<kubeflow>/pipeline`);
    /// `KF_PIPELINES_ENDPOINT` when `None`.
    pub host: Option<String>,
    /// Which API to speak: v1beta1 for [`Target::V1`], v2beta1 for [`Target::V2`].
    pub target: Target,
    /// A file holding a bearer token (`--token-file`); otherwise `KF_PIPELINES_SA_TOKEN_PATH`,
    /// otherwise [`DEFAULT_TOKEN_PATH`] when it exists.
    pub token_file: Option<PathBuf>,
    /// A session cookie (`oauth2_proxy_kubeflow=...`) for Dex/Istio.
    pub cookie: Option<String>,
    /// The namespace (profile) of a multi-user KFP.
    pub namespace: Option<String>,
    /// Retries of connection failures and 5xx answers; [`Retry::default`] when `None`.
    pub retry: Option<Retry>,
}

impl ClientConfig {
    /// A configuration for the API at `host`.
    pub fn new(host: impl Into<String>) -> Self {
        ClientConfig {
            host: Some(host.into()),
            ..ClientConfig::default()
        }
    }

    /// Speaks the API of `target`.
    #[must_use]
    pub fn target(mut self, target: Target) -> Self {
        self.target = target;
        self
    }

    /// Sends the bearer token read from `path`.
    #[must_use]
    pub fn token_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.token_file = Some(path.into());
        self
    }

    /// Sends this cookie.
    #[must_use]
    pub fn cookie(mut self, cookie: impl Into<String>) -> Self {
        self.cookie = Some(cookie.into());
        self
    }

    /// Works in this namespace.
    #[must_use]
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }
}

/// Options of a run started by [`Client::create_run_from_pipeline_package`](super::Client::create_run_from_pipeline_package) or
/// [`Client::run_pipeline`](super::Client::run_pipeline).
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// The run's name; `<pipeline name> <UTC date time>` when `None`, as kfp does.
    pub run_name: Option<String>,
    /// The experiment, created when missing; `Default` when `None`.
    pub experiment_name: Option<String>,
    /// The pipeline's parameters, typed.
    pub arguments: Vec<(String, Value)>,
    /// Overrides every task's caching (inline pipelines, as kfp's `enable_caching`).
    pub enable_caching: Option<bool>,
}

pub(super) fn token_source(config: &ClientConfig) -> Option<CredentialSource> {
    if let Some(path) = &config.token_file {
        return Some(CredentialSource::TokenFile {
            path: path.clone(),
            from: "--token-file",
        });
    }
    if let Some(path) = std::env::var_os("KF_PIPELINES_SA_TOKEN_PATH").filter(|p| !p.is_empty()) {
        return Some(CredentialSource::TokenFile {
            path: PathBuf::from(path),
            from: "KF_PIPELINES_SA_TOKEN_PATH",
        });
    }
    let default = PathBuf::from(DEFAULT_TOKEN_PATH);
    default.is_file().then_some(CredentialSource::TokenFile {
        path: default,
        from: "the in-cluster default",
    })
}
