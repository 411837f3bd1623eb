//! A group's own fields on v1 (a condition's `when`, a loop's `withItems`/`withParam` and
//! loop-item arguments), written into its entry in the parent DAG.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

use super::dags::{Dags, Node, Ref};
use crate::control::{CmpOp, GroupKind, LoopItems};
use crate::spec::pipeline::{Arg, Pipeline};
use crate::types::constant_text;

/// Each group's `when`/`withItems`/`withParam`, resolved in its parent's DAG.
pub(super) fn group_fields(pipeline: &Pipeline, dags: &mut Dags) -> Vec<Map<String, Value>> {
    let mut group_fields: Vec<Map<String, Value>> = vec![Map::new(); pipeline.groups.len()];
    for (g, group) in pipeline.groups.iter().enumerate() {
        let fields = &mut group_fields[g];
        match &group.kind {
            GroupKind::Condition { condition, .. } => {
                let quote = matches!(condition.op, CmpOp::Eq | CmpOp::Ne);
                let mut operand = |arg: &Arg| {
                    let text = match Ref::of(arg) {
                        Some(r) => dags.resolve(&r, group.parent, Node::Group(g)),
                        None => match arg {
                            // Inside `"..."`, govaluate reads `\"` and `\\` as `"` and `\`,
                            // so a constant cannot end the string and add to the expression.
                            // `check_v1` refuses a constant that is not a number where it is
                            // not quoted.
                            Arg::Constant(v) if quote => govaluate_escape(&constant_text(v)),
                            Arg::Constant(v) => constant_text(v),
                            _ => String::new(),
                        },
                    };
                    if quote {
                        format!("\"{text}\"")
                    } else {
                        text
                    }
                };
                let lhs = operand(&condition.lhs);
                let rhs = operand(&condition.rhs);
                fields.insert(
                    "when".into(),
                    json!(format!("{lhs} {} {rhs}", condition.op)),
                );
            }
            GroupKind::Loop { items, .. } => match items {
                LoopItems::Static(values) => {
                    fields.insert("withItems".into(), json!(values));
                }
                LoopItems::Param(p) => {
                    fields.insert(
                        "withParam".into(),
                        json!(format!("{{{{workflow.parameters.{p}}}}}")),
                    );
                }
                LoopItems::Output { task, output } => {
                    let r = Ref::Output {
                        task: task.index,
                        output,
                        artifact: false,
                    };
                    let value = dags.resolve(&r, group.parent, Node::Group(g));
                    fields.insert("withParam".into(), json!(value));
                }
                // Refused for v1 by `check_v1`.
                LoopItems::Collected { .. } => {}
            },
            // `elif`/`else` branches are refused for v1 by `check`.
            GroupKind::ExitHandler { .. }
            | GroupKind::Branches
            | GroupKind::Branch { .. }
            | GroupKind::Pipeline { .. } => {}
        }
    }
    group_fields
}

/// Writes the group tasks' own fields (`when`, `withItems`, loop-item arguments) into the
/// parent DAG's task entries. Grouped by parent, so that each parent DAG's task list is walked
/// once: searching it once per group was quadratic in the number of groups.
pub(super) fn insert_into_parents(
    templates: &mut BTreeMap<String, Value>,
    pipeline: &Pipeline,
    dags: &Dags,
    group_fields: Vec<Map<String, Value>>,
    root_name: &str,
) {
    type Pending = HashMap<String, (Map<String, Value>, Vec<(String, String)>)>;
    let mut by_parent: BTreeMap<String, Pending> = BTreeMap::new();
    for (g, fields) in group_fields.into_iter().enumerate() {
        let parent_name = match pipeline.groups[g].parent {
            Some(p) => pipeline.groups[p].name(),
            None => root_name.to_owned(),
        };
        let item_args = dags.loop_item_arguments(g);
        by_parent
            .entry(parent_name)
            .or_default()
            .insert(pipeline.groups[g].name(), (fields, item_args));
    }
    for (parent_name, mut pending) in by_parent {
        if let Some(tasks) = templates
            .get_mut(&parent_name)
            .and_then(|t| t["dag"]["tasks"].as_array_mut())
        {
            for entry in tasks {
                let found = entry
                    .get("name")
                    .and_then(Value::as_str)
                    .and_then(|name| pending.remove(name));
                if let (Some((fields, item_args)), Some(entry)) = (found, entry.as_object_mut()) {
                    insert_group_fields(entry, fields, item_args);
                }
            }
        }
    }
}

/// Adds a group task's `when`/`withItems`/`withParam` and loop-item arguments to its entry in
/// the parent DAG, in kfp's key order (name, template, when, dependencies, arguments, with*).
pub(super) fn insert_group_fields(
    entry: &mut Map<String, Value>,
    mut fields: Map<String, Value>,
    item_args: Vec<(String, String)>,
) {
    let mut out = Map::new();
    for key in ["name", "template"] {
        if let Some(v) = entry.remove(key) {
            out.insert(key.into(), v);
        }
    }
    if let Some(w) = fields.remove("when") {
        out.insert("when".into(), w);
    }
    if let Some(d) = entry.remove("dependencies") {
        out.insert("dependencies".into(), d);
    }
    let mut arguments = entry.remove("arguments").unwrap_or_else(|| json!({}));
    if !item_args.is_empty() {
        let params = arguments
            .as_object_mut()
            .map(|a| a.entry("parameters").or_insert_with(|| json!([])));
        if let Some(Value::Array(list)) = params {
            for (name, value) in item_args {
                list.push(json!({"name": name, "value": value}));
            }
            list.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        }
    }
    if arguments.as_object().is_some_and(|a| !a.is_empty()) {
        out.insert("arguments".into(), arguments);
    }
    out.extend(fields);
    out.extend(std::mem::take(entry));
    *entry = out;
}

/// `text` as the inside of a govaluate string literal (Argo's `when`): `\` and `"` escaped.
pub fn govaluate_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Whether `text` is a number literal govaluate reads as one (digits, sign, point, exponent),
/// so that it can stand unquoted in a `when`.
pub(crate) fn is_govaluate_number(text: &str) -> bool {
    text.parse::<f64>().is_ok_and(f64::is_finite)
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
}
