//! The HTTP layer shared by the MLflow client and the KFP API client: one synchronous
//! [`ureq`] agent, credentials that never print, bounded retries with exponential backoff for
//! connection failures and 5xx answers, and errors that name the server.
//!
//! ```no_run
//! use kfp_core::http::{Auth, Http, Retry};
//!
//! let http = Http::new(Retry::default()).with_auth(Some(Auth::Bearer("t0ken".into())));
//! let resp = http.get("http://127.0.0.1:5000/health").unwrap();
//! assert_eq!(resp.status, 200);
//! ```

use std::fmt;
use std::io::Read;
use std::time::{Duration, Instant};

/// Credentials sent with every request. `Debug` and `Display` never show the secret.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// `Authorization: Basic base64(<user>:<password>)`.
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: String,
    },
    /// `Cookie: <cookie>` (a Dex/Istio session such as `authservice_session=...`).
    Cookie(String),
}

impl Auth {
    /// What kind of credential this is, for messages: `bearer token`, `basic auth`, `cookie`.
    pub fn kind(&self) -> &'static str {
        match self {
            Auth::Bearer(_) => "bearer token",
            Auth::Basic { .. } => "basic auth",
            Auth::Cookie(_) => "cookie",
        }
    }

    fn header(&self) -> (&'static str, String) {
        match self {
            Auth::Bearer(t) => ("Authorization", format!("Bearer {t}")),
            Auth::Basic { user, password } => (
                "Authorization",
                format!("Basic {}", base64(format!("{user}:{password}").as_bytes())),
            ),
            Auth::Cookie(c) => ("Cookie", c.clone()),
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Basic { user, .. } => {
                write!(f, "Basic {{ user: {user:?}, password: <redacted> }}")
            }
            other => write!(f, "{}(<redacted>)", other.kind()),
        }
    }
}

/// How often and how long a request is retried after a connection failure, a timeout or a
/// 5xx answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retry {
    /// Attempts in all, the first included (1 means no retry).
    pub attempts: u32,
    /// No new attempt starts after this much time since the first.
    pub max_elapsed: Duration,
    /// The wait before the first retry; each later wait doubles, up to `max_backoff`.
    pub initial_backoff: Duration,
    /// The longest wait between two attempts.
    pub max_backoff: Duration,
    /// How long one attempt may take, connecting included.
    pub timeout: Duration,
}

impl Default for Retry {
    /// 6 attempts within 60 s, waits 0.5 s, 1 s, 2 s, 4 s, 8 s; 30 s per attempt.
    fn default() -> Self {
        Retry {
            attempts: 6,
            max_elapsed: Duration::from_secs(60),
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            timeout: Duration::from_secs(30),
        }
    }
}

impl Retry {
    /// No retry: one attempt.
    pub fn none() -> Self {
        Retry {
            attempts: 1,
            ..Retry::default()
        }
    }

    /// The wait before retry number `retry` (1 for the first retry).
    ///
    /// ```
    /// use std::time::Duration;
    /// let r = kfp_core::http::Retry::default();
    /// assert_eq!(r.backoff(1), Duration::from_millis(500));
    /// assert_eq!(r.backoff(3), Duration::from_secs(2));
    /// assert_eq!(r.backoff(30), Duration::from_secs(8));
    /// ```
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// Whether another attempt may start: `attempt` attempts are done, the first at `start`.
    /// Sleeps the backoff first when it may.
    pub fn wait_before_next(&self, attempt: u32, start: Instant) -> bool {
        if attempt >= self.attempts {
            return false;
        }
        let wait = self.backoff(attempt);
        if start.elapsed() + wait > self.max_elapsed {
            return false;
        }
        std::thread::sleep(wait);
        true
    }
}

/// An answer from the server, whatever its status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}

/// A request that failed before the server answered it, or kept failing after every retry.
#[derive(Debug)]
#[non_exhaustive]
pub enum HttpError {
    /// No connection: refused, reset, or the host name did not resolve.
    Connect {
        /// The server (`scheme://host:port`).
        server: String,
        /// What went wrong.
        reason: String,
        /// Attempts made.
        attempts: u32,
    },
    /// An attempt took longer than [`Retry::timeout`].
    Timeout {
        /// The server.
        server: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The server kept answering 5xx.
    Server {
        /// The server.
        server: String,
        /// The last answer.
        response: Response,
        /// Attempts made.
        attempts: u32,
    },
    /// The request itself is malformed (a bad URL or header).
    Request {
        /// The URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Connect {
                server,
                reason,
                attempts,
            } => write!(
                f,
                "cannot reach {server}: {reason} ({attempts} attempt{})",
                plural(*attempts)
            ),
            HttpError::Timeout { server, attempts } => write!(
                f,
                "{server} did not answer in time ({attempts} attempt{})",
                plural(*attempts)
            ),
            HttpError::Server {
                server,
                response,
                attempts,
            } => write!(
                f,
                "{server} answered {} ({attempts} attempt{}): {}",
                response.status,
                plural(*attempts),
                response.text().trim()
            ),
            HttpError::Request { url, reason } => write!(f, "bad request to {url}: {reason}"),
        }
    }
}

impl std::error::Error for HttpError {}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The server part of `url` (`http://127.0.0.1:5000`), for messages; never a path or query,
/// which may carry identifiers, nor user info, which may carry a password.
pub fn server_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{scheme}://{host}")
}

/// A synchronous HTTP client: one connection pool, optional credentials, a retry policy.
#[derive(Clone)]
pub struct Http {
    agent: ureq::Agent,
    retry: Retry,
    auth: Option<Auth>,
    headers: Vec<(String, String)>,
}

impl fmt::Debug for Http {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Http")
            .field("retry", &self.retry)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl Http {
    /// A client with this retry policy and no credentials.
    pub fn new(retry: Retry) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(retry.timeout))
            .user_agent(concat!("kfp-rs/", env!("CARGO_PKG_VERSION")))
            .build();
        Http {
            agent: ureq::Agent::new_with_config(config),
            retry,
            auth: None,
            headers: Vec::new(),
        }
    }

    /// Sends `auth` with every request.
    #[must_use]
    pub fn with_auth(mut self, auth: Option<Auth>) -> Self {
        self.auth = auth;
        self
    }

    /// Sends this header with every request.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The credentials, if any.
    pub fn auth(&self) -> Option<&Auth> {
        self.auth.as_ref()
    }

    /// The retry policy.
    pub fn retry(&self) -> Retry {
        self.retry
    }

    /// `GET url`, retried.
    pub fn get(&self, url: &str) -> Result<Response, HttpError> {
        self.send("GET", url, &[], None)
    }

    /// `method url` with a JSON body, retried.
    pub fn send_json(
        &self,
        method: &str,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<Response, HttpError> {
        let bytes = serde_json::to_vec(body).map_err(|e| HttpError::Request {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
        self.send(
            method,
            url,
            &[("Content-Type", "application/json")],
            Some(&bytes),
        )
    }

    /// Sends a request, retrying connection failures, timeouts and 5xx answers as the
    /// [`Retry`] policy allows. Any other answer (2xx, 3xx, 4xx) is returned as it is.
    pub fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Response, HttpError> {
        let start = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self.send_once(method, url, headers, body);
            let retryable = match &result {
                Ok(r) => r.status >= 500,
                Err(HttpError::Connect { .. } | HttpError::Timeout { .. }) => true,
                Err(_) => false,
            };
            if !retryable || !self.retry.wait_before_next(attempt, start) {
                return match result {
                    Ok(r) if r.status >= 500 => Err(HttpError::Server {
                        server: server_of(url),
                        response: r,
                        attempts: attempt,
                    }),
                    Ok(r) => Ok(r),
                    Err(HttpError::Connect { server, reason, .. }) => Err(HttpError::Connect {
                        server,
                        reason,
                        attempts: attempt,
                    }),
                    Err(HttpError::Timeout { server, .. }) => Err(HttpError::Timeout {
                        server,
                        attempts: attempt,
                    }),
                    Err(e) => Err(e),
                };
            }
        }
    }

    /// Sends a request once, without retrying; a 5xx answer is returned as a [`Response`].
    pub fn send_once(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Response, HttpError> {
        let mut builder = http_request(method, url);
        if let Some(auth) = &self.auth {
            let (name, value) = auth.header();
            builder = builder.header(name, value);
        }
        for (name, value) in &self.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder
            .body(body.map(<[u8]>::to_vec).unwrap_or_default())
            .map_err(|e| HttpError::Request {
                url: url.to_owned(),
                reason: e.to_string(),
            })?;
        match self.agent.run(request) {
            Ok(mut resp) => {
                let status = resp.status().as_u16();
                let content_type = resp
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let mut body = Vec::new();
                resp.body_mut()
                    .with_config()
                    .limit(u64::MAX)
                    .reader()
                    .read_to_end(&mut body)
                    .map_err(|e| HttpError::Connect {
                        server: server_of(url),
                        reason: format!("the answer was cut off: {e}"),
                        attempts: 1,
                    })?;
                Ok(Response {
                    status,
                    content_type,
                    body,
                })
            }
            Err(e) => Err(map_error(url, e)),
        }
    }
}

fn http_request(method: &str, url: &str) -> ureq::http::request::Builder {
    ureq::http::Request::builder().method(method).uri(url)
}

fn map_error(url: &str, e: ureq::Error) -> HttpError {
    let server = server_of(url);
    match e {
        ureq::Error::Timeout(_) => HttpError::Timeout {
            server,
            attempts: 1,
        },
        ureq::Error::HostNotFound => HttpError::Connect {
            server,
            reason: "the host name does not resolve".into(),
            attempts: 1,
        },
        ureq::Error::Io(io) => HttpError::Connect {
            server,
            reason: io.to_string(),
            attempts: 1,
        },
        ureq::Error::ConnectionFailed => HttpError::Connect {
            server,
            reason: "the connection failed".into(),
            attempts: 1,
        },
        ureq::Error::BadUri(reason) => HttpError::Request {
            url: url.to_owned(),
            reason,
        },
        other => HttpError::Connect {
            server,
            reason: other.to_string(),
            attempts: 1,
        },
    }
}

/// Standard base64 with padding (RFC 4648), for basic auth.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"user:pa ss"), "dXNlcjpwYSBzcw==");
    }

    #[test]
    fn debug_never_shows_secrets() {
        let a = Auth::Bearer("s3cr3t".into());
        let b = Auth::Basic {
            user: "me".into(),
            password: "hunter2".into(),
        };
        let c = Auth::Cookie("authservice_session=abc".into());
        for s in [format!("{a:?}"), format!("{b:?}"), format!("{c:?}")] {
            assert!(!s.contains("s3cr3t") && !s.contains("hunter2") && !s.contains("abc"));
        }
        let http = Http::new(Retry::none()).with_auth(Some(a));
        assert!(!format!("{http:?}").contains("s3cr3t"));
    }

    #[test]
    fn server_of_drops_path_and_user_info() {
        assert_eq!(
            server_of("http://u:pw@127.0.0.1:5000/api/2.0/x?y=1"),
            "http://127.0.0.1:5000"
        );
        assert_eq!(
            server_of("https://kf.example/pipeline"),
            "https://kf.example"
        );
    }

    /// A server on loopback that answers each connection with the next canned response
    /// and records the request lines and headers it saw.
    fn serve(answers: Vec<&'static str>) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let handle = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for answer in answers {
                let (mut stream, _) = listener.accept().expect("accept");
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                seen.push(head);
                stream.write_all(answer.as_bytes()).expect("write");
            }
            seen
        });
        (url, handle)
    }

    const OK: &str = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\nOK";
    const UNAVAILABLE: &str =
        "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\nconnection: close\r\n\r\nbusy";

    fn fast() -> Retry {
        Retry {
            attempts: 3,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
            ..Retry::default()
        }
    }

    #[test]
    fn retries_5xx_then_succeeds_and_sends_auth() {
        let (url, server) = serve(vec![UNAVAILABLE, UNAVAILABLE, OK]);
        let http = Http::new(fast()).with_auth(Some(Auth::Basic {
            user: "u".into(),
            password: "p".into(),
        }));
        let resp = http.get(&format!("{url}/health")).expect("third attempt");
        assert_eq!((resp.status, resp.text().as_str()), (200, "OK"));
        let seen = server.join().expect("server");
        assert_eq!(seen.len(), 3);
        assert!(seen[2].starts_with("GET /health HTTP/1.1"), "{}", seen[2]);
        assert!(seen[2].contains("authorization: Basic dTpw"), "{}", seen[2]);
    }

    #[test]
    fn gives_up_after_the_attempts_and_names_the_server() {
        let (url, server) = serve(vec![UNAVAILABLE, UNAVAILABLE, UNAVAILABLE]);
        let err = Http::new(fast()).get(&format!("{url}/x")).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains(&url) && msg.contains("503") && msg.contains("3 attempts"),
            "{msg}"
        );
        assert_eq!(server.join().expect("server").len(), 3);
    }

    #[test]
    fn connection_refused_is_a_connect_error() {
        // Bind then drop: nothing listens on the port any more.
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let err = Http::new(fast())
            .get(&format!("http://127.0.0.1:{port}/"))
            .unwrap_err();
        assert!(
            matches!(err, HttpError::Connect { attempts: 3, .. }),
            "{err:?}"
        );
        assert!(
            err.to_string().contains(&format!("127.0.0.1:{port}")),
            "{err}"
        );
    }

    #[test]
    fn a_4xx_answer_is_returned_not_retried() {
        let (url, server) = serve(vec![
            "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        ]);
        let resp = Http::new(fast()).get(&url).expect("answer");
        assert_eq!(resp.status, 404);
        assert_eq!(server.join().expect("server").len(), 1);
    }
}
