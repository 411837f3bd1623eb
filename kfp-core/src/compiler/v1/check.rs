//! What the v1 back end refuses: what an Argo Workflow as kfp 1.8.9 writes it cannot express.

use crate::control::{CmpOp, GroupKind};
use crate::error::BuildError;
use crate::spec::pipeline::{Arg, Pipeline};

/// What KFP v1 cannot express: `elif`/`else` branches, fan-in of a loop's outputs, and a
/// task's final status.
pub(crate) fn check_v1(p: &Pipeline, errors: &mut Vec<BuildError>) {
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
