//! Problems with groups that only the whole pipeline shows.

use std::collections::{BTreeMap, BTreeSet};

use super::GroupKind;
use crate::error::BuildError;
use crate::spec::pipeline::{Arg, Pipeline};

/// Problems with groups on every target: exit handlers where they cannot be, an exit task
/// that waits for or feeds other tasks, empty groups, and a task named like a group.
pub(crate) fn check_groups(p: &Pipeline, errors: &mut Vec<BuildError>) {
    let mut exit_tasks = BTreeSet::new();
    for g in &p.groups {
        if let GroupKind::ExitHandler { exit_task, .. } = &g.kind {
            if g.parent.is_some() {
                errors.push(BuildError::InvalidGroup {
                    group: g.name(),
                    message: "an exit handler must be at the top of the pipeline, not inside \
                              another group"
                        .into(),
                });
            }
            if let Some(t) = p.task(*exit_task) {
                exit_tasks.insert(exit_task.index());
                if t.group.is_some() {
                    errors.push(BuildError::InvalidGroup {
                        group: g.name(),
                        message: format!(
                            "its exit task `{}` must be made at the top of the pipeline, outside \
                             any group",
                            t.name
                        ),
                    });
                }
                if !t.after.is_empty() {
                    errors.push(BuildError::InvalidGroup {
                        group: g.name(),
                        message: format!(
                            "its exit task `{}` runs when the group ends, so it cannot also run \
                             `.after(..)` another task",
                            t.name
                        ),
                    });
                }
            }
        }
    }
    if p.groups
        .iter()
        .filter(|g| matches!(g.kind, GroupKind::ExitHandler { .. }))
        .count()
        > 1
    {
        errors.push(BuildError::InvalidGroup {
            group: "exit-handler".into(),
            message: "a pipeline has at most one exit handler".into(),
        });
    }
    // Nothing can wait for an exit task: it runs after everything else.
    for task in &p.tasks {
        let waits =
            task.after
                .iter()
                .map(|a| a.index())
                .chain(task.args.iter().flatten().filter_map(|a| match a {
                    Arg::Output { task, .. } | Arg::Collected { task, .. } => Some(task.index()),
                    _ => None,
                }));
        let exit = waits
            .filter(|i| exit_tasks.contains(i))
            .collect::<BTreeSet<_>>();
        for i in exit {
            errors.push(BuildError::InvalidGroup {
                group: "exit-handler".into(),
                message: format!(
                    "task `{}` waits for the exit task `{}`, which runs after everything else",
                    task.name, p.tasks[i].name
                ),
            });
        }
    }
    check_empty_groups(p, errors);
    check_names(p, errors);
}

/// A group with no task in it, directly or in a group inside it, is an empty DAG, which
/// neither Argo nor KFP v2 runs.
fn check_empty_groups(p: &Pipeline, errors: &mut Vec<BuildError>) {
    let mut full = vec![false; p.groups.len()];
    for task in &p.tasks {
        let mut group = task.group;
        while let Some(g) = group.filter(|&g| g < full.len() && !full[g]) {
            full[g] = true;
            group = p.groups[g].parent;
        }
    }
    for (g, group) in p.groups.iter().enumerate() {
        if !full[g] {
            errors.push(BuildError::InvalidGroup {
                group: group.name(),
                message: "it has no task; call at least one component in its body".into(),
            });
        }
    }
}

/// Tasks and groups share one namespace (Argo templates, KFP v2 DAG tasks and components):
/// a component called `for_loop` used twice would give a task `for-loop-2`, the name of the
/// second group.
fn check_names(p: &Pipeline, errors: &mut Vec<BuildError>) {
    let mut groups: BTreeMap<String, String> = BTreeMap::new();
    for g in &p.groups {
        groups.insert(g.name(), g.name());
        groups.insert(g.v2_name(), g.name());
    }
    for task in &p.tasks {
        if let Some(group) = groups.get(&task.name) {
            errors.push(BuildError::InvalidGroup {
                group: group.clone(),
                message: format!(
                    "task `{}` has the name of a group; give its component another name with \
                     `#[component(name = \"...\")]`",
                    task.name
                ),
            });
        }
    }
}
