//! Python-compatible text rendering of JSON values.
//!
//! The KFP Python SDK writes constant values, default values and serialized
//! parameters with Python's `repr(float)`, `json.dumps(...)` and `str(...)`.
//! Compiled output from this crate must be byte-for-byte equal to what the
//! Python SDK writes, so this module reproduces those three functions exactly
//! for the values a [`serde_json::Value`] can hold, and the `repr()` and
//! `str.splitlines()` that kfp 2's comment header uses.
//!
//! Both back ends, the pod side and the local runner use it, so it sits beside
//! the model rather than in `compiler/` (the pod side imports nothing from
//! there).

use std::fmt::Write as _;

use serde_json::{Map, Number, Value};

/// Lowercase hexadecimal digits, as Python's `json` module writes them.
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// A fixed-size, stack-allocated text buffer used to format one `f64`
/// without touching the heap.
///
/// Writing more than the capacity fails with [`std::fmt::Error`] instead of
/// panicking.
struct StackBuf {
    /// The bytes written so far (always valid UTF-8, as only `&str` is
    /// appended).
    bytes: [u8; 64],
    /// Number of bytes of `bytes` in use.
    len: usize,
}

impl StackBuf {
    /// An empty buffer.
    fn new() -> Self {
        Self {
            bytes: [0; 64],
            len: 0,
        }
    }

    /// The text written so far.
    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever appended, so this cannot fail; fall back
        // to the empty string instead of panicking all the same.
        self.bytes
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl std::fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(std::fmt::Error)?;
        let dst = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Python 3's `repr(x)` for a float.
///
/// Uses the shortest digit string that round-trips, laid out in fixed
/// notation when the decimal exponent `e` satisfies `-4 <= e < 16` (always
/// with a fractional part, e.g. `2.0`, `0.0001`, `-0.0`) and in scientific
/// notation otherwise (`1e-05`, `1.5e+16`, `1e+300`). When two shortest
/// strings are equally close to `x`, the one with the even last digit wins,
/// as in CPython (`268631970648555.12`, where Rust's `{:e}` alone would
/// give `...55.13`). Non-finite values are written `nan`, `inf` and `-inf`.
pub fn float_repr(x: f64) -> String {
    let mut out = String::with_capacity(24);
    write_float_repr(&mut out, x);
    out
}

/// Appends Python 3's `repr(x)` for a float to `out`; see [`float_repr`].
pub(crate) fn write_float_repr(out: &mut String, x: f64) {
    if x.is_nan() {
        out.push_str("nan");
        return;
    }
    if x.is_infinite() {
        out.push_str(if x < 0.0 { "-inf" } else { "inf" });
        return;
    }
    // `{:e}` writes the shortest round-trip digits as `d[.ddd]e[-]x`,
    // e.g. `1e0`, `-1.5e16`, `1.2345e-7`, `-0e0`.
    let mut buf = StackBuf::new();
    let parsed = match write!(buf, "{x:e}") {
        Ok(()) => ShortestDigits::parse(buf.as_str()),
        Err(_) => None,
    };
    match parsed {
        Some(mut digits) => {
            digits.break_tie_to_even(x);
            if x.is_sign_negative() {
                out.push('-');
            }
            digits.layout(out);
        }
        // Unreachable for finite floats; write Rust's rendering, which is
        // still a valid round-trip representation, rather than panic.
        None => {
            let _ = write!(out, "{x:?}");
        }
    }
}

/// The shortest round-trip decimal digits of a finite float's magnitude.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ShortestDigits {
    /// ASCII digits, most significant first; only `len` are in use.
    digits: [u8; 24],
    /// Number of digits in use (1..=24).
    len: usize,
    /// Decimal exponent of the first digit: the value is
    /// `0.d1d2d3... * 10^(exp + 1)`.
    exp: i32,
}

impl ShortestDigits {
    /// Parses Rust's `{:e}` rendering (`[-]d[.ddd]e[-]x`), ignoring the sign.
    /// Returns `None` on anything else.
    fn parse(text: &str) -> Option<Self> {
        let unsigned = text.strip_prefix('-').unwrap_or(text);
        let (mantissa, exp_text) = unsigned.split_once('e')?;
        let exp: i32 = exp_text.parse().ok()?;
        let mut digits = [b'0'; 24];
        let mut len = 0;
        for b in mantissa.bytes().filter(|&b| b != b'.') {
            if !b.is_ascii_digit() {
                return None;
            }
            *digits.get_mut(len)? = b;
            len += 1;
        }
        if len == 0 || exp.unsigned_abs() > 1000 {
            return None;
        }
        Some(Self { digits, len, exp })
    }

    /// The digits in use.
    fn used(&self) -> &[u8] {
        self.digits.get(..self.len).unwrap_or(&[])
    }

    /// The digits as an integer `D`, so that the value is `D * 10^k` with
    /// `k = exp - (len - 1)`; `None` if it does not fit (never for `f64`).
    fn as_integer(&self) -> Option<(u64, i32)> {
        if self.len > 19 {
            return None;
        }
        let mut d: u64 = 0;
        for &b in self.used() {
            d = d.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
        }
        let k = self.exp - i32::try_from(self.len).ok()? + 1;
        Some((d, k))
    }

    /// Makes exact ties follow Python.
    ///
    /// Rust and Python both pick the shortest digit string that reads back
    /// as `x`, and the closest one when several have that length. When `x`
    /// lies exactly halfway between two such candidates, Python (David Gay's
    /// `dtoa`) picks the one with an even last digit while Rust rounds up:
    /// `268631970648555.125` is `268631970648555.12` in Python but
    /// `268631970648555.13` in Rust. This detects that case exactly with
    /// integer arithmetic and switches to the even neighbour if it also reads
    /// back as `x`.
    fn break_tie_to_even(&mut self, x: f64) {
        let Some((d, k)) = self.as_integer() else {
            return;
        };
        if d.is_multiple_of(2) {
            return;
        }
        let Some((m, e)) = odd_mantissa(x.abs()) else {
            return;
        };
        // `x` is halfway between `d` and `d - 1` (or `d + 1`) units of
        // `10^k` exactly when `2x = (2d -/+ 1) * 10^k`.
        let twice_d = u128::from(d) * 2;
        for (t, neighbour) in [(twice_d - 1, d - 1), (twice_d + 1, d + 1)] {
            if !is_exact_half(m, e, t, k) {
                continue;
            }
            // A neighbour ending in 0 would have been a shorter candidate;
            // it cannot read back as `x`, as Rust's digits are shortest.
            if neighbour.is_multiple_of(10) {
                return;
            }
            let mut text = StackBuf::new();
            if write!(text, "{neighbour}e{k}").is_err() {
                return;
            }
            if text.as_str().parse::<f64>().ok() != Some(x.abs()) {
                return;
            }
            // Same number of digits: only the last one changes, by one.
            if let Some(last) = self.len.checked_sub(1).and_then(|i| self.digits.get_mut(i)) {
                *last = if neighbour < d { *last - 1 } else { *last + 1 };
            }
            return;
        }
    }

    /// Appends the digits laid out as Python's `repr` does (without sign).
    fn layout(&self, out: &mut String) {
        let digits = self.used();
        let digit = |i: usize| char::from(digits.get(i).copied().unwrap_or(b'0'));
        let count = digits.len();
        let exp = self.exp;
        if (-4..16).contains(&exp) {
            if exp >= 0 {
                // Integer part: the first `exp + 1` digits, zero-padded.
                let int_len = usize::try_from(exp).unwrap_or(0) + 1;
                for i in 0..int_len {
                    out.push(digit(i));
                }
                out.push('.');
                if count > int_len {
                    for i in int_len..count {
                        out.push(digit(i));
                    }
                } else {
                    out.push('0');
                }
            } else {
                out.push_str("0.");
                for _ in 0..(-exp - 1) {
                    out.push('0');
                }
                for i in 0..count {
                    out.push(digit(i));
                }
            }
        } else {
            out.push(digit(0));
            if count > 1 {
                out.push('.');
                for i in 1..count {
                    out.push(digit(i));
                }
            }
            out.push('e');
            out.push(if exp < 0 { '-' } else { '+' });
            let magnitude = exp.unsigned_abs();
            if magnitude < 10 {
                out.push('0');
            }
            // Writing into a `String` cannot fail.
            let _ = write!(out, "{magnitude}");
        }
    }
}

/// Splits a finite, non-negative, non-zero float into `m * 2^e` with `m`
/// odd; `None` for zero and non-finite values.
fn odd_mantissa(x: f64) -> Option<(u64, i32)> {
    if !x.is_finite() || x == 0.0 {
        return None;
    }
    let bits = x.to_bits();
    let biased = i32::try_from((bits >> 52) & 0x7ff).ok()?;
    let fraction = bits & ((1u64 << 52) - 1);
    let (m, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    if m == 0 {
        return None;
    }
    let shift = m.trailing_zeros();
    Some((m >> shift, e + i32::try_from(shift).ok()?))
}

/// `5^n` if it fits in a `u128`.
fn pow5(n: u32) -> Option<u128> {
    5u128.checked_pow(n)
}

/// Whether `2 * m * 2^e == t * 10^k` exactly, for odd `m` and odd `t`.
///
/// With `k >= 0` this is `m * 2^(e + 1) == t * 5^k * 2^k`, so (both sides'
/// odd parts and powers of two must match) `e + 1 == k` and
/// `m == t * 5^k`. With `k < 0` it is `m * 5^-k * 2^(e + 1 - k) == t`, so
/// `e + 1 - k == 0` and `t == m * 5^-k`.
fn is_exact_half(m: u64, e: i32, t: u128, k: i32) -> bool {
    if t.is_multiple_of(2) {
        return false;
    }
    let m = u128::from(m);
    if k >= 0 {
        e.checked_add(1) == Some(k)
            && pow5(k.unsigned_abs())
                .and_then(|p| p.checked_mul(t))
                .is_some_and(|v| v == m)
    } else {
        e.checked_add(1).and_then(|v| v.checked_sub(k)) == Some(0)
            && pow5(k.unsigned_abs())
                .and_then(|p| p.checked_mul(m))
                .is_some_and(|v| v == t)
    }
}

/// Appends a JSON number the way Python's `json.dumps` writes it: integers in
/// decimal, floats via [`float_repr`] with `NaN`, `Infinity` and `-Infinity`
/// for non-finite values.
fn write_json_number(out: &mut String, n: &Number) {
    if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else if let Some(f) = n.as_f64() {
        if f.is_nan() {
            out.push_str("NaN");
        } else if f.is_infinite() {
            out.push_str(if f < 0.0 { "-Infinity" } else { "Infinity" });
        } else {
            write_float_repr(out, f);
        }
    } else {
        // Only reachable with serde_json's `arbitrary_precision`; its text is
        // already a JSON number.
        let _ = write!(out, "{n}");
    }
}

/// Appends `\u` followed by four lowercase hex digits of `unit`.
fn push_u_escape(out: &mut String, unit: u16) {
    out.push_str("\\u");
    for shift in [12u16, 8, 4, 0] {
        let nibble = usize::from((unit >> shift) & 0xF);
        out.push(char::from(HEX_LOWER.get(nibble).copied().unwrap_or(b'0')));
    }
}

/// Appends `s` as a JSON string literal exactly as Python's `json.dumps`
/// writes it with `ensure_ascii=True`.
pub(crate) fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (idx, ch) in s.char_indices() {
        // Python escapes everything outside the printable ASCII range
        // `' '..='~'`, plus `"` and `\`.
        let plain = (' '..='~').contains(&ch) && ch != '"' && ch != '\\';
        if plain {
            continue;
        }
        out.push_str(s.get(start..idx).unwrap_or(""));
        start = idx + ch.len_utf8();
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            _ => {
                let mut units = [0u16; 2];
                for unit in ch.encode_utf16(&mut units) {
                    push_u_escape(out, *unit);
                }
            }
        }
    }
    out.push_str(s.get(start..).unwrap_or(""));
    out.push('"');
}

/// Appends the entries of `map` as a Python `json.dumps` object.
fn write_json_object(out: &mut String, map: &Map<String, Value>, sort_keys: bool) {
    if map.is_empty() {
        out.push_str("{}");
        return;
    }
    out.push('{');
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    if sort_keys {
        // Rust's `str` ordering compares UTF-8 bytes, which is the same as
        // comparing code points, which is Python's `str` ordering.
        entries.sort_by(|a, b| a.0.cmp(b.0));
    }
    for (i, (key, val)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_json_string(out, key);
        out.push_str(": ");
        write_dumps(out, val, sort_keys);
    }
    out.push('}');
}

/// Appends Python's `json.dumps(value, sort_keys=sort_keys)` to `out`; see
/// [`dumps`].
pub(crate) fn write_dumps(out: &mut String, value: &Value, sort_keys: bool) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_json_number(out, n),
        Value::String(s) => write_json_string(out, s),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_dumps(out, item, sort_keys);
            }
            out.push(']');
        }
        Value::Object(map) => write_json_object(out, map, sort_keys),
    }
}

/// Python's `json.dumps(value, sort_keys=sort_keys)` with all other settings
/// at their defaults.
///
/// Separators are `", "` and `": "`; every non-ASCII character is escaped as
/// `\uXXXX` (lowercase hex, astral characters as a surrogate pair); floats
/// use [`float_repr`]; objects keep their insertion order unless `sort_keys`
/// is set, in which case keys are sorted by code point.
pub fn dumps(value: &Value, sort_keys: bool) -> String {
    let mut out = String::new();
    write_dumps(&mut out, value, sort_keys);
    out
}

/// Python's `str(value)` as the KFP v1 SDK writes constant arguments.
///
/// Strings are returned unchanged, booleans are `True`/`False`, null is
/// `None`, integers are decimal, floats use [`float_repr`], and arrays and
/// objects are serialized with [`dumps`] (insertion order kept).
pub fn str_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Null => "None".to_owned(),
        Value::Number(n) => {
            let mut out = String::new();
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else if let Some(f) = n.as_f64() {
                write_float_repr(&mut out, f);
            } else {
                let _ = write!(out, "{n}");
            }
            out
        }
        Value::Array(_) | Value::Object(_) => dumps(value, false),
    }
}

/// Python's `str.splitlines()`: the line boundaries Python knows, which include every line
/// break a YAML reader knows.
pub(crate) fn split_lines(s: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\u{0b}'
                | '\u{0c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if is_break {
            lines.push(&s[start..i]);
            let mut end = i + c.len_utf8();
            if c == '\r' {
                if let Some(&(j, '\n')) = chars.peek() {
                    chars.next();
                    end = j + 1;
                }
            }
            start = end;
        }
    }
    if start < s.len() {
        lines.push(&s[start..]);
    }
    lines
}

/// Appends `c` as a Python string escape (`\\n`, `\\x07`, `\\u2028`, `\\U0001f600`).
pub(crate) fn push_py_escape(out: &mut String, c: char) {
    let n = u32::from(c);
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        _ if n <= 0xff => out.push_str(&format!("\\x{n:02x}")),
        _ if n <= 0xffff => out.push_str(&format!("\\u{n:04x}")),
        _ => out.push_str(&format!("\\U{n:08x}")),
    }
}

/// Whether Python's `str.isprintable()` holds for `c`, for the characters that matter here:
/// controls, line and paragraph separators, spaces other than ` `, format characters and
/// private-use and non-characters are not printable.
fn py_printable(c: char) -> bool {
    let n = u32::from(c);
    !(c.is_control()
        || matches!(n, 0xa0 | 0xad | 0x1680 | 0x180e | 0x2000..=0x200f | 0x2028..=0x202f)
        || matches!(n, 0x205f..=0x2064 | 0x3000 | 0xfeff | 0xfff9..=0xfffb | 0xfffe | 0xffff)
        || matches!(n, 0xe000..=0xf8ff | 0xf0000..=0xffffd | 0x100000..=0x10fffd))
}

/// Python's `repr()` of a string.
fn py_repr_str(out: &mut String, s: &str) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => push_py_escape(out, c),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !py_printable(c) => push_py_escape(out, c),
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// Python's `repr()` of a JSON value as `json_format.MessageToDict` gives it back (numbers are
/// floats), as kfp's header shows defaults: `'hello'`, `7.0`, `False`, `{'k': 'v'}`.
pub(crate) fn py_repr(value: &Value) -> String {
    let mut out = String::new();
    write_py_repr(&mut out, value);
    out
}

fn write_py_repr(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => match n.as_f64() {
            Some(f) => write_float_repr(out, f),
            None => out.push_str(&n.to_string()),
        },
        Value::String(s) => py_repr_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py_repr(out, v);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                py_repr_str(out, k);
                out.push_str(": ");
                write_py_repr(out, v);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `(input, Python repr)` pairs, all produced by CPython 3.
    const FLOAT_CASES: &[(f64, &str)] = &[
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1.0, "1.0"),
        (-1.0, "-1.0"),
        (2.0, "2.0"),
        (0.1, "0.1"),
        (0.5, "0.5"),
        (1.5, "1.5"),
        (-2.5, "-2.5"),
        (4.35, "4.35"),
        (1.1, "1.1"),
        (2.675, "2.675"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1.0 / 3.0, "0.3333333333333333"),
        (2.0 / 3.0, "0.6666666666666666"),
        (100.0, "100.0"),
        (123.456, "123.456"),
        (1e-4, "0.0001"),
        (0.00012345, "0.00012345"),
        (-0.0001, "-0.0001"),
        (1e-5, "1e-05"),
        (-1e-5, "-1e-05"),
        (1.5e-5, "1.5e-05"),
        (0.000099999, "9.9999e-05"),
        (1e-7, "1e-07"),
        (1.2345e-7, "1.2345e-07"),
        (1e15, "1000000000000000.0"),
        (1234567890123456.0, "1234567890123456.0"),
        (9999999999999998.0, "9999999999999998.0"),
        (1e16, "1e+16"),
        (1.5e16, "1.5e+16"),
        (12345678901234567.0, "1.2345678901234568e+16"),
        (1e22, "1e+22"),
        (1e100, "1e+100"),
        (1e300, "1e+300"),
        (-1e300, "-1e+300"),
        (1e-300, "1e-300"),
        (1e-100, "1e-100"),
        (f64::MAX, "1.7976931348623157e+308"),
        (f64::MIN, "-1.7976931348623157e+308"),
        (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
        (5e-324, "5e-324"),
        (f64::EPSILON, "2.220446049250313e-16"),
        (123456789.0, "123456789.0"),
        (0.001, "0.001"),
        (1e-3, "0.001"),
        (9007199254740993.0, "9007199254740992.0"),
        (299792458.0, "299792458.0"),
        (6.02214076e23, "6.02214076e+23"),
        (1.7e-10, "1.7e-10"),
    ];

    #[test]
    fn float_repr_matches_python() {
        for &(x, want) in FLOAT_CASES {
            assert_eq!(float_repr(x), want, "float_repr({x:?})");
        }
    }

    #[test]
    fn float_repr_non_finite() {
        assert_eq!(float_repr(f64::NAN), "nan");
        assert_eq!(float_repr(-f64::NAN), "nan");
        assert_eq!(float_repr(f64::INFINITY), "inf");
        assert_eq!(float_repr(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn float_repr_round_trips() {
        let mut x: f64 = 1.0;
        for _ in 0..2000 {
            x = x * 1.37 + 0.1;
            for v in [x, -x, 1.0 / x, x.sqrt(), x.sin()] {
                let text = float_repr(v);
                let back: f64 = text.parse().expect("parses");
                assert_eq!(back.to_bits(), v.to_bits(), "{text}");
                if v.is_finite() {
                    assert!(
                        text.contains('.') || text.contains('e'),
                        "{text} must look like a float"
                    );
                }
            }
            if !x.is_finite() {
                break;
            }
        }
    }

    #[test]
    fn write_float_repr_appends() {
        let mut out = String::from("x=");
        write_float_repr(&mut out, 2.5);
        assert_eq!(out, "x=2.5");
    }

    #[test]
    fn dumps_scalars() {
        assert_eq!(dumps(&json!(null), false), "null");
        assert_eq!(dumps(&json!(true), false), "true");
        assert_eq!(dumps(&json!(false), true), "false");
        assert_eq!(dumps(&json!(0), false), "0");
        assert_eq!(dumps(&json!(-7), false), "-7");
        assert_eq!(dumps(&json!(i64::MIN), false), "-9223372036854775808");
        assert_eq!(dumps(&json!(u64::MAX), false), "18446744073709551615");
        assert_eq!(dumps(&json!(1.0), false), "1.0");
        assert_eq!(dumps(&json!(-0.0), false), "-0.0");
        assert_eq!(dumps(&json!(1e-5), false), "1e-05");
        assert_eq!(dumps(&json!(1e16), false), "1e+16");
        assert_eq!(dumps(&json!(0.1), false), "0.1");
        assert_eq!(dumps(&json!("abc"), false), "\"abc\"");
        assert_eq!(dumps(&json!(""), false), "\"\"");
    }

    #[test]
    fn dumps_string_escapes() {
        // Expected strings are CPython's `json.dumps(...)` output.
        let cases: &[(&str, &str)] = &[
            ("a\"b", r#""a\"b""#),
            ("a\\b", r#""a\\b""#),
            ("line1\nline2", r#""line1\nline2""#),
            ("\r\t\u{8}\u{c}", r#""\r\t\b\f""#),
            ("\u{0}\u{1}\u{1f}", r#""\u0000\u0001\u001f""#),
            ("\u{7f}", r#""\u007f""#),
            ("/", r#""/""#),
            ("caf\u{e9}", r#""caf\u00e9""#),
            ("\u{ff}\u{100}", r#""\u00ff\u0100""#),
            ("\u{20ac}", r#""\u20ac""#),
            ("\u{fffe}\u{ffff}", r#""\ufffe\uffff""#),
            ("\u{1f600}", r#""\ud83d\ude00""#),
            ("\u{10ffff}", r#""\udbff\udfff""#),
            ("\u{10000}", r#""\ud800\udc00""#),
            ("\u{2028}\u{85}", r#""\u2028\u0085""#),
            ("日本語", r#""\u65e5\u672c\u8a9e""#),
            ("{{inputs.parameters.x}}", r#""{{inputs.parameters.x}}""#),
            (" ~!@#$%^&*()_+`-=", r#"" ~!@#$%^&*()_+`-=""#),
        ];
        for &(input, want) in cases {
            assert_eq!(dumps(&json!(input), false), want, "dumps({input:?})");
        }
    }

    #[test]
    fn dumps_containers() {
        assert_eq!(dumps(&json!([]), false), "[]");
        assert_eq!(dumps(&json!({}), false), "{}");
        assert_eq!(dumps(&json!([[]]), false), "[[]]");
        assert_eq!(dumps(&json!([{}]), true), "[{}]");
        assert_eq!(dumps(&json!([1, 2, 3]), false), "[1, 2, 3]");
        assert_eq!(
            dumps(&json!([1, "a", null, true, 1.5, [2, []], {"k": {}}]), false),
            r#"[1, "a", null, true, 1.5, [2, []], {"k": {}}]"#
        );
        assert_eq!(
            dumps(&json!({"a": 1, "b": [1, 2], "c": {"d": "e"}}), false),
            r#"{"a": 1, "b": [1, 2], "c": {"d": "e"}}"#
        );
    }

    #[test]
    fn dumps_key_order() {
        let value = json!({"b": 1, "a": {"z": 1, "y": 2}, "C": 3, "é": 4, "_": 5, "10": 6, "9": 7});
        assert_eq!(
            dumps(&value, false),
            r#"{"b": 1, "a": {"z": 1, "y": 2}, "C": 3, "\u00e9": 4, "_": 5, "10": 6, "9": 7}"#
        );
        assert_eq!(
            dumps(&value, true),
            r#"{"10": 6, "9": 7, "C": 3, "_": 5, "a": {"y": 2, "z": 1}, "b": 1, "\u00e9": 4}"#
        );
    }

    #[test]
    fn dumps_sort_keys_code_point_order() {
        // Python: sorted(["\uffff", "\U0001f600", "\u00e9", "a"]) ==
        // ['a', '\xe9', '\uffff', '\U0001f600'] (code point order, unlike
        // UTF-16 order which would put the astral character first).
        let value = json!({"\u{ffff}": 1, "\u{1f600}": 2, "\u{e9}": 3, "a": 4});
        assert_eq!(
            dumps(&value, true),
            r#"{"a": 4, "\u00e9": 3, "\uffff": 1, "\ud83d\ude00": 2}"#
        );
    }

    #[test]
    fn dumps_keys_are_escaped() {
        let value = json!({"a\"b\n": "c\\d"});
        assert_eq!(dumps(&value, false), r#"{"a\"b\n": "c\\d"}"#);
    }

    #[test]
    fn dumps_kfp_like_payload() {
        let value = json!({
            "name": "train",
            "inputs": [{"name": "epochs", "type": "Integer", "default": "10"}],
            "lr": 0.001,
            "ratio": 1e-05,
            "big": 1e+16,
            "flags": [true, false, null],
        });
        assert_eq!(
            dumps(&value, false),
            r#"{"name": "train", "inputs": [{"name": "epochs", "type": "Integer", "default": "10"}], "lr": 0.001, "ratio": 1e-05, "big": 1e+16, "flags": [true, false, null]}"#
        );
        assert_eq!(
            dumps(&value, true),
            r#"{"big": 1e+16, "flags": [true, false, null], "inputs": [{"default": "10", "name": "epochs", "type": "Integer"}], "lr": 0.001, "name": "train", "ratio": 1e-05}"#
        );
    }

    #[test]
    fn str_value_matches_python_str() {
        assert_eq!(str_value(&json!("hello")), "hello");
        assert_eq!(str_value(&json!("")), "");
        assert_eq!(str_value(&json!("caf\u{e9} \"q\"\n")), "caf\u{e9} \"q\"\n");
        assert_eq!(str_value(&json!(true)), "True");
        assert_eq!(str_value(&json!(false)), "False");
        assert_eq!(str_value(&json!(null)), "None");
        assert_eq!(str_value(&json!(42)), "42");
        assert_eq!(str_value(&json!(-42)), "-42");
        assert_eq!(str_value(&json!(u64::MAX)), "18446744073709551615");
        assert_eq!(str_value(&json!(1.0)), "1.0");
        assert_eq!(str_value(&json!(0.1)), "0.1");
        assert_eq!(str_value(&json!(1e-5)), "1e-05");
        assert_eq!(str_value(&json!(1e16)), "1e+16");
        assert_eq!(str_value(&json!([1, 2, 3])), "[1, 2, 3]");
        assert_eq!(str_value(&json!([])), "[]");
        assert_eq!(str_value(&json!({})), "{}");
        assert_eq!(
            str_value(&json!({"b": "\u{e9}", "a": [true, null]})),
            r#"{"b": "\u00e9", "a": [true, null]}"#
        );
    }

    #[test]
    fn shortest_digits_rejects_odd_input() {
        for text in [
            "",
            "e",
            ".",
            "1.e",
            "e5",
            "-",
            "1e99999999999",
            "abc",
            "1x5e3",
            "1e",
        ] {
            assert_eq!(ShortestDigits::parse(text), None, "{text:?}");
        }
        let long = format!("{}e0", "1".repeat(30));
        assert_eq!(ShortestDigits::parse(&long), None);
        let digits = ShortestDigits::parse("-1.25e-7").expect("parses");
        assert_eq!(digits.used(), b"125");
        assert_eq!(digits.exp, -7);
        assert_eq!(digits.as_integer(), Some((125, -9)));
    }

    #[test]
    fn ties_break_to_even_like_python() {
        // Exact binary values halfway between two shortest candidates; the
        // expected strings are CPython's `repr`.
        let cases: &[(f64, &str)] = &[
            (268_631_970_648_555.0 + 0.125, "268631970648555.12"),
            (-268_631_970_648_555.0 - 0.125, "-268631970648555.12"),
            (f64::from_bits(0x4317_9085_685d_83c9), "1658206780088562.2"),
            (f64::from_bits(0xc30d_eb9e_e957_fc2a), "-1052730259603333.2"),
            (f64::from_bits(0x4302_d77f_6703_0d4a), "662936471232937.2"),
            // 2**-25, in scientific notation.
            (
                f64::from_bits(0x3e60_0000_0000_0000),
                "2.9802322387695312e-08",
            ),
        ];
        for &(x, want) in cases {
            assert_eq!(float_repr(x), want);
        }
    }

    #[test]
    fn exact_half_detection() {
        // 0.5 = 1 * 2^-1 is exactly halfway between 0 and 1 (t = 1, k = 0).
        assert!(is_exact_half(1, -1, 1, 0));
        // 2.5 = 5 * 2^-1 = (2*2 + 1) / 2 * 10^0.
        assert!(is_exact_half(5, -1, 5, 0));
        assert!(!is_exact_half(5, -1, 3, 0));
        // 0.25 = 1 * 2^-2 = 5 / 2 * 10^-1.
        assert!(is_exact_half(1, -2, 5, -1));
        assert!(!is_exact_half(1, -2, 4, -1));
        // 25 = 25 * 2^0 = 5 / 2 * 10^1.
        assert!(is_exact_half(25, 0, 5, 1));
        assert!(!is_exact_half(25, 1, 5, 1));
        // Huge exponents never overflow.
        assert!(!is_exact_half(1, 1000, 1, 2000));
        assert!(!is_exact_half(1, -1074, 1, -400));
        assert_eq!(odd_mantissa(0.0), None);
        assert_eq!(odd_mantissa(f64::INFINITY), None);
        assert_eq!(odd_mantissa(12.0), Some((3, 2)));
        assert_eq!(odd_mantissa(5e-324), Some((1, -1074)));
    }

    #[test]
    fn stack_buf_overflow_is_an_error() {
        let mut buf = StackBuf::new();
        assert!(buf.write_str(&"x".repeat(64)).is_ok());
        assert!(buf.write_str("y").is_err());
        assert_eq!(buf.as_str().len(), 64);
    }

    #[test]
    fn python_repr_of_defaults() {
        assert_eq!(py_repr(&json!("hello")), "'hello'");
        assert_eq!(py_repr(&json!("it's")), "\"it's\"");
        assert_eq!(py_repr(&json!("both ' and \"")), "'both \\' and \"'");
        assert_eq!(
            py_repr(&json!("tab\tback\\slash\u{a0}")),
            "'tab\\tback\\\\slash\\xa0'"
        );
        assert_eq!(py_repr(&json!("é 日本")), "'é 日本'");
        assert_eq!(
            py_repr(&json!({"k": "v", "n": 1.0, "l": [true, null]})),
            "{'k': 'v', 'n': 1.0, 'l': [True, None]}"
        );
        assert_eq!(split_lines("a\r\nb\rc\n\nd\n"), ["a", "b", "c", "", "d"]);
        assert_eq!(split_lines("x"), ["x"]);
    }
}
