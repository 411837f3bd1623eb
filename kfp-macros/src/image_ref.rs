//! Image references as the OCI distribution grammar defines them. A copy of
//! `kfp_core::image_ref` (a proc-macro crate cannot share it); `tests/tests/macro_copies.rs`
//! pins the two equal.

/// Checks `image` against the OCI image-reference grammar of the distribution project
/// (`[host[:port]/]path[:tag][@algorithm:hex]`); the error says what is wrong.
pub(crate) fn check_image_reference(image: &str) -> Result<(), String> {
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
