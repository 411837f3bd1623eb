//! The handles a pipeline function works with: tasks, their outputs and pipeline parameters.
//!
//! A `#[pipeline]` function runs once, when the pipeline is built. Each component call in its
//! body adds a task to the pipeline being built and returns a [`Task`]; the task's outputs and
//! the pipeline's parameters are typed placeholders ([`TaskOutput`], [`Param`]) that can only
//! be passed to inputs of the same type.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::Value;

use crate::error::BuildError;
use crate::spec::component::{sanitize_name, ComponentSpec};
use crate::spec::pipeline::{Arg, ParamSpec, Pipeline, TaskId, TaskSpec};
use crate::types::KfpType;

static NEXT_PIPELINE_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    static BUILDING: RefCell<Vec<Builder>> = const { RefCell::new(Vec::new()) };
}

/// The pipeline being built, with what building it needs: the groups open now and kfp's
/// counters. One per `build_pipeline` call, on a thread-local stack.
pub(crate) struct Builder {
    pub(crate) pipeline: Pipeline,
    names: HashSet<String>,
    next_suffix: HashMap<String, usize>,
    /// The groups open now, innermost last.
    pub(crate) open_groups: Vec<usize>,
    /// kfp's shared counter for group and loop-item numbers.
    pub(crate) counter: u32,
    /// The parameters of the nested pipelines running now, innermost last, bound to the
    /// caller's arguments.
    pub(crate) bindings: Vec<HashMap<String, Arg>>,
    /// The groups of the nested pipelines running now, innermost last (beside `bindings`).
    pub(crate) nested: Vec<usize>,
}

impl Builder {
    /// `arg` as the pipeline being built sees it: a parameter of a nested pipeline becomes the
    /// caller's argument.
    pub(crate) fn bind(&self, arg: Arg) -> Arg {
        match (&arg, self.bindings.last()) {
            (Arg::Param(p), Some(scope)) => scope.get(p).cloned().unwrap_or(arg),
            _ => arg,
        }
    }

    fn unique_name(&mut self, base: &str) -> String {
        // kfp's `_make_name_unique_by_adding_index`, with a per-name counter so that
        // thousands of uses of one component stay linear.
        let base = if base.is_empty() { "task" } else { base };
        let name = if self.names.contains(base) {
            let mut i = self.next_suffix.get(base).copied().unwrap_or(2);
            while self.names.contains(&format!("{base}-{i}")) {
                i += 1;
            }
            self.next_suffix.insert(base.to_owned(), i + 1);
            format!("{base}-{i}")
        } else {
            base.to_owned()
        };
        self.names.insert(name.clone());
        name
    }
}

/// Runs `f` on the builder of pipeline `pipeline`, if it is being built.
pub(crate) fn with_pipeline<R>(pipeline: u64, f: impl FnOnce(&mut Builder) -> R) -> Option<R> {
    BUILDING.with(|stack| {
        let mut stack = stack.borrow_mut();
        stack
            .iter_mut()
            .rev()
            .find(|b| b.pipeline.id == pipeline)
            .map(f)
    })
}

/// Runs `f` on the builder of the innermost pipeline being built, if any.
pub(crate) fn with_current<R>(f: impl FnOnce(&mut Builder) -> R) -> Option<R> {
    BUILDING.with(|stack| stack.borrow_mut().last_mut().map(f))
}

/// Builds a pipeline: runs `body` with a fresh pipeline as the current one, so that component
/// calls inside it add tasks there. `#[pipeline]` calls this; it can also be called by hand.
///
/// ```
/// let p = kfp_core::build_pipeline("empty", None, |_| {});
/// assert_eq!(p.name, "empty");
/// assert!(p.tasks.is_empty());
/// ```
pub fn build_pipeline(
    name: &str,
    description: Option<&str>,
    body: impl FnOnce(&mut Params),
) -> Pipeline {
    let id = NEXT_PIPELINE_ID.fetch_add(1, Ordering::Relaxed);
    let pipeline = Pipeline {
        name: name.to_owned(),
        description: description.map(str::to_owned),
        params: Vec::new(),
        tasks: Vec::new(),
        errors: Vec::new(),
        timeout: None,
        groups: Vec::new(),
        outputs: Vec::new(),
        id,
        file_params: Vec::new(),
    };
    BUILDING.with(|stack| {
        // The pipeline's own DAG template takes its sanitised name: a task of the same name
        // becomes `<name>-2`, so that the two templates stay apart.
        let names = HashSet::from([sanitize_name(name)]);
        stack.borrow_mut().push(Builder {
            pipeline,
            names,
            next_suffix: HashMap::new(),
            open_groups: Vec::new(),
            counter: 0,
            bindings: Vec::new(),
            nested: Vec::new(),
        })
    });
    let mut params = Params {
        pipeline: id,
        nested: None,
    };
    body(&mut params);
    let builder = BUILDING.with(|stack| {
        let mut stack = stack.borrow_mut();
        let pos = stack.iter().rposition(|b| b.pipeline.id == id);
        pos.map(|p| stack.remove(p))
    });
    match builder {
        Some(b) => b.pipeline,
        // Unreachable in practice: only this function pops its own builder.
        None => Pipeline {
            name: name.to_owned(),
            description: description.map(str::to_owned),
            params: Vec::new(),
            tasks: Vec::new(),
            errors: vec![BuildError::Internal("pipeline builder lost".into())],
            timeout: None,
            groups: Vec::new(),
            outputs: Vec::new(),
            id,
            file_params: Vec::new(),
        },
    }
}

/// Declares the parameters of the pipeline being built.
#[derive(Debug)]
pub struct Params {
    pipeline: u64,
    /// Set when the pipeline's body runs inside another pipeline (a nested pipeline): its
    /// parameters are then bound to the caller's arguments, not declared.
    nested: Option<String>,
}

impl Params {
    /// Declares a parameter called `name` with an optional default and returns its handle.
    pub fn param<T: KfpType>(&mut self, name: &'static str, default: Option<T>) -> Param<T> {
        if self.nested.is_some() {
            let default = default.as_ref().map(KfpType::to_json);
            let file = file_of::<T>();
            return self.bind_nested(name, T::KIND, T::OPTIONAL, file, default);
        }
        let spec = ParamSpec {
            name: name.to_owned(),
            kind: T::KIND,
            default: default.as_ref().map(KfpType::to_json),
            optional: T::OPTIONAL,
        };
        with_pipeline(self.pipeline, |b| b.pipeline.params.push(spec));
        Param {
            name,
            _t: PhantomData,
        }
    }

    /// Declares a parameter whose default is a constant [`Arg`] (what `#[pipeline]` emits for
    /// `#[kfp(default = ...)]`); anything but a constant is a build error.
    pub fn param_with_default_arg<T: KfpType>(
        &mut self,
        name: &'static str,
        default: Arg,
    ) -> Param<T> {
        if self.nested.is_some() {
            let value = match default {
                Arg::Constant(v) => Some(v),
                _ => None,
            };
            return self.bind_nested(name, T::KIND, T::OPTIONAL, file_of::<T>(), value);
        }
        let value = match default {
            Arg::Constant(v) => Some(v),
            _ => {
                let name = name.to_owned();
                with_pipeline(self.pipeline, |b| {
                    b.pipeline.errors.push(BuildError::InvalidDefault {
                        owner: format!("pipeline parameter `{name}`"),
                        message: "it is a pipeline parameter or a task output; a default must \
                                  be a constant value"
                            .into(),
                    })
                });
                None
            }
        };
        let spec = ParamSpec {
            name: name.to_owned(),
            kind: T::KIND,
            default: value.filter(|v| !v.is_null()),
            optional: T::OPTIONAL,
        };
        with_pipeline(self.pipeline, |b| b.pipeline.params.push(spec));
        Param {
            name,
            _t: PhantomData,
        }
    }
}

impl Params {
    /// In a nested pipeline: checks that parameter `name` was given a value (or takes its
    /// default) and returns its handle, which the caller's argument stands in for.
    fn bind_nested<T>(
        &mut self,
        name: &'static str,
        kind: crate::types::ParamKind,
        optional: bool,
        file: Option<(crate::artifact::ArtifactType, bool)>,
        default: Option<Value>,
    ) -> Param<T> {
        let pipeline = self.nested.clone().unwrap_or_default();
        with_pipeline(self.pipeline, |b| {
            // The nested pipeline's own parameter, which KFP v2 declares on its component.
            if let Some(&g) = b.nested.last() {
                if let Some(crate::control::GroupKind::Pipeline { params, files, .. }) =
                    b.pipeline.groups.get_mut(g).map(|g| &mut g.kind)
                {
                    if let Some((file, list)) = file {
                        files.push((name.to_owned(), file, list));
                    }
                    params.push(ParamSpec {
                        name: name.to_owned(),
                        kind,
                        default: default.clone().filter(|d| !d.is_null()),
                        optional,
                    });
                }
            }
            let Some(scope) = b.bindings.last_mut() else {
                return;
            };
            let missing = matches!(scope.get(name), None | Some(Arg::Constant(Value::Null)));
            if missing {
                match default.filter(|d| !d.is_null()) {
                    Some(d) => {
                        scope.insert(name.to_owned(), Arg::Constant(d));
                    }
                    None => b.pipeline.errors.push(BuildError::MissingPipelineArgument {
                        pipeline,
                        param: name.to_owned(),
                    }),
                }
            }
        });
        Param {
            name,
            _t: PhantomData,
        }
    }
}

/// `T` as a file (`false`) or a list of files (`true`), with the files' type; `None` for a
/// value.
fn file_of<T: KfpType>() -> Option<(crate::artifact::ArtifactType, bool)> {
    T::ARTIFACT
        .map(|a| (a, false))
        .or(T::ITEM_ARTIFACT.map(|a| (a, true)))
}

/// Runs the body of pipeline `name` (function `fn_name`) inside the pipeline being built (a
/// nested pipeline): its tasks join the caller's inside a group of their own (KFP v1's
/// `graph-<fn>-<n>` template, KFP v2's component with its own DAG), its parameters stand for
/// `args`, and what the body returns (a task output, say) is what the call returns, and the
/// nested pipeline's outputs. `#[pipeline]` calls this from `<name>::task(..)`.
pub(crate) fn nested_pipeline<R>(
    name: &str,
    fn_name: &str,
    args: Vec<(&'static str, Option<Arg>)>,
    body: impl FnOnce(&mut Params) -> R,
    outputs_of: fn(&R) -> Vec<crate::spec::pipeline::PipelineOutput>,
) -> R {
    let opened = with_current(|b| {
        // The caller's own parameters may be nested ones too: resolve them first.
        let scope: HashMap<String, Arg> = args
            .iter()
            .map(|(n, a)| {
                let a = a.clone().unwrap_or(Arg::Constant(Value::Null));
                ((*n).to_owned(), b.bind(a))
            })
            .collect();
        let written = args
            .into_iter()
            .map(|(n, a)| {
                let a = a.filter(|a| *a != Arg::Constant(Value::Null));
                (n.to_owned(), a)
            })
            .collect();
        b.bindings.push(scope);
        b.counter += 1;
        let index = b.pipeline.groups.len();
        let first_task = b.pipeline.tasks.len();
        b.pipeline.groups.push(crate::control::GroupSpec {
            id: b.counter,
            kind: crate::control::GroupKind::Pipeline {
                name: name.to_owned(),
                fn_name: fn_name.to_owned(),
                params: Vec::new(),
                files: Vec::new(),
                args: written,
                outputs: Vec::new(),
                first_task,
            },
            parent: b.open_groups.last().copied(),
            // `args` is already what the caller wrote.
            scoped: None,
        });
        b.open_groups.push(index);
        b.nested.push(index);
        (b.pipeline.id, index)
    });
    let mut params = Params {
        pipeline: opened.map_or(0, |(id, _)| id),
        nested: Some(name.to_owned()),
    };
    let result = body(&mut params);
    if let Some((id, index)) = opened {
        let returned = outputs_of(&result);
        with_pipeline(id, |b| {
            b.bindings.pop();
            b.nested.pop();
            b.open_groups.pop();
            if let Some(crate::control::GroupKind::Pipeline { outputs, .. }) =
                b.pipeline.groups.get_mut(index).map(|g| &mut g.kind)
            {
                *outputs = returned;
            }
        });
    }
    result
}

/// Whether the pipeline being built is inside a nested pipeline now, where groups and tasks
/// keep what the body wrote besides what it means in the whole pipeline.
pub(crate) fn scoped_kind(b: &Builder) -> bool {
    !b.nested.is_empty()
}

/// What a pipeline function returns, as the pipeline's outputs: `()` (none), a
/// [`TaskOutput`] (one, `Output`), or the handle struct of a `#[derive(Outputs)]` struct
/// (one per field).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a `#[pipeline]` function",
    label = "a pipeline returns `()`, a `TaskOutput<T>` or a `#[derive(Outputs)]` handle struct",
    note = "what a pipeline returns becomes its outputs"
)]
pub trait PipelineOutputs {
    /// The outputs, in declaration order.
    fn pipeline_outputs(&self) -> Vec<crate::spec::pipeline::PipelineOutput>;
}

impl PipelineOutputs for () {
    fn pipeline_outputs(&self) -> Vec<crate::spec::pipeline::PipelineOutput> {
        Vec::new()
    }
}

impl<T: KfpType> PipelineOutputs for TaskOutput<T> {
    fn pipeline_outputs(&self) -> Vec<crate::spec::pipeline::PipelineOutput> {
        vec![pipeline_output("Output", self)]
    }
}

/// Output `name` of a pipeline, set to `value`.
pub fn pipeline_output<T: KfpType>(
    name: &str,
    value: &TaskOutput<T>,
) -> crate::spec::pipeline::PipelineOutput {
    crate::spec::pipeline::PipelineOutput {
        name: name.to_owned(),
        source: Arg::Output {
            task: value.task,
            output: value.name.to_owned(),
        },
        kind: T::KIND,
        artifact: T::ARTIFACT,
    }
}

/// Output `name` of a pipeline from task `task`'s output `output`, as `spec` (the output of
/// a `#[derive(Outputs)]` struct) describes it; `file` for a file.
pub fn pipeline_output_of(
    spec: Option<&crate::spec::component::OutputSpec>,
    task: TaskId,
    output: &str,
    file: Option<crate::artifact::ArtifactType>,
) -> crate::spec::pipeline::PipelineOutput {
    crate::spec::pipeline::PipelineOutput {
        name: spec.map_or_else(|| output.to_owned(), |s| s.name.clone()),
        source: Arg::Output {
            task,
            output: output.to_owned(),
        },
        kind: spec.map_or(crate::types::ParamKind::String, |s| s.kind),
        artifact: file,
    }
}

/// Records what the function of the pipeline being built returned as its outputs.
/// `#[pipeline]` calls this for the pipeline it builds.
pub fn set_pipeline_outputs(outputs: Vec<crate::spec::pipeline::PipelineOutput>) {
    with_current(|b| b.pipeline.outputs = outputs);
}

/// A pipeline parameter of type `T`, as seen inside the pipeline function.
///
/// It is a placeholder: pass it to a component input of type `T`.
pub struct Param<T> {
    name: &'static str,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for Param<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Param<T> {}

impl<T> std::fmt::Debug for Param<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Param({})", self.name)
    }
}

impl<T> Param<T> {
    /// The parameter's name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// A task: one use of a component in a pipeline. `O` is what its outputs look like
/// (`()`, a [`TaskOutput`], or a named-outputs handle struct).
///
/// Its methods sit beside the data each one sets, and docs.rs shows them on this one page:
/// here its name, order and caching; [`settings`](crate::settings) resources, environment,
/// secrets, retries, timeouts, node selection and pod metadata (all in one
/// [`TaskSettings`](crate::settings::TaskSettings) value); [`volumes`](crate::volumes) the
/// claims it mounts; [`mlflow`](crate::mlflow) the tracking server it talks to;
/// [`reusable`](crate::reusable) a container component's outputs by name.
pub struct Task<O = ()> {
    id: TaskId,
    _o: PhantomData<fn() -> O>,
}

impl<O> Clone for Task<O> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<O> Copy for Task<O> {}

impl<O> std::fmt::Debug for Task<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Task#{}", self.id.index)
    }
}

impl<O> Task<O> {
    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The task's unique name in the pipeline (`train`, `show-2`).
    pub fn name(&self) -> String {
        with_pipeline(self.id.pipeline, |b| {
            b.pipeline.tasks.get(self.id.index).map(|t| t.name.clone())
        })
        .flatten()
        .unwrap_or_default()
    }

    /// Records a problem with this task; compiling the pipeline reports it.
    pub(crate) fn record(&self, error: BuildError) {
        with_pipeline(self.id.pipeline, |b| b.pipeline.errors.push(error));
    }

    pub(crate) fn update(self, f: impl FnOnce(&mut TaskSpec)) -> Self {
        with_pipeline(self.id.pipeline, |b| {
            if let Some(t) = b.pipeline.tasks.get_mut(self.id.index) {
                f(t);
            }
        });
        self
    }

    /// Sets the name the KFP UI shows for this task (`set_display_name`).
    pub fn set_display_name(self, name: &str) -> Self {
        let name = name.to_owned();
        self.update(|t| t.display_name = Some(name))
    }

    /// Runs this task only after `other` has finished, without passing data.
    pub fn after<P>(self, other: &Task<P>) -> Self {
        let other = other.id;
        if other == self.id {
            let task = self.name();
            with_pipeline(self.id.pipeline, |b| {
                b.pipeline.errors.push(BuildError::AfterSelf { task })
            });
            return self;
        }
        if other.pipeline != self.id.pipeline {
            let task = self.name();
            with_pipeline(self.id.pipeline, |b| {
                b.pipeline
                    .errors
                    .push(BuildError::ForeignTask { task, input: None })
            });
            return self;
        }
        self.update(|t| {
            if !t.after.contains(&other) {
                t.after.push(other)
            }
        })
    }

    /// Lets KFP reuse a cached result of this task (the default) or not.
    pub fn set_caching_options(self, enable_caching: bool) -> Self {
        self.update(|t| t.caching = enable_caching)
    }

    /// The task's outputs: a [`TaskOutput`] for a single return value, or the named-outputs
    /// handle struct of a component that returns a `#[derive(Outputs)]` struct.
    pub fn outputs(&self) -> O
    where
        O: OutputHandles,
    {
        O::from_task(self.id)
    }
}

impl<T> Task<TaskOutput<T>> {
    /// The task's single output (kfp's `task.output`).
    pub fn output(&self) -> TaskOutput<T> {
        TaskOutput::new(self.id, "Output")
    }
}

/// The task-side view of a component's outputs; implemented for `()`, [`TaskOutput`] and the
/// handle structs `#[derive(Outputs)]` generates.
pub trait OutputHandles {
    /// The handles for the outputs of task `task`.
    fn from_task(task: TaskId) -> Self;
}

impl OutputHandles for () {
    fn from_task(_: TaskId) -> Self {}
}

impl<T> OutputHandles for TaskOutput<T> {
    fn from_task(task: TaskId) -> Self {
        TaskOutput::new(task, "Output")
    }
}

/// An output of type `T` of an upstream task: a placeholder for a component input of type `T`.
pub struct TaskOutput<T> {
    task: TaskId,
    name: &'static str,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for TaskOutput<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for TaskOutput<T> {}

impl<T> std::fmt::Debug for TaskOutput<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TaskOutput(#{}.{})", self.task.index, self.name)
    }
}

impl<T> TaskOutput<T> {
    /// The output `name` of task `task`.
    pub fn new(task: TaskId, name: &'static str) -> Self {
        TaskOutput {
            task,
            name,
            _t: PhantomData,
        }
    }

    /// The producing task.
    pub fn task(&self) -> TaskId {
        self.task
    }

    /// The output's name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// A value that can be passed to a component input of type `T`: a constant of type `T`, a
/// [`Param<T>`] or a [`TaskOutput<T>`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be passed to a component input of type `{T}`",
    label = "expected a value of type `{T}`, a `Param<{T}>` or a `TaskOutput<{T}>`",
    note = "a task output or pipeline parameter feeds only an input of the same type"
)]
pub trait IntoArg<T> {
    /// Where the value comes from.
    fn into_arg(self) -> Arg;
}

impl<T: KfpType> IntoArg<T> for TaskOutput<T> {
    fn into_arg(self) -> Arg {
        Arg::Output {
            task: self.task,
            output: self.name.to_owned(),
        }
    }
}

impl<T: KfpType> IntoArg<T> for &TaskOutput<T> {
    fn into_arg(self) -> Arg {
        IntoArg::<T>::into_arg(*self)
    }
}

impl<T: KfpType> IntoArg<T> for Param<T> {
    fn into_arg(self) -> Arg {
        Arg::Param(self.name.to_string())
    }
}

impl<T: KfpType> IntoArg<T> for &Param<T> {
    fn into_arg(self) -> Arg {
        Arg::Param(self.name.to_string())
    }
}

macro_rules! constant_args {
    ($($t:ty),*) => {$(
        impl IntoArg<$t> for $t {
            fn into_arg(self) -> Arg {
                Arg::Constant(KfpType::to_json(&self))
            }
        }
    )*};
}
constant_args!(bool, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64, String);

impl IntoArg<String> for &str {
    fn into_arg(self) -> Arg {
        Arg::Constant(Value::String(self.to_owned()))
    }
}

impl IntoArg<String> for &String {
    fn into_arg(self) -> Arg {
        Arg::Constant(Value::String(self.clone()))
    }
}

impl<T: KfpType> IntoArg<Vec<T>> for Vec<T> {
    fn into_arg(self) -> Arg {
        Arg::Constant(self.to_json())
    }
}

impl<T: KfpType, const N: usize> IntoArg<Vec<T>> for [T; N] {
    fn into_arg(self) -> Arg {
        Arg::Constant(Value::Array(self.iter().map(KfpType::to_json).collect()))
    }
}

impl<T: KfpType> IntoArg<std::collections::BTreeMap<String, T>>
    for std::collections::BTreeMap<String, T>
{
    fn into_arg(self) -> Arg {
        Arg::Constant(self.to_json())
    }
}

impl<T: KfpType, S: std::hash::BuildHasher + Default> IntoArg<HashMap<String, T, S>>
    for HashMap<String, T, S>
{
    fn into_arg(self) -> Arg {
        Arg::Constant(self.to_json())
    }
}

/// A `serde_json::json!({...})` constant for a map input; anything but an object is a build
/// error naming the task and input.
impl IntoArg<serde_json::Map<String, Value>> for Value {
    fn into_arg(self) -> Arg {
        Arg::Constant(self)
    }
}

/// A `serde_json::json!([...])` constant for a list input.
impl IntoArg<Vec<Value>> for Value {
    fn into_arg(self) -> Arg {
        Arg::Constant(self)
    }
}

impl IntoArg<serde_json::Map<String, Value>> for serde_json::Map<String, Value> {
    fn into_arg(self) -> Arg {
        Arg::Constant(Value::Object(self))
    }
}

/// Records `error` in the pipeline being built, if any.
pub(crate) fn record_error(error: BuildError) {
    with_current(|b| b.pipeline.errors.push(error));
}

impl<T: serde::Serialize + serde::de::DeserializeOwned> IntoArg<crate::Json<T>> for crate::Json<T> {
    fn into_arg(self) -> Arg {
        match serde_json::to_value(&self.0) {
            Ok(v) => Arg::Constant(v),
            // Not `null`, which would read as "no argument": a build error.
            Err(e) => {
                record_error(BuildError::InvalidConstant {
                    task: format!("(a `Json<{}>` constant)", std::any::type_name::<T>()),
                    message: format!("it cannot be serialised to JSON: {e}"),
                });
                Arg::Constant(Value::Null)
            }
        }
    }
}

/// The value of an optional input: a `Some`/`None` constant, or anything that feeds `T`.
impl<T: KfpType> IntoArg<Option<T>> for Option<T> {
    fn into_arg(self) -> Arg {
        Arg::Constant(self.to_json())
    }
}

impl<T: KfpType> IntoArg<Option<T>> for TaskOutput<T> {
    fn into_arg(self) -> Arg {
        IntoArg::<T>::into_arg(self)
    }
}

impl<T: KfpType> IntoArg<Option<T>> for Param<T> {
    fn into_arg(self) -> Arg {
        IntoArg::<T>::into_arg(self)
    }
}

/// Leaves an input with a default (`#[kfp(default = ...)]`) to its default: pass
/// [`DEFAULT`] where the task would take a value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UseDefault;

/// Leaves an input with a default to its default, like leaving out a keyword argument in kfp.
pub const DEFAULT: UseDefault = UseDefault;

impl<T: KfpType> IntoArg<T> for UseDefault {
    fn into_arg(self) -> Arg {
        Arg::Constant(Value::Null)
    }
}

/// Adds a task running `component` with `args` to the pipeline being built. Generated code
/// calls this through `__private`; `args` has one entry per input.
pub(crate) fn add_task<O>(component: Arc<ComponentSpec>, args: Vec<Option<Arg>>) -> Task<O> {
    let added = with_current(|b| {
        let null_is_none = |a: Option<Arg>| match a {
            Some(Arg::Constant(Value::Null)) => None,
            other => other,
        };
        let scoped_args = scoped_kind(b).then(|| args.iter().cloned().map(null_is_none).collect());
        let args: Vec<Option<Arg>> = args.into_iter().map(|a| a.map(|a| b.bind(a))).collect();
        let pipeline = b.pipeline.id;
        let name = b.unique_name(&sanitize_name(&component.name));
        for (input, arg) in component.inputs.iter().zip(&args) {
            match arg {
                Some(Arg::Output { task, .. }) if task.pipeline != pipeline => {
                    b.pipeline.errors.push(BuildError::ForeignTask {
                        task: name.clone(),
                        input: Some(input.name.clone()),
                    });
                }
                Some(Arg::Constant(v)) if !constant_fits(v, input.kind, input.optional) => {
                    b.pipeline.errors.push(BuildError::TypeMismatch {
                        task: name.clone(),
                        input: input.name.clone(),
                        given: format!("the constant {v}"),
                        expected: format!("{} {} value", input.kind.article(), input.kind),
                    });
                }
                _ => {}
            }
        }
        let index = b.pipeline.tasks.len();
        b.pipeline.tasks.push(TaskSpec {
            name,
            component,
            args: args.into_iter().map(null_is_none).collect(),
            display_name: None,
            after: Vec::new(),
            caching: true,
            settings: Default::default(),
            group: b.open_groups.last().copied(),
            scoped_args,
        });
        TaskId { pipeline, index }
    });
    let id = added.unwrap_or_else(|| {
        // No pipeline is being built: the task belongs to none, and any pipeline that uses
        // it refuses it as a foreign task. Say so now, where it happens.
        eprintln!(
            "warning: a task was made outside any pipeline (a component called outside a \
             `#[pipeline]` body or `build_pipeline`); it belongs to no pipeline"
        );
        TaskId {
            pipeline: 0,
            index: usize::MAX,
        }
    });
    Task {
        id,
        _o: PhantomData,
    }
}

fn constant_fits(v: &Value, kind: crate::types::ParamKind, optional: bool) -> bool {
    use crate::types::ParamKind as K;
    match (v, kind) {
        (Value::Null, _) => optional,
        (Value::String(_), K::String)
        | (Value::Bool(_), K::Boolean)
        | (Value::Number(_), K::Float)
        | (Value::Array(_), K::List)
        | (Value::Object(_), K::Struct) => true,
        (Value::Number(n), K::Integer) => n.is_i64() || n.is_u64(),
        _ => false,
    }
}

pub(crate) fn stub_task<O>() -> Task<O> {
    Task {
        id: TaskId {
            pipeline: 0,
            index: usize::MAX,
        },
        _o: PhantomData,
    }
}
