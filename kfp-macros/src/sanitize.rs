//! The macros' copy of kfp's name sanitising, in a file of its own with no dependencies so
//! that a test can compile it beside kfp-core's and compare them.

/// kfp's sanitising: lower-case, runs outside `[-0-9a-z]` become `-`, `-` runs collapse and
/// are trimmed. Kept equal to `kfp_core::spec::component::sanitize_name` (a proc-macro crate
/// cannot take it from kfp-core, which depends on it); `tests/tests/layout.rs` compiles this
/// file and pins the two equal.
pub(crate) fn sanitize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.to_lowercase().chars() {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' {
            c
        } else {
            '-'
        };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    out.trim_matches('-').to_owned()
}
