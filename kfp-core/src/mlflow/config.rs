//! The client's configuration: from the environment Python's `mlflow` reads, or set
//! explicitly.

use std::time::Duration;

use super::{MlflowClient, MlflowError};
use crate::http::{Auth, Retry};

/// Where `s3://` artifacts are uploaded to, and with which keys (the client signs with SigV4).
#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    /// The endpoint (`MLFLOW_S3_ENDPOINT_URL`), e.g. MinIO's `http://minio:9000`; AWS's
    /// regional endpoint when unset.
    pub endpoint: Option<String>,
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key: Option<String>,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_key: Option<String>,
    /// `AWS_DEFAULT_REGION` (`us-east-1` when unset).
    pub region: String,
    /// Where the keys came from, for messages: variable names or "the builder".
    pub(crate) source: String,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("access_key", &self.access_key.as_ref().map(|_| "<set>"))
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field("region", &self.region)
            .finish()
    }
}

impl Default for S3Config {
    fn default() -> Self {
        S3Config {
            endpoint: None,
            access_key: None,
            secret_key: None,
            region: "us-east-1".to_owned(),
            source: "no S3 credentials were set (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)"
                .to_owned(),
        }
    }
}

impl S3Config {
    /// The endpoint the bucket is reached at.
    pub(crate) fn endpoint_url(&self) -> String {
        match &self.endpoint {
            Some(e) => e.trim_end_matches('/').to_owned(),
            None => format!("https://s3.{}.amazonaws.com", self.region),
        }
    }

    /// Where the keys came from, for a refusal message.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }
}

/// Builds an [`MlflowClient`]: start from the environment ([`ClientBuilder::from_env`]) or
/// from a tracking URI ([`ClientBuilder::new`]), then override.
///
/// ```
/// use kfp_core::mlflow::ClientBuilder;
///
/// let client = ClientBuilder::new("http://127.0.0.1:5000")
///     .basic_auth("ci", "s3cret")
///     .s3_endpoint("http://127.0.0.1:9000")
///     .s3_credentials("minio", "minio123")
///     .build()
///     .unwrap();
/// assert_eq!(client.tracking_uri(), "http://127.0.0.1:5000");
/// assert!(!format!("{client:?}").contains("s3cret"));
/// assert!(!format!("{client:?}").contains("minio123"));
/// ```
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    pub(crate) tracking_uri: Option<String>,
    pub(crate) experiment_name: Option<String>,
    pub(crate) auth: Option<Auth>,
    pub(crate) auth_source: String,
    pub(crate) s3: S3Config,
    pub(crate) retry: Retry,
}

const NO_AUTH: &str = "no credentials were set (MLFLOW_TRACKING_TOKEN, \
                       MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD are unset)";

impl ClientBuilder {
    /// A client of the tracking server at `tracking_uri`, without credentials.
    pub fn new(tracking_uri: &str) -> Self {
        ClientBuilder {
            tracking_uri: Some(tracking_uri.to_owned()),
            experiment_name: None,
            auth: None,
            auth_source: NO_AUTH.to_owned(),
            s3: S3Config::default(),
            retry: Retry::default(),
        }
    }

    /// The configuration Python's `mlflow` reads from the process environment:
    /// `MLFLOW_TRACKING_URI`, `MLFLOW_EXPERIMENT_NAME`, `MLFLOW_TRACKING_TOKEN` (bearer) or
    /// `MLFLOW_TRACKING_USERNAME`/`MLFLOW_TRACKING_PASSWORD` (basic), `MLFLOW_S3_ENDPOINT_URL`,
    /// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION`, and the retry knobs
    /// `MLFLOW_HTTP_REQUEST_MAX_RETRIES` and `MLFLOW_HTTP_REQUEST_TIMEOUT` (seconds).
    pub fn from_env() -> Result<Self, MlflowError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// [`ClientBuilder::from_env`] with the variables looked up by `var`.
    ///
    /// ```
    /// use kfp_core::mlflow::ClientBuilder;
    ///
    /// let env = |name: &str| match name {
    ///     "MLFLOW_TRACKING_URI" => Some("http://127.0.0.1:5000".to_owned()),
    ///     "MLFLOW_TRACKING_USERNAME" => Some("ci".to_owned()),
    ///     _ => None,
    /// };
    /// let err = ClientBuilder::from_lookup(env).unwrap_err().to_string();
    /// assert!(err.contains("MLFLOW_TRACKING_PASSWORD"), "{err}");
    /// ```
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, MlflowError> {
        let uri = var("MLFLOW_TRACKING_URI");
        let mut b = ClientBuilder::new("");
        b.tracking_uri = uri;
        b.experiment_name = var("MLFLOW_EXPERIMENT_NAME");
        match (
            var("MLFLOW_TRACKING_TOKEN"),
            var("MLFLOW_TRACKING_USERNAME"),
            var("MLFLOW_TRACKING_PASSWORD"),
        ) {
            (Some(token), _, _) => {
                b.auth = Some(Auth::Bearer(token));
                b.auth_source = "the token in MLFLOW_TRACKING_TOKEN was sent".to_owned();
            }
            (None, Some(user), Some(password)) => {
                b.auth = Some(Auth::Basic { user, password });
                b.auth_source = "basic auth from MLFLOW_TRACKING_USERNAME and \
                                 MLFLOW_TRACKING_PASSWORD was sent"
                    .to_owned();
            }
            (None, Some(_), None) => {
                return Err(MlflowError::Config {
                    reason: "MLFLOW_TRACKING_USERNAME is set but MLFLOW_TRACKING_PASSWORD is not"
                        .to_owned(),
                })
            }
            (None, None, Some(_)) => {
                return Err(MlflowError::Config {
                    reason: "MLFLOW_TRACKING_PASSWORD is set but MLFLOW_TRACKING_USERNAME is not"
                        .to_owned(),
                })
            }
            (None, None, None) => {}
        }
        b.s3.endpoint = var("MLFLOW_S3_ENDPOINT_URL");
        b.s3.access_key = var("AWS_ACCESS_KEY_ID");
        b.s3.secret_key = var("AWS_SECRET_ACCESS_KEY");
        if let Some(region) = var("AWS_DEFAULT_REGION") {
            b.s3.region = region;
        }
        if b.s3.access_key.is_some() || b.s3.secret_key.is_some() {
            b.s3.source =
                "the keys in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY were used".to_owned();
        }
        if let Some(n) = var("MLFLOW_HTTP_REQUEST_MAX_RETRIES") {
            let n: u32 = n.trim().parse().map_err(|_| MlflowError::Config {
                reason: format!("MLFLOW_HTTP_REQUEST_MAX_RETRIES is not a count: {n:?}"),
            })?;
            b.retry.attempts = n.saturating_add(1);
        }
        if let Some(t) = var("MLFLOW_HTTP_REQUEST_TIMEOUT") {
            let secs: u64 = t.trim().parse().map_err(|_| MlflowError::Config {
                reason: format!("MLFLOW_HTTP_REQUEST_TIMEOUT is not a number of seconds: {t:?}"),
            })?;
            b.retry.timeout = Duration::from_secs(secs.max(1));
        }
        Ok(b)
    }

    /// The tracking server's URI (`http://` or `https://`).
    #[must_use]
    pub fn tracking_uri(mut self, uri: &str) -> Self {
        self.tracking_uri = Some(uri.to_owned());
        self
    }

    /// The default experiment ([`MlflowClient::default_experiment`]).
    #[must_use]
    pub fn experiment_name(mut self, name: &str) -> Self {
        self.experiment_name = Some(name.to_owned());
        self
    }

    /// Sends `Authorization: Bearer <token>`.
    #[must_use]
    pub fn token(mut self, token: &str) -> Self {
        self.auth = Some(Auth::Bearer(token.to_owned()));
        self.auth_source = "the bearer token given to the builder was sent".to_owned();
        self
    }

    /// Sends HTTP basic auth.
    #[must_use]
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.auth = Some(Auth::Basic {
            user: user.to_owned(),
            password: password.to_owned(),
        });
        self.auth_source = "the basic auth given to the builder was sent".to_owned();
        self
    }

    /// The S3 endpoint for `s3://` artifact stores (MinIO's URL).
    #[must_use]
    pub fn s3_endpoint(mut self, url: &str) -> Self {
        self.s3.endpoint = Some(url.to_owned());
        self
    }

    /// The S3 keys.
    #[must_use]
    pub fn s3_credentials(mut self, access_key: &str, secret_key: &str) -> Self {
        self.s3.access_key = Some(access_key.to_owned());
        self.s3.secret_key = Some(secret_key.to_owned());
        self.s3.source = "the S3 keys given to the builder were used".to_owned();
        self
    }

    /// The S3 region (`us-east-1` by default).
    #[must_use]
    pub fn s3_region(mut self, region: &str) -> Self {
        self.s3.region = region.to_owned();
        self
    }

    /// The retry policy for connection failures and 5xx answers.
    #[must_use]
    pub fn retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }

    /// The client; fails when the tracking URI is missing or not `http(s)://`.
    pub fn build(self) -> Result<MlflowClient, MlflowError> {
        let uri = match self.tracking_uri.as_deref() {
            None | Some("") => {
                return Err(MlflowError::Config {
                    reason: "no tracking server: set MLFLOW_TRACKING_URI (e.g. \
                             http://mlflow-server-service.mlflow-system.svc:5000)"
                        .to_owned(),
                })
            }
            Some(u) => u.trim_end_matches('/').to_owned(),
        };
        if !(uri.starts_with("http://") || uri.starts_with("https://")) {
            return Err(MlflowError::Config {
                reason: format!(
                    "the tracking URI {} is not http:// or https://; this client talks to a \
                     tracking server only",
                    crate::http::server_of(&uri)
                ),
            });
        }
        Ok(MlflowClient::from_parts(
            uri,
            self.experiment_name,
            self.auth,
            self.auth_source,
            self.s3,
            self.retry,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn reads_pythons_variables() {
        let b = ClientBuilder::from_lookup(env(&[
            ("MLFLOW_TRACKING_URI", "http://h:5000/"),
            ("MLFLOW_EXPERIMENT_NAME", "exp"),
            ("MLFLOW_TRACKING_TOKEN", "tok"),
            ("MLFLOW_S3_ENDPOINT_URL", "http://s3:9000"),
            ("AWS_ACCESS_KEY_ID", "AK"),
            ("AWS_SECRET_ACCESS_KEY", "SK"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2"),
        ]))
        .unwrap();
        assert_eq!(b.auth, Some(Auth::Bearer("tok".into())));
        assert_eq!(b.s3.region, "eu-west-1");
        assert_eq!(b.retry.attempts, 3);
        assert!(b.auth_source.contains("MLFLOW_TRACKING_TOKEN"));
        let c = b.build().unwrap();
        assert_eq!(c.tracking_uri(), "http://h:5000");
        assert_eq!(c.default_experiment(), Some("exp"));
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("tok\"") && !dbg.contains("SK"), "{dbg}");
    }

    #[test]
    fn basic_auth_and_missing_pieces() {
        let b = ClientBuilder::from_lookup(env(&[
            ("MLFLOW_TRACKING_URI", "http://h:5000"),
            ("MLFLOW_TRACKING_USERNAME", "u"),
            ("MLFLOW_TRACKING_PASSWORD", "p"),
        ]))
        .unwrap();
        assert_eq!(
            b.auth,
            Some(Auth::Basic {
                user: "u".into(),
                password: "p".into()
            })
        );
        let err = ClientBuilder::from_lookup(env(&[("MLFLOW_TRACKING_PASSWORD", "p")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("MLFLOW_TRACKING_USERNAME") && !err.contains("\"p\""),
            "{err}"
        );
        let err = ClientBuilder::from_lookup(env(&[]))
            .unwrap()
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("MLFLOW_TRACKING_URI"), "{err}");
        let err = ClientBuilder::new("file:///srv/mlruns")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("not http"), "{err}");
    }
}
