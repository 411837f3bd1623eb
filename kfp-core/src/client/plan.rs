//! [`RequestPlan`]: one request to the KFP API as data, built by the pure functions of
//! [`super::v1`] and [`super::v2`] and sent by the client's one executor.

use serde_json::Value;

/// The body of a request: none, JSON of a swagger definition, or a pipeline file upload.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// No body.
    None,
    /// A JSON body; `definition` names its type in the spec's `definitions`.
    Json {
        /// The swagger definition the body is an instance of (`apiRun`, `v2beta1Run`).
        definition: &'static str,
        /// The body.
        value: Value,
    },
    /// A `multipart/form-data` body with one `uploadfile` part.
    Upload {
        /// The part's filename (`<name>.yaml`).
        filename: String,
        /// The file.
        bytes: Vec<u8>,
    },
}

/// One request to the KFP API, before it is sent.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestPlan {
    /// `GET`, `POST` or `DELETE`.
    pub method: &'static str,
    /// The path as the spec writes it (`/apis/v2beta1/runs/{run_id}`).
    pub template: &'static str,
    /// The path with its parameters filled in and percent-encoded.
    pub path: String,
    /// The query parameters, by the names the spec gives them.
    pub query: Vec<(&'static str, String)>,
    /// The body.
    pub body: Body,
    /// The swagger definition of a 200 answer (`apiRunDetail`), or `None` for an empty one.
    pub response: Option<&'static str>,
}

impl RequestPlan {
    pub(super) fn new(method: &'static str, template: &'static str, path: String) -> Self {
        RequestPlan {
            method,
            template,
            path,
            query: Vec::new(),
            body: Body::None,
            response: None,
        }
    }

    pub(super) fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    pub(super) fn query_opt(self, name: &'static str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    pub(super) fn json(mut self, definition: &'static str, value: Value) -> Self {
        self.body = Body::Json { definition, value };
        self
    }

    pub(super) fn returns(mut self, definition: &'static str) -> Self {
        self.response = Some(definition);
        self
    }

    /// The path and query, percent-encoded (`/apis/v1beta1/runs?page_size=10`).
    pub fn path_and_query(&self) -> String {
        let mut out = self.path.clone();
        for (i, (name, value)) in self.query.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(name);
            out.push('=');
            out.push_str(&encode(value));
        }
        out
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A KFP list filter: `key` equals `value` (as kfp.Client writes it).
pub(crate) fn name_filter(op_field: &str, key: &str, value: &str) -> String {
    serde_json::json!({"predicates": [{op_field: 1, "key": key, "stringValue": value}]}).to_string()
}
