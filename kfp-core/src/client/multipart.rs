//! The `multipart/form-data` body of a pipeline upload: one `uploadfile` part, built by hand
//! because ureq's multipart support is not part of its stable API, and one part is all KFP reads.

/// The body and its `Content-Type` for uploading `bytes` as the file `filename`.
///
/// KFP picks the pipeline's format from the part's filename, so it ends in `.yaml`.
pub fn form(filename: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    // A boundary that does not occur in the file: grow a suffix until it is absent.
    let mut boundary = String::from("kfp-rs-boundary-7MA4YWxkTrZu0gW");
    while contains(bytes, boundary.as_bytes()) {
        boundary.push('x');
    }
    let quoted = filename.replace(['"', '\r', '\n'], "_");
    let mut body = Vec::with_capacity(bytes.len() + 256);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"uploadfile\"; \
             filename=\"{quoted}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_uploadfile_part_with_the_bytes_and_a_fresh_boundary() {
        let file = b"a: 1\n--kfp-rs-boundary-7MA4YWxkTrZu0gW\n";
        let (ctype, body) = form("p.yaml", file);
        let boundary = ctype
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        assert_eq!(boundary, "kfp-rs-boundary-7MA4YWxkTrZu0gWx");
        let text = String::from_utf8(body).unwrap();
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"uploadfile\"; \
             filename=\"p.yaml\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        );
        assert!(text.starts_with(&head), "{text}");
        let rest = &text[head.len()..];
        assert_eq!(
            rest,
            format!("a: 1\n--kfp-rs-boundary-7MA4YWxkTrZu0gW\n\r\n--{boundary}--\r\n")
        );
    }
}
