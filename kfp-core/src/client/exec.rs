//! Sends [`RequestPlan`]s: the one place requests reach the network, errors become
//! [`ClientError`]s, and creates are retried without duplicates.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::time::Instant;

use serde_json::Value;

use super::{multipart, Body, Client, RequestPlan};
use crate::http::{server_of, Auth, Http, HttpError, Response};

/// Where a credential came from, for messages (never the credential itself).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialSource {
    /// A bearer token read from a file.
    TokenFile {
        /// The file.
        path: PathBuf,
        /// How the file was chosen: `--token-file`, `KF_PIPELINES_SA_TOKEN_PATH`, or the
        /// in-cluster default.
        from: &'static str,
    },
    /// The `--cookie` session cookie.
    Cookie,
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::TokenFile { path, from } => {
                write!(f, "{} (from {from})", path.display())
            }
            CredentialSource::Cookie => f.write_str("the --cookie session cookie"),
        }
    }
}

/// Why a KFP API call failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// The client is not configured usably (no host, an unreadable token file, a YAML that
    /// does not parse).
    Config(String),
    /// The server could not be reached, or kept failing (names the server).
    Http(HttpError),
    /// The server refused the credentials (401/403).
    Unauthorized {
        /// The server.
        server: String,
        /// 401 or 403.
        status: u16,
        /// What was sent; empty when nothing was.
        sources: Vec<CredentialSource>,
        /// The server's message.
        message: String,
    },
    /// The server answered with an error (KFP's `{error, message, code}` body, shown as its
    /// message).
    Api {
        /// What the client was doing (`create the run`).
        action: &'static str,
        /// The HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// An answer that is not the JSON the spec describes.
    Decode {
        /// What was decoded.
        what: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The pipeline is over Kubernetes' object size limit.
    TooLarge {
        /// The YAML's size.
        bytes: usize,
    },
    /// The run did not end in time.
    Timeout {
        /// The run.
        run_id: String,
        /// The timeout.
        seconds: u64,
        /// Its last state.
        state: String,
    },
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Config(m) => f.write_str(m),
            ClientError::Http(e) => write!(f, "{e}"),
            ClientError::Unauthorized {
                server,
                status,
                sources,
                message,
            } => {
                if sources.is_empty() {
                    write!(
                        f,
                        "{server} refused the request ({status}): it needs credentials, and none \
                         were sent; pass --token-file FILE (or set KF_PIPELINES_SA_TOKEN_PATH) \
                         or --cookie"
                    )?;
                } else {
                    let list: Vec<String> = sources.iter().map(ToString::to_string).collect();
                    write!(
                        f,
                        "{server} refused the credentials ({status}) from {}",
                        list.join(" and ")
                    )?;
                }
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
            ClientError::Api {
                action,
                status,
                message,
            } => write!(
                f,
                "cannot {action}: the server answered {status}: {message}"
            ),
            ClientError::Decode { what, reason } => {
                write!(f, "unexpected answer to {what}: {reason}")
            }
            ClientError::TooLarge { bytes } => {
                #[allow(clippy::cast_precision_loss)]
                let mib = *bytes as f64 / 1_048_576.0;
                write!(
                    f,
                    "the pipeline YAML is {mib:.2} MiB ({bytes} bytes), over the 1.5 MiB ({} \
                     bytes) Kubernetes accepts for one object; not uploaded",
                    crate::cli::K8S_OBJECT_LIMIT
                )
            }
            ClientError::Timeout {
                run_id,
                seconds,
                state,
            } => write!(
                f,
                "the run {run_id} did not end within {seconds} s (last state {state})"
            ),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<HttpError> for ClientError {
    fn from(e: HttpError) -> Self {
        ClientError::Http(e)
    }
}

/// The message of a KFP error body (`{"error", "message", "code"}` or googleRpcStatus), or the
/// body's text.
pub(crate) fn error_message(resp: &Response) -> String {
    let parsed: Option<Value> = resp.json().ok();
    let from_json = parsed.as_ref().and_then(|v| {
        ["message", "error"]
            .iter()
            .find_map(|k| v.get(*k).and_then(Value::as_str))
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    });
    from_json.unwrap_or_else(|| {
        let text = resp.text();
        let text = text.trim();
        if text.chars().count() > 300 {
            format!("{}...", text.chars().take(300).collect::<String>())
        } else {
            text.to_owned()
        }
    })
}

impl Client {
    fn url(&self, plan: &RequestPlan) -> String {
        format!("{}{}", self.host, plan.path_and_query())
    }

    /// Sends `plan` once (`retry` false) or with the HTTP layer's retries.
    fn send(&self, plan: &RequestPlan, retry: bool) -> Result<Response, HttpError> {
        let url = self.url(plan);
        let (ctype, bytes): (Option<String>, Option<Vec<u8>>) = match &plan.body {
            Body::None => (None, None),
            Body::Json { value, .. } => (
                Some("application/json".into()),
                Some(serde_json::to_vec(value).unwrap_or_default()),
            ),
            Body::Upload { filename, bytes } => {
                let (ctype, body) = multipart::form(filename, bytes);
                (Some(ctype), Some(body))
            }
        };
        let headers: Vec<(&str, &str)> = ctype
            .as_deref()
            .map(|c| vec![("Content-Type", c)])
            .unwrap_or_default();
        let http = self.current_http();
        if retry {
            http.send(plan.method, &url, &headers, bytes.as_deref())
        } else {
            http.send_once(plan.method, &url, &headers, bytes.as_deref())
        }
    }

    /// The HTTP client with the token as the token file holds it now (the one read at start
    /// when the file has become unreadable or empty).
    fn current_http(&self) -> Cow<'_, Http> {
        let fresh = self
            .token_path
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        match fresh {
            Some(token) if self.http.auth() != Some(&Auth::Bearer(token.clone())) => {
                Cow::Owned(self.http.clone().with_auth(Some(Auth::Bearer(token))))
            }
            _ => Cow::Borrowed(&self.http),
        }
    }

    /// The JSON of a 2xx answer (`null` when empty), or the error the answer means.
    fn decode(&self, resp: Response, action: &'static str) -> Result<Value, ClientError> {
        if resp.is_success() {
            if resp.body.iter().all(u8::is_ascii_whitespace) {
                return Ok(Value::Null);
            }
            return resp.json().map_err(|e| ClientError::Decode {
                what: action,
                reason: e.to_string(),
            });
        }
        if matches!(resp.status, 401 | 403) {
            return Err(ClientError::Unauthorized {
                server: server_of(&self.host),
                status: resp.status,
                sources: self.sources.clone(),
                message: error_message(&resp),
            });
        }
        Err(ClientError::Api {
            action,
            status: resp.status,
            message: error_message(&resp),
        })
    }

    /// Sends a request that changes nothing (or whose repetition is harmless), retried.
    pub(super) fn execute(
        &self,
        plan: &RequestPlan,
        action: &'static str,
    ) -> Result<Value, ClientError> {
        let resp = self.send(plan, true)?;
        self.decode(resp, action)
    }

    /// Sends a create once per attempt. After an attempt that may have created the object
    /// (a 5xx, a timeout, a broken connection), waits the backoff, then asks `lookup` whether
    /// the object exists, and repeats the create only when it does not.
    pub(super) fn create(
        &self,
        plan: &RequestPlan,
        action: &'static str,
        lookup: impl Fn() -> Result<Option<Value>, ClientError>,
    ) -> Result<Value, ClientError> {
        let retry = self.http.retry();
        let start = Instant::now();
        let mut attempt = 0;
        let mut send = true;
        loop {
            attempt += 1;
            let outcome: Result<Response, HttpError> = if send {
                self.send(plan, false)
            } else {
                match lookup() {
                    Ok(Some(found)) => return Ok(found),
                    Ok(None) => self.send(plan, false),
                    Err(ClientError::Http(e)) => Err(e),
                    Err(other) => return Err(other),
                }
            };
            let failure = match outcome {
                Ok(resp) if resp.status < 500 => return self.decode(resp, action),
                Ok(resp) => HttpError::Server {
                    server: server_of(&self.host),
                    response: resp,
                    attempts: attempt,
                },
                Err(e @ (HttpError::Connect { .. } | HttpError::Timeout { .. })) => e,
                Err(e) => return Err(e.into()),
            };
            if !retry.wait_before_next(attempt, start) {
                return Err(with_attempts(failure, attempt).into());
            }
            // The next attempt looks the object up first.
            send = false;
        }
    }
}

fn with_attempts(e: HttpError, attempts: u32) -> HttpError {
    match e {
        HttpError::Connect { server, reason, .. } => HttpError::Connect {
            server,
            reason,
            attempts,
        },
        HttpError::Timeout { server, .. } => HttpError::Timeout { server, attempts },
        HttpError::Server {
            server, response, ..
        } => HttpError::Server {
            server,
            response,
            attempts,
        },
        other => other,
    }
}
