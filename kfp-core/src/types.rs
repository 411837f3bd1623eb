//! The mapping from Rust types to KFP parameter types.
//!
//! [`KfpType`] is implemented for every type a component may take or return as a
//! parameter: `String`, `bool`, the integer types, `f64`/`f32`, `Vec<T>`, string-keyed maps,
//! [`serde_json::Map`], [`Json<T>`] for serde structs, and `Option<T>` for optional inputs.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde_json::Value;

use crate::pyjson;

/// The KFP type of a parameter, as both targets spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ParamKind {
    /// `str`: v1 `String`, v2 `STRING`.
    String,
    /// `int`: v1 `Integer`, v2 `NUMBER_INTEGER`.
    Integer,
    /// `float`: v1 `Float`, v2 `NUMBER_DOUBLE`.
    Float,
    /// `bool`: v1 `Boolean`, v2 `BOOLEAN`.
    Boolean,
    /// `list`: v1 `JsonArray`, v2 `LIST`.
    List,
    /// `dict`: v1 `JsonObject`, v2 `STRUCT`.
    Struct,
}

impl ParamKind {
    /// The KFP v1 type name (`String`, `Integer`, `Float`, `Boolean`, `JsonArray`, `JsonObject`).
    pub fn v1_name(self) -> &'static str {
        match self {
            ParamKind::String => "String",
            ParamKind::Integer => "Integer",
            ParamKind::Float => "Float",
            ParamKind::Boolean => "Boolean",
            ParamKind::List => "JsonArray",
            ParamKind::Struct => "JsonObject",
        }
    }

    /// The indefinite article for [`v1_name`](Self::v1_name) in messages: `an` Integer.
    pub(crate) fn article(self) -> &'static str {
        match self {
            ParamKind::Integer => "an",
            _ => "a",
        }
    }

    /// The KFP v2 `parameterType` (`STRING`, `NUMBER_INTEGER`, ...).
    pub fn v2_name(self) -> &'static str {
        match self {
            ParamKind::String => "STRING",
            ParamKind::Integer => "NUMBER_INTEGER",
            ParamKind::Float => "NUMBER_DOUBLE",
            ParamKind::Boolean => "BOOLEAN",
            ParamKind::List => "LIST",
            ParamKind::Struct => "STRUCT",
        }
    }
}

impl fmt::Display for ParamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.v1_name())
    }
}

/// Why a value could not be read as a KFP parameter of some Rust type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError {
    /// What was expected, e.g. "an integer that fits `i32`".
    pub expected: String,
    /// What went wrong, when more can be said than "expected ...".
    pub detail: Option<String>,
}

impl ValueError {
    /// "expected `what`", with nothing more to say.
    pub(crate) fn expected_text(what: &str) -> Self {
        Self::expected(what)
    }

    fn expected(expected: impl Into<String>) -> Self {
        ValueError {
            expected: expected.into(),
            detail: None,
        }
    }

    fn with_detail(mut self, detail: impl fmt::Display) -> Self {
        self.detail = Some(detail.to_string());
        self
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}", self.expected)?;
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValueError {}

/// A Rust type that can be a KFP parameter: a component input or output, or a pipeline
/// parameter.
///
/// The text forms follow kfp 1.8.9 (what the v1 target passes on the command line and writes
/// to output files); the JSON forms follow kfp 2.x (what the v2 executor input carries).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a KFP parameter type",
    label = "not a KFP parameter type",
    note = "KFP parameters are `String`, `bool`, integers, `f64`/`f32`, `Vec<T>`, string-keyed maps, `serde_json::Map`, `kfp_core::Json<T>` for serde structs, and `Option<T>` of those"
)]
pub trait KfpType: Sized {
    /// The KFP type this Rust type maps to.
    const KIND: ParamKind;
    /// Whether the input may be left out (`Option<T>`).
    const OPTIONAL: bool = false;
    /// The Rust type's name, for messages ("`i32`").
    const RUST_NAME: &'static str;
    /// The artifact type, for file parameters ([`InputPath`](crate::artifact::InputPath),
    /// [`OutputPath`](crate::artifact::OutputPath)); `None` for values.
    const ARTIFACT: Option<crate::artifact::ArtifactType> = None;
    /// For a list of files (`Vec<InputPath<K>>`), the artifact type of its items; `None`
    /// otherwise.
    const ITEM_ARTIFACT: Option<crate::artifact::ArtifactType> = None;

    /// The value as JSON (v2 `parameterValues`, v1 constants before formatting).
    fn to_json(&self) -> Value;

    /// Reads a JSON value (v2 executor input).
    fn from_json(value: &Value) -> Result<Self, ValueError>;

    /// Reads the text KFP v1 passes on the command line.
    fn from_text(text: &str) -> Result<Self, ValueError>;

    /// The value when the input was not given at all, if that is allowed.
    fn absent() -> Option<Self> {
        None
    }

    /// The text KFP v1 writes to an output file (`True`, `3`, `2.0`, JSON with sorted keys).
    fn to_text(&self) -> String {
        output_text(&self.to_json())
    }
}

/// The text kfp writes to an output file for a JSON value: strings raw, `True`/`False`,
/// numbers as Python prints them, lists and maps as JSON with sorted keys.
pub(crate) fn output_text(value: &Value) -> String {
    match value {
        Value::Array(_) | Value::Object(_) => pyjson::dumps(value, true),
        other => pyjson::str_value(other),
    }
}

/// The text of a constant argument on the v1 command line (Python's `str()` of the value).
pub(crate) fn constant_text(value: &Value) -> String {
    pyjson::str_value(value)
}

impl KfpType for String {
    const KIND: ParamKind = ParamKind::String;
    const RUST_NAME: &'static str = "String";
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
    fn from_json(value: &Value) -> Result<Self, ValueError> {
        match value {
            Value::String(s) => Ok(s.clone()),
            _ => Err(ValueError::expected("a string")),
        }
    }
    fn from_text(text: &str) -> Result<Self, ValueError> {
        Ok(text.to_owned())
    }
    fn to_text(&self) -> String {
        self.clone()
    }
}

/// Reads a boolean the way kfp 1.8.9's `_deserialize_bool` (`distutils.util.strtobool`) does.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "y" | "yes" | "t" | "true" | "on" | "1" => Some(true),
        "n" | "no" | "f" | "false" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// What a boolean input accepts, for messages.
const BOOL_EXPECTED: &str =
    "`True` or `False` for a `bool` (or y/yes/t/true/on/1 and n/no/f/false/off/0, in any case)";

impl KfpType for bool {
    const KIND: ParamKind = ParamKind::Boolean;
    const RUST_NAME: &'static str = "bool";
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_json(value: &Value) -> Result<Self, ValueError> {
        match value {
            Value::Bool(b) => Ok(*b),
            Value::String(s) => Self::from_text(s),
            _ => Err(ValueError::expected(BOOL_EXPECTED)),
        }
    }
    fn from_text(text: &str) -> Result<Self, ValueError> {
        parse_bool(text).ok_or_else(|| ValueError::expected(BOOL_EXPECTED))
    }
}

/// Reads a decimal integer of type `T` (`rust` names it), as strictly as kfp writes one: an
/// optional sign and ASCII digits, nothing around them, and a value that fits `T`.
fn int_from_text<T>(text: &str, rust: &str, min: T, max: T) -> Result<T, ValueError>
where
    T: std::str::FromStr<Err = std::num::ParseIntError> + fmt::Display + PartialEq,
{
    use std::num::IntErrorKind;
    let expected = || ValueError::expected(format!("an integer that fits `{rust}`"));
    text.parse::<T>().map_err(|e| {
        let detail = match e.kind() {
            IntErrorKind::Empty => "the value is empty".to_owned(),
            IntErrorKind::PosOverflow => format!("too large; the largest `{rust}` is {max}"),
            IntErrorKind::NegOverflow => format!("too small; the smallest `{rust}` is {min}"),
            _ if text.trim() != text => "spaces around the digits are not allowed".to_owned(),
            _ if min.to_string() == "0" && is_negative_integer(text) => {
                format!("a negative number; the smallest `{rust}` is 0")
            }
            _ if text.parse::<f64>().is_ok_and(f64::is_finite) => {
                "write it in decimal digits, without a fraction or exponent".to_owned()
            }
            _ => "not a decimal integer".to_owned(),
        };
        expected().with_detail(detail)
    })
}

/// `-` followed by one or more ASCII digits.
fn is_negative_integer(text: &str) -> bool {
    text.strip_prefix('-')
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

macro_rules! impl_int {
    ($($t:ty),*) => {$(
        impl KfpType for $t {
            const KIND: ParamKind = ParamKind::Integer;
            const RUST_NAME: &'static str = stringify!($t);
            fn to_json(&self) -> Value {
                Value::from(*self)
            }
            fn from_json(value: &Value) -> Result<Self, ValueError> {
                let expected = || ValueError::expected(concat!("an integer that fits `", stringify!($t), "`"));
                match value {
                    Value::Number(n) => {
                        if let Some(i) = n.as_i64() {
                            <$t>::try_from(i).map_err(|_| expected().with_detail("out of range"))
                        } else if let Some(u) = n.as_u64() {
                            <$t>::try_from(u).map_err(|_| expected().with_detail("out of range"))
                        } else {
                            // KFP v2 carries numbers as protobuf doubles: accept 3.0, not 3.5.
                            // `MAX as f64 + 1.0` is exact where `MAX as f64` rounds up (2^63).
                            let f = n.as_f64().unwrap_or(f64::NAN);
                            if f.fract() == 0.0
                                && f >= <$t>::MIN as f64
                                && f < <$t>::MAX as f64 + 1.0
                            {
                                Ok(f as $t)
                            } else {
                                Err(expected())
                            }
                        }
                    }
                    Value::String(s) => Self::from_text(s),
                    _ => Err(expected()),
                }
            }
            fn from_text(text: &str) -> Result<Self, ValueError> {
                int_from_text(text, stringify!($t), <$t>::MIN, <$t>::MAX)
            }
        }
    )*};
}
impl_int!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

/// Why `text` is not a float, for messages.
fn float_detail(text: &str) -> &'static str {
    if text.is_empty() {
        "the value is empty"
    } else if text.trim() != text {
        "spaces around the number are not allowed"
    } else {
        "not a decimal number, `inf` or `nan`"
    }
}

/// What a float input of type `rust` accepts, for messages.
fn float_expected(rust: &str) -> ValueError {
    ValueError::expected(format!("a number that fits `{rust}`"))
}

/// Narrows a float to `f32`, refusing a finite value that `f32` cannot hold.
fn narrow_f32(f: f64, text: &str) -> Result<f32, ValueError> {
    #[allow(clippy::cast_possible_truncation)] // the range is checked just below
    let narrow = f as f32;
    if narrow.is_infinite() && f.is_finite() {
        Err(float_expected("f32")
            .with_detail(format!("{text} is beyond the largest `f32`, {}", f32::MAX)))
    } else {
        Ok(narrow)
    }
}

impl KfpType for f64 {
    const KIND: ParamKind = ParamKind::Float;
    const RUST_NAME: &'static str = "f64";
    fn to_json(&self) -> Value {
        // JSON has no `nan` or `inf`: those travel as the text Python's `str()` gives them.
        serde_json::Number::from_f64(*self)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(pyjson::float_repr(*self)))
    }
    fn from_json(value: &Value) -> Result<Self, ValueError> {
        match value {
            Value::Number(n) => n.as_f64().ok_or_else(|| float_expected("f64")),
            Value::String(s) => Self::from_text(s),
            _ => Err(float_expected("f64")),
        }
    }
    /// Reads Python's `str(float)`: `2.0`, `1e-05`, `1e+16`, `inf`, `-inf`, `nan`; like
    /// Python's `float()`, a value beyond the largest `f64` reads as infinity.
    fn from_text(text: &str) -> Result<Self, ValueError> {
        text.parse::<f64>()
            .map_err(|_| float_expected("f64").with_detail(float_detail(text)))
    }
}

impl KfpType for f32 {
    const KIND: ParamKind = ParamKind::Float;
    const RUST_NAME: &'static str = "f32";
    fn to_json(&self) -> Value {
        f64::from(*self).to_json()
    }
    fn from_json(value: &Value) -> Result<Self, ValueError> {
        match value {
            Value::Number(n) => {
                let f = n.as_f64().ok_or_else(|| float_expected("f32"))?;
                narrow_f32(f, &n.to_string())
            }
            Value::String(s) => Self::from_text(s),
            _ => Err(float_expected("f32")),
        }
    }
    /// Reads a float as for `f64`, refusing a finite value beyond the largest `f32`.
    fn from_text(text: &str) -> Result<Self, ValueError> {
        // Parsed straight to `f32`: going through `f64` could round twice.
        let narrow = text
            .parse::<f32>()
            .map_err(|_| float_expected("f32").with_detail(float_detail(text)))?;
        match text.parse::<f64>() {
            Ok(wide) if narrow.is_infinite() && wide.is_finite() => narrow_f32(wide, text),
            _ => Ok(narrow),
        }
    }
}

fn parse_json(text: &str, what: &str) -> Result<Value, ValueError> {
    serde_json::from_str(text).map_err(|e| ValueError::expected(what.to_owned()).with_detail(e))
}

fn element_error(index: impl fmt::Display, e: ValueError) -> ValueError {
    ValueError {
        expected: e.expected,
        detail: Some(match e.detail {
            Some(d) => format!("at {index}: {d}"),
            None => format!("at {index}"),
        }),
    }
}

impl<T: KfpType> KfpType for Vec<T> {
    const KIND: ParamKind = ParamKind::List;
    const RUST_NAME: &'static str = "Vec";
    const ITEM_ARTIFACT: Option<crate::artifact::ArtifactType> = T::ARTIFACT;
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(KfpType::to_json).collect())
    }
    fn from_json(value: &Value) -> Result<Self, ValueError> {
        match value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| T::from_json(v).map_err(|e| element_error(format!("[{i}]"), e)))
                .collect(),
            Value::String(s) => Self::from_text(s),
            _ => Err(ValueError::expected("a JSON array")),
        }
    }
    fn from_text(text: &str) -> Result<Self, ValueError> {
        match parse_json(text, "a JSON array")? {
            v @ Value::Array(_) => Self::from_json(&v),
            _ => Err(ValueError::expected("a JSON array")),
        }
    }
}

fn map_from_json<T: KfpType, M: FromIterator<(String, T)>>(value: &Value) -> Result<M, ValueError> {
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                T::from_json(v)
                    .map(|t| (k.clone(), t))
                    .map_err(|e| element_error(format!("key {k:?}"), e))
            })
            .collect(),
        Value::String(s) => match parse_json(s, "a JSON object")? {
            v @ Value::Object(_) => map_from_json(&v),
            _ => Err(ValueError::expected("a JSON object")),
        },
        _ => Err(ValueError::expected("a JSON object")),
    }
}

impl<T: KfpType> KfpType for BTreeMap<String, T> {
    const KIND: ParamKind = ParamKind::Struct;
    const RUST_NAME: &'static str = "BTreeMap";
    fn to_json(&self) -> Value {
        Value::Object(self.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
    }
    fn from_json(value: &Value) -> Result<Self, ValueError> {
        map_from_json(value)
    }
    fn from_text(text: &str) -> Result<Self, ValueError> {
        map_from_json(&Value::String(text.to_owned()))
    }
}

impl<T: KfpType, S: std::hash::BuildHasher + Default> KfpType for HashMap<String, T, S> {
    const KIND: ParamKind = ParamKind::Struct;
    const RUST_NAME: &'static str = "HashMap";
    fn to_json(&self) -> Value {
        // Sorted, so that the same map always gives the same YAML.
        let sorted: BTreeMap<&String, &T> = self.iter().collect();
        Value::Object(
            sorted
                .into_iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect(),
        )
    }
    fn from_json(value: &Value) -> Result<Self, ValueError> {
        map_from_json(value)
    }
    fn from_text(text: &str) -> Result<Self, ValueError> {
        map_from_json(&Value::String(text.to_owned()))
    }
}

impl KfpType for serde_json::Map<String, Value> {
    const KIND: ParamKind = ParamKind::Struct;
    const RUST_NAME: &'static str = "serde_json::Map";
    fn to_json(&self) -> Value {
        Value::Object(self.clone())
    }
    fn from_json(value: &Value) -> Result<Self, ValueError> {
        match value {
            Value::Object(map) => Ok(map.clone()),
            Value::String(s) => Self::from_text(s),
            _ => Err(ValueError::expected("a JSON object")),
        }
    }
    fn from_text(text: &str) -> Result<Self, ValueError> {
        match parse_json(text, "a JSON object")? {
            Value::Object(map) => Ok(map),
            _ => Err(ValueError::expected("a JSON object")),
        }
    }
}

/// A serde struct passed as a KFP `JsonObject` (v2 `STRUCT`).
///
/// ```
/// use kfp_core::Json;
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Config { epochs: i64 }
/// let cfg = Json(Config { epochs: 3 });
/// assert_eq!(cfg.epochs, 3);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: serde::Serialize + serde::de::DeserializeOwned> KfpType for Json<T> {
    const KIND: ParamKind = ParamKind::Struct;
    const RUST_NAME: &'static str = "Json";
    fn to_json(&self) -> Value {
        serde_json::to_value(&self.0).unwrap_or(Value::Null)
    }
    fn from_json(value: &Value) -> Result<Self, ValueError> {
        match value {
            Value::String(s) => Self::from_text(s),
            v => T::deserialize(v).map(Json).map_err(|e| {
                ValueError::expected("a JSON object of the struct's shape").with_detail(e)
            }),
        }
    }
    fn from_text(text: &str) -> Result<Self, ValueError> {
        serde_json::from_str(text)
            .map(Json)
            .map_err(|e| ValueError::expected("a JSON object of the struct's shape").with_detail(e))
    }
}

impl<T: KfpType> KfpType for Option<T> {
    const KIND: ParamKind = T::KIND;
    const OPTIONAL: bool = true;
    const RUST_NAME: &'static str = "Option";
    fn to_json(&self) -> Value {
        match self {
            Some(v) => v.to_json(),
            None => Value::Null,
        }
    }
    fn from_json(value: &Value) -> Result<Self, ValueError> {
        match value {
            Value::Null => Ok(None),
            v => T::from_json(v).map(Some),
        }
    }
    fn from_text(text: &str) -> Result<Self, ValueError> {
        T::from_text(text).map(Some)
    }
    fn absent() -> Option<Self> {
        Some(None)
    }
    fn to_text(&self) -> String {
        match self {
            Some(v) => v.to_text(),
            None => "None".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err<T: KfpType + fmt::Debug>(text: &str) -> String {
        match T::from_text(text) {
            Ok(v) => panic!("{text:?} read as {v:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn integers_read_what_kfp_writes_and_nothing_else() {
        assert_eq!(i64::from_text("3"), Ok(3));
        assert_eq!(i64::from_text("-42"), Ok(-42));
        assert_eq!(i64::from_text("+7"), Ok(7));
        assert_eq!(i64::from_text("-0"), Ok(0));
        assert_eq!(i64::from_text("9223372036854775807"), Ok(i64::MAX));
        assert_eq!(i64::from_text("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(u64::from_text("18446744073709551615"), Ok(u64::MAX));
        for (text, detail) in [
            ("", "the value is empty"),
            ("3.0", "without a fraction or exponent"),
            ("1e3", "without a fraction or exponent"),
            (" 3", "spaces around the digits"),
            ("3\n", "spaces around the digits"),
            ("abc", "not a decimal integer"),
            ("0x10", "not a decimal integer"),
            ("1_000", "not a decimal integer"),
            ("inf", "not a decimal integer"),
            ("٣", "not a decimal integer"),
            (
                "9223372036854775808",
                "too large; the largest `i64` is 9223372036854775807",
            ),
            (
                "-9223372036854775809",
                "too small; the smallest `i64` is -9223372036854775808",
            ),
        ] {
            let e = err::<i64>(text);
            assert!(
                e.starts_with("expected an integer that fits `i64`"),
                "{text:?}: {e}"
            );
            assert!(e.contains(detail), "{text:?}: {e}");
        }
        assert!(err::<u8>("256").contains("the largest `u8` is 255"));
        assert!(err::<u8>("-1").contains("a negative number; the smallest `u8` is 0"));
        assert!(err::<i8>("-129").contains("the smallest `i8` is -128"));
    }

    #[test]
    fn integers_from_json_stay_in_range() {
        assert_eq!(i64::from_json(&json!(3)), Ok(3));
        assert_eq!(i64::from_json(&json!(3.0)), Ok(3));
        assert_eq!(i64::from_json(&json!("12")), Ok(12));
        assert_eq!(i8::from_json(&json!(127.0)), Ok(127));
        assert_eq!(i8::from_json(&json!(-128.0)), Ok(-128));
        assert!(i8::from_json(&json!(128.0)).is_err());
        assert!(i8::from_json(&json!(128)).is_err());
        assert!(i64::from_json(&json!(3.5)).is_err());
        // 2^63 is one past `i64::MAX`, though `i64::MAX as f64` rounds to it.
        assert!(i64::from_json(&json!(9_223_372_036_854_775_808.0_f64)).is_err());
        assert_eq!(
            i64::from_json(&json!(-9_223_372_036_854_775_808.0_f64)),
            Ok(i64::MIN)
        );
        assert!(u64::from_json(&json!(18_446_744_073_709_551_616.0_f64)).is_err());
        assert!(u64::from_json(&json!(-1)).is_err());
        assert!(i64::from_json(&json!(true)).is_err());
    }

    #[test]
    fn floats_read_python_str() {
        for (text, want) in [
            ("2.0", 2.0),
            ("0.25", 0.25),
            ("-0.0", -0.0),
            ("1e-05", 1e-5),
            ("1e+16", 1e16),
            ("1.7976931348623157e+308", f64::MAX),
            ("5e-324", 5e-324),
            ("3", 3.0),
            ("inf", f64::INFINITY),
            ("-inf", f64::NEG_INFINITY),
            ("Infinity", f64::INFINITY),
            ("1e400", f64::INFINITY),
        ] {
            let got = f64::from_text(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(got.to_bits(), want.to_bits(), "{text:?}");
        }
        assert!(f64::from_text("nan").is_ok_and(f64::is_nan));
        assert!(f64::from_text("NaN").is_ok_and(f64::is_nan));
        for (text, detail) in [
            ("", "the value is empty"),
            (" 1.5", "spaces around the number"),
            ("1.5\n", "spaces around the number"),
            ("abc", "not a decimal number"),
            ("1,5", "not a decimal number"),
            ("0x1p3", "not a decimal number"),
        ] {
            let e = err::<f64>(text);
            assert!(
                e.starts_with("expected a number that fits `f64`"),
                "{text:?}: {e}"
            );
            assert!(e.contains(detail), "{text:?}: {e}");
        }
    }

    #[test]
    fn f32_refuses_what_it_cannot_hold() {
        assert_eq!(f32::from_text("0.1"), Ok(0.1_f32));
        assert_eq!(f32::from_text("inf"), Ok(f32::INFINITY));
        assert_eq!(f32::from_text("3.4028235e+38"), Ok(f32::MAX));
        let e = err::<f32>("1e39");
        assert!(
            e.contains("fits `f32`") && e.contains("1e39 is beyond"),
            "{e}"
        );
        assert!(f32::from_json(&json!(1e39)).is_err());
        assert_eq!(f32::from_json(&json!(0.5)), Ok(0.5));
        // The text of an `f32` output reads back as the same `f32`.
        for x in [0.1_f32, f32::MAX, f32::MIN_POSITIVE, -1.5e-45, 16_777_217.0] {
            assert_eq!(f32::from_text(&x.to_text()), Ok(x), "{x:?}");
        }
    }

    #[test]
    fn floats_write_python_str() {
        assert_eq!(2.0_f64.to_text(), "2.0");
        assert_eq!(1e16_f64.to_text(), "1e+16");
        assert_eq!(1e-5_f64.to_text(), "1e-05");
        assert_eq!(f64::INFINITY.to_text(), "inf");
        assert_eq!(f64::NEG_INFINITY.to_text(), "-inf");
        assert_eq!(f64::NAN.to_text(), "nan");
        assert_eq!((-0.0_f64).to_text(), "-0.0");
    }

    #[test]
    fn booleans_follow_strtobool() {
        for t in [
            "y", "Y", "yes", "YES", "t", "True", "TRUE", "true", "on", "On", "1",
        ] {
            assert_eq!(bool::from_text(t), Ok(true), "{t}");
        }
        for f in [
            "n", "N", "no", "No", "f", "False", "false", "FALSE", "off", "OFF", "0",
        ] {
            assert_eq!(bool::from_text(f), Ok(false), "{f}");
        }
        for bad in [
            "", "maybe", " True", "True ", "2", "-1", "yess", "tru", "none", "None",
        ] {
            let e = err::<bool>(bad);
            assert!(e.contains("`True` or `False` for a `bool`"), "{bad:?}: {e}");
        }
        assert_eq!(true.to_text(), "True");
        assert_eq!(false.to_text(), "False");
        assert_eq!(bool::from_json(&json!("yes")), Ok(true));
        assert!(bool::from_json(&json!(1)).is_err());
    }

    #[test]
    fn collections_are_json_with_sorted_keys() {
        assert_eq!(vec![4_i64, 5].to_text(), "[4, 5]");
        assert_eq!(Vec::<i64>::from_text("[4, 5]"), Ok(vec![4, 5]));
        assert_eq!(Vec::<i64>::from_text("[]"), Ok(vec![]));
        let e = err::<Vec<i64>>(r#"[1, "x"]"#);
        assert!(e.contains("fits `i64`") && e.contains("at [1]"), "{e}");
        assert!(err::<Vec<i64>>("[1, 2").contains("expected a JSON array"));
        assert!(err::<Vec<i64>>(r#"{"a": 1}"#).contains("expected a JSON array"));
        let map: BTreeMap<String, Vec<i64>> = [("b".to_owned(), vec![1]), ("a".to_owned(), vec![])]
            .into_iter()
            .collect();
        assert_eq!(map.to_text(), r#"{"a": [], "b": [1]}"#);
        let obj =
            serde_json::Map::<String, Value>::from_text(r#"{"z": {"y": 1, "x": "é"}, "a": null}"#)
                .unwrap();
        assert_eq!(
            obj.to_text(),
            r#"{"a": null, "z": {"x": "\u00e9", "y": 1}}"#
        );
        assert!(err::<serde_json::Map<String, Value>>("[1]").contains("expected a JSON object"));
        let e = err::<BTreeMap<String, i64>>(r#"{"k": "v"}"#);
        assert!(e.contains("key \"k\""), "{e}");
    }

    #[test]
    fn floats_in_json_read_back_exactly() {
        // Needs serde_json's `float_roundtrip`: its default parser is one ulp off here.
        for x in [
            5.249498622732186e106_f64,
            -9.395992654927369e-121,
            -9.31338884989072e47,
        ] {
            let back = Vec::<f64>::from_text(&vec![x].to_text()).unwrap();
            assert_eq!(back[0].to_bits(), x.to_bits(), "{x:e}");
        }
    }

    #[test]
    fn strings_are_raw() {
        for s in [
            "",
            "None",
            "--epochs",
            "a\nb",
            "'\"`$(x)",
            "日本語 \u{1f600}",
        ] {
            assert_eq!(String::from_text(s).as_deref(), Ok(s));
            assert_eq!(s.to_owned().to_text(), s);
        }
    }

    #[test]
    fn options_are_absent_or_the_inner_type() {
        assert_eq!(Option::<i64>::absent(), Some(None));
        assert_eq!(i64::absent(), None);
        assert_eq!(Option::<i64>::from_text("3"), Ok(Some(3)));
        assert!(Option::<i64>::from_text("x").is_err());
        assert_eq!(Option::<i64>::from_json(&Value::Null), Ok(None));
    }
}
