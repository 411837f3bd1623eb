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
pub fn output_text(value: &Value) -> String {
    match value {
        Value::Array(_) | Value::Object(_) => pyjson::dumps(value, true),
        other => pyjson::str_value(other),
    }
}

/// The text of a constant argument on the v1 command line (Python's `str()` of the value).
pub fn constant_text(value: &Value) -> String {
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
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "y" | "yes" | "t" | "true" | "on" | "1" => Some(true),
        "n" | "no" | "f" | "false" | "off" | "0" => Some(false),
        _ => None,
    }
}

impl KfpType for bool {
    const KIND: ParamKind = ParamKind::Boolean;
    const RUST_NAME: &'static str = "bool";
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_json(value: &Value) -> Result<Self, ValueError> {
        match value {
            Value::Bool(b) => Ok(*b),
            Value::String(s) => {
                parse_bool(s).ok_or_else(|| ValueError::expected("a boolean (true or false)"))
            }
            _ => Err(ValueError::expected("a boolean (true or false)")),
        }
    }
    fn from_text(text: &str) -> Result<Self, ValueError> {
        parse_bool(text).ok_or_else(|| {
            ValueError::expected(
                "a boolean: True or False (also y/yes/t/true/on/1 or n/no/f/false/off/0, any case)",
            )
        })
    }
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
                            let f = n.as_f64().unwrap_or(f64::NAN);
                            if f.fract() == 0.0 && f >= <$t>::MIN as f64 && f <= <$t>::MAX as f64 {
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
                text.parse::<$t>().map_err(|e| {
                    ValueError::expected(concat!("an integer that fits `", stringify!($t), "`"))
                        .with_detail(e)
                })
            }
        }
    )*};
}
impl_int!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

macro_rules! impl_float {
    ($($t:ty),*) => {$(
        impl KfpType for $t {
            const KIND: ParamKind = ParamKind::Float;
            const RUST_NAME: &'static str = stringify!($t);
            fn to_json(&self) -> Value {
                serde_json::Number::from_f64(f64::from(*self))
                    .map(Value::Number)
                    .unwrap_or_else(|| Value::String(pyjson::float_repr(f64::from(*self))))
            }
            fn from_json(value: &Value) -> Result<Self, ValueError> {
                match value {
                    Value::Number(n) => n
                        .as_f64()
                        .map(|f| f as $t)
                        .ok_or_else(|| ValueError::expected("a number")),
                    Value::String(s) => Self::from_text(s),
                    _ => Err(ValueError::expected("a number")),
                }
            }
            fn from_text(text: &str) -> Result<Self, ValueError> {
                text.trim()
                    .parse::<$t>()
                    .map_err(|e| ValueError::expected("a number").with_detail(e))
            }
        }
    )*};
}
impl_float!(f64, f32);

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
