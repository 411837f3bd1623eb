//! What the v1 back end refuses: what an Argo Workflow as kfp 1.8.9 writes it cannot express.
//! The checks every target shares run first (`compiler/check.rs`).

use serde_json::Value;

use crate::compiler::constants;
use crate::control::{CmpOp, GroupKind};
use crate::error::BuildError;
use crate::settings::EnvSource;
use crate::spec::pipeline::{Arg, Pipeline};

/// Every problem with `p` that only KFP v1 has.
pub(crate) fn check(p: &Pipeline, errors: &mut Vec<BuildError>) {
    // Measuring text means serialising, which recurses: only once the depth is known safe.
    if constants::all_shallow(p) {
        check_tags(p, errors);
    }
    check_created_pvcs(p, errors);
    check_one_of(p, errors);
    check_groups_and_inputs(p, errors);
}

/// A created PVC is an Argo `resource` template whose manifest is written at compile time.
fn check_created_pvcs(pipeline: &Pipeline, errors: &mut Vec<BuildError>) {
    for task in &pipeline.tasks {
        if crate::volumes::is_create_pvc(&task.component) {
            let non_constant = task
                .args
                .iter()
                .zip(&task.component.inputs)
                .find(|(a, _)| matches!(a, Some(a) if !matches!(a, Arg::Constant(_))));
            if let Some((_, input)) = non_constant {
                errors.push(BuildError::Unsupported {
                    task: task.name.clone(),
                    message: format!(
                        "`{}` of a created PVC must be a constant on KFP v1",
                        input.name
                    ),
                });
            }
        }
    }
}

/// KFP v1 has no `OneOf`.
fn check_one_of(p: &Pipeline, errors: &mut Vec<BuildError>) {
    for task in &p.tasks {
        for arg in task.args.iter().flatten() {
            if matches!(arg, Arg::OneOf { .. }) {
                errors.push(BuildError::Unsupported {
                    task: task.name.clone(),
                    message: "it takes a `OneOf` (kfp's `dsl.OneOf`), which only KFP v2 can do; \
                              compile with `--target v2`"
                        .into(),
                });
            }
        }
    }
}

/// What KFP v1 cannot express: `elif`/`else` branches, fan-in of a loop's outputs, and a
/// task's final status.
fn check_groups_and_inputs(p: &Pipeline, errors: &mut Vec<BuildError>) {
    for (index, g) in p.groups.iter().enumerate() {
        // An ordered comparison stands unquoted in Argo's `when`: only a number can.
        if let GroupKind::Condition { condition, .. } = &g.kind {
            if !matches!(condition.op, CmpOp::Eq | CmpOp::Ne) {
                for arg in [&condition.lhs, &condition.rhs] {
                    if let Arg::Constant(v) = arg {
                        let text = crate::types::constant_text(v);
                        if !super::is_govaluate_number(&text) {
                            errors.push(BuildError::Unsupported {
                                task: g.name(),
                                message: format!(
                                    "its condition compares with `{}` {text:?}, which is not a \
                                     number: KFP v1 writes it unquoted into Argo's `when`, where \
                                     only a number is safe; compare with a number, or use \
                                     `.equals(..)`",
                                    condition.op
                                ),
                            });
                        }
                    }
                }
            }
        }
        if let GroupKind::Loop {
            items: crate::control::LoopItems::Collected { .. },
            ..
        } = &g.kind
        {
            let readers: Vec<String> = p
                .tasks
                .iter()
                .filter(|t| {
                    t.args
                        .iter()
                        .flatten()
                        .any(|a| matches!(a, Arg::LoopItem { group, .. } if *group == index))
                })
                .map(|t| format!("`{}`", t.name))
                .collect();
            errors.push(BuildError::Unsupported {
                task: g.name(),
                message: format!(
                    "it loops over the outputs of a loop collected into a nested pipeline's \
                     list parameter (kfp's `dsl.Collected`), read by task {}: a loop over \
                     files, which only KFP v2 can do; compile with `--target v2`",
                    readers.join(", ")
                ),
            });
        }
        if let GroupKind::Branch { condition, .. } = &g.kind {
            let which = if condition.is_some() {
                "`.elif(..)` (kfp's `dsl.Elif`)"
            } else {
                "`.otherwise(..)` (kfp's `dsl.Else`)"
            };
            errors.push(BuildError::Unsupported {
                task: g.name(),
                message: format!(
                    "{which} exists only on KFP v2; compile with `--target v2`, or write a \
                     separate `.then(..)` for each case with the comparisons negated"
                ),
            });
        }
    }
    // KFP v1 fills in no final status, not even an exit task's.
    let misplaced = crate::final_status::misplaced_final_status(p, false);
    for task in &p.tasks {
        for arg in task.args.iter().flatten() {
            if let Arg::Collected { task: producer, .. } = arg {
                let producer = p.task(*producer).map_or("?", |t| t.name.as_str());
                errors.push(BuildError::Unsupported {
                    task: task.name.clone(),
                    message: format!(
                        "it takes the outputs of `{producer}` collected from a loop (kfp's \
                         `dsl.Collected`), which only KFP v2 can do; compile with `--target v2`"
                    ),
                });
            }
        }
        for (_, input) in misplaced.iter().filter(|(t, _)| std::ptr::eq(*t, task)) {
            errors.push(BuildError::Unsupported {
                task: task.name.clone(),
                message: format!(
                    "input `{input}` is a `TaskFinalStatus`, which only KFP v2 fills in; \
                     compile with `--target v2`"
                ),
            });
        }
    }
}

/// Argo resolves `{{...}}` in every string of a template (and rejects what it cannot
/// resolve), and has no escape for it: a constant, environment value or display name holding
/// `{{` would be read as a tag, so KFP v1 refuses it. KFP v2 writes constants as values, not
/// into templates, and takes them as they are.
fn check_tags(pipeline: &Pipeline, errors: &mut Vec<BuildError>) {
    let mut found: Vec<(String, String)> = Vec::new();
    for (task, field, v) in constants::constants(pipeline) {
        let text = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if text.contains("{{") {
            found.push((task, field));
        }
    }
    for task in &pipeline.tasks {
        for e in &task.settings.env {
            if let EnvSource::Value(v) = &e.source {
                if v.contains("{{") {
                    found.push((
                        task.name.clone(),
                        format!("environment variable `{}`", e.name),
                    ));
                }
            }
        }
        if task
            .display_name
            .as_deref()
            .is_some_and(|d| d.contains("{{"))
        {
            found.push((task.name.clone(), "its display name".to_owned()));
        }
    }
    for (task, field) in found {
        errors.push(BuildError::Unsupported {
            task,
            message: format!(
                "{field} holds `{{{{`, which Argo (KFP v1) reads as the start of a template tag \
                 and resolves or rejects; KFP v1 has no escape for it; pass the text as a \
                 pipeline argument when the run starts, or compile with `--target v2`"
            ),
        });
    }
}
