//! The checks that hold for every target: names, graph errors, scopes. Each back end adds its
//! own in `compiler/<target>/check.rs`; cycles are found on the model (`cycles.rs`).

use std::collections::HashMap;
use std::sync::Arc;

use super::cycles::{group_cycle, task_cycle};
use super::Target;
use crate::error::{BuildError, CompileError};
use crate::spec::component::{sanitize_name, ComponentSpec};
use crate::spec::pipeline::{Arg, Pipeline};

/// Every problem with `pipeline` that stops it compiling for `target`: first the checks
/// every target shares (this file), then the back end's own (`compiler/<target>/check.rs`),
/// then cycles.
pub fn check(pipeline: &Pipeline, target: Target) -> Result<(), CompileError> {
    let mut errors = pipeline.errors.clone();
    check_shared(pipeline, &mut errors);
    check_item_files(pipeline, target, &mut errors);
    match target {
        Target::V1 => super::v1::check::check(pipeline, &mut errors),
        Target::V2 => {
            super::v2::check_outputs(pipeline, &mut errors);
            super::v2::check(pipeline, &mut errors)
        }
    }
    if let Some(cycle) = task_cycle(pipeline).or_else(|| group_cycle(pipeline)) {
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

/// Whether a sanitised pipeline name fits every target: not empty, at most 128 bytes.
pub(crate) fn name_fits(sanitized: &str) -> bool {
    !sanitized.is_empty() && sanitized.len() <= 128
}

/// The checks that hold for every target: the pipeline's name, tasks and components, images,
/// defaults, constants, groups and the scope of every value.
fn check_shared(pipeline: &Pipeline, errors: &mut Vec<BuildError>) {
    let sanitized = sanitize_name(&pipeline.name);
    if !name_fits(&sanitized) {
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
    check_images(pipeline, errors);
    check_param_defaults(pipeline, errors);
    super::constants::check(pipeline, errors);
    crate::control::check_groups(pipeline, errors);
    crate::control::check_after_groups(pipeline, errors);
    check_scopes(pipeline, errors);
}

/// Whether two tasks run the same component: the same spec, or two container components
/// (loaded twice, or cloned before their first task) with the same image, command, arguments
/// and interface, which the binary never runs.
fn same_component(a: &Arc<ComponentSpec>, b: &Arc<ComponentSpec>) -> bool {
    Arc::ptr_eq(a, b)
        || match (a.container(), b.container()) {
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
            .chain(c.container().map(|k| ("image", k.image.as_str())));
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
            let file = c.artifact(ParamRef::Input(i)).is_some()
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
