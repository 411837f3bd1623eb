//! What can go wrong talking to MLflow and its artifact store. No variant holds a credential:
//! refusals name the variables the credentials came from, never their values.

use std::fmt;

use crate::http::HttpError;

/// An MLflow operation that failed; its message says what was not logged.
#[derive(Debug)]
#[non_exhaustive]
pub enum MlflowError {
    /// The configuration is incomplete or malformed (a missing `MLFLOW_TRACKING_URI`, a
    /// username without a password, an unsupported URI).
    Config {
        /// What is wrong.
        reason: String,
    },
    /// A key or value MLflow would refuse; nothing was sent.
    InvalidName {
        /// The key.
        key: String,
        /// Why it is refused.
        reason: String,
    },
    /// The server answered 401 or 403: the credentials were refused (or missing).
    Refused {
        /// The server (`scheme://host:port`).
        server: String,
        /// 401 or 403.
        status: u16,
        /// Where the credentials came from: variable names (or "the builder"), never values.
        credentials: String,
        /// What was not done.
        what: String,
    },
    /// The server answered with another error (4xx): `{"error_code", "message"}`.
    Api {
        /// The server.
        server: String,
        /// The HTTP status.
        status: u16,
        /// MLflow's `error_code` (e.g. `INVALID_PARAMETER_VALUE`), if the body had one.
        code: Option<String>,
        /// MLflow's `message`, or the start of a non-JSON body.
        message: String,
        /// What was not done.
        what: String,
    },
    /// The server could not be reached, or kept failing, after every retry.
    Http {
        /// The failure.
        source: HttpError,
        /// What was not done (e.g. "12 metrics (first: loss step 3)").
        what: String,
    },
    /// The answer was not what MLflow's API documents.
    Protocol {
        /// The server.
        server: String,
        /// What is wrong.
        reason: String,
    },
    /// A local file could not be read or written.
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

impl fmt::Display for MlflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MlflowError::Config { reason } => write!(f, "MLflow configuration: {reason}"),
            MlflowError::InvalidName { key, reason } => write!(
                f,
                "MLflow refuses the key {key:?}: {reason} (nothing was sent)"
            ),
            MlflowError::Refused {
                server,
                status,
                credentials,
                what,
            } => write!(
                f,
                "{server} refused the credentials ({status}): {credentials}; {what} failed"
            ),
            MlflowError::Api {
                server,
                status,
                code,
                message,
                what,
            } => {
                write!(f, "{server} answered {status}")?;
                if let Some(code) = code {
                    write!(f, " {code}")?;
                }
                write!(f, ": {message}; {what} failed")
            }
            MlflowError::Http { source, what } => write!(f, "{source}; {what} failed"),
            MlflowError::Protocol { server, reason } => {
                write!(f, "unexpected answer from {server}: {reason}")
            }
            MlflowError::Io { path, source } => write!(f, "{path}: {source}"),
        }
    }
}

impl std::error::Error for MlflowError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MlflowError::Http { source, .. } => Some(source),
            MlflowError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl MlflowError {
    /// Whether the server (or the S3 store) refused the credentials.
    pub fn is_refused(&self) -> bool {
        matches!(self, MlflowError::Refused { .. })
    }
}

/// The start of a body for a message: non-JSON error pages (a proxy's HTML) are cut short.
pub(crate) fn snippet(body: &str) -> String {
    let body = body.trim();
    let mut out: String = body.chars().take(300).collect();
    if out.len() < body.len() {
        out.push('…');
    }
    out
}
