//! Procedural macros for [kfp-core](https://docs.rs/kfp-core): `#[component]`, `#[pipeline]`
//! and `#[derive(Outputs)]`. Use them through `kfp_core`, which re-exports them.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod ast;
mod attr;
mod errors;
mod expand;
mod fallback;
mod image_ref;
mod sanitize;
mod valid;

use proc_macro::TokenStream;

/// Turns a function into a Kubeflow Pipelines component.
///
/// The function stays as written and callable; beside it, a module of the same name holds
/// `task(..)`, which a `#[pipeline]` body calls (as `name(..)`) to add a task, and `spec()`.
///
/// | option | meaning |
/// |---|---|
/// | `base_image = "..."` | the image the component runs in (it must hold the pipeline binary; see `dockerfile`) |
/// | `packages = ["...", ...]` | Python packages pip-installs before the binary runs (kfp's `packages_to_install`) |
/// | `name = "..."` | the component name (default: from the function name, `verify_training` → `Verify training`) |
/// | `description = "..."` | the description (default: the doc comment) |
/// | `crate = path` | where `kfp_core` is, if renamed |
///
/// Inputs are the parameters: `String`, `bool`, integers, `f64`/`f32`, `Vec<T>`, string-keyed
/// maps, `serde_json::Map`, `kfp_core::Json<T>`, `Option<T>` (optional). The return value is
/// nothing, one value (output `Output`), a `#[derive(Outputs)]` struct (named outputs), or a
/// `Result` of those whose `Err` fails the step. `#[kfp(default = ...)]` on an input gives it
/// a default, which makes it optional: a pipeline passes `kfp_core::DEFAULT` to leave it out.
/// `InputPath<K>` and `OutputPath<K>` parameters are files (`kfp_core::artifact`); an
/// `OutputPath` is an output, not an argument of the task. A `TaskFinalStatus` parameter is
/// filled in by KFP v2 for the exit task of an `ExitHandler` (how the group ended), so it is
/// not an argument of the task either.
///
/// The generated module sits beside the function and reaches it through `super`, so define
/// components at module level (not inside a function body).
///
/// ```
/// use kfp_core::prelude::*;
///
/// #[component(base_image = "python:3.11", packages = ["mlflow"])]
/// fn train(epochs: i64, model_name: String) -> Result<f64, BoxError> {
///     println!("training {model_name}");
///     Ok(epochs as f64 * 0.5)
/// }
///
/// fn main() {
///     assert_eq!(train(2, "yolov8n.pt".into()).unwrap(), 1.0);
///     assert_eq!(train::spec().name(), "Train");
/// }
/// ```
#[proc_macro_attribute]
pub fn component(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::component(args.into(), item.into()).into()
}

/// Turns a function into a Kubeflow Pipelines pipeline.
///
/// The function becomes `fn name() -> kfp_core::Pipeline`. Its parameters are the pipeline's
/// parameters (typed placeholders inside the body; `#[kfp(default = ...)]` gives a default),
/// and each component call at statement level adds a task.
///
/// | option | meaning |
/// |---|---|
/// | `name = "..."` | the pipeline name (default: the function name); must be a valid KFP name after sanitising |
/// | `description = "..."` | the description (default: the doc comment) |
/// | `crate = path` | where `kfp_core` is, if renamed |
///
/// ```
/// use kfp_core::prelude::*;
///
/// #[component]
/// fn check() -> bool {
///     true
/// }
///
/// #[component]
/// fn train(ok: bool, epochs: i64) {
///     println!("{ok} {epochs}");
/// }
///
/// #[pipeline(name = "demo")]
/// fn demo(#[kfp(default = 3)] epochs: i64) {
///     let c = check();
///     train(c.output(), epochs).set_display_name("Train");
/// }
///
/// fn main() {
///     let p = demo();
///     assert_eq!(p.tasks.len(), 2);
///     assert_eq!(p.tasks[1].name, "train");
/// }
/// ```
#[proc_macro_attribute]
pub fn pipeline(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::pipeline(args.into(), item.into()).into()
}

/// Makes a struct the named outputs of a component (kfp's `NamedTuple`): each field is an
/// output of that name and type. Also defines `<Struct>Outputs`, the task-side handles.
///
/// ```
/// use kfp_core::prelude::*;
///
/// #[derive(Outputs)]
/// struct Stats {
///     sum: f64,
///     label: String,
/// }
///
/// #[component]
/// fn stats(a: f64, b: f64) -> Stats {
///     Stats { sum: a + b, label: format!("{a}+{b}") }
/// }
///
/// #[component]
/// fn show(value: f64, label: String) {
///     println!("{label}: {value}");
/// }
///
/// #[pipeline(name = "stats")]
/// fn p() {
///     let s = stats(1.0, 2.0);
///     show(s.outputs().sum, s.outputs().label);
/// }
///
/// fn main() {
///     assert_eq!(p().tasks.len(), 2);
///     assert_eq!(stats(1.0, 2.0).sum, 3.0);
/// }
/// ```
#[proc_macro_derive(Outputs, attributes(kfp))]
pub fn derive_outputs(item: TokenStream) -> TokenStream {
    expand::derive_outputs(item.into()).into()
}
