//! Building the group tree while a pipeline function runs: each group ([`GroupSpec`](super::GroupSpec)) a
//! condition, a branch, a loop, an exit handler or a nested pipeline opens is pushed onto the
//! pipeline being built with its parent, so the model holds the groups as a tree (every
//! group's `parent`, every task's `group`). The user-facing handles in `control` call these.

use serde_json::Value;

use crate::dsl::{scoped_kind, with_current, with_pipeline};
use crate::error::BuildError;
use crate::spec::pipeline::Arg;

/// Opens a group of `kind` in the pipeline being built, runs `body` inside it, and closes it.
pub(crate) fn with_group<R>(kind: crate::control::GroupKind, body: impl FnOnce() -> R) -> R {
    with_loop(kind, |_| body())
}

/// [`with_group`], giving `body` the new group's index (a loop's items refer to it).
pub(crate) fn with_loop<R>(
    mut kind: crate::control::GroupKind,
    body: impl FnOnce(usize) -> R,
) -> R {
    let opened = with_current(|b| {
        let mut scoped = scoped_kind(b).then(|| kind.clone());
        match &mut kind {
            crate::control::GroupKind::Condition { condition, .. } => {
                condition.lhs = b.bind(condition.lhs.clone());
                condition.rhs = b.bind(condition.rhs.clone());
            }
            crate::control::GroupKind::Loop { items, .. } => {
                if let crate::control::LoopItems::Param(p) = items {
                    *items = match b.bind(Arg::Param(p.clone())) {
                        Arg::Param(p) => crate::control::LoopItems::Param(p),
                        Arg::Output { task, output } => {
                            crate::control::LoopItems::Output { task, output }
                        }
                        Arg::Collected { task, output } => {
                            crate::control::LoopItems::Collected { task, output }
                        }
                        Arg::Constant(Value::Array(values)) => {
                            crate::control::LoopItems::Static(values)
                        }
                        other => {
                            b.pipeline.errors.push(BuildError::InvalidGroup {
                                group: "for-loop".into(),
                                message: format!(
                                    "a loop over `{p}`, which the enclosing pipeline sets to \
                                     {}: a loop in a nested pipeline runs over a list constant, \
                                     a pipeline parameter or a task output",
                                    match other {
                                        Arg::Constant(v) => format!("the constant {v}"),
                                        Arg::LoopItem { .. } => "a loop item".to_owned(),
                                        _ => "a collected output".to_owned(),
                                    }
                                ),
                            });
                            crate::control::LoopItems::Static(Vec::new())
                        }
                    };
                }
            }
            _ => {}
        }
        if let crate::control::GroupKind::Loop {
            items: crate::control::LoopItems::Static(_),
            item_id,
            ..
        } = &mut kind
        {
            b.counter += 1;
            *item_id = b.counter;
            if let Some(crate::control::GroupKind::Loop {
                items: crate::control::LoopItems::Static(_),
                item_id: scoped_id,
                ..
            }) = &mut scoped
            {
                *scoped_id = b.counter;
            }
        }
        b.counter += 1;
        let index = b.pipeline.groups.len();
        b.pipeline.groups.push(crate::control::GroupSpec {
            id: b.counter,
            kind,
            parent: b.open_groups.last().copied(),
            scoped,
        });
        b.open_groups.push(index);
        (b.pipeline.id, index)
    });
    let result = body(opened.map_or(usize::MAX, |(_, i)| i));
    if let Some((pipeline, _)) = opened {
        with_pipeline(pipeline, |b| b.open_groups.pop());
    }
    result
}

/// Opens an `elif`/`else` branch (a group of `kind`) after group `previous`, the `if` or the
/// branch before it, runs `body` in it and closes it. The first branch after an `if` puts the
/// `if` in a `condition-branches` group (`wrapper`) that takes the `if`'s number, the `if`
/// taking the next one, as kfp's `dsl.Elif` and `dsl.Else` do.
///
/// Returns the wrapper's and the branch's indices; `None` (with an error recorded, and `body`
/// run outside any new group) when `previous` is not the group just closed in this block.
pub(crate) fn with_branch<R>(
    previous: usize,
    wrapper: Option<usize>,
    mut kind: crate::control::GroupKind,
    body: impl FnOnce() -> R,
) -> (Option<(usize, usize)>, R) {
    use crate::control::{GroupKind, GroupSpec};
    let opened = with_current(|b| {
        let scope = b.open_groups.last().copied();
        if !branch_follows(&b.pipeline.groups, scope, previous, wrapper) {
            let group = b
                .pipeline
                .groups
                .get(previous)
                .map_or_else(|| "condition".to_owned(), GroupSpec::name);
            b.pipeline.errors.push(BuildError::InvalidGroup {
                group,
                message: BRANCH_ORDER.into(),
            });
            return None;
        }
        let scoped = scoped_kind(b).then(|| kind.clone());
        if let GroupKind::Branch {
            negated, condition, ..
        } = &mut kind
        {
            for c in negated.iter_mut().chain(condition.iter_mut()) {
                c.lhs = b.bind(c.lhs.clone());
                c.rhs = b.bind(c.rhs.clone());
            }
        }
        let w = match wrapper {
            Some(w) => w,
            None => {
                b.counter += 1;
                let w = b.pipeline.groups.len();
                let first = &mut b.pipeline.groups[previous];
                let (id, parent) = (first.id, first.parent);
                first.id = b.counter;
                first.parent = Some(w);
                b.pipeline.groups.push(GroupSpec {
                    id,
                    kind: GroupKind::Branches,
                    parent,
                    scoped: scoped.as_ref().map(|_| GroupKind::Branches),
                });
                w
            }
        };
        b.counter += 1;
        let index = b.pipeline.groups.len();
        b.pipeline.groups.push(GroupSpec {
            id: b.counter,
            kind,
            parent: Some(w),
            scoped,
        });
        b.open_groups.push(index);
        Some((b.pipeline.id, w, index))
    })
    .flatten();
    let result = body();
    if let Some((pipeline, ..)) = opened {
        with_pipeline(pipeline, |b| b.open_groups.pop());
    }
    (opened.map(|(_, w, i)| (w, i)), result)
}

const BRANCH_ORDER: &str = "`.elif(..)` and `.otherwise(..)` must follow the `.then(..)` or \
    `.elif(..)` before them directly, in the same block, with no other condition, loop or exit \
    handler in between";

/// Whether a branch opened in `scope` follows group `previous` (in `wrapper`, if any)
/// directly: `previous` is in this block, and every group made since is inside it.
fn branch_follows(
    groups: &[crate::control::GroupSpec],
    scope: Option<usize>,
    previous: usize,
    wrapper: Option<usize>,
) -> bool {
    let inside = |mut g: usize| loop {
        match groups.get(g).and_then(|s| s.parent) {
            Some(p) if p == previous => return true,
            Some(p) => g = p,
            None => return false,
        }
    };
    let Some(prev) = groups.get(previous) else {
        return false;
    };
    let in_block = match wrapper {
        None => prev.parent == scope,
        Some(w) => prev.parent == Some(w) && groups.get(w).is_some_and(|g| g.parent == scope),
    };
    in_block && (previous + 1..groups.len()).all(inside)
}
