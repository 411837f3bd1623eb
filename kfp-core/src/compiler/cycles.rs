//! Cycles every target refuses, found on the model: among tasks, and among the groups and
//! tasks that wait for each other as siblings (a group waits for what the tasks inside it wait
//! for). Both targets nest groups the same way, so both refuse the same cycles.

use std::collections::{BTreeMap, BTreeSet};

use super::tree::{Node, Tree};
use crate::control::{GroupKind, GroupSpec, LoopItems};
use crate::spec::component::sanitize_name;
use crate::spec::pipeline::{Arg, Pipeline};

/// The upstream tasks of each task (data edges and `after`), by index, deduplicated.
fn upstream(pipeline: &Pipeline) -> Vec<Vec<usize>> {
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

/// A cycle among tasks, in run order, starting from the task made first.
pub(crate) fn task_cycle(pipeline: &Pipeline) -> Option<Vec<String>> {
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

impl Tree<'_> {
    /// The name a cycle shows: the task's, the group's (`for-loop-2`), the pipeline's.
    fn name(&self, node: Node) -> String {
        match node {
            Node::Root => sanitize_name(&self.p.name),
            Node::Group(g) => self
                .p
                .groups
                .get(g)
                .map(GroupSpec::v2_name)
                .unwrap_or_default(),
            Node::Task(t) => self
                .p
                .tasks
                .get(t)
                .map(|t| t.name.clone())
                .unwrap_or_default(),
        }
    }

    /// What makes the value `arg` that `consumer` takes: the task for an output (and for the
    /// items of a loop over one), the loop that hands out a collected list, the `if`/`elif`/
    /// `else` that hands out a `OneOf`; `None` for a constant, a pipeline parameter, a static
    /// list's items, or a value from another pipeline.
    fn producer(&self, arg: &Arg, consumer: Node) -> Option<Node> {
        let p = self.p;
        match arg {
            Arg::Constant(_) | Arg::Param(_) => None,
            Arg::Output { task, .. } => p.task(*task).map(|_| Node::Task(task.index())),
            Arg::LoopItem { group, .. } => match &p.groups.get(*group)?.kind {
                GroupKind::Loop {
                    items: LoopItems::Output { task, .. },
                    ..
                } => p.task(*task).map(|_| Node::Task(task.index())),
                _ => None,
            },
            Arg::Collected { task, .. } => {
                p.task(*task)?;
                match self.uncommon(Node::Task(task.index()), consumer).0.first() {
                    Some(&Node::Group(g)) => Some(Node::Group(g)),
                    _ => None,
                }
            }
            Arg::OneOf { outputs } => {
                // A `OneOf` that no task takes, or of a task from another pipeline, names no
                // group.
                let taken = p.tasks.iter().any(|t| {
                    t.args
                        .iter()
                        .flatten()
                        .any(|a| matches!(a, Arg::OneOf { outputs: o } if o == outputs))
                });
                if !taken || outputs.iter().any(|(t, _)| p.task(*t).is_none()) {
                    return None;
                }
                let (first, _) = outputs.first()?;
                let branch = p.task(*first)?.group?;
                p.groups.get(branch)?.parent.map(Node::Group)
            }
        }
    }
}

/// A cycle among groups and tasks that wait for each other as siblings, in run order, which
/// no cycle among tasks shows (a task runs `.after(..)` a task in a loop, and another task in
/// that loop takes its output): the names of the siblings on it.
pub(crate) fn group_cycle(pipeline: &Pipeline) -> Option<Vec<String>> {
    if pipeline.groups.is_empty() {
        return None;
    }
    let tree = Tree { p: pipeline };
    let deps = sibling_waits(&tree);
    // Iterative DFS with colours: absent = new, 1 = on the stack, 2 = done.
    let mut colour: BTreeMap<Node, u8> = BTreeMap::new();
    let empty = BTreeSet::new();
    for &start in deps.keys() {
        if colour.contains_key(&start) {
            continue;
        }
        colour.insert(start, 1);
        let mut stack = vec![(start, deps.get(&start).unwrap_or(&empty).iter())];
        while let Some((node, ups)) = stack.last_mut() {
            let node = *node;
            match ups.next() {
                Some(&up) => match colour.get(&up) {
                    None => {
                        colour.insert(up, 1);
                        stack.push((up, deps.get(&up).unwrap_or(&empty).iter()));
                    }
                    Some(1) => {
                        let at = stack.iter().position(|(n, _)| *n == up).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            stack[at..].iter().map(|(n, _)| tree.name(*n)).collect();
                        cycle.reverse();
                        return Some(cycle);
                    }
                    Some(_) => {}
                },
                None => {
                    colour.insert(node, 2);
                    stack.pop();
                }
            }
        }
    }
    None
}

/// The siblings each node waits for: a task waits for the producers of what it and the
/// conditions around it take, and for what it runs `.after(..)`, as a wait between the
/// siblings that hold them. Exit tasks sit outside every DAG and wait for nothing.
fn sibling_waits(tree: &Tree) -> BTreeMap<Node, BTreeSet<Node>> {
    let p = tree.p;
    let exit: BTreeSet<usize> = p
        .groups
        .iter()
        .filter_map(|group| match &group.kind {
            GroupKind::ExitHandler { exit_task, .. } if p.task(*exit_task).is_some() => {
                Some(exit_task.index())
            }
            _ => None,
        })
        .collect();
    let mut deps: BTreeMap<Node, BTreeSet<Node>> = BTreeMap::new();
    for (t, task) in p.tasks.iter().enumerate() {
        if exit.contains(&t) {
            continue;
        }
        let me = Node::Task(t);
        let mut ups: BTreeSet<Node> = task
            .args
            .iter()
            .flatten()
            .filter_map(|a| tree.producer(a, me))
            .collect();
        for node in tree.path(me) {
            let Node::Group(g) = node else { continue };
            let Some(group) = p.groups.get(g) else {
                continue;
            };
            for (c, _) in group.conditions() {
                ups.extend(
                    [&c.lhs, &c.rhs]
                        .into_iter()
                        .filter_map(|a| tree.producer(a, Node::Group(g))),
                );
            }
        }
        ups.extend(
            task.after
                .iter()
                .filter(|a| p.task(**a).is_some())
                .map(|a| Node::Task(a.index())),
        );
        // `.after(..)` a whole (exit handler) group.
        ups.extend(
            task.settings
                .after_groups
                .iter()
                .filter(|g| p.groups.get(**g).is_some())
                .map(|g| Node::Group(*g)),
        );
        for up in ups {
            let (u, d) = tree.uncommon(up, me);
            if let (Some(u), Some(d)) = (u.first(), d.first()) {
                deps.entry(*d).or_default().insert(*u);
            }
        }
    }
    deps
}
