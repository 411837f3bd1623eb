//! Nested pipelines on KFP v2: a pipeline called inside another becomes a component with a
//! DAG of its own (`comp-<name>`, its parameters as `inputDefinitions`, what it returns as
//! `outputDefinitions` and `dag.outputs`) and one task of the caller's DAG, as kfp 2.17.3
//! compiles a `@dsl.pipeline` called in a `@dsl.pipeline`.
//!
//! The model keeps a nested pipeline's tasks among the caller's, inside a
//! [`GroupKind::Pipeline`] group. Here the pipeline is split: each outermost nested pipeline
//! becomes a [`Pipeline`] of its own, built from what its body wrote
//! ([`TaskSpec::scoped_args`], [`GroupSpec::scoped`](crate::control::GroupSpec::scoped)),
//! and a task of the caller stands in for it. Task names are unique within each pipeline, as
//! kfp names them.

mod merge;

pub(crate) use merge::check_outputs;
pub(super) use merge::{file_inputs, merge, outputs};

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::control::{Condition, GroupKind, GroupSpec, LoopItems};
use crate::spec::component::{sanitize_name, ComponentSpec, Implementation, InputSpec, OutputSpec};
use crate::spec::pipeline::{Arg, Pipeline, PipelineOutput, TaskId, TaskSpec};

/// A pipeline with its outermost nested pipelines split off: the caller, in which task
/// `task` of each [`Sub`] stands for it.
pub(super) struct Split {
    pub(super) parent: Pipeline,
    pub(super) subs: Vec<Sub>,
}

/// A nested pipeline as a pipeline of its own, and the caller's task that runs it.
pub(super) struct Sub {
    pub(super) task: usize,
    pub(super) pipeline: Pipeline,
    /// The nested pipeline's parameters that are files or lists of files (`true`), with their
    /// types.
    pub(super) files: Vec<(String, crate::artifact::ArtifactType, bool)>,
}

/// Whether group `g` is a nested pipeline.
fn is_nested(p: &Pipeline, g: usize) -> bool {
    matches!(
        p.groups.get(g).map(|g| &g.kind),
        Some(GroupKind::Pipeline { .. })
    )
}

/// The outermost nested pipeline holding group `g` (or `g` itself), if any.
fn outermost(p: &Pipeline, g: Option<usize>) -> Option<usize> {
    let mut found = None;
    let mut at = g;
    while let Some(i) = at {
        if is_nested(p, i) {
            found = Some(i);
        }
        at = p.groups.get(i).and_then(|g| g.parent);
    }
    found
}

/// `p` split at its outermost nested pipelines; `None` when it calls none.
pub(super) fn split(p: &Pipeline) -> Option<Split> {
    let tops: Vec<usize> = (0..p.groups.len())
        .filter(|&g| is_nested(p, g) && outermost(p, p.groups[g].parent).is_none())
        .collect();
    if tops.is_empty() {
        return None;
    }
    let task_top: Vec<Option<usize>> = p.tasks.iter().map(|t| outermost(p, t.group)).collect();
    let group_top: Vec<Option<usize>> =
        (0..p.groups.len()).map(|g| outermost(p, Some(g))).collect();

    // The caller's tasks in the order they were made, each nested pipeline at its call.
    enum Item {
        Task(usize),
        Nested(usize),
    }
    let mut order = Vec::new();
    let mut pending: Vec<usize> = tops.clone();
    for (t, top) in task_top.iter().map(Some).chain([None]).enumerate() {
        pending.retain(|&g| {
            let starts = match &p.groups[g].kind {
                GroupKind::Pipeline { first_task, .. } => *first_task <= t,
                _ => true,
            };
            if starts {
                order.push(Item::Nested(g));
            }
            !starts
        });
        if top.is_some_and(Option::is_none) {
            order.push(Item::Task(t));
        }
    }
    let mut task_map: HashMap<usize, usize> = HashMap::new();
    let mut nested_task: HashMap<usize, usize> = HashMap::new();
    for (new, item) in order.iter().enumerate() {
        match item {
            Item::Task(t) => {
                task_map.insert(*t, new);
            }
            Item::Nested(g) => {
                nested_task.insert(*g, new);
            }
        }
    }
    let mut group_map: HashMap<usize, usize> = HashMap::new();
    for (g, top) in group_top.iter().enumerate() {
        if top.is_none() {
            let new = group_map.len();
            group_map.insert(g, new);
        }
    }
    let id = p.id;
    // An output of a task inside a nested pipeline, as the caller sees it: that pipeline's
    // output of the same value.
    let map_output = |t: usize, output: &str| -> Option<(usize, String)> {
        if let Some(&n) = task_map.get(&t) {
            return Some((n, output.to_owned()));
        }
        let g = task_top.get(t).copied().flatten()?;
        let GroupKind::Pipeline { outputs, .. } = &p.groups[g].kind else {
            return None;
        };
        let name = outputs.iter().find_map(|o| match &o.source {
            Arg::Output { task, output: out } if task.index == t && out == output => {
                Some(o.name.clone())
            }
            _ => None,
        })?;
        Some((nested_task[&g], name))
    };
    let remap = Remap {
        id,
        task: &|t, o| map_output(t, o),
        group: &|g| group_map.get(&g).copied(),
    };

    let mut parent = Pipeline {
        name: p.name.clone(),
        description: p.description.clone(),
        params: p.params.clone(),
        tasks: Vec::new(),
        groups: Vec::new(),
        outputs: p.outputs.iter().map(|o| remap.output(o)).collect(),
        errors: Vec::new(),
        timeout: p.timeout.clone(),
        id,
        file_params: p.file_params.clone(),
    };
    for (group, top) in p.groups.iter().zip(&group_top) {
        if top.is_none() {
            let shift = shift(p, &tops, 0, group.id);
            parent.groups.push(GroupSpec {
                id: group.id - shift,
                kind: renumber(remap.kind(&group.kind), shift),
                parent: group.parent.and_then(|x| group_map.get(&x).copied()),
                scoped: None,
            });
        }
    }
    let mut subs = Vec::new();
    for item in &order {
        match *item {
            Item::Task(t) => {
                let task = &p.tasks[t];
                let mut after: Vec<TaskId> = Vec::new();
                for a in &task.after {
                    if let Some((n, _)) = remap.task_of(a.index) {
                        let a = TaskId {
                            pipeline: id,
                            index: n,
                        };
                        if !after.contains(&a) {
                            after.push(a);
                        }
                    }
                }
                parent.tasks.push(TaskSpec {
                    name: task.name.clone(),
                    component: task.component.clone(),
                    args: task
                        .args
                        .iter()
                        .map(|a| a.as_ref().map(|a| remap.arg(a)))
                        .collect(),
                    display_name: task.display_name.clone(),
                    after,
                    caching: task.caching,
                    settings: task.settings.clone(),
                    group: task.group.and_then(|g| group_map.get(&g).copied()),
                    scoped_args: None,
                });
            }
            Item::Nested(g) => {
                let GroupKind::Pipeline {
                    name,
                    fn_name,
                    params,
                    files,
                    args,
                    outputs,
                    ..
                } = &p.groups[g].kind
                else {
                    continue;
                };
                let sub = sub_pipeline(p, g);
                // The stand-in's component is never run: this back end writes it as a
                // component whose implementation is the nested pipeline's DAG.
                let mut component =
                    ComponentSpec::new(fn_name.clone(), Implementation::Rust(|_| Ok(())));
                component.name = name.clone();
                for param in params {
                    let mut input = InputSpec::new(param.name.clone(), param.kind);
                    input.rust_type = "";
                    input.optional = param.optional || param.default.is_some();
                    input.artifact = files
                        .iter()
                        .find(|(n, ..)| *n == param.name)
                        .map(|(_, a, _)| *a);
                    component = component.with_input(input);
                }
                for o in outputs {
                    let mut output = OutputSpec::new(o.name.clone(), o.kind);
                    output.artifact = o.artifact;
                    component = component.with_output(output);
                }
                let task_args = params
                    .iter()
                    .map(|param| {
                        args.iter()
                            .find(|(n, _)| *n == param.name)
                            .and_then(|(_, a)| a.as_ref())
                            .map(|a| remap.arg(a))
                    })
                    .collect();
                subs.push(Sub {
                    task: parent.tasks.len(),
                    pipeline: sub,
                    files: files.clone(),
                });
                parent.tasks.push(TaskSpec {
                    name: sanitize_name(name),
                    component: Arc::new(component),
                    args: task_args,
                    display_name: None,
                    after: Vec::new(),
                    caching: true,
                    settings: Default::default(),
                    group: p.groups[g].parent.and_then(|x| group_map.get(&x).copied()),
                    scoped_args: None,
                });
            }
        }
    }
    rename(&mut parent);
    Some(Split { parent, subs })
}

/// Nested pipeline `g` of `p` as a pipeline of its own, from what its body wrote.
fn sub_pipeline(p: &Pipeline, g: usize) -> Pipeline {
    let inside = |group: Option<usize>| {
        let mut at = group;
        while let Some(i) = at {
            if i == g {
                return true;
            }
            at = p.groups.get(i).and_then(|x| x.parent);
        }
        false
    };
    let tasks: Vec<usize> = (0..p.tasks.len())
        .filter(|&t| inside(p.tasks[t].group))
        .collect();
    let groups: Vec<usize> = (0..p.groups.len())
        .filter(|&x| x != g && inside(Some(x)))
        .collect();
    let task_map: HashMap<usize, usize> = tasks.iter().enumerate().map(|(n, &t)| (t, n)).collect();
    let group_map: HashMap<usize, usize> =
        groups.iter().enumerate().map(|(n, &x)| (x, n)).collect();
    let id = p.id;
    let remap = Remap {
        id,
        task: &|t, o| task_map.get(&t).map(|&n| (n, o.to_owned())),
        group: &|x| group_map.get(&x).copied(),
    };
    let GroupKind::Pipeline {
        name,
        params,
        files,
        outputs,
        ..
    } = &p.groups[g].kind
    else {
        return p.clone();
    };
    // kfp numbers the groups of each pipeline from 1: those of the nested pipelines inside
    // this one do not count.
    let direct: Vec<usize> = groups
        .iter()
        .copied()
        .filter(|&x| is_nested(p, x) && outermost_below(p, p.groups[x].parent, g).is_none())
        .collect();
    let base = p.groups[g].id;
    let sub_groups = groups
        .iter()
        .map(|&x| {
            let group = &p.groups[x];
            let top = outermost_below(p, Some(x), g).unwrap_or(x);
            let shift = shift(p, &direct, base, p.groups[top].id);
            let mut kind = renumber(
                remap.kind(group.scoped.as_ref().unwrap_or(&group.kind)),
                shift,
            );
            if let GroupKind::Pipeline { first_task, .. } = &mut kind {
                *first_task = tasks.iter().filter(|&&t| t < *first_task).count();
            }
            GroupSpec {
                id: group.id - shift,
                kind,
                parent: group.parent.and_then(|y| group_map.get(&y).copied()),
                scoped: None,
            }
        })
        .collect();
    let sub_tasks = tasks
        .iter()
        .map(|&t| {
            let task = &p.tasks[t];
            let args = task.scoped_args.as_ref().unwrap_or(&task.args);
            TaskSpec {
                name: task.name.clone(),
                component: task.component.clone(),
                args: args
                    .iter()
                    .map(|a| a.as_ref().map(|a| remap.arg(a)))
                    .collect(),
                display_name: task.display_name.clone(),
                after: task
                    .after
                    .iter()
                    .filter_map(|a| task_map.get(&a.index))
                    .map(|&n| TaskId {
                        pipeline: id,
                        index: n,
                    })
                    .collect(),
                caching: task.caching,
                settings: task.settings.clone(),
                group: task.group.and_then(|x| group_map.get(&x).copied()),
                // The tasks of a pipeline nested in this one keep what their body wrote.
                scoped_args: task
                    .scoped_args
                    .as_ref()
                    .filter(|_| outermost_below(p, task.group, g).is_some())
                    .map(|a| a.iter().map(|a| a.as_ref().map(|a| remap.arg(a))).collect()),
            }
        })
        .collect();
    let mut sub = Pipeline {
        name: name.clone(),
        description: None,
        params: params.clone(),
        tasks: sub_tasks,
        groups: sub_groups,
        outputs: outputs.iter().map(|o| remap.output(o)).collect(),
        errors: Vec::new(),
        timeout: None,
        id,
        file_params: files.clone(),
    };
    rename(&mut sub);
    sub
}

/// The last number nested pipeline `h` and the groups inside it take from kfp's counter.
fn last_number(p: &Pipeline, h: usize) -> u32 {
    let mut last = p.groups[h].id;
    for (x, group) in p.groups.iter().enumerate() {
        let mut at = Some(x);
        while let Some(i) = at {
            if i == h {
                last = last.max(group.id);
                if let GroupKind::Loop { item_id, .. } = &group.kind {
                    last = last.max(*item_id);
                }
                break;
            }
            at = p.groups[i].parent;
        }
    }
    last
}

/// How much to take off the number `id` of a group of a pipeline whose own numbers start
/// after `base`, for which the nested pipelines `nested` (directly in it) took numbers from
/// the shared counter: `base`, and the numbers of each nested pipeline that ends before it.
fn shift(p: &Pipeline, nested: &[usize], base: u32, id: u32) -> u32 {
    base + nested
        .iter()
        .filter_map(|&h| {
            let last = last_number(p, h);
            (last < id).then(|| last - p.groups[h].id + 1)
        })
        .sum::<u32>()
}

/// `kind` with its loop item's number taken down by `shift`.
fn renumber(mut kind: GroupKind, shift: u32) -> GroupKind {
    if let GroupKind::Loop { item_id, .. } = &mut kind {
        if *item_id > shift {
            *item_id -= shift;
        }
    }
    kind
}

/// The outermost nested pipeline strictly inside `g` that holds `group`, if any.
fn outermost_below(p: &Pipeline, group: Option<usize>, g: usize) -> Option<usize> {
    let mut found = None;
    let mut at = group;
    while let Some(i) = at {
        if i == g {
            return found;
        }
        if is_nested(p, i) {
            found = Some(i);
        }
        at = p.groups.get(i).and_then(|x| x.parent);
    }
    None
}

/// Names each task of `p` as kfp does within one pipeline: the component's (or nested
/// pipeline's) sanitised name, `-2`, `-3`, ... on repeats, the pipeline's own name taken.
fn rename(p: &mut Pipeline) {
    let mut names: HashSet<String> = HashSet::from([sanitize_name(&p.name)]);
    for task in &mut p.tasks {
        let base = sanitize_name(&task.component.name);
        let base = if base.is_empty() {
            "task".to_owned()
        } else {
            base
        };
        let mut name = base.clone();
        let mut i = 2;
        while names.contains(&name) {
            name = format!("{base}-{i}");
            i += 1;
        }
        names.insert(name.clone());
        task.name = name;
    }
}

/// Where output `.1` of task `.0` of one pipeline is in another: a task and an output.
type TaskMap<'a> = &'a dyn Fn(usize, &str) -> Option<(usize, String)>;

/// Task and group indices from one pipeline to another.
struct Remap<'a> {
    id: u64,
    task: TaskMap<'a>,
    group: &'a dyn Fn(usize) -> Option<usize>,
}

impl Remap<'_> {
    fn task_of(&self, t: usize) -> Option<(usize, String)> {
        (self.task)(t, "")
    }

    fn id(&self, index: usize) -> TaskId {
        TaskId {
            pipeline: self.id,
            index,
        }
    }

    fn arg(&self, arg: &Arg) -> Arg {
        match arg {
            Arg::Output { task, output } => match (self.task)(task.index, output) {
                Some((n, output)) => Arg::Output {
                    task: self.id(n),
                    output,
                },
                None => arg.clone(),
            },
            Arg::Collected { task, output } => match (self.task)(task.index, output) {
                Some((n, output)) => Arg::Collected {
                    task: self.id(n),
                    output,
                },
                None => arg.clone(),
            },
            Arg::OneOf { outputs } => Arg::OneOf {
                outputs: outputs
                    .iter()
                    .map(|(t, o)| match (self.task)(t.index, o) {
                        Some((n, o)) => (self.id(n), o),
                        None => (*t, o.clone()),
                    })
                    .collect(),
            },
            Arg::LoopItem { group, field } => Arg::LoopItem {
                group: (self.group)(*group).unwrap_or(*group),
                field: field.clone(),
            },
            Arg::Constant(_) | Arg::Param(_) => arg.clone(),
        }
    }

    fn condition(&self, c: &Condition) -> Condition {
        let mut c = c.clone();
        c.lhs = self.arg(&c.lhs);
        c.rhs = self.arg(&c.rhs);
        c
    }

    fn output(&self, o: &PipelineOutput) -> PipelineOutput {
        PipelineOutput {
            source: self.arg(&o.source),
            ..o.clone()
        }
    }

    fn kind(&self, kind: &GroupKind) -> GroupKind {
        let mut kind = kind.clone();
        match &mut kind {
            GroupKind::Condition { condition, .. } => *condition = self.condition(condition),
            GroupKind::Branch {
                negated, condition, ..
            } => {
                for c in negated.iter_mut().chain(condition.iter_mut()) {
                    *c = self.condition(c);
                }
            }
            GroupKind::Loop { items, .. } => {
                if let LoopItems::Output { task, output } | LoopItems::Collected { task, output } =
                    items
                {
                    if let Some((n, o)) = (self.task)(task.index, output) {
                        *task = self.id(n);
                        *output = o;
                    }
                }
            }
            GroupKind::ExitHandler { exit_task, .. } => {
                if let Some((n, _)) = self.task_of(exit_task.index) {
                    *exit_task = self.id(n);
                }
            }
            GroupKind::Pipeline { args, outputs, .. } => {
                for (_, a) in args.iter_mut() {
                    if let Some(a) = a {
                        *a = self.arg(a);
                    }
                }
                for o in outputs.iter_mut() {
                    *o = self.output(o);
                }
            }
            GroupKind::Branches => {}
        }
        kind
    }
}
