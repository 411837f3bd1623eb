//! How a local run evaluates a condition: KFP's comparisons of typed operands, and the value
//! a loop item's field takes for a string input.

use serde_json::Value;

use crate::control::{CmpOp, Condition, GroupKind};
use crate::types::ParamKind;

/// The conditions a group checks.
pub(crate) fn conditions(kind: &GroupKind) -> Vec<&Condition> {
    match kind {
        GroupKind::Condition { condition, .. } => vec![condition],
        GroupKind::Branch {
            negated, condition, ..
        } => negated.iter().chain(condition.iter()).collect(),
        _ => Vec::new(),
    }
}

/// `a op b` for operands of `kind`, as KFP's CEL compares them.
pub(crate) fn compare(kind: ParamKind, a: &Value, op: CmpOp, b: &Value) -> bool {
    use std::cmp::Ordering as O;
    let ord = match kind {
        ParamKind::Integer | ParamKind::Float => match (number(a), number(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y),
            _ => None,
        },
        ParamKind::Boolean => match (boolean(a), boolean(b)) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => None,
        },
        ParamKind::String => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => Some(x.cmp(y)),
            _ => None,
        },
        ParamKind::List | ParamKind::Struct => (a == b).then_some(O::Equal),
    };
    match (op, ord) {
        (CmpOp::Eq, Some(o)) => o == O::Equal,
        (CmpOp::Ne, o) => o != Some(O::Equal),
        (CmpOp::Lt, Some(o)) => o == O::Less,
        (CmpOp::Le, Some(o)) => o != O::Greater,
        (CmpOp::Gt, Some(o)) => o == O::Greater,
        (CmpOp::Ge, Some(o)) => o != O::Less,
        (_, None) => false,
    }
}

/// A loop item's field for a string input is passed as text: kfp types a static list's
/// fields after its first item's, so a `size: 640` reaches a `str` input.
pub(crate) fn coerce(kind: ParamKind, v: Value) -> Value {
    match (&kind, &v) {
        (ParamKind::String, Value::Number(_) | Value::Bool(_)) => {
            Value::String(crate::pyjson::str_value(&v))
        }
        _ => v,
    }
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

fn boolean(v: &Value) -> Option<bool> {
    v.as_bool()
        .or_else(|| v.as_str().and_then(crate::types::parse_bool))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn comparisons_follow_the_kind() {
        assert!(compare(
            ParamKind::Integer,
            &json!(3),
            CmpOp::Gt,
            &json!(2.5)
        ));
        assert!(compare(
            ParamKind::String,
            &json!("heads"),
            CmpOp::Eq,
            &json!("heads")
        ));
        assert!(compare(
            ParamKind::String,
            &json!("tails"),
            CmpOp::Ne,
            &json!("heads")
        ));
        assert!(compare(
            ParamKind::Boolean,
            &json!("True"),
            CmpOp::Eq,
            &json!(true)
        ));
        assert!(!compare(
            ParamKind::Integer,
            &json!("x"),
            CmpOp::Eq,
            &json!(1)
        ));
    }
}
