//! Checks that hold for every target: graph errors and names.

use std::collections::HashMap;
use std::sync::Arc;

use super::Target;
use crate::error::{BuildError, CompileError};
use crate::spec::component::{sanitize_name, ComponentSpec};
use crate::spec::pipeline::{Arg, Pipeline};

/// Every problem with `pipeline` that stops it compiling for `target`.
pub fn check(pipeline: &Pipeline, target: Target) -> Result<(), CompileError> {
    let mut errors = pipeline.errors.clone();
    let sanitized = sanitize_name(&pipeline.name);
    let valid_name = match target {
        Target::V1 => !sanitized.is_empty() && sanitized.len() <= 128,
        Target::V2 => {
            !sanitized.is_empty()
                && sanitized.len() <= 128
                && sanitized
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        }
    };
    if !valid_name {
        errors.push(BuildError::InvalidPipelineName {
            name: pipeline.name.clone(),
            sanitized,
        });
    }
    if pipeline.tasks.is_empty() {
        errors.push(BuildError::EmptyPipeline {
            pipeline: pipeline.name.clone(),
        });
    }
    let mut keys: HashMap<&str, usize> = HashMap::new();
    for (i, task) in pipeline.tasks.iter().enumerate() {
        match keys.get(task.component.key.as_str()) {
            Some(&j) if !same_component(&pipeline.tasks[j].component, &task.component) => errors
                .push(BuildError::DuplicateComponentKey {
                    key: task.component.key.clone(),
                    first: pipeline.tasks[j].name.clone(),
                    second: task.name.clone(),
                }),
            Some(_) => {}
            None => {
                keys.insert(&task.component.key, i);
            }
        }
    }
    check_images(pipeline, &mut errors);
    check_param_defaults(pipeline, &mut errors);
    super::constants::check(pipeline, target, &mut errors);
    crate::control::check_groups(pipeline, &mut errors);
    crate::settings::check_target(pipeline, target, &mut errors);
    crate::volumes::check_target(pipeline, target, &mut errors);
    crate::container_op::check_target(pipeline, target, &mut errors);
    crate::control::check_after_groups(pipeline, &mut errors);
    crate::control::check_one_of(pipeline, target, &mut errors);
    check_scopes(pipeline, &mut errors);
    check_item_files(pipeline, target, &mut errors);
    if target == Target::V2 {
        super::v2::check_outputs(pipeline, &mut errors);
    }
    match target {
        Target::V1 => super::v1::check::check_v1(pipeline, &mut errors),
        Target::V2 => {
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
            super::v2::check(pipeline, &mut errors)
        }
    }
    if let Some(cycle) = find_cycle(pipeline).or_else(|| super::v2::group_cycle(pipeline)) {
        errors.push(BuildError::Cycle { tasks: cycle });
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CompileError {
            pipeline: pipeline.name.clone(),
            errors,
        })
    }
}

/// Whether two tasks run the same component: the same spec, or two container components
/// (loaded twice, or cloned before their first task) with the same image, command, arguments
/// and interface, which the binary never runs.
fn same_component(a: &Arc<ComponentSpec>, b: &Arc<ComponentSpec>) -> bool {
    Arc::ptr_eq(a, b)
        || match (&a.container, &b.container) {
            (Some(x), Some(y)) => x == y && a.name == b.name && a.inputs == b.inputs,
            _ => false,
        }
}

/// A pipeline parameter's default is written into the YAML: refuse one that holds a
/// credential (by the parameter's name, or a password in a URI).
fn check_param_defaults(pipeline: &Pipeline, errors: &mut Vec<BuildError>) {
    use crate::settings::{has_uri_password, looks_like_credential};
    for p in &pipeline.params {
        let Some(default) = &p.default else { continue };
        let empty = matches!(default, serde_json::Value::Null)
            || default.as_str().is_some_and(str::is_empty);
        if looks_like_credential(&p.name) && !empty {
            errors.push(BuildError::CredentialDefault {
                param: p.name.clone(),
            });
        } else if default.as_str().is_some_and(has_uri_password) {
            errors.push(BuildError::PasswordInUri {
                task: format!("(pipeline parameter {})", p.name),
                field: "its default".to_owned(),
            });
        }
    }
}

/// Every image a task runs must be an OCI image reference: a value like
/// `"python:3.11\nRUN ..."` would add lines to a Dockerfile and fields to a YAML.
fn check_images(pipeline: &Pipeline, errors: &mut Vec<BuildError>) {
    for task in &pipeline.tasks {
        let c = &task.component;
        let images = c
            .base_image
            .iter()
            .map(|i| ("base_image", i.as_str()))
            .chain(c.container.iter().map(|k| ("image", k.image.as_str())));
        for (setting, image) in images {
            if let Err(e) = crate::image_ref::check_image_reference(image) {
                errors.push(BuildError::InvalidSetting {
                    task: task.name.clone(),
                    setting: setting.to_owned(),
                    value: image.to_owned(),
                    expected: format!("an image reference like `python:3.11` ({e})"),
                });
            }
        }
    }
}

/// The upstream tasks of each task (data edges and `after`), by index, deduplicated.
pub(crate) fn upstream(pipeline: &Pipeline) -> Vec<Vec<usize>> {
    pipeline
        .tasks
        .iter()
        .map(|t| {
            let mut ups: Vec<usize> = t
                .args
                .iter()
                .flatten()
                .filter_map(|a| match a {
                    Arg::Output { task, .. } | Arg::Collected { task, .. }
                        if task.pipeline == pipeline.id =>
                    {
                        Some(task.index)
                    }
                    _ => None,
                })
                .chain(
                    t.after
                        .iter()
                        .filter(|a| a.pipeline == pipeline.id)
                        .map(|a| a.index),
                )
                .filter(|&i| i < pipeline.tasks.len())
                .collect();
            ups.sort_unstable();
            ups.dedup();
            ups
        })
        .collect()
}

fn find_cycle(pipeline: &Pipeline) -> Option<Vec<String>> {
    let ups = upstream(pipeline);
    // Iterative DFS with colours; 0 = new, 1 = on stack, 2 = done.
    let mut colour = vec![0u8; ups.len()];
    for start in 0..ups.len() {
        if colour[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        colour[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&up) = ups[node].get(*next) {
                *next += 1;
                match colour[up] {
                    0 => {
                        colour[up] = 1;
                        stack.push((up, 0));
                    }
                    1 => {
                        let pos = stack.iter().position(|&(n, _)| n == up).unwrap_or(0);
                        // The stack runs downstream → upstream; show the cycle in run order,
                        // starting from the task made first.
                        let mut cycle: Vec<usize> = stack[pos..].iter().map(|&(n, _)| n).collect();
                        cycle.reverse();
                        if let Some(first) = cycle.iter().enumerate().min_by_key(|(_, n)| **n) {
                            let first = first.0;
                            cycle.rotate_left(first);
                        }
                        return Some(
                            cycle
                                .into_iter()
                                .map(|n| pipeline.tasks[n].name.clone())
                                .collect(),
                        );
                    }
                    _ => {}
                }
            } else {
                colour[node] = 2;
                stack.pop();
            }
        }
    }
    None
}

/// Whether group `outer` is `inner` or encloses it (`None` is the pipeline's root).
pub(crate) fn encloses(
    pipeline: &Pipeline,
    outer: Option<usize>,
    mut inner: Option<usize>,
) -> bool {
    loop {
        if inner == outer {
            return true;
        }
        match inner {
            None => return false,
            Some(g) => inner = pipeline.groups.get(g).and_then(|g| g.parent),
        }
    }
}

/// A loop's item is a value: fed to a file input (`InputPath`), neither target reads it as a
/// file here. kfp 2.17.3 refuses it too (its loops over files run over a nested pipeline's
/// `Input[List[...]]`); kfp 1.8.9 writes the value into a file (a `raw` artifact), which
/// kfp-rs does not port.
fn check_item_files(pipeline: &Pipeline, target: Target, errors: &mut Vec<BuildError>) {
    use crate::spec::component::ParamRef;
    for task in &pipeline.tasks {
        let c = &task.component;
        for (i, (input, arg)) in c.inputs.iter().zip(&task.args).enumerate() {
            let Some(Arg::LoopItem { group, .. }) = arg else {
                continue;
            };
            // A loop over the files a loop collected: KFP v2's loop over files (`check_v1`
            // refuses it for v1).
            if matches!(
                pipeline.groups.get(*group).map(|g| &g.kind),
                Some(crate::control::GroupKind::Loop {
                    items: crate::control::LoopItems::Collected { .. },
                    ..
                })
            ) {
                continue;
            }
            let file = c.artifacts.iter().any(|(r, _)| *r == ParamRef::Input(i))
                || (target == Target::V2 && super::v2::io::input_io(c, i).is_artifact());
            if file {
                errors.push(BuildError::Unsupported {
                    task: task.name.clone(),
                    message: format!(
                        "its file input `{}` is given a loop's item, which is a value, not a \
                         file; a loop over files (kfp 2's `dsl.ParallelFor` over a nested \
                         pipeline's `Input[List[Dataset]]`) is not supported yet: pass the \
                         files to one task that takes them all, or loop over values",
                        input.name
                    ),
                });
            }
        }
    }
}

/// The group in whose DAG output `output` of task `task` can be read: the task's own, or,
/// for an output a nested pipeline returns, the group around that nested pipeline (and so on
/// outwards, for a nested pipeline that returns it again).
pub(crate) fn output_scope(pipeline: &Pipeline, task: usize, output: &str) -> Option<usize> {
    output_scope_below(pipeline, task, output, None)
}

/// [`output_scope`], going out no further than group `limit`.
pub(crate) fn output_scope_below(
    pipeline: &Pipeline,
    task: usize,
    output: &str,
    limit: Option<usize>,
) -> Option<usize> {
    use crate::control::GroupKind;
    let mut group = pipeline.tasks.get(task)?.group;
    while let Some(g) = group {
        if limit == Some(g) {
            break;
        }
        let returned = match pipeline.groups.get(g).map(|g| &g.kind) {
            Some(GroupKind::Pipeline { outputs, .. }) => outputs.iter().any(|o| {
                matches!(&o.source, Arg::Output { task: t, output: out }
                    if t.index == task && t.pipeline == pipeline.id && out == output)
            }),
            _ => false,
        };
        if !returned {
            break;
        }
        group = pipeline.groups[g].parent;
    }
    group
}

/// Every value a task or group uses must be visible where it is used: an output of a task in
/// the same group or an enclosing one, a loop item inside its loop.
fn check_scopes(pipeline: &Pipeline, errors: &mut Vec<BuildError>) {
    use crate::control::{GroupKind, LoopItems};
    let check =
        |errors: &mut Vec<BuildError>, arg: &Arg, at: Option<usize>, consumer: &str| match arg {
            Arg::Output { task, output } if task.pipeline == pipeline.id => {
                if let Some(producer) = pipeline.tasks.get(task.index) {
                    let scope = output_scope(pipeline, task.index, output);
                    if !encloses(pipeline, scope, at) {
                        let group = producer
                            .group
                            .and_then(|g| pipeline.groups.get(g))
                            .map(|g| g.name())
                            .unwrap_or_default();
                        errors.push(BuildError::OutputOutsideGroup {
                            consumer: consumer.to_owned(),
                            producer: producer.name.clone(),
                            group,
                        });
                    }
                }
            }
            Arg::LoopItem { group, .. } if !encloses(pipeline, Some(*group), at) => {
                let name = pipeline
                    .groups
                    .get(*group)
                    .map(|g| g.name())
                    .unwrap_or_default();
                errors.push(BuildError::InvalidGroup {
                    group: name,
                    message: format!("its loop item is used by `{consumer}`, outside the loop"),
                });
            }
            _ => {}
        };
    let exit_tasks: Vec<usize> = pipeline
        .groups
        .iter()
        .filter_map(|g| match g.kind {
            GroupKind::ExitHandler { exit_task, .. } if exit_task.pipeline == pipeline.id => {
                Some(exit_task.index)
            }
            _ => None,
        })
        .collect();
    for (i, task) in pipeline.tasks.iter().enumerate() {
        for arg in task.args.iter().flatten() {
            if exit_tasks.contains(&i)
                && matches!(
                    arg,
                    Arg::Output { .. } | Arg::LoopItem { .. } | Arg::Collected { .. }
                )
            {
                errors.push(BuildError::InvalidGroup {
                    group: "exit-handler".into(),
                    message: format!(
                        "its exit task `{}` runs after everything else, so it can only take constants and pipeline parameters",
                        task.name
                    ),
                });
                continue;
            }
            check(errors, arg, task.group, &task.name);
        }
    }
    for g in &pipeline.groups {
        let name = g.name();
        for (condition, _) in g.conditions() {
            check(errors, &condition.lhs, g.parent, &name);
            check(errors, &condition.rhs, g.parent, &name);
        }
        if let GroupKind::Loop {
            items: LoopItems::Output { task, output },
            ..
        } = &g.kind
        {
            let items = Arg::Output {
                task: *task,
                output: output.clone(),
            };
            check(errors, &items, g.parent, &name);
        }
    }
}
