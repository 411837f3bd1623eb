//! The output of whichever branch of an `if`/`elif`/`else` ran (kfp's `dsl.OneOf`; KFP v2
//! only).

use std::marker::PhantomData;

use super::GroupKind;
use crate::compiler::Target;
use crate::dsl::{IntoArg, TaskOutput};
use crate::error::BuildError;
use crate::spec::pipeline::{Arg, Pipeline, TaskId};
use crate::types::KfpType;

/// One output of a task per branch of an `if`/`elif`/`else`, of which exactly one runs: a
/// placeholder for an input of type `T` of a task after the branches (kfp's `dsl.OneOf`; KFP
/// v2 only). The branches must end with an `else`
/// ([`Branches::otherwise`](super::Branches::otherwise)), so that one always runs.
///
/// ```
/// use kfp_core::prelude::*;
/// use kfp_core::control::OneOf;
///
/// #[component]
/// fn flip() -> String {
///     "heads".into()
/// }
///
/// #[component]
/// fn word(w: String) -> String {
///     w
/// }
///
/// #[component]
/// fn say(s: String) {
///     println!("{s}");
/// }
///
/// #[pipeline(name = "one-of")]
/// fn one_of() {
///     let f = flip();
///     let (mut heads, mut tails) = (None, None);
///     f.output()
///         .equals("heads")
///         .then(|| heads = Some(word("a").output()))
///         .otherwise(|| tails = Some(word("b").output()));
///     if let (Some(h), Some(t)) = (heads, tails) {
///         say(OneOf::new([h, t]));
///     }
/// }
///
/// fn main() {
/// let ir = Compiler::new().compile(&one_of(), Target::V2).unwrap();
/// assert!(ir.contains("valueFromOneof"));
/// assert!(Compiler::new().compile(&one_of(), Target::V1).is_err());
/// }
/// ```
pub struct OneOf<T> {
    outputs: Vec<(TaskId, &'static str)>,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for OneOf<T> {
    fn clone(&self) -> Self {
        OneOf {
            outputs: self.outputs.clone(),
            _t: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for OneOf<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(
                self.outputs
                    .iter()
                    .map(|(t, o)| format!("#{}.{o}", t.index())),
            )
            .finish()
    }
}

impl<T> OneOf<T> {
    /// The output of whichever of `outputs` ran: one per branch, each of a task directly in
    /// its branch.
    pub fn new(outputs: impl IntoIterator<Item = TaskOutput<T>>) -> Self {
        OneOf {
            outputs: outputs.into_iter().map(|o| (o.task(), o.name())).collect(),
            _t: PhantomData,
        }
    }
}

impl<T: KfpType> IntoArg<T> for OneOf<T> {
    fn into_arg(self) -> Arg {
        Arg::OneOf {
            outputs: self
                .outputs
                .into_iter()
                .map(|(t, o)| (t, o.to_owned()))
                .collect(),
        }
    }
}

impl<T: KfpType> IntoArg<T> for &OneOf<T> {
    fn into_arg(self) -> Arg {
        IntoArg::<T>::into_arg(self.clone())
    }
}

/// What kfp 2.17.3 refuses in a `OneOf`, and KFP v1, which has no `OneOf`.
pub(crate) fn check(p: &Pipeline, target: Target, errors: &mut Vec<BuildError>) {
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
            if target == Target::V1 {
                fail(
                    "it takes a `OneOf` (kfp's `dsl.OneOf`), which only KFP v2 can do; compile \
                     with `--target v2`"
                        .into(),
                );
                continue;
            }
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
                    .is_some_and(|i| {
                        crate::compiler::v2_io::output_io(&producer.component, i).is_artifact()
                    });
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
