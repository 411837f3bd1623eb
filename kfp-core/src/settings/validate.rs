//! The checks a setting's value passes before it is stored: Kubernetes quantities and names,
//! environment variable names, label keys and values, and what looks like a credential.

/// Whether `s` is a Kubernetes CPU quantity kfp accepts: a number, or an integer followed by `m`.
pub(crate) fn is_cpu_quantity(s: &str) -> bool {
    if let Some(milli) = s.strip_suffix('m') {
        return !milli.is_empty() && milli.bytes().all(|b| b.is_ascii_digit());
    }
    is_decimal(s)
}

fn is_decimal(s: &str) -> bool {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    !s.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(int.is_empty() && frac.is_empty())
}

const MEMORY_SUFFIXES: [(&str, f64); 12] = [
    ("Ei", 1_152_921_504_606_846_976.0),
    ("Pi", 1_125_899_906_842_624.0),
    ("Ti", 1_099_511_627_776.0),
    ("Gi", 1_073_741_824.0),
    ("Mi", 1_048_576.0),
    ("Ki", 1024.0),
    ("E", 1e18),
    ("P", 1e15),
    ("T", 1e12),
    ("G", 1e9),
    ("M", 1e6),
    ("K", 1e3),
];

/// The number of bytes in a memory quantity (`512Mi`, `4G`, `1000`), if it is one.
pub(crate) fn memory_bytes(s: &str) -> Option<f64> {
    for (suffix, factor) in MEMORY_SUFFIXES {
        if let Some(n) = s.strip_suffix(suffix) {
            return is_decimal(n)
                .then(|| n.parse::<f64>().ok())
                .flatten()
                .map(|n| n * factor);
        }
    }
    is_decimal(s).then(|| s.parse().ok()).flatten()
}

/// The number of cores in a CPU quantity (`500m` → 0.5).
pub(crate) fn cpu_cores(s: &str) -> Option<f64> {
    if !is_cpu_quantity(s) {
        return None;
    }
    match s.strip_suffix('m') {
        Some(m) => m.parse::<f64>().ok().map(|m| m / 1000.0),
        None => s.parse().ok(),
    }
}

/// Whether `s` is a Kubernetes object name (DNS-1123 subdomain: lower-case alphanumerics,
/// `-` and `.`, starting and ending alphanumeric, at most 253 characters).
pub(crate) fn is_k8s_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

/// Whether `s` is a valid environment variable name (`[-._a-zA-Z][-._a-zA-Z0-9]*`).
pub(crate) fn is_env_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b"-._".contains(&b))
        && bytes.all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
}

/// Whether `s` is a label key: an optional DNS prefix and `/`, then a name of at most 63
/// alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric.
pub(crate) fn is_label_key(s: &str) -> bool {
    let (prefix, name) = match s.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    prefix.is_none_or(is_k8s_name) && is_label_value(name) && !name.is_empty()
}

/// Whether `s` is a label value: empty, or at most 63 alphanumerics, `-`, `_`, `.`, starting
/// and ending alphanumeric.
pub(crate) fn is_label_value(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && s.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric()))
}

/// Whether an environment variable (or input, or parameter) called `name` looks like it holds
/// a credential, in any case: its name contains `SECRET`, `PASSWORD`, `PASSWD`, `TOKEN`,
/// `ACCESS_KEY`, `API_KEY`, `APIKEY`, `PRIVATE_KEY` or `CREDENTIAL`, or has `PASS`, `PWD` or
/// `AUTH` as a whole word (`DB_PASS`, `BASIC_AUTH`; not `COMPASS` or `AUTHOR`).
///
/// ```
/// use kfp_core::settings::looks_like_credential;
/// assert!(looks_like_credential("OPENAI_API_KEY"));
/// assert!(looks_like_credential("db-pass"));
/// assert!(!looks_like_credential("AUTHOR_NAME"));
/// ```
pub fn looks_like_credential(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let inside = [
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "TOKEN",
        "ACCESS_KEY",
        "ACCESS-KEY",
        "API_KEY",
        "API-KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "PRIVATE-KEY",
        "CREDENTIAL",
    ];
    inside.iter().any(|w| upper.contains(w))
        || upper
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| matches!(word, "PASS" | "PWD" | "AUTH"))
}

/// Whether `value` holds a URI with a password in it (`scheme://user:password@host`), as a
/// tracking URI or a database URL may.
///
/// ```
/// use kfp_core::settings::has_uri_password;
/// assert!(has_uri_password("postgresql://ml:hunter2@db:5432/mlflow"));
/// assert!(!has_uri_password("http://mlflow.kubeflow:5000"));
/// assert!(!has_uri_password("s3://user@bucket/path"));
/// ```
pub fn has_uri_password(value: &str) -> bool {
    value.match_indices("://").any(|(i, sep)| {
        let rest = &value[i + sep.len()..];
        let authority = rest
            .split(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
            .next()
            .unwrap_or_default();
        authority
            .rsplit_once('@')
            .and_then(|(userinfo, _)| userinfo.split_once(':'))
            .is_some_and(|(_, password)| !password.is_empty())
    })
}
