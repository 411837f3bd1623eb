//! A task's command line on v1: each input's text (a value, a parameter reference or a file's
//! path) in the container's arguments, resolving the DAG inputs it needs on the way.

use std::collections::BTreeMap;

use super::dags::{Dags, Node, Ref};
use super::{input_flag, output_path};
use crate::reusable::Placeholder;
use crate::spec::component::{ComponentSpec, ParamRef};
use crate::spec::pipeline::{Arg, TaskSpec};
use crate::types::constant_text;

/// A task's command line and what it needs from its template's inputs.
#[derive(Default)]
pub(super) struct CommandLine {
    /// The command, for a container component (a Rust component's is the same for every task).
    pub(super) command: Option<Vec<String>>,
    pub(super) args: Vec<String>,
    /// The `arguments.parameters` annotation: value inputs by name.
    pub(super) annotation: BTreeMap<String, String>,
    /// Input files: artifact name and path.
    pub(super) input_artifacts: Vec<(String, String)>,
}

/// A container component's command or arguments with the placeholders filled in; an
/// argument whose input is absent is left out, as kfp does.
fn expand_placeholders(
    component: &ComponentSpec,
    list: &[Placeholder],
    values: &[Option<String>],
) -> Vec<String> {
    fn one(c: &ComponentSpec, p: &Placeholder, values: &[Option<String>]) -> Option<String> {
        let input = |n: &str| {
            c.inputs
                .iter()
                .position(|i| i.name == n)
                .and_then(|k| values[k].clone())
        };
        match p {
            Placeholder::Literal(s) => Some(s.clone()),
            Placeholder::InputValue(n) | Placeholder::InputPath(n) => input(n),
            Placeholder::OutputPath(n) => Some(output_path(n)),
            Placeholder::Concat(parts) => parts.iter().map(|p| one(c, p, values)).collect(),
            Placeholder::IfPresent { .. } => None,
        }
    }
    let mut out = Vec::new();
    for p in list {
        match p {
            Placeholder::IfPresent {
                present,
                then,
                otherwise,
            } => {
                let given = component
                    .inputs
                    .iter()
                    .position(|i| i.name == *present)
                    .is_some_and(|k| values[k].is_some());
                out.extend(expand_placeholders(
                    component,
                    if given { then } else { otherwise },
                    values,
                ));
            }
            p => out.extend(one(component, p, values)),
        }
    }
    out
}

/// The command line of task `i`; resolving its arguments fills in the DAGs' inputs, arguments
/// and dependencies on the way. `exit` says the task is an exit handler's, which runs outside
/// the DAG.
pub(super) fn task_line(dags: &mut Dags, i: usize, task: &TaskSpec, exit: bool) -> CommandLine {
    let component = &task.component;
    let mut line = CommandLine::default();
    // Each input's text on the command line: a value, or a file's path.
    let mut values: Vec<Option<String>> = vec![None; component.inputs.len()];
    for (k, input) in component.inputs.iter().enumerate() {
        let param = ParamRef::Input(k);
        let Some(Some(arg)) = task.args.get(k) else {
            if let Some(default) = component
                .container()
                .and_then(|c| c.defaults.get(&input.name))
            {
                let text = constant_text(default);
                line.annotation.insert(input.name.clone(), text.clone());
                values[k] = Some(text);
            }
            continue;
        };
        if component.artifact(param).is_some() {
            let path = format!("/tmp/inputs/{}/data", component.v1_name(param));
            if let Some(Ref::Output {
                task: t, output, ..
            }) = Ref::of(arg)
            {
                let r = Ref::Output {
                    task: t,
                    output,
                    artifact: true,
                };
                let name = dags.ref_name(&r);
                let from = dags.resolve(&r, task.group, Node::Task(i));
                dags.art_args
                    .entry(Node::Task(i))
                    .or_default()
                    .insert(name.clone(), from);
                line.input_artifacts.push((name, path.clone()));
            }
            values[k] = Some(path);
            continue;
        }
        let value = match (Ref::of(arg), exit) {
            (None, _) => match arg {
                Arg::Constant(v) => constant_text(v),
                _ => String::new(),
            },
            // The exit task runs outside the DAG: it reads pipeline parameters directly.
            (Some(Ref::Param(p)), true) => format!("{{{{workflow.parameters.{p}}}}}"),
            (Some(r), _) => {
                let name = dags.ref_name(&r);
                let value = dags.resolve(&r, task.group, Node::Task(i));
                dags.args
                    .entry(Node::Task(i))
                    .or_default()
                    .insert(name.clone(), value);
                format!("{{{{inputs.parameters.{name}}}}}")
            }
        };
        line.annotation.insert(input.name.clone(), value.clone());
        values[k] = Some(value);
    }
    match component.container() {
        Some(c) => {
            line.command = Some(expand_placeholders(component, &c.command, &values));
            line.args = expand_placeholders(component, &c.args, &values);
        }
        None => line.args = rust_args(component, &values),
    }
    line
}

/// A Rust component's arguments: each given input's and each file output's flag and text,
/// in the function's order, then kfp's `----output-paths` for the returned values.
fn rust_args(component: &ComponentSpec, values: &[Option<String>]) -> Vec<String> {
    let mut args = Vec::new();
    for param in component.params_in_order() {
        let v1_name = component.v1_name(param);
        match param {
            ParamRef::Input(k) => {
                if let Some(v) = &values[k] {
                    args.push(input_flag(v1_name));
                    args.push(v.clone());
                }
            }
            ParamRef::Output(_) => {
                args.push(input_flag(v1_name));
                args.push(output_path(v1_name));
            }
        }
    }
    let mut returns = component.value_outputs().peekable();
    if returns.peek().is_some() {
        args.push("----output-paths".to_owned());
        args.extend(returns.map(|(_, o)| output_path(&o.name)));
    }
    args
}

/// Adds what task `i` takes from elsewhere besides its arguments to the DAGs: the claims
/// created by other tasks, and its `after` dependencies on tasks and groups.
pub(super) fn link_task(dags: &mut Dags, i: usize, task: &TaskSpec) {
    // A claim created by a task reaches this task as an input parameter, as kfp's
    // `add_pvolumes` passes a VolumeOp's `name` output.
    for (id, output) in task.settings.pvc_mounts.iter().filter_map(|m| m.from_task) {
        let r = Ref::Output {
            task: id.index,
            output,
            artifact: false,
        };
        let name = dags.ref_name(&r);
        let value = dags.resolve(&r, task.group, Node::Task(i));
        dags.args
            .entry(Node::Task(i))
            .or_default()
            .insert(name, value);
    }
    for other in &task.after {
        dags.add_after(i, other.index);
    }
    for &g in &task.settings.after_groups {
        dags.add_after_group(i, g);
    }
}
