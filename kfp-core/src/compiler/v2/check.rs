//! Problems only the KFP v2 target has with a pipeline's groups: what kfp 2.17.3 refuses (or
//! crashes on), as typed errors naming the tasks and groups.

use super::channels::{Context, Node};
use crate::control::{GroupKind, LoopItems};
use crate::error::BuildError;
use crate::spec::pipeline::{Arg, Pipeline};

/// Every problem with `p`'s groups that stops it compiling for KFP v2.
pub(crate) fn check(p: &Pipeline, errors: &mut Vec<BuildError>) {
    let cx = Context::new(p);
    check_groups(&cx, errors);
    check_fields(p, errors);
    check_collected(&cx, errors);
    check_after(&cx, errors);
    check_final_status(p, errors);
    super::containers::check_untyped_values(p, errors);
}

fn check_groups(cx: &Context, errors: &mut Vec<BuildError>) {
    for (g, group) in cx.p.groups.iter().enumerate() {
        if !group.conditions().is_empty() {
            if let Err(message) = cx.trigger_condition(g) {
                errors.push(BuildError::Unsupported {
                    task: group.name(),
                    message,
                });
            }
        }
        if let GroupKind::Loop {
            items, item_kind, ..
        } = &group.kind
        {
            let message = match items {
                LoopItems::Static(values) if values.is_empty() => {
                    Some("it loops over an empty list, which KFP v2 refuses")
                }
                LoopItems::Static(_) if item_kind.is_none() => Some(
                    "its first item is `null`: KFP v2 types a static list's items after the first",
                ),
                _ => None,
            };
            if let Some(message) = message {
                errors.push(BuildError::InvalidGroup {
                    group: group.name(),
                    message: message.into(),
                });
            }
        }
    }
}

/// A field of a loop's item names an input (`...-subvar-<field>`) and is read with a CEL
/// selector: kfp takes only Python identifiers.
fn check_fields(p: &Pipeline, errors: &mut Vec<BuildError>) {
    let legal = |f: &str| {
        f.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let conditions = p
        .groups
        .iter()
        .flat_map(|g| g.conditions())
        .flat_map(|(c, _)| [&c.lhs, &c.rhs]);
    let args = p.tasks.iter().flat_map(|t| t.args.iter().flatten());
    let mut seen = std::collections::BTreeSet::new();
    for arg in conditions.chain(args) {
        if let Arg::LoopItem {
            group,
            field: Some(f),
        } = arg
        {
            if !legal(f) && seen.insert((group, f)) {
                let loop_name = p.groups.get(*group).map(|g| g.name()).unwrap_or_default();
                errors.push(BuildError::InvalidGroup {
                    group: loop_name,
                    message: format!(
                        "its item's field `{f}` is not a valid field name on KFP v2: use letters, \
                         digits and `_`, not starting with a digit"
                    ),
                });
            }
        }
    }
}

/// kfp's `validate_parallel_for_fan_in_consumption_legal`: a collected output comes from a
/// task inside a loop that the consumer is outside of, and that loop is not inside a
/// condition or exit handler the consumer is outside of.
fn check_collected(cx: &Context, errors: &mut Vec<BuildError>) {
    for (t, task) in cx.p.tasks.iter().enumerate() {
        for arg in task.args.iter().flatten() {
            let Arg::Collected { task: id, output } = arg else {
                continue;
            };
            let Some(producer) = cx.p.task(*id) else {
                errors.push(BuildError::ForeignTask {
                    task: task.name.clone(),
                    input: None,
                });
                continue;
            };
            let (up, _) = cx.uncommon(Node::Task(id.index()), Node::Task(t));
            let groups = &up[..up.len().saturating_sub(1)];
            let message = if !groups.iter().any(|&n| cx.is_loop(n)) {
                Some(format!(
                    "it collects the outputs of `{}`, which is not inside a loop that `{}` is \
                     outside of; collect a loop's outputs after the loop",
                    producer.name, task.name
                ))
            } else if !groups.first().is_some_and(|&n| cx.is_loop(n)) {
                let group = match groups.first() {
                    Some(Node::Group(g)) => cx.group(*g).map(|g| g.name()).unwrap_or_default(),
                    _ => String::new(),
                };
                Some(format!(
                    "it collects the outputs of `{}` from a loop inside `{group}`, which may not \
                     run: collect them inside `{group}` too",
                    producer.name
                ))
            } else {
                None
            };
            if let Some(message) = message {
                errors.push(BuildError::Unsupported {
                    task: task.name.clone(),
                    message,
                });
                continue;
            }
            let artifact = producer
                .component
                .outputs
                .iter()
                .position(|o| o.name == *output);
            let is_artifact = artifact.is_some_and(|i| {
                crate::compiler::v2_io::output_io(&producer.component, i).is_artifact()
            });
            // Files collect into an input that takes a list of artifacts.
            let into_list = task.args.iter().enumerate().any(|(i, a)| {
                a.as_ref() == Some(arg)
                    && crate::compiler::v2_io::input_is_artifact_list(&task.component, i)
            });
            if is_artifact && !into_list {
                errors.push(BuildError::Unsupported {
                    task: task.name.clone(),
                    message: format!(
                        "it collects the file `{output}` of `{}` from a loop into an input that \
                         does not take a list of artifacts (kfp's `Input[List[...]]`)",
                        producer.name
                    ),
                });
            }
        }
    }
}

/// kfp refuses a task that waits for a task inside a condition or exit handler the waiting
/// task is outside of: that task may not run.
fn check_after(cx: &Context, errors: &mut Vec<BuildError>) {
    for (t, task) in cx.p.tasks.iter().enumerate() {
        for other in &task.after {
            let Some(upstream) = cx.p.task(*other) else {
                continue;
            };
            let (up, _) = cx.uncommon(Node::Task(other.index()), Node::Task(t));
            let Some(Node::Group(g)) = up.first().copied() else {
                continue;
            };
            let Some(group) = cx.group(g) else { continue };
            let kind = match group.kind {
                GroupKind::Condition { .. } | GroupKind::Branch { .. } => "condition",
                GroupKind::ExitHandler { .. } => "exit handler",
                _ => continue,
            };
            errors.push(BuildError::InvalidGroup {
                group: group.name(),
                message: format!(
                    "task `{}` runs after task `{}`, which is inside this {kind}: on KFP v2 a \
                     task can only wait for tasks in its own {kind}, or outside it",
                    task.name, upstream.name
                ),
            });
        }
    }
}

/// Only an exit task receives a final status.
fn check_final_status(p: &Pipeline, errors: &mut Vec<BuildError>) {
    for (task, input) in crate::final_status::misplaced_final_status(p, true) {
        errors.push(BuildError::Unsupported {
            task: task.name.clone(),
            message: format!(
                "input `{input}` is a `TaskFinalStatus`, which KFP gives only to the exit \
                 task of an `ExitHandler`"
            ),
        });
    }
}
