//! Checks on the constants a pipeline writes into its YAML: nesting the runtime can parse.
//! (KFP v1 also refuses an Argo template tag in one: `compiler/v1/check.rs`.)

use serde_json::Value;

use crate::control::{GroupKind, LoopItems};
use crate::error::BuildError;
use crate::spec::pipeline::{Arg, Pipeline};

/// The deepest nesting of lists and maps a constant may have: `serde_json`'s recursion limit,
/// past which the pod's parser stops. Deeper constants could never
/// be read back, and would overflow the stack of the serialiser first.
pub const MAX_DEPTH: usize = 127;

/// How deeply `value` nests lists and maps (a scalar is 0), counted without recursion so
/// that any depth is safe to measure; stops counting past [`MAX_DEPTH`].
pub fn depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut todo: Vec<(&Value, usize)> = vec![(value, 0)];
    while let Some((v, d)) = todo.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match v {
            Value::Array(a) => Box::new(a.iter()),
            Value::Object(m) => Box::new(m.values()),
            _ => continue,
        };
        deepest = deepest.max(d + 1);
        if deepest > MAX_DEPTH {
            return deepest;
        }
        todo.extend(children.map(|c| (c, d + 1)));
    }
    deepest
}

/// Every constant of `pipeline` with the task (or group, or parameter) it belongs to and
/// where it stands.
pub(crate) fn constants(pipeline: &Pipeline) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for p in &pipeline.params {
        if let Some(d) = &p.default {
            out.push((
                format!("(pipeline parameter {})", p.name),
                "its default".to_owned(),
                d,
            ));
        }
    }
    for task in &pipeline.tasks {
        let inputs = &task.component.inputs;
        for (i, arg) in task.args.iter().enumerate() {
            if let Some(Arg::Constant(v)) = arg {
                let input = inputs.get(i).map_or("?", |s| s.name.as_str());
                out.push((task.name.clone(), format!("input `{input}`"), v));
            }
        }
        // In input-name order, the order the errors are reported in.
        let mut defaults: Vec<(&str, &Value)> = task.component.defaults().collect();
        defaults.sort_by_key(|(name, _)| *name);
        for (name, v) in defaults {
            out.push((
                task.name.clone(),
                format!("the default of input `{name}`"),
                v,
            ));
        }
    }
    for g in &pipeline.groups {
        match &g.kind {
            GroupKind::Condition { condition, .. } => {
                for arg in [&condition.lhs, &condition.rhs] {
                    if let Arg::Constant(v) = arg {
                        out.push((g.name(), "its condition".to_owned(), v));
                    }
                }
            }
            GroupKind::Loop {
                items: LoopItems::Static(items),
                ..
            } => {
                for v in items {
                    out.push((g.name(), "its items".to_owned(), v));
                }
            }
            _ => {}
        }
    }
    out
}

/// Refuses constants nested deeper than [`MAX_DEPTH`].
pub(crate) fn check(pipeline: &Pipeline, errors: &mut Vec<BuildError>) {
    for (task, field, v) in constants(pipeline) {
        if depth(v) > MAX_DEPTH {
            errors.push(BuildError::InvalidConstant {
                task,
                message: format!(
                    "{field} nests lists and maps more than {MAX_DEPTH} deep, which the \
                     component could never parse; flatten it"
                ),
            });
        }
    }
}

/// Whether every constant of `pipeline` nests within [`MAX_DEPTH`], so that serialising it
/// (which recurses) is safe.
pub(crate) fn all_shallow(pipeline: &Pipeline) -> bool {
    constants(pipeline)
        .iter()
        .all(|(_, _, v)| depth(v) <= MAX_DEPTH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(n: usize) -> Value {
        let mut v = Value::from(1);
        for _ in 0..n {
            v = Value::Array(vec![v]);
        }
        v
    }

    #[test]
    fn max_depth_is_what_the_parser_reads() {
        let ok = nested(MAX_DEPTH);
        assert_eq!(depth(&ok), MAX_DEPTH);
        let text = serde_json::to_string(&ok).unwrap();
        assert!(serde_json::from_str::<Value>(&text).is_ok());
        let over = nested(MAX_DEPTH + 1);
        assert!(depth(&over) > MAX_DEPTH);
        let text = serde_json::to_string(&over).unwrap();
        assert!(serde_json::from_str::<Value>(&text).is_err());
    }
}
