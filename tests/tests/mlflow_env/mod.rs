//! What the MLflow tests share: the services `.ci/services/{s3,mlflow}.sh` start (found by
//! the variables they export), a loopback HTTP stub, and the skip-or-fail rule for a missing
//! service.

#![allow(dead_code)] // each test file uses a different part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use kfp_core::http::{Http, Retry};

/// The real servers the tests talk to.
#[derive(Clone, Debug)]
pub struct Services {
    /// MLflow with proxied artifacts (`mlflow-artifacts:/`).
    pub mlflow: String,
    /// MLflow with `s3://` artifacts (`--no-serve-artifacts`).
    pub mlflow_s3: String,
    /// The `mlflow` executable of the venv, to start a server of a test's own.
    pub mlflow_bin: PathBuf,
    /// The S3 endpoint (s3s-fs).
    pub s3: String,
    /// Its access key.
    pub access_key: String,
    /// Its secret key.
    pub secret_key: String,
    /// The bucket MLflow's `s3://` root is in.
    pub bucket: String,
    /// The folder s3s-fs keeps objects in (`<data>/<bucket>/<key>`).
    pub s3_data: PathBuf,
}

const VARS: [&str; 8] = [
    "KFP_RS_MLFLOW_URI",
    "KFP_RS_MLFLOW_S3_URI",
    "KFP_RS_MLFLOW_BIN",
    "KFP_RS_S3_ENDPOINT",
    "KFP_RS_S3_ACCESS_KEY",
    "KFP_RS_S3_SECRET_KEY",
    "KFP_RS_S3_BUCKET",
    "KFP_RS_S3_DATA",
];

/// The services, or `None` after printing why the test is skipped. Under `CI=true` a missing
/// service fails the test instead.
pub fn services(test: &str) -> Option<Services> {
    let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let missing: Vec<&str> = VARS.iter().copied().filter(|k| get(k).is_none()).collect();
    let why = if missing.is_empty() {
        let http = Http::new(Retry::none());
        [
            get("KFP_RS_MLFLOW_URI").unwrap(),
            get("KFP_RS_MLFLOW_S3_URI").unwrap(),
        ]
        .iter()
        .find_map(|u| match http.get(&format!("{u}/health")) {
            Ok(r) if r.is_success() => None,
            Ok(r) => Some(format!("{u}/health answered {}", r.status)),
            Err(e) => Some(e.to_string()),
        })
    } else {
        Some(format!("{} unset", missing.join(", ")))
    };
    if let Some(why) = why {
        let msg = format!(
            "{test}: the MLflow/S3 services are not running ({why}); start them with \
             `.ci/services/s3.sh start && .ci/services/mlflow.sh start` and eval the output of \
             `.ci/services/s3.sh env; .ci/services/mlflow.sh env`"
        );
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{msg}");
        }
        eprintln!("SKIPPED {msg}");
        return None;
    }
    let v = |k: &str| get(k).unwrap();
    Some(Services {
        mlflow: v("KFP_RS_MLFLOW_URI"),
        mlflow_s3: v("KFP_RS_MLFLOW_S3_URI"),
        mlflow_bin: PathBuf::from(v("KFP_RS_MLFLOW_BIN")),
        s3: v("KFP_RS_S3_ENDPOINT"),
        access_key: v("KFP_RS_S3_ACCESS_KEY"),
        secret_key: v("KFP_RS_S3_SECRET_KEY"),
        bucket: v("KFP_RS_S3_BUCKET"),
        s3_data: PathBuf::from(v("KFP_RS_S3_DATA")),
    })
}

/// A name no other test run uses (experiments are never deleted between runs).
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

/// A request a stub received.
#[derive(Debug)]
pub struct Received {
    /// `POST /api/2.0/...`.
    pub line: String,
    /// The headers, lower-cased names.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

/// A loopback HTTP server that answers each connection with the next of `answers` (full
/// raw responses) and reports what it received; it stops after the last answer.
pub fn stub(answers: Vec<String>) -> (String, mpsc::Receiver<Received>, JoinHandle<()>) {
    stub_at("127.0.0.1:0", answers)
}

/// [`stub`] listening on `addr` (a port a client already points at; the bind is retried for a
/// second while an old listener's port is released).
pub fn stub_at(
    addr: &str,
    answers: Vec<String>,
) -> (String, mpsc::Receiver<Received>, JoinHandle<()>) {
    let mut bound = TcpListener::bind(addr);
    for _ in 0..50 {
        if bound.is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        bound = TcpListener::bind(addr);
    }
    let listener = bound.unwrap_or_else(|e| panic!("cannot listen on {addr}: {e}"));
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        for answer in answers {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut headers = Vec::new();
            let mut len = 0usize;
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                let (k, v) = h.split_once(':').unwrap();
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_owned());
                if k == "content-length" {
                    len = v.parse().unwrap();
                }
                headers.push((k, v));
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let mut stream = stream;
            stream.write_all(answer.as_bytes()).unwrap();
            let _ = tx.send(Received {
                line: line.trim_end().to_owned(),
                headers,
                body: String::from_utf8_lossy(&body).into_owned(),
            });
        }
    });
    (url, rx, handle)
}

/// A raw HTTP answer with a body.
pub fn answer(status: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

/// A fast retry policy for stubs.
pub fn fast_retry(attempts: u32) -> Retry {
    Retry {
        attempts,
        max_elapsed: Duration::from_secs(30),
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        timeout: Duration::from_secs(10),
    }
}
