//! The MLflow REST API 2.0 calls: experiments, runs, batched logging, search and metric
//! history, over the shared [`Http`] layer (retries on connection failures and 5xx).

use std::path::Path;

use serde_json::{json, Value};

use super::artifacts::ArtifactStore;
use super::error::snippet;
use super::types::{int, now_ms, number, text};
use super::validate::{
    validate_key, validate_param_value, validate_tag_value, MAX_BATCH_ENTITIES,
    MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH,
};
use super::{
    ActiveRun, ClientBuilder, Experiment, Metric, MlflowError, RunData, RunInfo, RunStatus,
    S3Config, CONTEXT_TAGS,
};
use crate::http::{server_of, Auth, Http, Retry};
use std::collections::BTreeMap;

/// A synchronous client of an MLflow Tracking Server; cheap to clone.
///
/// ```no_run
/// use kfp_core::mlflow::MlflowClient;
///
/// let client = MlflowClient::from_env().unwrap();
/// let exp = client.get_or_create_experiment("demo").unwrap();
/// let runs = client
///     .search_runs(&[exp.id.as_str()], "params.epochs = '3'", 10)
///     .unwrap();
/// for run in runs {
///     let loss = client.get_metric_history(&run.info.run_id, "loss").unwrap();
///     println!("{} {:?} {} points", run.info.run_id, run.info.status, loss.len());
/// }
/// ```
#[derive(Clone)]
pub struct MlflowClient {
    uri: String,
    experiment_name: Option<String>,
    http: Http,
    auth_source: String,
    pub(crate) s3: S3Config,
    /// No MLflow credentials: S3 requests must not carry the tracking server's token.
    pub(crate) s3_http: Http,
}

impl std::fmt::Debug for MlflowClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MlflowClient")
            .field("uri", &self.uri)
            .field("experiment_name", &self.experiment_name)
            .field("http", &self.http)
            .field("s3", &self.s3)
            .finish()
    }
}

impl MlflowClient {
    pub(crate) fn from_parts(
        uri: String,
        experiment_name: Option<String>,
        auth: Option<Auth>,
        auth_source: String,
        s3: S3Config,
        retry: Retry,
    ) -> Self {
        MlflowClient {
            uri,
            experiment_name,
            http: Http::new(retry).with_auth(auth),
            auth_source,
            s3,
            s3_http: Http::new(retry),
        }
    }

    /// The client Python's `mlflow` would configure from this process's environment
    /// ([`ClientBuilder::from_env`]).
    pub fn from_env() -> Result<Self, MlflowError> {
        ClientBuilder::from_env()?.build()
    }

    /// A builder for the server at `tracking_uri`.
    pub fn builder(tracking_uri: &str) -> ClientBuilder {
        ClientBuilder::new(tracking_uri)
    }

    /// The tracking server's URI.
    pub fn tracking_uri(&self) -> &str {
        &self.uri
    }

    /// The experiment named by `MLFLOW_EXPERIMENT_NAME` or the builder, if any.
    pub fn default_experiment(&self) -> Option<&str> {
        self.experiment_name.as_deref()
    }

    pub(crate) fn http(&self) -> &Http {
        &self.http
    }

    pub(crate) fn server(&self) -> String {
        server_of(&self.uri)
    }

    /// Sends one API call and decodes its JSON answer; `what` says what is lost on failure.
    pub(crate) fn call(
        &self,
        method: &str,
        endpoint: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
        what: &dyn Fn() -> String,
    ) -> Result<Value, MlflowError> {
        let mut url = format!("{}/api/2.0/{endpoint}", self.uri);
        for (i, (k, v)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&encode(k, false));
            url.push('=');
            url.push_str(&encode(v, false));
        }
        let resp = match body {
            Some(b) => self.http.send_json(method, &url, b),
            None => self.http.send(method, &url, &[], None),
        }
        .map_err(|source| MlflowError::Http {
            source,
            what: what(),
        })?;
        self.check(&resp, what)?;
        if resp.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(json!({}));
        }
        resp.json().map_err(|e| MlflowError::Protocol {
            server: self.server(),
            reason: format!("{endpoint}: the answer is not JSON: {e}"),
        })
    }

    /// Maps a non-2xx answer to its error.
    pub(crate) fn check(
        &self,
        resp: &crate::http::Response,
        what: &dyn Fn() -> String,
    ) -> Result<(), MlflowError> {
        if resp.is_success() {
            return Ok(());
        }
        if resp.status == 401 || resp.status == 403 {
            return Err(MlflowError::Refused {
                server: self.server(),
                status: resp.status,
                credentials: self.auth_source.clone(),
                what: what(),
            });
        }
        // A proxy or the auth app may answer in HTML: only MLflow's own errors are JSON.
        let parsed: Option<Value> = resp.json().ok();
        let field = |k: &str| {
            parsed
                .as_ref()
                .and_then(|v| v[k].as_str())
                .map(str::to_owned)
        };
        Err(MlflowError::Api {
            server: self.server(),
            status: resp.status,
            code: field("error_code"),
            message: field("message").unwrap_or_else(|| snippet(&resp.text())),
            what: what(),
        })
    }

    /// The experiment named `name`, if it exists.
    pub fn get_experiment_by_name(&self, name: &str) -> Result<Option<Experiment>, MlflowError> {
        let what = || format!("looking up experiment {name:?}");
        match self.call(
            "GET",
            "mlflow/experiments/get-by-name",
            &[("experiment_name", name)],
            None,
            &what,
        ) {
            Ok(v) => Ok(Some(self.experiment(&v["experiment"])?)),
            Err(MlflowError::Api { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates experiment `name` and returns its id.
    pub fn create_experiment(&self, name: &str) -> Result<String, MlflowError> {
        let what = || format!("creating experiment {name:?}");
        let v = self.call(
            "POST",
            "mlflow/experiments/create",
            &[],
            Some(&json!({ "name": name })),
            &what,
        )?;
        self.string(&v, "experiment_id")
    }

    /// The experiment named `name`, created if it does not exist (also when another process
    /// creates it at the same moment).
    pub fn get_or_create_experiment(&self, name: &str) -> Result<Experiment, MlflowError> {
        if let Some(e) = self.get_experiment_by_name(name)? {
            return Ok(e);
        }
        match self.create_experiment(name) {
            Ok(_) => {}
            Err(MlflowError::Api { code: Some(c), .. }) if c == "RESOURCE_ALREADY_EXISTS" => {}
            Err(e) => return Err(e),
        }
        self.get_experiment_by_name(name)?
            .ok_or_else(|| MlflowError::Protocol {
                server: self.server(),
                reason: format!("experiment {name:?} was created but cannot be found"),
            })
    }

    /// Creates a RUNNING run in `experiment_id` with these tags (no KFP context tags; see
    /// [`MlflowClient::start_run`]).
    pub fn create_run(
        &self,
        experiment_id: &str,
        run_name: &str,
        tags: &[(&str, &str)],
    ) -> Result<RunInfo, MlflowError> {
        for (k, v) in tags {
            validate_key(k)?;
            validate_tag_value(k, v)?;
        }
        let tags: Vec<Value> = tags
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect();
        let body = json!({
            "experiment_id": experiment_id,
            "run_name": run_name,
            "start_time": now_ms(),
            "tags": tags,
        });
        let what = || format!("creating run {run_name:?}");
        let v = self.call("POST", "mlflow/runs/create", &[], Some(&body), &what)?;
        self.run_info(&v["run"]["info"])
    }

    /// Starts a run in `experiment` named `run_name`, tagged with `tags` and the KFP context
    /// from the environment ([`CONTEXT_TAGS`]). The returned guard ends it FAILED unless
    /// [`ActiveRun::finish`] is called.
    pub fn start_run(
        &self,
        experiment: &Experiment,
        run_name: &str,
        tags: &[(&str, &str)],
    ) -> Result<ActiveRun, MlflowError> {
        let context: Vec<(String, String)> = CONTEXT_TAGS
            .iter()
            .filter_map(|(var, tag)| {
                std::env::var(var)
                    .ok()
                    .filter(|v| !v.is_empty())
                    .map(|v| ((*tag).to_owned(), v))
            })
            .collect();
        let mut all: Vec<(&str, &str)> = context
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        all.extend_from_slice(tags);
        let info = self.create_run(&experiment.id, run_name, &all)?;
        Ok(ActiveRun::new(self.clone(), info))
    }

    /// Logs metrics, params and tags to `run_id`, in as many `runs/log-batch` requests as
    /// MLflow's limits need. Every key and value is checked first; a bad one fails the call
    /// before anything is sent.
    pub fn log_batch(
        &self,
        run_id: &str,
        metrics: &[Metric],
        params: &[(&str, &str)],
        tags: &[(&str, &str)],
    ) -> Result<(), MlflowError> {
        for m in metrics {
            validate_key(&m.key)?;
        }
        for (k, v) in params {
            validate_key(k)?;
            validate_param_value(k, v)?;
        }
        for (k, v) in tags {
            validate_key(k)?;
            validate_tag_value(k, v)?;
        }
        let kv = |(k, v): &(&str, &str)| json!({"key": k, "value": v});
        let (mut m, mut p, mut t) = (metrics, params, tags);
        while !(m.is_empty() && p.is_empty() && t.is_empty()) {
            let np = p.len().min(MAX_PARAMS_TAGS_PER_BATCH);
            let nt = t.len().min(MAX_PARAMS_TAGS_PER_BATCH - np);
            let nm = m
                .len()
                .min(MAX_METRICS_PER_BATCH)
                .min(MAX_BATCH_ENTITIES - np - nt);
            let body = json!({
                "run_id": run_id,
                "metrics": m[..nm].iter().map(Metric::to_json).collect::<Vec<_>>(),
                "params": p[..np].iter().map(kv).collect::<Vec<_>>(),
                "tags": t[..nt].iter().map(kv).collect::<Vec<_>>(),
            });
            let what = || describe(&m[..nm], np, nt);
            self.call("POST", "mlflow/runs/log-batch", &[], Some(&body), &what)?;
            m = &m[nm..];
            p = &p[np..];
            t = &t[nt..];
        }
        Ok(())
    }

    /// Ends `run_id` with `status` (`FINISHED`, `FAILED`, `KILLED`), now.
    pub fn set_terminated(&self, run_id: &str, status: RunStatus) -> Result<(), MlflowError> {
        let body = json!({"run_id": run_id, "status": status.as_str(), "end_time": now_ms()});
        let what = || format!("ending run {run_id} as {}", status.as_str());
        self.call("POST", "mlflow/runs/update", &[], Some(&body), &what)
            .map(|_| ())
    }

    /// The run `run_id` with its params, tags and latest metrics.
    pub fn get_run(&self, run_id: &str) -> Result<RunData, MlflowError> {
        let what = || format!("reading run {run_id}");
        let v = self.call("GET", "mlflow/runs/get", &[("run_id", run_id)], None, &what)?;
        self.run_data(&v["run"])
    }

    /// Runs of these experiments that match `filter` (MLflow's search syntax, e.g.
    /// `params.epochs = '3' and tags.kfp.run_id = 'r1'`), newest first, at most `max_results`.
    pub fn search_runs(
        &self,
        experiment_ids: &[&str],
        filter: &str,
        max_results: usize,
    ) -> Result<Vec<RunData>, MlflowError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        while out.len() < max_results {
            let mut body = json!({
                "experiment_ids": experiment_ids,
                "filter": filter,
                "max_results": (max_results - out.len()).min(1000),
                "order_by": ["attributes.start_time DESC"],
            });
            if let Some(t) = &token {
                body["page_token"] = json!(t);
            }
            let what = || format!("searching runs ({filter})");
            let v = self.call("POST", "mlflow/runs/search", &[], Some(&body), &what)?;
            for run in v["runs"].as_array().into_iter().flatten() {
                out.push(self.run_data(run)?);
            }
            token = v["next_page_token"].as_str().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }

    /// Every value ever logged for metric `key` of `run_id`, in the server's order.
    pub fn get_metric_history(&self, run_id: &str, key: &str) -> Result<Vec<Metric>, MlflowError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![("run_id", run_id), ("metric_key", key)];
            if let Some(t) = &token {
                query.push(("page_token", t));
            }
            let what = || format!("reading the history of metric {key:?} of run {run_id}");
            let v = self.call("GET", "mlflow/metrics/get-history", &query, None, &what)?;
            for m in v["metrics"].as_array().into_iter().flatten() {
                out.push(Metric {
                    key: m["key"].as_str().unwrap_or(key).to_owned(),
                    value: number(&m["value"]),
                    timestamp: int(&m["timestamp"]),
                    step: int(&m["step"]),
                });
            }
            match v["next_page_token"].as_str() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => return Ok(out),
            }
        }
    }

    /// Uploads file `local` to the run's artifacts, under `artifact_path` (a folder) if given,
    /// by the run's `artifact_uri`: through the server (`mlflow-artifacts:/`), straight to S3
    /// (`s3://`, SigV4-signed) or into a local folder (`file:`).
    pub fn log_artifact(
        &self,
        run: &RunInfo,
        local: &Path,
        artifact_path: Option<&str>,
    ) -> Result<(), MlflowError> {
        let name = local
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| MlflowError::Io {
                path: local.display().to_string(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "no file name"),
            })?;
        let rel = join(artifact_path, name);
        ArtifactStore::parse(&run.artifact_uri)?.upload(self, local, &rel)
    }

    /// Uploads every file under folder `local`, keeping the tree, under `artifact_path` if
    /// given.
    pub fn log_artifacts(
        &self,
        run: &RunInfo,
        local: &Path,
        artifact_path: Option<&str>,
    ) -> Result<(), MlflowError> {
        let store = ArtifactStore::parse(&run.artifact_uri)?;
        let mut files = Vec::new();
        walk(local, "", &mut files)?;
        for (path, rel) in files {
            store.upload(self, &path, &join(artifact_path, &rel))?;
        }
        Ok(())
    }

    /// The bytes of artifact `path` (relative to the run's artifact root).
    pub fn download_artifact(&self, run: &RunInfo, path: &str) -> Result<Vec<u8>, MlflowError> {
        ArtifactStore::parse(&run.artifact_uri)?.download(self, path)
    }

    fn string(&self, v: &Value, key: &str) -> Result<String, MlflowError> {
        v[key]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| MlflowError::Protocol {
                server: self.server(),
                reason: format!("no `{key}` in {}", snippet(&v.to_string())),
            })
    }

    fn experiment(&self, v: &Value) -> Result<Experiment, MlflowError> {
        Ok(Experiment {
            id: self.string(v, "experiment_id")?,
            name: self.string(v, "name")?,
            artifact_location: v["artifact_location"].as_str().unwrap_or("").to_owned(),
        })
    }

    fn run_info(&self, v: &Value) -> Result<RunInfo, MlflowError> {
        let status = self.string(v, "status")?;
        Ok(RunInfo {
            run_id: self.string(v, "run_id")?,
            experiment_id: self.string(v, "experiment_id")?,
            run_name: v["run_name"].as_str().unwrap_or("").to_owned(),
            status: RunStatus::parse(&status).ok_or_else(|| MlflowError::Protocol {
                server: self.server(),
                reason: format!("unknown run status {status:?}"),
            })?,
            artifact_uri: v["artifact_uri"].as_str().unwrap_or("").to_owned(),
        })
    }

    fn run_data(&self, v: &Value) -> Result<RunData, MlflowError> {
        let pairs = |key: &str| -> BTreeMap<String, String> {
            v["data"][key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|kv| Some((kv["key"].as_str()?.to_owned(), text(&kv["value"]))))
                .collect()
        };
        let metrics = v["data"]["metrics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| Some((m["key"].as_str()?.to_owned(), number(&m["value"]))))
            .collect();
        Ok(RunData {
            info: self.run_info(&v["info"])?,
            params: pairs("params"),
            tags: pairs("tags"),
            metrics,
        })
    }
}

/// What a failed log-batch did not log, for its error.
pub(crate) fn describe(metrics: &[Metric], params: usize, tags: usize) -> String {
    let mut parts = Vec::new();
    if let Some(first) = metrics.first() {
        parts.push(format!(
            "logging {} metric{} (first: {:?} step {})",
            metrics.len(),
            if metrics.len() == 1 { "" } else { "s" },
            first.key,
            first.step
        ));
    }
    if params > 0 {
        parts.push(format!("{params} params"));
    }
    if tags > 0 {
        parts.push(format!("{tags} tags"));
    }
    if parts.is_empty() {
        "logging".to_owned()
    } else {
        parts.join(", ")
    }
}

fn join(dir: Option<&str>, name: &str) -> String {
    match dir.map(|d| d.trim_matches('/')) {
        Some(d) if !d.is_empty() => format!("{d}/{name}"),
        _ => name.to_owned(),
    }
}

/// The files under `dir`, sorted, with their `/`-separated paths relative to the top.
fn walk(
    dir: &Path,
    prefix: &str,
    out: &mut Vec<(std::path::PathBuf, String)>,
) -> Result<(), MlflowError> {
    let io = |source| MlflowError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if e.path().is_dir() {
            walk(&e.path(), &rel, out)?;
        } else {
            out.push((e.path(), rel));
        }
    }
    Ok(())
}

/// Percent-encodes all but RFC 3986's unreserved characters (and `/` when `keep_slash`).
pub(crate) fn encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_queries_and_paths() {
        assert_eq!(encode("a b/c?d", false), "a%20b%2Fc%3Fd");
        assert_eq!(
            encode("1/run/artifacts/m x.bin", true),
            "1/run/artifacts/m%20x.bin"
        );
    }

    #[test]
    fn what_was_not_logged() {
        let ms = vec![Metric::now("loss", 1.0, 3), Metric::now("loss", 0.5, 4)];
        assert_eq!(
            describe(&ms, 2, 0),
            "logging 2 metrics (first: \"loss\" step 3), 2 params"
        );
    }
}
