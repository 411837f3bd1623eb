//! Image references as the OCI distribution grammar defines them: what a `base_image`, a
//! container component's image and `--image` must be, so that a value cannot add lines to a
//! Dockerfile or fields to a YAML.
//!
//! `kfp-macros` checks `#[component(base_image = ...)]` with its own copy of this grammar
//! (a proc-macro crate cannot use this one); keep the two equal.

/// Checks `image` against the OCI image-reference grammar of the distribution project
/// (`[host[:port]/]path[:tag][@algorithm:hex]`); the error says what is wrong.
pub fn check_image_reference(image: &str) -> Result<(), String> {
    if image.is_empty() {
        return Err("an image reference cannot be empty".into());
    }
    if let Some(c) = image.chars().find(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!("an image reference cannot hold {c:?}"));
    }
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    if let Some(d) = digest {
        check_digest(d)?;
    }
    // A tag follows the last `:` after the last `/` (a `:` before it is a registry's port).
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag {
        check_tag(t)?;
    }
    if name.len() > 255 {
        return Err("the repository name is longer than 255 characters".into());
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    let first = parts[0];
    if parts.len() > 1
        && (first.contains(['.', ':'])
            || first == "localhost"
            || first.chars().any(|c| c.is_ascii_uppercase()))
    {
        check_domain(first)?;
        parts.remove(0);
    }
    for p in parts {
        check_path_component(p)?;
    }
    Ok(())
}

/// Checks that `path`, where the compiled YAML runs the binary inside the image, is absolute
/// and free of control characters (a newline would add a line to the Dockerfile).
pub fn check_binary_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err(format!(
            "the binary path {path:?} is not absolute; give where the image holds the binary, \
             like `/usr/local/bin/<name>`"
        ));
    }
    if let Some(c) = path.chars().find(|c| c.is_control()) {
        return Err(format!(
            "the binary path {path:?} holds the control character {c:?}"
        ));
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<(), String> {
    let (host, port) = if domain.starts_with('[') {
        match domain.find(']') {
            Some(i) => match &domain[i + 1..] {
                "" => (&domain[..=i], None),
                rest => (&domain[..=i], Some(rest.strip_prefix(':').unwrap_or(rest))),
            },
            None => return Err(format!("registry `{domain}` is not an IPv6 address")),
        }
    } else {
        match domain.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (domain, None),
        }
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("registry port `{p}` is not a number"));
        }
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return if !v6.is_empty() && v6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            Ok(())
        } else {
            Err(format!("registry `{host}` is not an IPv6 address"))
        };
    }
    for label in host.split('.') {
        let ok = !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(format!("registry `{host}` is not a host name"));
        }
    }
    Ok(())
}

fn check_path_component(p: &str) -> Result<(), String> {
    // alpha-numeric (separator alpha-numeric)*, separator: `.`, `_`, `__` or `-`+.
    let bytes = p.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bad = || {
        Err(format!(
            "`{p}` is not a repository path component: lowercase letters and digits, separated \
             by `.`, `_`, `__` or dashes"
        ))
    };
    if bytes.first().is_none_or(|&b| !alnum(b)) || bytes.last().is_none_or(|&b| !alnum(b)) {
        return bad();
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &p[start..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|b| b == b'-')) {
            return bad();
        }
    }
    Ok(())
}

fn check_tag(t: &str) -> Result<(), String> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let ok = !t.is_empty()
        && t.len() <= 128
        && word(t.as_bytes()[0])
        && t.bytes().all(|b| word(b) || b == b'.' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "tag `{t}` is not valid: up to 128 letters, digits, `_`, `.` and `-`, not starting \
             with `.` or `-`"
        ))
    }
}

fn check_digest(d: &str) -> Result<(), String> {
    let bad = || Err(format!("digest `{d}` is not `<algorithm>:<hex>`"));
    let Some((alg, hex)) = d.split_once(':') else {
        return bad();
    };
    let alg_ok = alg.split(['+', '.', '-', '_']).all(|c| {
        c.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && c.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    if !alg_ok || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return bad();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_image_reference as check;

    #[test]
    fn a_newline_cannot_add_a_dockerfile_line() {
        assert!(check("gcr.io/project/train:1.0").is_ok());
        assert!(check("python:3.11\nRUN touch /pwned").is_err());
        assert!(super::check_binary_path("/usr/local/bin/train").is_ok());
        assert!(super::check_binary_path("bin/train").is_err());
        assert!(super::check_binary_path("/usr/local/bin/x\nRUN touch /pwned").is_err());
    }

    #[test]
    fn accepts_references_registries_use() {
        for ok in [
            "python:3.11",
            "python",
            "alpine:3.19",
            "nohgyu/test:v1.0",
            "gcr.io/ml-pipeline/x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "localhost:5000/team/img:latest",
            "registry.example.com:443/a/b__c/d-e.f:1.0_rc-1",
            "[::1]:5000/img",
            "Example.COM/img",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_reference() {
        for bad in [
            "",
            "python:3.11\nRUN touch /pwned",
            "python:3.11 RUN",
            "Python:3.11",
            "python:",
            "python:.bad",
            "a//b",
            "-a",
            "a/b-",
            "img@sha256:short",
            "img@:0123456789abcdef0123456789abcdef",
            "host:port/img",
            "[zz]/img",
        ] {
            assert!(check(bad).is_err(), "{bad:?}");
        }
    }
}
