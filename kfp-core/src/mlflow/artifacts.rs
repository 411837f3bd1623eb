//! Where a run's artifacts go, by its `artifact_uri`: through the tracking server
//! (`mlflow-artifacts:/`), straight to S3 with SigV4-presigned requests (`s3://`, the setup of
//! a server started with `--no-serve-artifacts --default-artifact-root s3://…`), or into a
//! local folder (`file:`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};

use super::client::encode;
use super::error::snippet;
use super::{MlflowClient, MlflowError};
use crate::http::{server_of, Response};

/// How long a presigned S3 request stays valid: long enough for a slow upload to start.
const PRESIGN: Duration = Duration::from_secs(3600);

/// A run's artifact store, parsed from its `artifact_uri`.
///
/// ```
/// use kfp_core::mlflow::ArtifactStore;
///
/// let s3 = ArtifactStore::parse("s3://mlflow/1/abc/artifacts").unwrap();
/// assert_eq!(
///     s3,
///     ArtifactStore::S3 { bucket: "mlflow".into(), prefix: "1/abc/artifacts".into() }
/// );
/// let proxied = ArtifactStore::parse("mlflow-artifacts:/1/abc/artifacts").unwrap();
/// assert_eq!(proxied, ArtifactStore::Proxied { path: "1/abc/artifacts".into() });
/// assert!(ArtifactStore::parse("gs://b/x").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArtifactStore {
    /// `mlflow-artifacts:/<path>`: uploaded to the tracking server, which stores them.
    Proxied {
        /// The path under `/api/2.0/mlflow-artifacts/artifacts/`.
        path: String,
    },
    /// `s3://<bucket>/<prefix>`: uploaded to S3 by the client, signed with its keys.
    S3 {
        /// The bucket.
        bucket: String,
        /// The key prefix (no leading or trailing `/`).
        prefix: String,
    },
    /// `file:<dir>`: copied into a local folder.
    Local {
        /// The folder.
        dir: PathBuf,
    },
}

impl ArtifactStore {
    /// The store an `artifact_uri` names.
    pub fn parse(artifact_uri: &str) -> Result<Self, MlflowError> {
        if let Some(rest) = artifact_uri.strip_prefix("mlflow-artifacts:") {
            // `mlflow-artifacts://host:port/path` names the server too; the client's own
            // tracking server is the one it talks to.
            let path = match rest.strip_prefix("//") {
                Some(with_host) => with_host.split_once('/').map_or("", |(_, p)| p),
                None => rest,
            };
            return Ok(ArtifactStore::Proxied {
                path: path.trim_matches('/').to_owned(),
            });
        }
        if let Some(rest) = artifact_uri.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(MlflowError::Config {
                    reason: format!("the artifact URI {artifact_uri:?} names no bucket"),
                });
            }
            return Ok(ArtifactStore::S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.trim_matches('/').to_owned(),
            });
        }
        if let Some(rest) = artifact_uri.strip_prefix("file:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            return Ok(ArtifactStore::Local {
                dir: PathBuf::from(path),
            });
        }
        if artifact_uri.starts_with('/') {
            return Ok(ArtifactStore::Local {
                dir: PathBuf::from(artifact_uri),
            });
        }
        let scheme = artifact_uri.split(':').next().unwrap_or(artifact_uri);
        Err(MlflowError::Config {
            reason: format!(
                "artifact store `{scheme}:` is not supported (mlflow-artifacts:, s3: and file: are)"
            ),
        })
    }

    /// Uploads `local` as artifact `rel` (a `/`-separated path under the run's root).
    pub(crate) fn upload(
        &self,
        client: &MlflowClient,
        local: &Path,
        rel: &str,
    ) -> Result<(), MlflowError> {
        let what = || format!("uploading artifact {rel:?}");
        match self {
            ArtifactStore::Local { dir } => {
                let dest = dir.join(rel);
                if let Some(parent) = dest.parent() {
                    std::fs::create_dir_all(parent).map_err(|source| MlflowError::Io {
                        path: parent.display().to_string(),
                        source,
                    })?;
                }
                std::fs::copy(local, &dest).map_err(|source| MlflowError::Io {
                    path: local.display().to_string(),
                    source,
                })?;
                Ok(())
            }
            _ => {
                let bytes = std::fs::read(local).map_err(|source| MlflowError::Io {
                    path: local.display().to_string(),
                    source,
                })?;
                let headers = [("Content-Type", "application/octet-stream")];
                self.request(client, "PUT", rel, &headers, Some(&bytes), &what)
                    .map(|_| ())
            }
        }
    }

    /// The bytes of artifact `rel`.
    pub(crate) fn download(
        &self,
        client: &MlflowClient,
        rel: &str,
    ) -> Result<Vec<u8>, MlflowError> {
        let what = || format!("downloading artifact {rel:?}");
        match self {
            ArtifactStore::Local { dir } => {
                let path = dir.join(rel);
                std::fs::read(&path).map_err(|source| MlflowError::Io {
                    path: path.display().to_string(),
                    source,
                })
            }
            _ => self
                .request(client, "GET", rel, &[], None, &what)
                .map(|r| r.body),
        }
    }

    fn request(
        &self,
        client: &MlflowClient,
        method: &str,
        rel: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        what: &dyn Fn() -> String,
    ) -> Result<Response, MlflowError> {
        let rel = rel.trim_start_matches('/');
        match self {
            ArtifactStore::Proxied { path } => {
                let full = if path.is_empty() {
                    rel.to_owned()
                } else {
                    format!("{path}/{rel}")
                };
                let url = format!(
                    "{}/api/2.0/mlflow-artifacts/artifacts/{}",
                    client.tracking_uri(),
                    encode(&full, true)
                );
                let resp = client
                    .http()
                    .send(method, &url, headers, body)
                    .map_err(|source| MlflowError::Http {
                        source,
                        what: what(),
                    })?;
                client.check(&resp, what)?;
                Ok(resp)
            }
            ArtifactStore::S3 { bucket, prefix } => {
                let key = if prefix.is_empty() {
                    rel.to_owned()
                } else {
                    format!("{prefix}/{rel}")
                };
                s3_request(client, bucket, &key, method, headers, body, what)
            }
            ArtifactStore::Local { .. } => unreachable!("local stores are not reached over HTTP"),
        }
    }
}

fn s3_request(
    client: &MlflowClient,
    bucket: &str,
    key: &str,
    method: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
    what: &dyn Fn() -> String,
) -> Result<Response, MlflowError> {
    let s3 = &client.s3;
    let endpoint = s3.endpoint_url();
    let server = server_of(&endpoint);
    let (Some(access), Some(secret)) = (&s3.access_key, &s3.secret_key) else {
        return Err(MlflowError::Config {
            reason: format!(
                "the run's artifacts go to s3://{bucket} but AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY are not both set; {} failed",
                what()
            ),
        });
    };
    let url: url::Url = endpoint.parse().map_err(|e| MlflowError::Config {
        reason: format!("MLFLOW_S3_ENDPOINT_URL {server} is not a URL: {e}"),
    })?;
    let bucket_handle = Bucket::new(url, UrlStyle::Path, bucket.to_owned(), s3.region.clone())
        .map_err(|e| MlflowError::Config {
            reason: format!("S3 bucket {bucket:?} at {server}: {e:?}"),
        })?;
    let credentials = Credentials::new(access.clone(), secret.clone());
    let signed = if method == "PUT" {
        bucket_handle
            .put_object(Some(&credentials), key)
            .sign(PRESIGN)
    } else {
        bucket_handle
            .get_object(Some(&credentials), key)
            .sign(PRESIGN)
    };
    let resp = client
        .s3_http
        .send(method, signed.as_str(), headers, body)
        .map_err(|source| MlflowError::Http {
            source,
            what: format!("{} to s3://{bucket}", what()),
        })?;
    if resp.is_success() {
        return Ok(resp);
    }
    let text = resp.text();
    let code = xml_field(&text, "Code");
    let refused = resp.status == 403
        || matches!(
            code.as_deref(),
            Some("SignatureDoesNotMatch" | "InvalidAccessKeyId" | "AccessDenied")
        );
    if refused {
        return Err(MlflowError::Refused {
            server,
            status: resp.status,
            credentials: format!(
                "S3 said {}; {}",
                code.as_deref().unwrap_or("access denied"),
                s3.source()
            ),
            what: format!("{} to s3://{bucket}", what()),
        });
    }
    Err(MlflowError::Api {
        server,
        status: resp.status,
        code,
        message: xml_field(&text, "Message").unwrap_or_else(|| snippet(&text)),
        what: format!("{} to s3://{bucket}", what()),
    })
}

/// The text of the first `<name>…</name>` in an S3 error document.
fn xml_field(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(xml[start..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_store() {
        assert_eq!(
            ArtifactStore::parse("mlflow-artifacts://h:5000/2/r/artifacts").unwrap(),
            ArtifactStore::Proxied {
                path: "2/r/artifacts".into()
            }
        );
        assert_eq!(
            ArtifactStore::parse("file:///srv/mlruns/1/r/artifacts").unwrap(),
            ArtifactStore::Local {
                dir: "/srv/mlruns/1/r/artifacts".into()
            }
        );
        assert_eq!(
            ArtifactStore::parse("s3://b").unwrap(),
            ArtifactStore::S3 {
                bucket: "b".into(),
                prefix: String::new()
            }
        );
        assert!(ArtifactStore::parse("s3:///x").is_err());
    }

    #[test]
    fn reads_s3_error_documents() {
        let xml = "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>\
                   <Message>The request signature we calculated does not match</Message></Error>";
        assert_eq!(
            xml_field(xml, "Code").as_deref(),
            Some("SignatureDoesNotMatch")
        );
        assert!(xml_field(xml, "Message")
            .unwrap()
            .starts_with("The request"));
        assert_eq!(xml_field("<html>", "Code"), None);
    }
}
