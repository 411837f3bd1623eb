//! Control flow in a pipeline: conditions with their `elif`/`else` branches, loops with their
//! fan-in, and exit handlers (kfp's `dsl.If`/`dsl.Elif`/`dsl.Else` or `dsl.Condition`,
//! `dsl.ParallelFor` with `dsl.Collected`, and `dsl.ExitHandler`).
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
//! fn total(values: Vec<i64>) -> i64 {
//!     values.iter().sum()
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
//!     flip.output()
//!         .equals("heads")
//!         .then(|| {
//!             print_msg("heads!");
//!         })
//!         .elif(flip.output().equals("tails"), || {
//!             print_msg("tails!");
//!         })
//!         .otherwise(|| {
//!             print_msg("on its edge!");
//!         });
//!     let squares = ParallelFor::new([1, 2, 3]).parallelism(2).run(|x| square(x).output());
//!     total(squares);
//!     ParallelFor::over(xs).run(|x| {
//!         square(x);
//!     });
//! }
//!
//! fn main() {
//! let p = control();
//! // The `if`, its `elif` and `else`, the group around them, and two loops.
//! assert_eq!(p.groups.len(), 6);
//! assert!(p.errors.is_empty());
//! }
//! ```
//!
//! KFP v1 has no `elif`/`else`, no fan-in and no final status: compiling a pipeline that uses
//! them for the v1 target is a [`BuildError::Unsupported`](crate::BuildError::Unsupported).

mod after_group;
pub(crate) mod build;
mod check;
mod one_of;

pub(crate) use after_group::check as check_after_groups;
pub use after_group::GroupHandle;
pub use one_of::OneOf;

use std::fmt;
use std::marker::PhantomData;

use serde_json::Value;

use crate::dsl::{IntoArg, Param, Task, TaskOutput};
use crate::spec::pipeline::{Arg, TaskId};
use crate::types::{KfpType, ParamKind};

pub(crate) use check::check_groups;

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
    pub kind: ParamKind,
    name: Option<String>,
}

impl Condition {
    /// Names the condition's group, like `dsl.If(..., name=...)`: KFP v1 names the group
    /// `condition-<name>-<n>`, KFP v2 shows the name in its UI.
    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    /// The name given with [`Condition::named`].
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The condition with its operator negated (`==` becomes `!=`).
    pub fn negated(mut self) -> Self {
        self.op = self.op.negate();
        self
    }

    /// Runs the tasks `body` adds only when the condition holds (`dsl.If`). Chain
    /// [`Branches::elif`] and [`Branches::otherwise`] for the other cases.
    pub fn then<R>(self, body: impl FnOnce() -> R) -> Branches {
        let name = self.name.clone();
        let kind = GroupKind::Condition {
            condition: self.clone(),
            name,
        };
        let group = build::with_loop(kind, |group| {
            body();
            group
        });
        Branches {
            last: group,
            wrapper: None,
            negated: vec![self],
        }
    }
}

/// An `if` and the `elif`s after it, as [`Condition::then`] and [`Branches::elif`] return
/// them: what [`Branches::elif`] and [`Branches::otherwise`] continue.
///
/// The first `elif` or `else` puts the `if` and its branches in a group of their own,
/// `condition-branches-<n>`, as kfp's `dsl.Elif` and `dsl.Else` do; each branch runs when
/// the conditions before it do not hold and its own does. A branch must follow the one before
/// it directly, in the same block.
#[derive(Debug)]
pub struct Branches {
    /// The group of the `if` or of the last `elif`.
    last: usize,
    /// The `condition-branches` group, once there is one.
    wrapper: Option<usize>,
    /// The conditions so far, each of which must not hold for a later branch to run.
    negated: Vec<Condition>,
}

impl Branches {
    /// Runs the tasks `body` adds only when none of the conditions before holds and
    /// `condition` does (`dsl.Elif`).
    pub fn elif<R>(self, condition: Condition, body: impl FnOnce() -> R) -> Branches {
        let Branches {
            last,
            wrapper,
            mut negated,
        } = self;
        let kind = GroupKind::Branch {
            negated: negated.clone(),
            condition: Some(condition.clone()),
            name: condition.name.clone(),
        };
        let (opened, ()) = build::with_branch(last, wrapper, kind, || {
            body();
        });
        negated.push(condition);
        match opened {
            Some((wrapper, group)) => Branches {
                last: group,
                wrapper: Some(wrapper),
                negated,
            },
            None => Branches {
                last: usize::MAX,
                wrapper,
                negated,
            },
        }
    }

    /// Runs the tasks `body` adds only when none of the conditions before holds
    /// (`dsl.Else`).
    pub fn otherwise<R>(self, body: impl FnOnce() -> R) {
        let kind = GroupKind::Branch {
            negated: self.negated,
            condition: None,
            name: None,
        };
        build::with_branch(self.last, self.wrapper, kind, || {
            body();
        });
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
#[non_exhaustive]
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
    /// The outputs of a task inside another loop, collected (kfp's `dsl.Collected`): what a
    /// nested pipeline's list parameter is set to, a loop over files among them (KFP v2 only).
    Collected {
        /// The producing task, inside the other loop.
        task: TaskId,
        /// The output.
        output: String,
    },
}

/// A group of tasks: a condition or one of its branches, a loop or an exit handler.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum GroupKind {
    /// `dsl.If` (or `dsl.Condition`): runs when its condition holds.
    Condition {
        /// The comparison.
        condition: Condition,
        /// The optional name.
        name: Option<String>,
    },
    /// The group around an `if` and its `elif`/`else` branches (`condition-branches-<n>`).
    Branches,
    /// `dsl.Elif` (with a condition) or `dsl.Else` (without): runs when none of `negated`
    /// holds and `condition`, if any, does.
    Branch {
        /// The conditions of the branches before, none of which may hold.
        negated: Vec<Condition>,
        /// The branch's own condition; `None` for an `else`.
        condition: Option<Condition>,
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
        /// The KFP type of an item (kfp's for a static list: the type of its first item);
        /// `None` when it has none (an empty list, a `null` first item).
        item_kind: Option<ParamKind>,
        /// The optional name KFP v2 shows.
        name: Option<String>,
    },
    /// `dsl.ExitHandler`.
    ExitHandler {
        /// The task that runs when the group ends, failed or not.
        exit_task: TaskId,
        /// The optional name KFP v2 shows.
        name: Option<String>,
    },
    /// A pipeline called as a step of another (a nested `#[pipeline]`): KFP v1's
    /// `graph-<fn>-<n>` DAG template (kfp's `@dsl.graph_component`), KFP v2's component with
    /// a DAG of its own.
    Pipeline {
        /// The nested pipeline's name (`add-twice`): its task name on KFP v2.
        name: String,
        /// The function's name (`add_twice`), which KFP v1's template name takes.
        fn_name: String,
        /// The nested pipeline's parameters, in signature order.
        params: Vec<crate::spec::pipeline::ParamSpec>,
        /// The parameters that are files (`InputPath<K>`) or lists of files
        /// (`Vec<InputPath<K>>`, `true`), by name, with their types.
        files: Vec<(String, crate::artifact::ArtifactType, bool)>,
        /// What the caller passes each parameter, as the caller wrote it (an [`Arg::Param`]
        /// of an enclosing nested pipeline names its parameter); `None` takes the default.
        args: Vec<(String, Option<Arg>)>,
        /// What the nested pipeline's function returns.
        outputs: Vec<crate::spec::pipeline::PipelineOutput>,
        /// How many tasks the pipeline had when the call began: the nested pipeline's place
        /// among the caller's tasks.
        first_task: usize,
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
    /// Inside a nested pipeline, the group as its body wrote it (see
    /// [`TaskSpec::scoped_args`](crate::spec::pipeline::TaskSpec::scoped_args)); `None`
    /// elsewhere.
    pub scoped: Option<GroupKind>,
}

impl GroupSpec {
    /// The group's name on KFP v1, its template and task name: `condition-3`,
    /// `condition-heads-branch-1`, `for-loop-2`, `exit-handler-1`.
    pub fn name(&self) -> String {
        match &self.kind {
            GroupKind::Condition { name: Some(n), .. }
            | GroupKind::Branch { name: Some(n), .. } => {
                format!(
                    "condition-{}-{}",
                    crate::spec::component::sanitize_name(n),
                    self.id
                )
            }
            GroupKind::Pipeline { fn_name, .. } => {
                format!("graph-{}-{}", fn_name.replace('_', "-"), self.id)
            }
            _ => self.v2_name(),
        }
    }

    /// The group's name on KFP v2, its task name (`comp-<name>` is its component):
    /// `condition-3`, `condition-branches-1`, `for-loop-2`, `exit-handler-1`.
    pub fn v2_name(&self) -> String {
        let kind = match &self.kind {
            GroupKind::Condition { .. } | GroupKind::Branch { .. } => "condition",
            GroupKind::Branches => "condition-branches",
            GroupKind::Loop { .. } => "for-loop",
            GroupKind::ExitHandler { .. } => "exit-handler",
            GroupKind::Pipeline { name, .. } => return crate::spec::component::sanitize_name(name),
        };
        format!("{kind}-{}", self.id)
    }

    /// The name given to the group, which KFP v2 shows in its UI (`taskInfo.name`).
    pub fn display_name(&self) -> Option<&str> {
        match &self.kind {
            GroupKind::Condition { name, .. }
            | GroupKind::Branch { name, .. }
            | GroupKind::Loop { name, .. }
            | GroupKind::ExitHandler { name, .. } => name.as_deref(),
            GroupKind::Branches | GroupKind::Pipeline { .. } => None,
        }
    }

    /// The comparisons that decide whether the group runs, each with whether it must not
    /// hold (`true`) or must hold (`false`), in kfp's order: the branches before, then its own.
    pub fn conditions(&self) -> Vec<(&Condition, bool)> {
        match &self.kind {
            GroupKind::Condition { condition, .. } => vec![(condition, false)],
            GroupKind::Branch {
                negated, condition, ..
            } => negated
                .iter()
                .map(|c| (c, true))
                .chain(condition.iter().map(|c| (c, false)))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A loop over items, like `dsl.ParallelFor`.
pub struct ParallelFor<T> {
    items: LoopItems,
    parallelism: Option<u32>,
    item_kind: Option<ParamKind>,
    name: Option<String>,
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

/// The KFP type kfp 2.x gives a constant: Python's type of the value.
pub(crate) fn json_kind(value: &Value) -> Option<ParamKind> {
    match value {
        Value::String(_) => Some(ParamKind::String),
        Value::Bool(_) => Some(ParamKind::Boolean),
        Value::Number(n) if n.is_f64() => Some(ParamKind::Float),
        Value::Number(_) => Some(ParamKind::Integer),
        Value::Array(_) => Some(ParamKind::List),
        Value::Object(_) => Some(ParamKind::Struct),
        Value::Null => None,
    }
}

impl ParallelFor<()> {
    /// A loop over a list known when the pipeline is built: numbers, strings, or JSON objects
    /// (`serde_json::json!({...})`, whose fields [`LoopItem::field`] reads).
    pub fn new<I: LoopValue>(items: impl IntoIterator<Item = I>) -> ParallelFor<I::Item> {
        let items: Vec<Value> = items
            .into_iter()
            .map(|i| {
                serde_json::to_value(i).unwrap_or_else(|e| {
                    // Not `null`: a build error in the pipeline being built.
                    crate::dsl::record_error(crate::error::BuildError::InvalidGroup {
                        group: "for-loop".into(),
                        message: format!("a loop item cannot be serialised to JSON: {e}"),
                    });
                    Value::Null
                })
            })
            .collect();
        ParallelFor {
            item_kind: items.first().and_then(json_kind),
            items: LoopItems::Static(items),
            parallelism: None,
            name: None,
            _t: PhantomData,
        }
    }
}

impl<T> ParallelFor<T> {
    /// A loop over a list-typed pipeline parameter.
    pub fn over(items: Param<Vec<T>>) -> Self
    where
        T: KfpType,
    {
        ParallelFor {
            items: LoopItems::Param(items.name().to_owned()),
            parallelism: None,
            item_kind: Some(T::KIND),
            name: None,
            _t: PhantomData,
        }
    }

    /// A loop over a list-typed output of an upstream task.
    pub fn over_output(items: TaskOutput<Vec<T>>) -> Self
    where
        T: KfpType,
    {
        ParallelFor {
            items: LoopItems::Output {
                task: items.task(),
                output: items.name().to_owned(),
            },
            parallelism: None,
            item_kind: Some(T::KIND),
            name: None,
            _t: PhantomData,
        }
    }

    /// Runs at most `limit` iterations at once.
    pub fn parallelism(mut self, limit: u32) -> Self {
        self.parallelism = Some(limit);
        self
    }

    /// Names the loop, like `dsl.ParallelFor(..., name=...)`: KFP v2 shows the name in its
    /// UI; KFP v1 has no such name.
    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    /// Runs the tasks `body` adds once per item; `body` gets the item as a placeholder.
    ///
    /// What `body` returns comes back through [`LoopResult`]: a task output becomes a
    /// [`Collected`] list of that output across the iterations (kfp's `dsl.Collected`), which
    /// feeds a `Vec` input of a task after the loop; a task stays a task, for `.after(..)`.
    pub fn run<R: LoopResult>(self, body: impl FnOnce(LoopItem<T>) -> R) -> R::Output {
        let kind = GroupKind::Loop {
            items: self.items,
            parallelism: self.parallelism,
            item_id: 0,
            item_kind: self.item_kind,
            name: self.name,
        };
        build::with_loop(kind, |group| {
            body(LoopItem {
                group,
                field: None,
                _t: PhantomData,
            })
            .after_loop()
        })
    }
}

/// What a [`ParallelFor`] body returns, and what the loop gives back for it.
pub trait LoopResult {
    /// What the loop gives back.
    type Output;
    /// The value seen after the loop.
    fn after_loop(self) -> Self::Output;
}

impl LoopResult for () {
    type Output = ();
    fn after_loop(self) {}
}

/// A task made in the loop: another task can run `.after(..)` it, which waits for every
/// iteration.
impl<O> LoopResult for Task<O> {
    type Output = Task<O>;
    fn after_loop(self) -> Task<O> {
        self
    }
}

/// An output of a task made in the loop: the list of its values, one per iteration.
impl<T> LoopResult for TaskOutput<T> {
    type Output = Collected<T>;
    fn after_loop(self) -> Collected<T> {
        Collected {
            task: self.task(),
            output: self.name(),
            _t: PhantomData,
        }
    }
}

/// An inner loop's fan-in, collected again by the outer loop.
impl<T> LoopResult for Collected<T> {
    type Output = Collected<T>;
    fn after_loop(self) -> Collected<T> {
        self
    }
}

impl<A: LoopResult, B: LoopResult> LoopResult for (A, B) {
    type Output = (A::Output, B::Output);
    fn after_loop(self) -> Self::Output {
        (self.0.after_loop(), self.1.after_loop())
    }
}

impl<A: LoopResult, B: LoopResult, C: LoopResult> LoopResult for (A, B, C) {
    type Output = (A::Output, B::Output, C::Output);
    fn after_loop(self) -> Self::Output {
        (
            self.0.after_loop(),
            self.1.after_loop(),
            self.2.after_loop(),
        )
    }
}

/// The values an output of a task inside a [`ParallelFor`] takes across the iterations, as a
/// list: a placeholder for a `Vec<T>` input of a task after the loop (kfp's `dsl.Collected`;
/// KFP v2 only).
pub struct Collected<T> {
    task: TaskId,
    output: &'static str,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for Collected<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Collected<T> {}

impl<T> fmt::Debug for Collected<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Collected(#{}.{})", self.task.index(), self.output)
    }
}

impl<T> Collected<T> {
    /// The task inside the loop whose output is collected.
    pub fn task(&self) -> TaskId {
        self.task
    }

    /// The output's name.
    pub fn name(&self) -> &'static str {
        self.output
    }
}

impl<T: KfpType> IntoArg<Vec<T>> for Collected<T> {
    fn into_arg(self) -> Arg {
        Arg::Collected {
            task: self.task,
            output: self.output.to_owned(),
        }
    }
}

/// The files a task inside a loop writes, collected: a list of files, which a nested pipeline
/// takes as a `Vec<InputPath<K>>` parameter and loops over (kfp's `Input[List[Dataset]]`).
impl<K: crate::artifact::ArtifactKind> IntoArg<Vec<crate::artifact::InputPath<K>>>
    for Collected<crate::artifact::OutputPath<K>>
{
    fn into_arg(self) -> Arg {
        Arg::Collected {
            task: self.task,
            output: self.output.to_owned(),
        }
    }
}

impl<T: KfpType> IntoArg<Vec<T>> for &Collected<T> {
    fn into_arg(self) -> Arg {
        IntoArg::<Vec<T>>::into_arg(*self)
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
    ///
    /// On KFP v2, a field of a static list's item is typed like kfp types it: after the first
    /// value of the first item (see the oracle's `parallelfor_static`).
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
///
/// On KFP v2 the exit task can read how the group ended: give its component a
/// [`TaskFinalStatus`](crate::TaskFinalStatus) parameter, which KFP fills in.
#[derive(Debug)]
pub struct ExitHandler {
    exit_task: TaskId,
    name: Option<String>,
}

impl ExitHandler {
    /// `exit_task` (made before the group, and used nowhere else) runs when the group ends.
    pub fn new<O>(exit_task: &Task<O>) -> Self {
        ExitHandler {
            exit_task: exit_task.id(),
            name: None,
        }
    }

    /// Names the group, like `dsl.ExitHandler(..., name=...)`: KFP v2 shows the name in its
    /// UI; KFP v1 has no such name.
    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    /// Adds the tasks `body` adds to the group.
    pub fn run<R>(self, body: impl FnOnce() -> R) -> R {
        build::with_group(
            GroupKind::ExitHandler {
                exit_task: self.exit_task,
                name: self.name,
            },
            body,
        )
    }
}
