//! Control flow in a pipeline: conditions, loops and exit handlers (kfp's `dsl.Condition`,
//! `dsl.ParallelFor` and `dsl.ExitHandler`).
//!
//! Each is a value with a method that takes a closure; the component calls inside the closure
//! add tasks to the group:
//!
//! ```
//! use kfp_core::prelude::*;
//!
//! #[component]
//! fn flip_coin() -> String {
//!     "heads".into()
//! }
//!
//! #[component]
//! fn square(x: i64) -> i64 {
//!     x * x
//! }
//!
//! #[component]
//! fn print_msg(msg: String) {
//!     println!("{msg}");
//! }
//!
//! #[pipeline(name = "control")]
//! fn control(#[kfp(default = vec![1, 2])] xs: Vec<i64>) {
//!     let flip = flip_coin();
//!     flip.output().equals("heads").then(|| {
//!         print_msg("heads!");
//!     });
//!     ParallelFor::new([1, 2, 3]).parallelism(2).run(|x| {
//!         square(x);
//!     });
//!     ParallelFor::over(xs).run(|x| {
//!         square(x);
//!     });
//! }
//!
//! fn main() {
//! let p = control();
//! assert_eq!(p.groups.len(), 3);
//! assert!(p.errors.is_empty());
//! }
//! ```

use std::fmt;
use std::marker::PhantomData;

use serde_json::Value;

use crate::dsl::{self, IntoArg, Param, Task, TaskOutput};
use crate::error::BuildError;
use crate::spec::pipeline::{Arg, TaskId};
use crate::types::KfpType;

/// A comparison operator of a condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as KFP writes it (`==`).
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// The operator that is true exactly when this one is false.
    pub fn negate(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
        }
    }
}

impl fmt::Display for CmpOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A comparison of two typed operands: a task output, a pipeline parameter, a loop item or a
/// constant. Made by `.equals(..)`, `.greater_than(..)`, ... on those handles.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The left operand.
    pub lhs: Arg,
    /// The operator.
    pub op: CmpOp,
    /// The right operand.
    pub rhs: Arg,
    /// The kind of the operands.
    pub kind: crate::types::ParamKind,
    name: Option<String>,
}

impl Condition {
    /// Names the condition's group (`condition-<name>-<n>`), like `dsl.Condition(name=...)`.
    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    /// The condition with its operator negated (`==` becomes `!=`).
    pub fn negated(mut self) -> Self {
        self.op = self.op.negate();
        self
    }

    /// Runs the tasks `body` adds only when the condition holds.
    pub fn then<R>(self, body: impl FnOnce() -> R) -> R {
        let name = self.name.clone();
        dsl::with_group(
            GroupKind::Condition {
                condition: self,
                name,
            },
            body,
        )
    }
}

macro_rules! comparisons {
    ($($handle:ident),*) => {$(
        impl<T: KfpType> $handle<T> {
            /// The condition `self == rhs`.
            pub fn equals(self, rhs: impl IntoArg<T>) -> Condition {
                compare::<T>(IntoArg::<T>::into_arg(self), CmpOp::Eq, rhs.into_arg())
            }
            /// The condition `self != rhs`.
            pub fn not_equals(self, rhs: impl IntoArg<T>) -> Condition {
                compare::<T>(IntoArg::<T>::into_arg(self), CmpOp::Ne, rhs.into_arg())
            }
            /// The condition `self < rhs`.
            pub fn less_than(self, rhs: impl IntoArg<T>) -> Condition {
                compare::<T>(IntoArg::<T>::into_arg(self), CmpOp::Lt, rhs.into_arg())
            }
            /// The condition `self <= rhs`.
            pub fn at_most(self, rhs: impl IntoArg<T>) -> Condition {
                compare::<T>(IntoArg::<T>::into_arg(self), CmpOp::Le, rhs.into_arg())
            }
            /// The condition `self > rhs`.
            pub fn greater_than(self, rhs: impl IntoArg<T>) -> Condition {
                compare::<T>(IntoArg::<T>::into_arg(self), CmpOp::Gt, rhs.into_arg())
            }
            /// The condition `self >= rhs`.
            pub fn at_least(self, rhs: impl IntoArg<T>) -> Condition {
                compare::<T>(IntoArg::<T>::into_arg(self), CmpOp::Ge, rhs.into_arg())
            }
        }
    )*};
}
comparisons!(TaskOutput, Param, LoopItem);

fn compare<T: KfpType>(lhs: Arg, op: CmpOp, rhs: Arg) -> Condition {
    Condition {
        lhs,
        op,
        rhs,
        kind: T::KIND,
        name: None,
    }
}

/// What a loop iterates over.
#[derive(Clone, Debug, PartialEq)]
pub enum LoopItems {
    /// A list known when the pipeline is built.
    Static(Vec<Value>),
    /// A list-typed pipeline parameter.
    Param(String),
    /// A list-typed output of an upstream task.
    Output {
        /// The producing task.
        task: TaskId,
        /// The output.
        output: String,
    },
}

/// A group of tasks: a condition, a loop or an exit handler.
#[derive(Clone, Debug, PartialEq)]
pub enum GroupKind {
    /// `dsl.Condition`.
    Condition {
        /// The comparison.
        condition: Condition,
        /// The optional name.
        name: Option<String>,
    },
    /// `dsl.ParallelFor`.
    Loop {
        /// The items.
        items: LoopItems,
        /// How many iterations run at once.
        parallelism: Option<u32>,
        /// The number in the loop item's name (`loop-item-param-<n>`), for static lists.
        item_id: u32,
    },
    /// `dsl.ExitHandler`.
    ExitHandler {
        /// The task that runs when the group ends, failed or not.
        exit_task: TaskId,
    },
}

/// A group in a built pipeline.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupSpec {
    /// The group's number (`condition-<n>`, `for-loop-<n>`), shared with loop items, as kfp
    /// counts them.
    pub id: u32,
    /// What the group is.
    pub kind: GroupKind,
    /// The enclosing group (`None` for the pipeline's root).
    pub parent: Option<usize>,
}

impl GroupSpec {
    /// The group's template and task name: `condition-3`, `condition-heads-branch-1`,
    /// `for-loop-2`, `exit-handler-1`.
    pub fn name(&self) -> String {
        match &self.kind {
            GroupKind::Condition { name: Some(n), .. } => {
                format!(
                    "condition-{}-{}",
                    crate::spec::component::sanitize_name(n),
                    self.id
                )
            }
            GroupKind::Condition { .. } => format!("condition-{}", self.id),
            GroupKind::Loop { .. } => format!("for-loop-{}", self.id),
            GroupKind::ExitHandler { .. } => format!("exit-handler-{}", self.id),
        }
    }
}

/// A loop over items, like `dsl.ParallelFor`.
pub struct ParallelFor<T> {
    items: LoopItems,
    parallelism: Option<u32>,
    _t: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for ParallelFor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ParallelFor({:?})", self.items)
    }
}

/// A value a static loop can iterate over, and the type its items have inside the loop
/// (`&str` items are `String`s there).
pub trait LoopValue: serde::Serialize {
    /// The item's type inside the loop.
    type Item;
}

impl<T: KfpType + serde::Serialize> LoopValue for T {
    type Item = T;
}

impl LoopValue for &str {
    type Item = String;
}

/// A JSON object item, whose fields [`LoopItem::field`] reads.
impl LoopValue for Value {
    type Item = Value;
}

impl ParallelFor<()> {
    /// A loop over a list known when the pipeline is built: numbers, strings, or JSON objects
    /// (`serde_json::json!({...})`, whose fields [`LoopItem::field`] reads).
    pub fn new<I: LoopValue>(items: impl IntoIterator<Item = I>) -> ParallelFor<I::Item> {
        ParallelFor {
            items: LoopItems::Static(
                items
                    .into_iter()
                    .map(|i| serde_json::to_value(i).unwrap_or(Value::Null))
                    .collect(),
            ),
            parallelism: None,
            _t: PhantomData,
        }
    }
}

impl<T> ParallelFor<T> {
    /// A loop over a list-typed pipeline parameter.
    pub fn over(items: Param<Vec<T>>) -> Self {
        ParallelFor {
            items: LoopItems::Param(items.name().to_owned()),
            parallelism: None,
            _t: PhantomData,
        }
    }

    /// A loop over a list-typed output of an upstream task.
    pub fn over_output(items: TaskOutput<Vec<T>>) -> Self {
        ParallelFor {
            items: LoopItems::Output {
                task: items.task(),
                output: items.name().to_owned(),
            },
            parallelism: None,
            _t: PhantomData,
        }
    }

    /// Runs at most `limit` iterations at once.
    pub fn parallelism(mut self, limit: u32) -> Self {
        self.parallelism = Some(limit);
        self
    }

    /// Runs the tasks `body` adds once per item; `body` gets the item as a placeholder.
    pub fn run<R>(self, body: impl FnOnce(LoopItem<T>) -> R) -> R {
        let kind = GroupKind::Loop {
            items: self.items,
            parallelism: self.parallelism,
            item_id: 0,
        };
        dsl::with_loop(kind, |group| {
            body(LoopItem {
                group,
                field: None,
                _t: PhantomData,
            })
        })
    }
}

/// The current item of a [`ParallelFor`] loop: a placeholder for an input of type `T`.
pub struct LoopItem<T> {
    group: usize,
    field: Option<&'static str>,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for LoopItem<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for LoopItem<T> {}

impl<T> fmt::Debug for LoopItem<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LoopItem(group {}, {:?})", self.group, self.field)
    }
}

impl<T> LoopItem<T> {
    /// The field `key` of an item that is a JSON object, as a `U`
    /// (`cfg.field::<String>("model")`, kfp's `cfg.model`).
    pub fn field<U: KfpType>(&self, key: &'static str) -> LoopItem<U> {
        LoopItem {
            group: self.group,
            field: Some(key),
            _t: PhantomData,
        }
    }
}

impl<T: KfpType> IntoArg<T> for LoopItem<T> {
    fn into_arg(self) -> Arg {
        Arg::LoopItem {
            group: self.group,
            field: self.field.map(str::to_owned),
        }
    }
}

/// Runs a task when a group of tasks ends, failed or not, like `dsl.ExitHandler`.
#[derive(Debug)]
pub struct ExitHandler {
    exit_task: TaskId,
}

impl ExitHandler {
    /// `exit_task` (made before the group, and used nowhere else) runs when the group ends.
    pub fn new<O>(exit_task: &Task<O>) -> Self {
        ExitHandler {
            exit_task: exit_task.id(),
        }
    }

    /// Adds the tasks `body` adds to the group.
    pub fn run<R>(self, body: impl FnOnce() -> R) -> R {
        dsl::with_group(
            GroupKind::ExitHandler {
                exit_task: self.exit_task,
            },
            body,
        )
    }
}

/// Problems with groups that only the whole pipeline shows.
pub(crate) fn check_groups(p: &crate::Pipeline, errors: &mut Vec<BuildError>) {
    let mut exit_tasks = 0;
    for g in &p.groups {
        if let GroupKind::ExitHandler { exit_task } = &g.kind {
            exit_tasks += 1;
            if g.parent.is_some() {
                errors.push(BuildError::InvalidGroup {
                    group: g.name(),
                    message: "an exit handler must be at the top of the pipeline, not inside another group".into(),
                });
            }
            if let Some(t) = p.task(*exit_task) {
                if t.group.is_some() {
                    errors.push(BuildError::InvalidGroup {
                        group: g.name(),
                        message: format!("its exit task `{}` must be made at the top of the pipeline, outside any group", t.name),
                    });
                }
            }
        }
    }
    if exit_tasks > 1 {
        errors.push(BuildError::InvalidGroup {
            group: "exit-handler".into(),
            message: "a pipeline has at most one exit handler".into(),
        });
    }
}
