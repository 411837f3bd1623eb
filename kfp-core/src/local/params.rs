//! The pipeline parameters of a local run: `--param NAME=VALUE` text and JSON values, checked
//! against the types the pipeline declares, defaults filled in, before any task starts.

use serde_json::{Map, Value};

use super::LocalError;
use crate::spec::pipeline::Pipeline;
use crate::types::{parse_bool, ParamKind};

/// A parameter value as given: text from the command line, or JSON (from `--params-file` or
/// the Rust API).
#[derive(Clone, Debug, PartialEq)]
pub enum ParamValue {
    /// `--param NAME=VALUE`: parsed by the parameter's type.
    Text(String),
    /// A JSON value, which must already have the parameter's type.
    Value(Value),
}

/// Checks `given` against `pipeline`'s parameters and returns every parameter's value,
/// defaults filled in; an optional parameter without a value is left out.
pub fn resolve(
    pipeline: &Pipeline,
    given: &[(String, ParamValue)],
) -> Result<Map<String, Value>, LocalError> {
    for (name, _) in given {
        if !pipeline.params.iter().any(|p| p.name == *name) {
            return Err(LocalError::BadParam {
                name: name.clone(),
                message: format!(
                    "the pipeline has no such parameter; its parameters: {}",
                    known(pipeline)
                ),
            });
        }
    }
    let mut out = Map::new();
    for spec in &pipeline.params {
        // The last value given wins, as with repeated flags elsewhere.
        let value = match given.iter().rev().find(|(n, _)| *n == spec.name) {
            Some((_, ParamValue::Text(text))) => {
                parse_text(spec.kind, text).map_err(|expected| LocalError::BadParam {
                    name: spec.name.clone(),
                    message: format!("invalid value {text:?}: expected {expected}"),
                })?
            }
            Some((_, ParamValue::Value(v))) => {
                check_json(spec.kind, v).map_err(|expected| LocalError::BadParam {
                    name: spec.name.clone(),
                    message: format!("invalid value {v}: expected {expected}"),
                })?
            }
            None => match &spec.default {
                Some(Value::Null) => continue,
                Some(d) => d.clone(),
                None if spec.optional => continue,
                None => {
                    return Err(LocalError::BadParam {
                        name: spec.name.clone(),
                        message: format!(
                        "missing required parameter (a KFP {}); give it with `--param {}=VALUE`",
                        spec.kind, spec.name
                    ),
                    })
                }
            },
        };
        out.insert(spec.name.clone(), value);
    }
    Ok(out)
}

fn known(pipeline: &Pipeline) -> String {
    if pipeline.params.is_empty() {
        return "none".into();
    }
    pipeline
        .params
        .iter()
        .map(|p| format!("`{}` ({})", p.name, p.kind))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses command-line text as a value of `kind`; the error says what was expected.
pub fn parse_text(kind: ParamKind, text: &str) -> Result<Value, String> {
    match kind {
        ParamKind::String => Ok(Value::String(text.to_owned())),
        ParamKind::Integer => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| "an integer".to_owned()),
        ParamKind::Float => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| "a finite number".to_owned()),
        ParamKind::Boolean => parse_bool(text.trim())
            .map(Value::Bool)
            .ok_or_else(|| "true or false".to_owned()),
        ParamKind::List | ParamKind::Struct => {
            let v: Value =
                serde_json::from_str(text).map_err(|_| format!("a JSON {}", json_kind(kind)))?;
            check_json(kind, &v)
        }
    }
}

/// Checks that JSON `value` has type `kind` (an integer-valued float counts as an integer).
pub fn check_json(kind: ParamKind, value: &Value) -> Result<Value, String> {
    let ok = match kind {
        ParamKind::String => value.is_string(),
        ParamKind::Integer => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        ParamKind::Float => value.is_number(),
        ParamKind::Boolean => value.is_boolean(),
        ParamKind::List => value.is_array(),
        ParamKind::Struct => value.is_object(),
    };
    if !ok {
        return Err(format!("a {}", json_kind(kind)));
    }
    // 3.0 for an integer parameter becomes 3, as the component reads it.
    #[allow(clippy::cast_possible_truncation)]
    if kind == ParamKind::Integer && !value.is_i64() && !value.is_u64() {
        return Ok(Value::from(value.as_f64().unwrap_or_default() as i64));
    }
    Ok(value.clone())
}

fn json_kind(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::String => "string",
        ParamKind::Integer => "integer",
        ParamKind::Float => "number",
        ParamKind::Boolean => "boolean",
        ParamKind::List => "list (array)",
        ParamKind::Struct => "object",
    }
}

/// Reads a `--params-file`: a JSON object of parameter values.
pub fn read_file(path: &std::path::Path) -> Result<Vec<(String, ParamValue)>, LocalError> {
    let text = std::fs::read_to_string(path).map_err(|e| LocalError::BadParam {
        name: "--params-file".into(),
        message: format!("cannot read {}: {e}", path.display()),
    })?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map
            .into_iter()
            .map(|(k, v)| (k, ParamValue::Value(v)))
            .collect()),
        _ => Err(LocalError::BadParam {
            name: "--params-file".into(),
            message: format!(
                "{} is not a JSON object of parameter values",
                path.display()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_parses_by_kind() {
        assert_eq!(parse_text(ParamKind::Integer, "3"), Ok(Value::from(3)));
        assert!(parse_text(ParamKind::Integer, "3.5").is_err());
        assert_eq!(
            parse_text(ParamKind::Boolean, "True"),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            parse_text(ParamKind::List, "[1, 2]"),
            Ok(serde_json::json!([1, 2]))
        );
        assert!(parse_text(ParamKind::List, "{}").is_err());
        assert_eq!(parse_text(ParamKind::String, "x y"), Ok(Value::from("x y")));
    }

    #[test]
    fn json_is_checked_by_kind() {
        assert_eq!(
            check_json(ParamKind::Integer, &serde_json::json!(4.0)),
            Ok(Value::from(4))
        );
        assert!(check_json(ParamKind::Integer, &serde_json::json!("4")).is_err());
        assert!(check_json(ParamKind::Struct, &serde_json::json!({"a": 1})).is_ok());
    }
}
