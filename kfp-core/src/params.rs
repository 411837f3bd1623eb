//! `--param NAME=VALUE` arguments, typed and checked against a pipeline's declared parameters
//! before anything runs or is sent (shared by the commands that start a pipeline).

use std::fmt;

use serde_json::Value;

use crate::spec::pipeline::ParamSpec;
use crate::types::ParamKind;

/// A `--param` that does not fit the pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ParamError {
    /// Not `NAME=VALUE`.
    Syntax(String),
    /// No parameter of that name; the declared names follow.
    Unknown(String, Vec<String>),
    /// The same name twice.
    Duplicate(String),
    /// A value that is not of the parameter's type.
    BadValue {
        name: String,
        value: String,
        kind: ParamKind,
    },
    /// A parameter without a default that was not given.
    Missing(String, ParamKind),
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::Syntax(arg) => {
                write!(f, "--param `{arg}` is not NAME=VALUE")
            }
            ParamError::Unknown(name, known) => write!(
                f,
                "--param `{name}`: the pipeline has no parameter `{name}` (it has: {})",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ),
            ParamError::Duplicate(name) => write!(f, "--param `{name}` is given twice"),
            ParamError::BadValue { name, value, kind } => write!(
                f,
                "--param `{name}={value}`: `{name}` is {}, and `{value}` is not one",
                describe(*kind)
            ),
            ParamError::Missing(name, kind) => write!(
                f,
                "the pipeline parameter `{name}` ({}) has no default; pass --param {name}=VALUE",
                describe(*kind)
            ),
        }
    }
}

impl std::error::Error for ParamError {}

fn describe(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::String => "a string",
        ParamKind::Integer => "an integer",
        ParamKind::Float => "a float",
        ParamKind::Boolean => "a boolean (true or false)",
        ParamKind::List => "a list (a JSON array)",
        ParamKind::Struct => "a dict (a JSON object)",
    }
}

/// The value `text` as a parameter of `kind`, or `None` when it is not one: the same rule as
/// the local runner's `--param` ([`crate::local::parse_param`]), so a value `run` takes is one
/// `submit` takes.
pub(crate) fn typed_value(kind: ParamKind, text: &str) -> Option<Value> {
    crate::local::parse_param(kind, text).ok()
}

/// Parses `NAME=VALUE` arguments against `declared`: each name must be declared once, each
/// value must be of its parameter's type, and every parameter without a default (and not
/// optional) must be given. The values come back in the order given.
pub(crate) fn parse_params(
    declared: &[ParamSpec],
    given: &[String],
) -> Result<Vec<(String, Value)>, ParamError> {
    let mut out: Vec<(String, Value)> = Vec::with_capacity(given.len());
    for arg in given {
        let Some((name, value)) = arg.split_once('=') else {
            return Err(ParamError::Syntax(arg.clone()));
        };
        let name = name.trim();
        let Some(spec) = declared.iter().find(|p| p.name == name) else {
            return Err(ParamError::Unknown(
                name.to_owned(),
                declared.iter().map(|p| p.name.clone()).collect(),
            ));
        };
        if out.iter().any(|(n, _)| n == name) {
            return Err(ParamError::Duplicate(name.to_owned()));
        }
        let typed = typed_value(spec.kind, value).ok_or_else(|| ParamError::BadValue {
            name: name.to_owned(),
            value: value.to_owned(),
            kind: spec.kind,
        })?;
        out.push((name.to_owned(), typed));
    }
    if let Some(missing) = declared
        .iter()
        .find(|p| p.default.is_none() && !p.optional && !out.iter().any(|(n, _)| *n == p.name))
    {
        return Err(ParamError::Missing(missing.name.clone(), missing.kind));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(name: &str, kind: ParamKind, default: Option<Value>) -> ParamSpec {
        ParamSpec {
            name: name.into(),
            kind,
            default,
            optional: false,
        }
    }

    fn declared() -> Vec<ParamSpec> {
        vec![
            spec("model_name", ParamKind::String, None),
            spec("epochs", ParamKind::Integer, Some(json!(3))),
            spec("lr", ParamKind::Float, Some(json!(0.1))),
            spec("fast", ParamKind::Boolean, Some(json!(false))),
            spec("sizes", ParamKind::List, Some(json!([]))),
            spec("extra", ParamKind::Struct, Some(json!({}))),
        ]
    }

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn values_are_typed_by_the_declared_kind() {
        let got = parse_params(
            &declared(),
            &args(&[
                "model_name=yolov8n.pt",
                "epochs=5",
                "lr=1e-3",
                "fast=true",
                "sizes=[1,2]",
                "extra={\"a\":1}",
            ]),
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                ("model_name".into(), json!("yolov8n.pt")),
                ("epochs".into(), json!(5)),
                ("lr".into(), json!(0.001)),
                ("fast".into(), json!(true)),
                ("sizes".into(), json!([1, 2])),
                ("extra".into(), json!({"a": 1})),
            ]
        );
        // A string keeps `=` signs after the first.
        let got = parse_params(&declared(), &args(&["model_name=a=b"])).unwrap();
        assert_eq!(got, vec![("model_name".into(), json!("a=b"))]);
    }

    #[test]
    fn bad_params_name_the_parameter() {
        let d = declared();
        let err = |a: &[&str]| parse_params(&d, &args(a)).unwrap_err().to_string();
        assert_eq!(
            err(&["model_name=m", "epochs=three"]),
            "--param `epochs=three`: `epochs` is an integer, and `three` is not one"
        );
        assert!(err(&["model_name=m", "epoch=3"]).starts_with(
            "--param `epoch`: the pipeline has no parameter `epoch` (it has: model_name, epochs"
        ));
        assert_eq!(
            err(&["model_name"]),
            "--param `model_name` is not NAME=VALUE"
        );
        assert_eq!(
            err(&["model_name=a", "model_name=b"]),
            "--param `model_name` is given twice"
        );
        assert_eq!(
            err(&["epochs=1"]),
            "the pipeline parameter `model_name` (a string) has no default; pass --param model_name=VALUE"
        );
        assert!(err(&["model_name=m", "fast=maybe"]).contains("a boolean"));
        assert!(err(&["model_name=m", "sizes={}"]).contains("a list"));
        assert!(err(&["model_name=m", "lr=nan"]).contains("a float"));
    }
}
