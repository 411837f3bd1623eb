//! An in-process stub of the KFP v1beta1 and v2beta1 APIs (std `TcpListener`) for the
//! client's flow tests: it keeps pipelines, experiments and runs, answers each request from a
//! script ([`State`]), and records every request it saw.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

/// One request as the stub saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// What the stub does, and what it holds.
#[derive(Default)]
pub struct State {
    /// 503 answers still to give to `POST .../runs` before creating.
    pub fail_run_creates: u32,
    /// 503 answers to give to `POST .../runs` *after* creating the run.
    pub create_then_fail: u32,
    /// Answer everything with this status and body.
    pub refuse: Option<(u16, &'static str)>,
    /// The states `GET .../runs/{id}` reports, in turn (the last repeats).
    pub run_states: Vec<&'static str>,
    /// The state of each task once the run ends.
    pub task_states: Vec<(&'static str, &'static str)>,
    pub pipelines: Vec<(String, String)>,
    pub versions: Vec<(String, String)>,
    pub experiments: Vec<(String, String)>,
    pub runs: Vec<(String, String)>,
    pub polls: usize,
    pub seen: Vec<Seen>,
    pub next_id: u32,
}

pub struct Stub {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl Stub {
    pub fn start(state: State) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(state));
        let shared = state.clone();
        // The thread ends with the test process.
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let _ = serve(stream, &shared);
            }
        });
        Stub { url, state }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    pub fn calls(&self) -> Vec<String> {
        self.seen()
            .iter()
            .map(|s| format!("{} {}", s.method, s.path))
            .collect()
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(if b[i] == b'+' { b' ' } else { b[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn serve(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("").to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = query
        .split('&')
        .filter(|q| !q.is_empty())
        .map(|q| {
            let (k, v) = q.split_once('=').unwrap_or((q, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect();
    let seen = Seen {
        method,
        path: path.to_owned(),
        query,
        headers,
        body,
    };
    let (status, answer) = {
        let mut st = state.lock().unwrap();
        st.seen.push(seen.clone());
        route(&mut st, &seen)
    };
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        404 => "Not Found",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
        answer.len()
    )?;
    stream.flush()
}

/// The name a list request filters on (`stringValue` of the filter's predicate).
fn filtered_name(seen: &Seen) -> Option<String> {
    let f: Value = serde_json::from_str(seen.query.get("filter")?).ok()?;
    f.pointer("/predicates/0/stringValue")?
        .as_str()
        .map(str::to_owned)
}

fn route(st: &mut State, seen: &Seen) -> (u16, String) {
    if let Some((status, body)) = st.refuse {
        return (status, body.to_owned());
    }
    let v2 = seen.path.starts_with("/apis/v2beta1");
    let rest = seen
        .path
        .trim_start_matches("/apis/v1beta1")
        .trim_start_matches("/apis/v2beta1");
    let name_key = if v2 { "display_name" } else { "name" };
    let new_id = |st: &mut State, kind: &str| {
        st.next_id += 1;
        format!("{kind}-{}", st.next_id)
    };
    let list = |items: &[(String, String)], key: &str, idk: &str, want: Option<String>| {
        let items: Vec<Value> = items
            .iter()
            .filter(|(n, _)| want.as_deref().is_none_or(|w| w == n))
            .map(|(n, id)| json!({idk: id, name_key: n}))
            .collect();
        json!({ key: items }).to_string()
    };
    match (seen.method.as_str(), rest) {
        ("GET", "/pipelines") => {
            let idk = if v2 { "pipeline_id" } else { "id" };
            (200, list(&st.pipelines, "pipelines", idk, filtered_name(seen)))
        }
        ("POST", "/pipelines/upload") => {
            let name = seen.query.get("name").cloned().unwrap_or_default();
            let id = new_id(st, "pipeline");
            st.pipelines.push((name.clone(), id.clone()));
            if v2 {
                (200, json!({"pipeline_id": id, "display_name": name}).to_string())
            } else {
                (
                    200,
                    json!({"id": id, "name": name, "default_version": {"id": format!("{id}-v0"), "name": name}})
                        .to_string(),
                )
            }
        }
        ("POST", "/pipelines/upload_version") => {
            let name = seen.query.get("name").cloned().unwrap_or_default();
            let pid = seen.query.get("pipelineid").cloned().unwrap_or_default();
            let id = new_id(st, "version");
            st.versions.push((name.clone(), id.clone()));
            if v2 {
                (
                    200,
                    json!({"pipeline_id": pid, "pipeline_version_id": id, "display_name": name})
                        .to_string(),
                )
            } else {
                (200, json!({"id": id, "name": name}).to_string())
            }
        }
        ("GET", "/experiments") => {
            let idk = if v2 { "experiment_id" } else { "id" };
            (200, list(&st.experiments, "experiments", idk, filtered_name(seen)))
        }
        ("POST", "/experiments") => {
            let body = seen.json();
            let name = body[name_key].as_str().unwrap_or_default().to_owned();
            let id = new_id(st, "experiment");
            st.experiments.push((name.clone(), id.clone()));
            let idk = if v2 { "experiment_id" } else { "id" };
            (200, json!({idk: id, name_key: name}).to_string())
        }
        ("GET", "/runs") => {
            let idk = if v2 { "run_id" } else { "id" };
            (200, list(&st.runs, "runs", idk, filtered_name(seen)))
        }
        ("POST", "/runs") => {
            if st.fail_run_creates > 0 {
                st.fail_run_creates -= 1;
                return (503, r#"{"error":"busy","message":"busy","code":14}"#.into());
            }
            let body = seen.json();
            let name = body[name_key].as_str().unwrap_or_default().to_owned();
            let id = new_id(st, "run");
            st.runs.push((name.clone(), id.clone()));
            if st.create_then_fail > 0 {
                st.create_then_fail -= 1;
                return (503, r#"{"error":"lost","message":"lost","code":14}"#.into());
            }
            if v2 {
                (200, json!({"run_id": id, "display_name": name, "state": "PENDING"}).to_string())
            } else {
                (200, json!({"run": {"id": id, "name": name, "status": ""}}).to_string())
            }
        }
        ("GET", p) if p.starts_with("/runs/") => {
            let id = p.trim_start_matches("/runs/").to_owned();
            let name = st
                .runs
                .iter()
                .find(|(_, i)| *i == id)
                .map(|(n, _)| n.clone())
                .unwrap_or_default();
            let i = st.polls.min(st.run_states.len().saturating_sub(1));
            st.polls += 1;
            let state = st.run_states.get(i).copied().unwrap_or("RUNNING");
            let ended = !matches!(state, "RUNNING" | "Running" | "PENDING" | "Pending");
            let tasks: Vec<(&str, &str)> = if ended {
                st.task_states.clone()
            } else {
                st.task_states.iter().map(|(n, _)| (*n, "RUNNING")).collect()
            };
            if v2 {
                let details: Vec<Value> = tasks
                    .iter()
                    .map(|(n, s)| json!({"display_name": n, "state": s}))
                    .collect();
                (
                    200,
                    json!({"run_id": id, "display_name": name, "state": state,
                           "created_at": "2024-05-01T10:00:00Z",
                           "run_details": {"task_details": details}})
                    .to_string(),
                )
            } else {
                let nodes: serde_json::Map<String, Value> = tasks
                    .iter()
                    .enumerate()
                    .map(|(i, (n, s))| {
                        let phase = capitalize(s);
                        (format!("node-{i}"), json!({"displayName": n, "type": "Pod", "phase": phase}))
                    })
                    .chain(std::iter::once((
                        "root".to_owned(),
                        json!({"displayName": "root", "type": "DAG", "phase": "Running"}),
                    )))
                    .collect();
                let manifest = json!({"status": {"nodes": nodes}}).to_string();
                (
                    200,
                    json!({"run": {"id": id, "name": name, "status": state,
                                   "created_at": "2024-05-01T10:00:00Z"},
                           "pipeline_runtime": {"workflow_manifest": manifest}})
                    .to_string(),
                )
            }
        }
        _ => (
            404,
            json!({"error": "no route", "message": format!("stub: no route {} {}", seen.method, seen.path), "code": 5})
                .to_string(),
        ),
    }
}

fn capitalize(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let mut c = lower.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// The multipart body's single part: (name, filename, bytes).
pub fn multipart(seen: &Seen) -> (String, String, Vec<u8>) {
    let ctype = &seen.headers["content-type"];
    let boundary = ctype
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart: {ctype}"));
    let body = &seen.body;
    let open = format!("--{boundary}\r\n");
    let close = format!("\r\n--{boundary}--\r\n");
    assert!(body.starts_with(open.as_bytes()), "no opening boundary");
    assert!(body.ends_with(close.as_bytes()), "no closing boundary");
    let inner = &body[open.len()..body.len() - close.len()];
    let split = inner
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("part headers end");
    let head = String::from_utf8(inner[..split].to_vec()).unwrap();
    let bytes = inner[split + 4..].to_vec();
    let disposition = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
        .expect("content-disposition");
    let field = |key: &str| {
        let start = disposition.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        let end = disposition[start..].find('"').unwrap() + start;
        disposition[start..end].to_owned()
    };
    // Exactly one part: the boundary does not occur inside.
    assert!(
        !inner
            .windows(open.len() - 2)
            .any(|w| w == &open.as_bytes()[..open.len() - 2]),
        "more than one part"
    );
    (field("name"), field("filename"), bytes)
}
