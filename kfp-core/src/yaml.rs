//! YAML reading and writing; the only module that touches the YAML crate.
//!
//! It knows neither target: both back ends emit their documents with [`to_string`] and
//! [`to_string_multi`], and the component loaders and tests read YAML with [`from_str`]. So it
//! sits beside the model rather than in `compiler/`.
//!
//! Writing is done by a small hand-written emitter rather than `serde_yaml`
//! so that this module fully owns two things the compiled output depends on:
//!
//! * **Key order**: mappings are written in the insertion order of the
//!   [`serde_json::Map`] (the crate enables `preserve_order`).
//! * **Scalar quoting**: a string is written plain only when both YAML 1.1
//!   readers (PyYAML, used by the KFP Python SDK and many tools) and YAML 1.2
//!   readers (`serde_yaml`, Go and JavaScript loaders) are guaranteed to read
//!   it back as the same string. Everything else is single-quoted, or
//!   double-quoted with escapes when it contains control characters or line
//!   breaks.
//!
//! The layout follows PyYAML's block style: two-space indentation, sequences
//! under a mapping key not indented (`key:\n- item`), sequences of mappings
//! written as `- key: value` with the following keys aligned under the first.
//! The writer appends into a single `String` and is linear in the size of the
//! output.

use serde::Deserialize as _;
use serde_json::{Map, Value};

use crate::pyjson;

/// Spaces used to write indentation without allocating.
const SPACES: &str = "                                                                ";

/// Upper bound, in bytes of emitted text, for a mapping key written as an
/// implicit (simple) key `key: value`.
///
/// YAML limits simple keys to 1024 characters (PyYAML and libyaml both fail on
/// longer ones); longer keys are written in explicit form `? key` / `: value`.
/// Counting bytes is conservative since a character is at least one byte.
const MAX_SIMPLE_KEY_LEN: usize = 1000;

/// Words that a YAML 1.1 or 1.2 reader (or a lenient one) may resolve to a
/// boolean, null or non-finite float when written plain; compared
/// ASCII-case-insensitively.
const RESERVED_WORDS: &[&str] = &[
    "y", "yes", "n", "no", "true", "false", "on", "off", "null", "nan", "inf", "infinity",
];

/// How a string scalar is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScalarStyle {
    /// Unquoted.
    Plain,
    /// `'...'` with `'` doubled.
    SingleQuoted,
    /// `"..."` with backslash escapes.
    DoubleQuoted,
}

/// Serializes `value` as a block-style YAML document (without a leading
/// `---`), ending with a newline.
///
/// Mappings keep their insertion order; empty mappings and sequences are
/// written `{}` and `[]`; null is `null`; floats use Python's `repr` (with a
/// `.0` added to a bare mantissa, e.g. `1.0e-05`, so YAML 1.1 readers see a
/// float) or `.nan`, `.inf`, `-.inf`. Strings and keys are quoted whenever a
/// YAML 1.1 or 1.2 reader could read them as anything but the same string.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write_document(&mut out, value);
    out
}

/// Serializes several documents into one YAML stream, separated by `---`
/// lines; see [`to_string`]. An empty slice gives an empty string.
pub fn to_string_multi(docs: &[Value]) -> String {
    let mut out = String::new();
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        write_document(&mut out, doc);
    }
    out
}

/// Deserializes a single YAML document into `T`.
///
/// # Errors
///
/// Returns the `serde_yaml` error when `s` is not valid YAML, contains more
/// than one document, or does not match `T`.
pub fn from_str<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, serde_yaml::Error> {
    serde_yaml::from_str(s)
}

/// Deserializes every document of a (possibly multi-document) YAML stream.
///
/// Follows `serde_yaml`: a stream with no content at all (empty, or only
/// comments) yields one `null` document, unlike PyYAML's `safe_load_all`,
/// which yields none; a trailing `---` yields a final `null` document, as in
/// PyYAML. Scalar mapping keys become their text (`1: a` gives key `"1"`).
///
/// # Errors
///
/// Returns the `serde_yaml` error of the first document that is not valid
/// YAML or cannot be represented as a [`serde_json::Value`] (for example a
/// mapping whose key is itself a sequence or mapping, or a custom `!tag`).
pub fn from_str_multi(s: &str) -> Result<Vec<Value>, serde_yaml::Error> {
    let mut docs = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(s) {
        docs.push(Value::deserialize(doc)?);
    }
    Ok(docs)
}

/// Appends one complete document for `value`, ending with a newline.
fn write_document(out: &mut String, value: &Value) {
    match value {
        Value::Object(map) if !map.is_empty() => write_mapping(out, map, 0, false),
        Value::Array(items) if !items.is_empty() => write_sequence(out, items, 0, false),
        _ => {
            write_inline(out, value);
            out.push('\n');
        }
    }
}

/// Appends `n` spaces.
fn push_indent(out: &mut String, n: usize) {
    let mut left = n;
    while left > 0 {
        let chunk = left.min(SPACES.len());
        out.push_str(SPACES.get(..chunk).unwrap_or(" "));
        left -= chunk.max(1);
    }
}

/// Appends the entries of a non-empty mapping whose keys start at column
/// `indent`.
///
/// When `first_inline` is set the caller has already written the line prefix
/// (`- `) for the first entry.
fn write_mapping(out: &mut String, map: &Map<String, Value>, indent: usize, first_inline: bool) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !first_inline {
            push_indent(out, indent);
        }
        let key_start = out.len();
        write_string(out, key);
        if out.len() - key_start > MAX_SIMPLE_KEY_LEN {
            // Explicit key: `? key` then `: value` on the next line.
            out.insert_str(key_start, "? ");
            out.push('\n');
            push_indent(out, indent);
            out.push(':');
            write_mapping_value(out, value, indent + 2, indent + 2);
        } else {
            out.push(':');
            // Sequences under a simple key are not indented, like PyYAML.
            write_mapping_value(out, value, indent + 2, indent);
        }
    }
}

/// Appends a mapping value right after its `:`, writing a nested mapping at
/// column `map_indent` and a nested sequence at column `seq_indent`.
fn write_mapping_value(out: &mut String, value: &Value, map_indent: usize, seq_indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_mapping(out, map, map_indent, false);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_sequence(out, items, seq_indent, false);
        }
        _ => {
            out.push(' ');
            write_inline(out, value);
            out.push('\n');
        }
    }
}

/// Appends the items of a non-empty sequence whose `-` indicators are at
/// column `indent`.
///
/// When `first_inline` is set the caller has already written the line prefix
/// for the first item (nested sequences are written `- - item`).
fn write_sequence(out: &mut String, items: &[Value], indent: usize, first_inline: bool) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !first_inline {
            push_indent(out, indent);
        }
        out.push_str("- ");
        match item {
            Value::Object(map) if !map.is_empty() => write_mapping(out, map, indent + 2, true),
            Value::Array(inner) if !inner.is_empty() => {
                write_sequence(out, inner, indent + 2, true);
            }
            _ => {
                write_inline(out, item);
                out.push('\n');
            }
        }
    }
}

/// Appends a value that fits on one line: a scalar or an empty collection.
///
/// Non-empty collections are never passed here by the block writer; should
/// one arrive anyway it is written as a JSON flow collection (JSON is valid
/// YAML), so nothing is lost.
fn write_inline(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                push_display(out, i);
            } else if let Some(u) = n.as_u64() {
                push_display(out, u);
            } else if let Some(f) = n.as_f64() {
                write_float(out, f);
            } else {
                push_display(out, n);
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Array(_) | Value::Object(_) => {
            // Unreachable from the block writer. Python-style JSON with
            // `ensure_ascii` is valid single-line YAML flow syntax.
            pyjson::write_dumps(out, value, false);
        }
    }
}

/// Appends a `Display` value without an intermediate `String`.
fn push_display(out: &mut String, value: impl std::fmt::Display) {
    use std::fmt::Write as _;
    // Writing into a `String` cannot fail.
    let _ = write!(out, "{value}");
}

/// Appends a float as a YAML scalar that both YAML 1.1 and 1.2 read as a
/// float.
fn write_float(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str(".nan");
    } else if f.is_infinite() {
        out.push_str(if f < 0.0 { "-.inf" } else { ".inf" });
    } else {
        let start = out.len();
        pyjson::write_float_repr(out, f);
        // YAML 1.1's float pattern requires a `.`: PyYAML reads `1e-05` as a
        // string. Python's own YAML representer writes `1.0e-05`; do the same.
        let text = out.get(start..).unwrap_or("");
        if !text.contains('.') {
            if let Some(e) = text.find('e') {
                out.insert_str(start + e, ".0");
            }
        }
    }
}

/// Whether `ch` can only be written inside a double-quoted scalar, as an
/// escape: C0 controls (including tab and line feed), DEL, C1 controls
/// (including NEL, a line break in YAML 1.1), the Unicode line and paragraph
/// separators, the byte order mark, and the non-characters U+FFFE/U+FFFF.
fn needs_escape(ch: char) -> bool {
    matches!(
        ch,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{feff}'
            | '\u{fffe}'
            | '\u{ffff}'
    )
}

/// Whether `ch` may appear in a plain scalar at all (where it is in the
/// string is checked separately): printable ASCII, or non-ASCII that is not
/// whitespace of any kind.
fn plain_char(ch: char) -> bool {
    if ch.is_ascii() {
        (' '..='~').contains(&ch)
    } else {
        !ch.is_whitespace() && !needs_escape(ch)
    }
}

/// Whether a string made only of [`plain_char`]s can be written plain.
///
/// Deliberately conservative: the string must start with an ASCII letter,
/// `/`, `_`, `$`, `(`, a non-ASCII character, or a `-`/`--` option prefix
/// followed by an ASCII letter. That rules out every indicator character,
/// every number, timestamp, `.inf`/`.nan`, `~`, `<<` (merge) and `=` (value)
/// in both YAML 1.1 and 1.2, as all of those start with a digit, a sign, a
/// dot or punctuation.
fn plain_structure_ok(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    let first_ok = match first {
        b'a'..=b'z' | b'A'..=b'Z' | b'/' | b'_' | b'$' | b'(' => true,
        b'-' => {
            let rest = bytes.get(1..).unwrap_or_default();
            let rest = rest.strip_prefix(b"-").unwrap_or(rest);
            rest.first().is_some_and(u8::is_ascii_alphabetic)
        }
        _ => !first.is_ascii(),
    };
    if !first_ok {
        return false;
    }
    // Leading whitespace is excluded by the first-character rule.
    if bytes.last().is_some_and(|&b| b == b' ' || b == b':') {
        return false;
    }
    // One pass over the bytes instead of two substring searches: this runs for every string
    // of the document.
    if bytes.windows(2).any(|w| w == b": " || w == b" #") {
        return false;
    }
    let is_reserved = s.len() <= 8 && RESERVED_WORDS.iter().any(|w| s.eq_ignore_ascii_case(w));
    !is_reserved
}

/// Chooses how to write the string `s`.
fn scalar_style(s: &str) -> ScalarStyle {
    // Fast path for ASCII, the common case: every byte is a char, the escapes are the C0
    // controls and DEL, and every other byte may appear in a plain scalar.
    if s.is_ascii() {
        return if s.bytes().any(|b| b < 0x20 || b == 0x7f) {
            ScalarStyle::DoubleQuoted
        } else if plain_structure_ok(s) {
            ScalarStyle::Plain
        } else {
            ScalarStyle::SingleQuoted
        };
    }
    let mut plain_chars = true;
    for ch in s.chars() {
        if needs_escape(ch) {
            return ScalarStyle::DoubleQuoted;
        }
        plain_chars = plain_chars && plain_char(ch);
    }
    if plain_chars && plain_structure_ok(s) {
        ScalarStyle::Plain
    } else {
        ScalarStyle::SingleQuoted
    }
}

/// Appends the string `s` as a YAML scalar (value or key) in the style chosen
/// by [`scalar_style`].
fn write_string(out: &mut String, s: &str) {
    match scalar_style(s) {
        ScalarStyle::Plain => out.push_str(s),
        ScalarStyle::SingleQuoted => write_single_quoted(out, s),
        ScalarStyle::DoubleQuoted => write_double_quoted(out, s),
    }
}

/// Appends `s` single-quoted, doubling every `'`.
fn write_single_quoted(out: &mut String, s: &str) {
    out.push('\'');
    let mut parts = s.split('\'');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for part in parts {
        out.push_str("''");
        out.push_str(part);
    }
    out.push('\'');
}

/// Uppercase hexadecimal digits for escapes.
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Appends the low `digits` hex digits of `code`, most significant first.
fn push_hex(out: &mut String, code: u32, digits: u32) {
    for i in (0..digits).rev() {
        let nibble = (code >> (4 * i)) & 0xF;
        let digit = usize::try_from(nibble)
            .ok()
            .and_then(|n| HEX_UPPER.get(n))
            .copied()
            .unwrap_or(b'0');
        out.push(char::from(digit));
    }
}

/// Appends `s` double-quoted, escaping `"`, `\` and every character for
/// which [`needs_escape`] holds; everything else is written as is.
fn write_double_quoted(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (idx, ch) in s.char_indices() {
        if !(needs_escape(ch) || ch == '"' || ch == '\\') {
            continue;
        }
        out.push_str(s.get(start..idx).unwrap_or(""));
        start = idx + ch.len_utf8();
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            _ => {
                let code = u32::from(ch);
                if code <= 0xFF {
                    out.push_str("\\x");
                    push_hex(out, code, 2);
                } else {
                    out.push_str("\\u");
                    push_hex(out, code, 4);
                }
            }
        }
    }
    out.push_str(s.get(start..).unwrap_or(""));
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Emits a single string value as a top-level document, without the
    /// trailing newline.
    fn scalar(s: &str) -> String {
        let mut text = to_string(&json!(s));
        assert_eq!(text.pop(), Some('\n'));
        text
    }

    /// Asserts that `value` survives `to_string` and a `serde_yaml` parse.
    fn assert_round_trip(value: &Value) {
        let text = to_string(value);
        let back: Value = match serde_yaml::from_str(&text) {
            Ok(back) => back,
            Err(err) => panic!("serde_yaml failed on {text:?}: {err}"),
        };
        assert_eq!(&back, value, "round trip of {text}");
        // Deterministic output.
        assert_eq!(to_string(value), text);
    }

    /// Strings that are easy to get wrong. Every one must round-trip as a
    /// value, a key and a sequence item.
    fn tricky_strings() -> Vec<String> {
        let mut strings: Vec<String> = [
            // Empty and whitespace.
            "", " ", "  ", " a", "a ", "\t", "a\tb", " a b ",
            // YAML 1.1 / 1.2 booleans and nulls.
            "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True",
            "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null",
            "Null", "NULL", "~", "tRuE", "nULL",
            // Numbers and number-like strings.
            "0", "7", "-7", "+7", "1.5", "-1.5", "+1.5", ".5", "5.", "1e3", "1E3", "1e-05",
            "1.0e+16", "0x1F", "0X1f", "0o17", "017", "0b101", "1_000", "1_000.5", "1:20",
            "190:20:30.15", "-1:20", ".inf", "-.inf", "+.inf", ".Inf", ".INF", ".nan", ".NaN",
            ".NAN", "inf", "-inf", "nan", "NaN", "Infinity", "-Infinity", "infinity", "1.",
            "00", "0.", "-0", "-0.0", "1_0", "0_1", "9223372036854775808",
            "-9223372036854775809", "18446744073709551616", "1e400", "0x", "0b", "0o",
            // Timestamps.
            "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
            "2001-12-15T02:59:43.1Z", "2002-12-14", "12:30:00",
            // Indicators at the start.
            "-", "--", "---", "- a", "-a", "-ec", "--epochs", "---abc", "--1", "-1a", "-.",
            "?", "? a", "?a", ":", ":a", ": a", ",", ",a", "[", "[1, 2, 3]", "]", "{", "{}",
            "[]", "}", "#", "#a", "&a", "*a", "!a", "!!str", "|", "|-", ">", ">-", "'", "''",
            "\"", "\"\"", "%", "%YAML 1.2", "@a", "`a`", "...", "....", "=", "<<", "<", "a<<",
            // Placeholders and KFP-looking strings.
            "{{inputs.parameters.x}}", "{{$.inputs.parameters['x']}}",
            "echo {{inputs.parameters.x}}", "'----output-paths'", "----output-paths",
            "{{pipelineparam:op=;name=x}}", "$(inputs.params.x)", "nohgyu/test:v1.0",
            "python:3.11", "gcr.io/ml-pipeline/x@sha256:abc", "sh", "-c", "--", "/tmp/out",
            "_x", "(a)", "$x",
            // Colons and hashes inside.
            "a:b", "a: b", "a:", "a::", "a :b", "a#b", "a #b", "a# b", "a:#", "http://x.y/z",
            "key: value # comment", "a: ", " :", "a,b", "a[0]", "a{b}", "a - b", "a ? b",
            "a | b", "a > b", "a ! b", "a & b", "a * b", "a % b", "a @ b", "a ` b", "a'b",
            "a\"b", "it's", "say \"hi\"", "a\\b", "C:\\path\\x", "\\", "\\n",
            // Line breaks and control characters.
            "\n", "a\n", "\na", "a\nb", "a\n\nb", "a\r\nb", "\r", "a\u{0}b", "\u{1}",
            "\u{7}\u{8}\u{b}\u{c}\u{1b}", "\u{7f}", "\u{80}", "\u{85}", "a\u{85}b", "\u{9f}",
            "\u{2028}", "\u{2029}", "\u{feff}", "\u{feff}a", "\u{fffe}", "\u{ffff}",
            "multi\nline\n  indented\n", "trailing space \n", "tab\tand\nnewline",
            // Unicode.
            "café", "日本語", "\u{e9}t\u{e9}", "😀", "a😀b", "\u{1f600}: x", "\u{a0}",
            "a\u{a0}", "\u{a0}a", "\u{3000}", "a\u{3000}", "\u{200b}", "\u{200d}",
            "\u{10ffff}", "\u{e000}", "\u{fffd}", "Ω≈ç√∫", "ü: ü", "ß#", "ñ ",
            // Long-ish.
            "a very long string with spaces and words that goes on for a while, past eighty columns for sure",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        strings.push("x".repeat(5000));
        strings.push(format!("{}\n{}", "y".repeat(300), " z".repeat(300)));
        strings.extend(fuzz_strings(400, 0x5eed));
        strings
    }

    /// Deterministic pseudo-random strings over an alphabet of characters
    /// that matter to YAML.
    fn fuzz_strings(count: usize, seed: u64) -> Vec<String> {
        const ALPHABET: &str = "abYnoeEx019_.+-:  #?,[]{}&*!|>'\"%@`~=</\\$(\t\n\r\0\u{7f}\u{85}\u{a0}\u{e9}\u{2028}\u{feff}\u{1f600}";
        let alphabet: Vec<char> = ALPHABET.chars().collect();
        let mut state = seed;
        let mut next = move || {
            // 64-bit LCG (Knuth's MMIX constants); the high bits are decent.
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(state >> 33).unwrap_or(0)
        };
        (0..count)
            .map(|_| {
                let len = next() % 7;
                (0..len)
                    .map(|_| {
                        alphabet
                            .get(next() % alphabet.len())
                            .copied()
                            .unwrap_or('a')
                    })
                    .collect()
            })
            .collect()
    }

    /// A document exercising every structural case and every tricky string
    /// as a value, a key and a list item.
    fn corpus() -> Value {
        let strings = tricky_strings();
        let mut as_keys = Map::new();
        for (i, s) in strings.iter().enumerate() {
            as_keys.insert(s.clone(), json!(i));
        }
        let mut nested_keys = Map::new();
        for s in strings.iter().take(60) {
            nested_keys.insert(
                s.clone(),
                json!({ s.clone(): [s.clone(), {s.clone(): s.clone()}] }),
            );
        }
        json!({
            "values": strings.clone(),
            "keys": Value::Object(as_keys),
            "nested_keys": Value::Object(nested_keys),
            "value_map": strings.iter().enumerate()
                .map(|(i, s)| (format!("k{i}"), Value::String(s.clone())))
                .collect::<Map<String, Value>>(),
            "scalars": [null, true, false, 0, 1, -1, 42, i64::MIN, i64::MAX, u64::MAX,
                0.0, -0.0, 1.0, -1.0, 0.1, 1.5, 1e-5, -1e-5, 1e-7, 1e15, 1e16, 1.5e16,
                1e100, 1e-300, 5e-324, f64::MAX, f64::MIN, 123456789.0, 0.0001],
            "empty_map": {},
            "empty_list": [],
            "nested_empty": {"a": {}, "b": [], "c": [{}], "d": [[]], "e": {"f": {}}},
            "list_of_lists": [[1, 2], [[3], []], [[[]]], [{"a": [[1]]}]],
            "list_of_maps": [
                {"name": "x", "value": "{{inputs.parameters.x}}"},
                {"a": {"b": [1, {"c": {}}]}, "d": [], "e": null},
                {},
                {"only": [[], {}]},
            ],
            "deep": {"a": {"b": {"c": {"d": [{"e": [{"f": "g"}]}]}}}},
            "long_key": {"k".repeat(2000): "v", "é".repeat(600): {"x": [1, 2]}, "q".repeat(1500): [1, [2]]},
            "seq_long_keys": [{"l".repeat(1200): {"a": 1}, "b": 2}, {"m".repeat(1100): [[1]]}],
        })
    }

    #[test]
    fn layout_matches_pyyaml_block_style() {
        let value = json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Workflow",
            "metadata": {"generateName": "train-", "annotations": {}},
            "spec": {
                "entrypoint": "train",
                "templates": [
                    {
                        "name": "train",
                        "container": {
                            "image": "python:3.11",
                            "command": ["sh", "-ec", "echo {{inputs.parameters.x}}"],
                            "args": [],
                        },
                        "inputs": {"parameters": [{"name": "x"}, {"name": "y", "value": "7"}]},
                    },
                    [1, [2, 3], {"a": 1, "b": [4]}],
                ],
            },
            "numbers": [1, -2, 1.5, 1e-5, null, true],
        });
        let want = "\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: train-
  annotations: {}
spec:
  entrypoint: train
  templates:
  - name: train
    container:
      image: python:3.11
      command:
      - sh
      - -ec
      - echo {{inputs.parameters.x}}
      args: []
    inputs:
      parameters:
      - name: x
      - name: 'y'
        value: '7'
  - - 1
    - - 2
      - 3
    - a: 1
      b:
      - 4
numbers:
- 1
- -2
- 1.5
- 1.0e-05
- null
- true
";
        assert_eq!(to_string(&value), want);
        assert_round_trip(&value);
    }

    #[test]
    fn top_level_scalars_and_empties() {
        assert_eq!(to_string(&json!(null)), "null\n");
        assert_eq!(to_string(&json!(true)), "true\n");
        assert_eq!(to_string(&json!(false)), "false\n");
        assert_eq!(to_string(&json!(3)), "3\n");
        assert_eq!(to_string(&json!(-3)), "-3\n");
        assert_eq!(to_string(&json!(u64::MAX)), "18446744073709551615\n");
        assert_eq!(to_string(&json!(2.0)), "2.0\n");
        assert_eq!(to_string(&json!("hello")), "hello\n");
        assert_eq!(to_string(&json!({})), "{}\n");
        assert_eq!(to_string(&json!([])), "[]\n");
        assert_eq!(to_string(&json!([[]])), "- []\n");
        assert_eq!(to_string(&json!([{}])), "- {}\n");
        assert_eq!(to_string(&json!({"a": {}, "b": []})), "a: {}\nb: []\n");
    }

    #[test]
    fn float_scalars() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (1e-5, "1.0e-05"),
            (1.5e-5, "1.5e-05"),
            (1e16, "1.0e+16"),
            (1.5e16, "1.5e+16"),
            (1e300, "1.0e+300"),
            (5e-324, "5.0e-324"),
            (1234567890123456.0, "1234567890123456.0"),
            (f64::MAX, "1.7976931348623157e+308"),
        ];
        for &(x, want) in cases {
            let mut out = String::new();
            write_float(&mut out, x);
            assert_eq!(out, want, "{x:?}");
        }
        for (x, want) in [
            (f64::NAN, ".nan"),
            (f64::INFINITY, ".inf"),
            (f64::NEG_INFINITY, "-.inf"),
        ] {
            let mut out = String::new();
            write_float(&mut out, x);
            assert_eq!(out, want);
        }
        let nan: f64 = from_str(".nan\n").expect("parses");
        assert!(nan.is_nan());
        let inf: f64 = from_str("-.inf").expect("parses");
        assert_eq!(inf, f64::NEG_INFINITY);
    }

    #[test]
    fn must_be_quoted() {
        for s in [
            "{{inputs.parameters.x}}",
            "True",
            "true",
            "yes",
            "No",
            "off",
            "ON",
            "y",
            "N",
            "null",
            "Null",
            "~",
            "'----output-paths'",
            "1.5",
            "7",
            "[1, 2, 3]",
            "",
            " a",
            "a ",
            "1e3",
            "0x1F",
            "0o17",
            "017",
            "0b101",
            "1_000",
            "1:20",
            "2001-12-14",
            ".inf",
            "-.inf",
            ".nan",
            "nan",
            "inf",
            "-1",
            "+1",
            ".5",
            "-",
            "---",
            "...",
            "?",
            ":",
            "a:",
            "a: b",
            "a #b",
            "#",
            "&a",
            "*a",
            "!a",
            "|",
            ">",
            "%a",
            "@a",
            "`a`",
            "=",
            "<<",
            "\"a\"",
            "'a'",
            ",a",
            "]",
            "}",
            "\u{a0}",
        ] {
            assert_ne!(scalar_style(s), ScalarStyle::Plain, "{s:?} must be quoted");
            let text = scalar(s);
            assert!(
                text.starts_with('\'') || text.starts_with('"'),
                "{s:?} -> {text}"
            );
        }
    }

    #[test]
    fn plain_when_unambiguous() {
        for s in [
            "nohgyu/test:v1.0",
            "--epochs",
            "python:3.11",
            "sh",
            "-ec",
            "-c",
            "hello world",
            "echo {{inputs.parameters.x}}",
            "a:b",
            "a#b",
            "http://x.y/z",
            "café",
            "日本語",
            "it's",
            "say \"hi\"",
            "C:\\path",
            "/tmp/out",
            "_x",
            "$x",
            "(a)",
            "yesterday",
            "nothing",
            "Online",
            "offset",
            "nullable",
            "a, b",
            "x[0]",
            "train-",
            "gcr.io/a/b@sha256:0f",
        ] {
            assert_eq!(scalar_style(s), ScalarStyle::Plain, "{s:?} should be plain");
            assert_eq!(scalar(s), s);
        }
    }

    #[test]
    fn quoting_styles() {
        assert_eq!(scalar(""), "''");
        assert_eq!(scalar("True"), "'True'");
        assert_eq!(scalar("7"), "'7'");
        assert_eq!(scalar("it's 7"), "it's 7");
        assert_eq!(scalar("'7' it's"), "'''7'' it''s'");
        assert_eq!(scalar("'----output-paths'"), "'''----output-paths'''");
        assert_eq!(
            scalar("{{inputs.parameters.x}}"),
            "'{{inputs.parameters.x}}'"
        );
        assert_eq!(scalar("a: b"), "'a: b'");
        assert_eq!(scalar("\u{a0}"), "'\u{a0}'");
        assert_eq!(scalar("😀"), "😀");
        assert_eq!(scalar("a\u{3000}"), "'a\u{3000}'");
        assert_eq!(scalar("a\nb"), "\"a\\nb\"");
        assert_eq!(scalar("tab\there"), "\"tab\\there\"");
        assert_eq!(scalar("q\"\\\r\n"), "\"q\\\"\\\\\\r\\n\"");
        assert_eq!(
            scalar("\u{0}\u{1b}\u{7f}\u{85}\u{9f}"),
            "\"\\x00\\x1B\\x7F\\x85\\x9F\""
        );
        assert_eq!(
            scalar("\u{2028}\u{2029}\u{feff}\u{fffe}\u{ffff}"),
            "\"\\u2028\\u2029\\uFEFF\\uFFFE\\uFFFF\""
        );
        assert_eq!(scalar("é\n😀"), "\"é\\n😀\"");
        assert_eq!(scalar("it's\n"), "\"it's\\n\"");
    }

    #[test]
    fn keys_are_quoted_like_values() {
        let value = json!({"yes": 1, "1": 2, "": 3, "a: b": 4, "plain": 5, "{{x}}": 6, "a\nb": 7});
        assert_eq!(
            to_string(&value),
            "'yes': 1\n'1': 2\n'': 3\n'a: b': 4\nplain: 5\n'{{x}}': 6\n\"a\\nb\": 7\n"
        );
        assert_round_trip(&value);
    }

    #[test]
    fn insertion_order_is_kept() {
        let value = json!({"z": 1, "a": 2, "m": {"y": 1, "b": 2}});
        assert_eq!(to_string(&value), "z: 1\na: 2\nm:\n  'y': 1\n  b: 2\n");
    }

    #[test]
    fn long_keys_use_explicit_form() {
        let short = "k".repeat(MAX_SIMPLE_KEY_LEN);
        let long = "k".repeat(MAX_SIMPLE_KEY_LEN + 1);
        assert_eq!(
            to_string(&json!({ short.clone(): 1 })),
            format!("{short}: 1\n")
        );
        assert_eq!(
            to_string(&json!({ long.clone(): 1 })),
            format!("? {long}\n: 1\n")
        );
        assert_eq!(
            to_string(&json!({ long.clone(): {"a": [1]} })),
            format!("? {long}\n:\n  a:\n  - 1\n")
        );
        assert_eq!(
            to_string(&json!({ long.clone(): [1, [2]] })),
            format!("? {long}\n:\n  - 1\n  - - 2\n")
        );
        assert_eq!(
            to_string(&json!([{ long.clone(): 1, "b": 2 }])),
            format!("- ? {long}\n  : 1\n  b: 2\n")
        );
        // A quoted key is measured with its quotes.
        let quoted = "1".repeat(MAX_SIMPLE_KEY_LEN - 1);
        assert_eq!(
            to_string(&json!({ quoted.clone(): 1 })),
            format!("? '{quoted}'\n: 1\n")
        );
        for value in [
            json!({ long.clone(): {"a": [1]}, "x": 1 }),
            json!([{ long.clone(): [{ long.clone(): [] }] }]),
            json!({ "é".repeat(1000): 1 }),
        ] {
            assert_round_trip(&value);
        }
    }

    #[test]
    fn deep_indentation() {
        let mut value = json!("leaf");
        for _ in 0..100 {
            value = json!({ "k": value });
        }
        let text = to_string(&value);
        assert!(text.ends_with(&format!("{}k: leaf\n", " ".repeat(198))));
        let mut value = json!("leaf");
        for _ in 0..100 {
            value = json!([value, 1]);
        }
        let text = to_string(&value);
        assert!(text.contains(&format!("\n{}- 1\n", " ".repeat(198))));
        let mut out = String::new();
        push_indent(&mut out, 150);
        assert_eq!(out, " ".repeat(150));
    }

    #[test]
    fn round_trip_corpus_with_serde_yaml() {
        let value = corpus();
        assert_round_trip(&value);
        for s in tricky_strings() {
            assert_round_trip(&json!(s));
            assert_round_trip(&json!([s]));
            assert_round_trip(&json!({ s.clone(): s }));
            assert_round_trip(&json!([{ s.clone(): [s.clone()], "b": s }]));
        }
    }

    #[test]
    fn round_trip_random_floats_and_ints() {
        let mut state: u64 = 0x1234_5678_9abc_def0;
        let mut items = Vec::new();
        for _ in 0..3000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let f = f64::from_bits(state);
            if f.is_finite() {
                items.push(json!(f));
            }
            items.push(json!(state));
            items.push(json!(state.cast_signed()));
            items.push(json!(
                f64::from(u32::try_from(state >> 40).unwrap_or(0)) / 1024.0
            ));
        }
        assert_round_trip(&Value::Array(items));
    }

    #[test]
    fn multi_document() {
        let docs = vec![
            json!({"a": 1}),
            json!("--epochs"),
            json!([]),
            json!(null),
            json!("x"),
            json!([{"b": "..."}]),
        ];
        let text = to_string_multi(&docs);
        assert_eq!(
            text,
            "a: 1\n---\n--epochs\n---\n[]\n---\nnull\n---\nx\n---\n- b: '...'\n"
        );
        let back = from_str_multi(&text).expect("parses");
        assert_eq!(back, docs);
        assert_eq!(to_string_multi(&[]), "");
        assert_eq!(
            to_string_multi(&[json!({"a": 1})]),
            to_string(&json!({"a": 1}))
        );
    }

    #[test]
    fn from_str_reads_yaml() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Doc {
            name: String,
            count: u32,
        }
        let doc: Doc = from_str("name: x\ncount: 3\n").expect("parses");
        assert_eq!(
            doc,
            Doc {
                name: "x".to_owned(),
                count: 3
            }
        );
        let value: Value = from_str("a: [1, 'b', {c: null}]").expect("parses");
        assert_eq!(value, json!({"a": [1, "b", {"c": null}]}));
        assert!(from_str::<Value>("a: [").is_err());
        assert!(from_str::<Value>("a: 1\n---\nb: 2\n").is_err());
        assert!(from_str::<Doc>("name: x\n").is_err());
    }

    #[test]
    fn from_str_multi_reads_streams() {
        let docs = from_str_multi("---\na: 1\n---\n- x\n...\n---\nfoo\n").expect("parses");
        assert_eq!(docs, vec![json!({"a": 1}), json!(["x"]), json!("foo")]);
        assert_eq!(
            from_str_multi("a: 1\n").expect("parses"),
            vec![json!({"a": 1})]
        );
        assert_eq!(
            from_str_multi("a: 1\n---\n").expect("parses"),
            vec![json!({"a": 1}), json!(null)]
        );
        assert_eq!(from_str_multi("").expect("parses"), vec![json!(null)]);
        assert_eq!(
            from_str_multi("1: a\n").expect("parses"),
            vec![json!({"1": "a"})]
        );
        assert!(from_str_multi("? [1]\n: a\n").is_err());
        assert!(from_str_multi("a: 1\n---\nb: [\n").is_err());
    }

    #[test]
    fn large_document_is_written_quickly() {
        // ~20 MB of output; quadratic behaviour would take minutes.
        let row = json!({
            "name": "component-name",
            "value": "{{inputs.parameters.some-parameter}}",
            "text": "line one\nline two with \"quotes\" and 'apostrophes'",
            "numbers": [1, 2.5, -3, 1e-7],
            "nested": {"a": [], "b": {}, "c": [[true, null]]},
        });
        let rows: Vec<Value> = (0..80_000).map(|_| row.clone()).collect();
        let value = json!({ "rows": rows, "blob": "x".repeat(4_000_000) });
        let start = std::time::Instant::now();
        let text = to_string(&value);
        let elapsed = start.elapsed();
        assert!(text.len() > 20_000_000, "{}", text.len());
        assert!(elapsed.as_secs() < 30, "took {elapsed:?}");
    }

    /// Runs `script` with `python3`, feeding `input` on stdin, and returns its
    /// stdout. Returns `None` when PyYAML is unavailable, unless `CI=true`, in
    /// which case that is a test failure.
    fn run_pyyaml(script: &str, input: &str) -> Option<String> {
        use std::io::Write as _;
        use std::process::{Command, Stdio};

        let available = Command::new("python3")
            .args(["-c", "import yaml"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !available {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true");
            assert!(!ci, "CI=true but `python3 -c \"import yaml\"` failed");
            eprintln!("skipping PyYAML check: python3 with PyYAML not available");
            return None;
        }
        let mut child = Command::new("python3")
            .args(["-c", script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn python3");
        let mut stdin = child.stdin.take().expect("stdin");
        let input = input.to_owned();
        // Write from a thread so a large input cannot deadlock with output.
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let output = child.wait_with_output().expect("python3 output");
        writer.join().expect("writer thread").expect("write stdin");
        assert!(
            output.status.success(),
            "python3 failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Some(String::from_utf8(output.stdout).expect("utf-8 stdout"))
    }

    /// Loads stdin with `yaml.safe_load_all` and prints the documents as one
    /// JSON list with sorted keys.
    const PYYAML_SCRIPT: &str = "import sys, json, yaml\n\
        docs = list(yaml.safe_load_all(sys.stdin.buffer.read().decode('utf-8')))\n\
        sys.stdout.write(json.dumps(docs, sort_keys=True))\n";

    /// Asserts PyYAML reads `to_string_multi(docs)` back as `docs`.
    fn assert_pyyaml_reads(docs: &[Value]) {
        let text = to_string_multi(docs);
        let Some(got) = run_pyyaml(PYYAML_SCRIPT, &text) else {
            return;
        };
        let want = pyjson::dumps(&Value::Array(docs.to_vec()), true);
        if got != want {
            let got_docs: Value = serde_json::from_str(&got).unwrap_or(Value::Null);
            let want_docs: Value = serde_json::from_str(&want).unwrap_or(Value::Null);
            let at = want
                .bytes()
                .zip(got.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "PyYAML read something else at {}\ntext near byte {at}: want {:?}, got {:?}",
                first_difference(&want_docs, &got_docs, "$"),
                want.get(at.saturating_sub(40)..(at + 40).min(want.len())),
                got.get(at.saturating_sub(40)..(at + 40).min(got.len())),
            );
        }
    }

    /// Describes the first place where `want` and `got` differ.
    fn first_difference(want: &Value, got: &Value, path: &str) -> String {
        match (want, got) {
            (Value::Array(w), Value::Array(g)) if w.len() == g.len() => w
                .iter()
                .zip(g)
                .enumerate()
                .find(|(_, (a, b))| a != b)
                .map(|(i, (a, b))| first_difference(a, b, &format!("{path}[{i}]")))
                .unwrap_or_default(),
            (Value::Object(w), Value::Object(g)) if w.len() == g.len() => w
                .iter()
                .find(|(k, v)| g.get(*k) != Some(*v))
                .map(|(k, v)| match g.get(k) {
                    Some(other) => first_difference(v, other, &format!("{path}[{k:?}]")),
                    None => format!("{path}: key {k:?} missing"),
                })
                .unwrap_or_default(),
            _ => format!(
                "{path}: want {}, got {}\nYAML: {:?}",
                pyjson::dumps(want, true),
                pyjson::dumps(got, true),
                to_string(want)
            ),
        }
    }

    #[test]
    fn pyyaml_reads_corpus() {
        assert_pyyaml_reads(&[corpus()]);
    }

    #[test]
    fn pyyaml_reads_each_tricky_string() {
        // One document per case so a failure names the culprit.
        let docs: Vec<Value> = tricky_strings()
            .into_iter()
            .map(|s| json!({ "v": s.clone(), "l": [s.clone()], "k": { s.clone(): [{ s.clone(): s }] } }))
            .collect();
        assert_pyyaml_reads(&docs);
    }

    #[test]
    fn pyyaml_reads_numbers_and_layout() {
        let mut items = Vec::new();
        let mut state: u64 = 0xdead_beef_cafe_f00d;
        for _ in 0..2000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let f = f64::from_bits(state);
            if f.is_finite() {
                items.push(json!(f));
            }
            items.push(json!(state));
            items.push(json!(state.cast_signed()));
        }
        let docs = vec![
            Value::Array(items),
            json!({"a": [[1, [2, {"b": []}]], {"c": {}}], "d": [{"e": [{"f": [[]]}]}]}),
            json!(null),
            json!("scalar document"),
            json!([]),
            json!({}),
        ];
        assert_pyyaml_reads(&docs);
    }
}
