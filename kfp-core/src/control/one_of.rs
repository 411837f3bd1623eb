//! The output of whichever branch of an `if`/`elif`/`else` ran (kfp's `dsl.OneOf`; KFP v2
//! only).

use std::marker::PhantomData;

use crate::dsl::{IntoArg, TaskOutput};
use crate::spec::pipeline::{Arg, TaskId};
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
