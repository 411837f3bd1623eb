//! Problems only the KFP v2 target has with a pipeline: what kfp 2.17.3 refuses (or crashes
//! on), and what KFP v2 has no field for, as typed errors naming the tasks and groups. The
//! checks every target shares run first (`compiler/check.rs`).

use super::channels::{Context, Node};
use crate::control::{GroupKind, LoopItems};
use crate::error::BuildError;
use crate::spec::component::sanitize_name;
use crate::spec::pipeline::{Arg, Pipeline};

/// Every problem with `p` that stops it compiling for KFP v2.
pub(crate) fn check(p: &Pipeline, errors: &mut Vec<BuildError>) {
    check_name(p, errors);
    check_settings(p, errors);
    check_raw_ops(p, errors);
    check_one_of(p, errors);
    check_timeout(p, errors);
    let cx = Context::new(p);
    check_groups(&cx, errors);
    check_fields(p, errors);
    check_collected(&cx, errors);
    check_after(&cx, errors);
    check_final_status(p, errors);
    super::containers::check_untyped_values(p, errors);
}

/// kfp 2.17.3 also wants the pipeline's name to start with a letter or digit (the length is
/// checked for every target).
fn check_name(p: &Pipeline, errors: &mut Vec<BuildError>) {
    let sanitized = sanitize_name(&p.name);
    let first_ok = sanitized
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if crate::compiler::check::name_fits(&sanitized) && !first_ok {
        errors.push(BuildError::InvalidPipelineName {
            name: p.name.clone(),
            sanitized,
        });
    }
}

/// The task settings KFP v2 has no field for.
fn check_settings(pipeline: &Pipeline, errors: &mut Vec<BuildError>) {
    for task in &pipeline.tasks {
        if let Some(s) = &task.settings.max_cache_staleness {
            errors.push(BuildError::Unsupported {
                task: task.name.clone(),
                message: format!(
                    "`set_max_cache_staleness(\"{s}\")` is KFP v1 only; on KFP v2 use \
                 `set_caching_options(false)`"
                ),
            });
        }
    }
    for task in &pipeline.tasks {
        let unsupported = |message: String| BuildError::Unsupported {
            task: task.name.clone(),
            message,
        };
        for m in &task.settings.pvc_mounts {
            if let Some(v) = &m.volume_name {
                errors.push(unsupported(format!(
                    "`mount_pvc_with_volume_name(\"{}\", \"{v}\", ...)`: KFP v2 names \
                     a mounted volume itself; use `mount_pvc`",
                    m.claim
                )));
            }
        }
    }
}

/// KFP v2 has no raw container step.
fn check_raw_ops(pipeline: &Pipeline, errors: &mut Vec<BuildError>) {
    for task in &pipeline.tasks {
        if crate::container_op::raw(&task.component).is_some() {
            errors.push(BuildError::Unsupported {
                task: task.name.clone(),
                message: "a raw `ContainerOp` is KFP v1 only; on KFP v2 use a \
                          `ContainerComponent` (kfp's `@dsl.container_component`)"
                    .into(),
            });
        }
    }
}

/// KFP v2 has no pipeline timeout.
fn check_timeout(pipeline: &Pipeline, errors: &mut Vec<BuildError>) {
    if pipeline.timeout.is_some() {
        errors.push(BuildError::Unsupported {
            task: format!("(pipeline {})", pipeline.name),
            message: "`Pipeline::set_timeout` exists only on KFP v1 (Argo's \
                      `activeDeadlineSeconds`); KFP v2 has no pipeline timeout: set \
                      one per task with `.set_timeout(..)`, or give KFP v2 a pipeline \
                      without it (`cli::PerTarget`)"
                .into(),
        });
    }
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
            let is_artifact = artifact
                .is_some_and(|i| super::io::output_io(&producer.component, i).is_artifact());
            // Files collect into an input that takes a list of artifacts.
            let into_list = task.args.iter().enumerate().any(|(i, a)| {
                a.as_ref() == Some(arg) && super::io::input_is_artifact_list(&task.component, i)
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

/// What kfp 2.17.3 refuses in a `OneOf`.
fn check_one_of(p: &Pipeline, errors: &mut Vec<BuildError>) {
    for task in &p.tasks {
        for arg in task.args.iter().flatten() {
            let Arg::OneOf { outputs } = arg else {
                continue;
            };
            let mut fail = |message: String| {
                errors.push(BuildError::Unsupported {
                    task: task.name.clone(),
                    message,
                })
            };
            let mut problem = None;
            let mut branches = Vec::new();
            let mut wrapper = None;
            for (id, output) in outputs {
                let Some(producer) = p.task(*id) else {
                    problem = Some("one of its outputs is of a task from another pipeline".into());
                    break;
                };
                let file = producer
                    .component
                    .outputs
                    .iter()
                    .position(|o| o.name == *output)
                    .is_some_and(|i| super::io::output_io(&producer.component, i).is_artifact());
                if file {
                    problem = Some(format!(
                        "`{}` of `{}` is a file; a `OneOf` of files is not supported, only values",
                        output, producer.name
                    ));
                    break;
                }
                let branch = producer.group;
                let parent = branch.and_then(|b| p.groups.get(b)).and_then(|b| b.parent);
                let in_branches = parent
                    .and_then(|w| p.groups.get(w))
                    .is_some_and(|w| matches!(w.kind, GroupKind::Branches));
                if !in_branches {
                    problem = Some(format!(
                        "`{}` is not directly inside a branch of an `if`/`elif`/`else`",
                        producer.name
                    ));
                    break;
                }
                if wrapper.is_some() && wrapper != parent {
                    problem = Some("its outputs come from different `if`/`elif`/`else`s".into());
                    break;
                }
                wrapper = parent;
                if branches.contains(&branch) {
                    problem = Some(format!(
                        "two of its outputs come from the same branch (`{}`'s)",
                        producer.name
                    ));
                    break;
                }
                branches.push(branch);
            }
            if outputs.is_empty() {
                problem = Some("it has no outputs".into());
            }
            if let (None, Some(w)) = (&problem, wrapper) {
                let last = p.groups.iter().rev().find(|g| g.parent == Some(w));
                let has_else = last.is_some_and(|g| {
                    matches!(
                        g.kind,
                        GroupKind::Branch {
                            condition: None,
                            ..
                        }
                    )
                });
                if !has_else {
                    problem = Some(
                        "its branches have no `else` (`.otherwise(..)`), so none may run".into(),
                    );
                }
                let mut at = task.group;
                while let Some(g) = at {
                    if g == w {
                        problem = Some(
                            "it is inside the `if`/`elif`/`else` whose outputs it takes".into(),
                        );
                        break;
                    }
                    at = p.groups.get(g).and_then(|g| g.parent);
                }
            }
            if let Some(problem) = problem {
                fail(format!("its `OneOf` is invalid: {problem}"));
            }
        }
    }
}
