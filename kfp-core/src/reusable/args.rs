//! The values a task of a container component takes ([`DynArg`]) and the outputs it gives
//! ([`Outputs`]).

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use crate::dsl::{IntoArg, OutputHandles, Task, TaskOutput};
use crate::spec::pipeline::{Arg, TaskId};
use crate::types::{KfpType, ParamKind};

/// A value for an input of a container component: anything that can feed an input of some
/// type, with the type kept for checking.
#[derive(Clone, Debug)]
pub struct DynArg {
    pub(crate) arg: Arg,
    pub(crate) kind: Option<ParamKind>,
    pub(crate) file: bool,
}

impl DynArg {
    pub(super) fn describe(&self) -> String {
        match (&self.arg, self.kind) {
            (Arg::Constant(v), _) => format!("the constant {v}"),
            (_, Some(k)) if self.file => format!("{} {k} file", k.article()),
            (_, Some(k)) => format!("{} {k} value", k.article()),
            (_, None) => "a file".to_owned(),
        }
    }
}

pub(super) fn mismatch(kind: ParamKind, file: bool, value: &DynArg) -> Option<String> {
    if file {
        return (!value.file).then(|| "an output file of an upstream task".to_owned());
    }
    if value.file {
        return Some(format!("{} {kind} value", kind.article()));
    }
    match value.kind {
        Some(k) if k != kind => Some(format!("{} {kind} value", kind.article())),
        _ => None,
    }
}

/// Wraps a constant, a pipeline parameter, a task output or a loop item for
/// [`ContainerComponent::task`](super::ContainerComponent::task).
pub fn dyn_arg<T: KfpType>(value: impl IntoArg<T>) -> DynArg {
    let arg = value.into_arg();
    let kind = match &arg {
        Arg::LoopItem { field: Some(_), .. } => None,
        _ => Some(T::KIND),
    };
    DynArg {
        arg,
        kind,
        file: T::ARTIFACT.is_some(),
    }
}

/// The outputs of a task of a container component, by name.
#[derive(Clone, Copy, Debug)]
pub struct Outputs {
    task: TaskId,
}

impl OutputHandles for Outputs {
    fn from_task(task: TaskId) -> Self {
        Outputs { task }
    }
}

impl Task<Outputs> {
    /// Output `name` as a `T` (checked against the component's declaration when the pipeline
    /// compiles).
    pub fn output<T: KfpType>(&self, name: &str) -> TaskOutput<T> {
        TaskOutput::new(self.outputs().task, intern(name))
    }
}

/// Interns an output name: task outputs are `Copy` handles holding `&'static str` names, and a
/// loaded component's names are only known at run time. Each distinct name is stored once.
pub(super) fn intern(name: &str) -> &'static str {
    static NAMES: LazyLock<Mutex<HashSet<&'static str>>> =
        LazyLock::new(|| Mutex::new(HashSet::new()));
    let mut names = match NAMES.lock() {
        Ok(n) => n,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(n) = names.get(name) {
        return n;
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.insert(leaked);
    leaked
}

impl<T: KfpType> From<TaskOutput<T>> for DynArg {
    fn from(v: TaskOutput<T>) -> Self {
        dyn_arg::<T>(v)
    }
}

impl<T: KfpType> From<crate::control::Collected<T>> for DynArg {
    fn from(v: crate::control::Collected<T>) -> Self {
        DynArg {
            arg: Arg::Collected {
                task: v.task(),
                output: v.name().to_owned(),
            },
            kind: Some(T::KIND),
            file: T::ARTIFACT.is_some(),
        }
    }
}

impl<T: KfpType> From<crate::dsl::Param<T>> for DynArg {
    fn from(v: crate::dsl::Param<T>) -> Self {
        dyn_arg::<T>(v)
    }
}

impl<T: KfpType> From<crate::control::LoopItem<T>> for DynArg {
    fn from(v: crate::control::LoopItem<T>) -> Self {
        dyn_arg::<T>(v)
    }
}

macro_rules! dyn_constants {
    ($($t:ty => $k:ty),*) => {$(
        impl From<$t> for DynArg {
            fn from(v: $t) -> Self {
                dyn_arg::<$k>(v)
            }
        }
    )*};
}
dyn_constants!(&str => String, String => String, i64 => i64, i32 => i32, f64 => f64, bool => bool);
