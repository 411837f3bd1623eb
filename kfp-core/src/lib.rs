//! Kubeflow Pipelines in Rust.
//!
//! Annotate ordinary Rust functions with [`#[component]`](component) and
//! [`#[pipeline]`](pipeline); kfp-core compiles the pipeline to the YAML a Kubeflow Pipelines
//! cluster runs (KFP v1: an Argo Workflow; KFP v2: pipeline IR), and the same binary runs each
//! component inside its container.
//!
//! ```
//! use kfp_core::prelude::*;
//!
//! /// Adds two numbers.
//! #[component(base_image = "python:3.11")]
//! fn add(a: f64, b: f64) -> f64 {
//!     a + b
//! }
//!
//! #[component(base_image = "python:3.11")]
//! fn show(value: f64, label: String) {
//!     println!("{label}: {value}");
//! }
//!
//! #[pipeline(name = "add-and-show")]
//! fn add_and_show(#[kfp(default = 1.5)] a: f64, b: f64) {
//!     let sum = add(a, b);
//!     show(sum.output(), "sum").set_display_name("Show the sum");
//! }
//!
//! fn main() {
//! // The component body stays an ordinary function.
//! assert_eq!(add(1.0, 2.0), 3.0);
//!
//! // The pipeline function builds the pipeline; the compiler turns it into YAML.
//! let yaml = Compiler::new()
//!     .binary_path("/usr/local/bin/add-and-show")
//!     .compile(&add_and_show(), Target::V1)
//!     .unwrap();
//! assert!(yaml.contains("kind: Workflow"));
//! }
//! ```
//!
//! A binary hands its pipeline to [`main`], which gives it a command line: compile (the
//! default), run one component in the pod, or write Dockerfiles.
//!
//! # Where to look
//!
//! - A pipeline file needs only the [`prelude`].
//! - Building pipelines: [`dsl`] (tasks, parameters, outputs), [`control`] (conditions,
//!   loops, exit handlers), [`settings`] (resources, env, secrets, retries on a task),
//!   [`artifact`] (files between tasks), [`types`] (which Rust types are KFP parameters).
//! - Components that are not Rust functions: [`reusable`] (a KFP `component.yaml`, or one
//!   built by hand), [`container_op`], [`volumes`].
//! - Turning a pipeline into YAML: [`Compiler`] and [`Target`]; what can go wrong:
//!   [`error`].
//! - Running it: [`local`] (on this machine), `client` (on a cluster, feature `client`); what
//!   a component logs for the KFP UI: [`ui`]; tracking: [`mlflow`].
//! - The command line every pipeline binary gets: [`cli`].
//!
//! # Layout
//!
//! - The model knows no YAML: [`spec`] (components, each input and output with its facts;
//!   pipelines, tasks and the group tree), [`dsl`], [`control`], [`settings`].
//! - Each target is a back end in its own folder, `compiler/v1` (Argo Workflow) and
//!   `compiler/v2` (IR), with its checks and renderers; [`compiler`] holds what they share.
//! - The pod side, `runtime` (private), reads flags and file kinds from the model only.
//! - The command line every pipeline binary gets: [`cli`].
//!
//! The compilers' back ends, the pod side and the YAML writer are private. The hidden
//! `__private` module holds what the macros' generated code calls; it is not public API.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

pub mod artifact;
mod civil;
pub mod cli;
#[cfg(feature = "client")]
pub mod client;
pub mod compiler;
pub mod container_op;
pub mod control;
pub mod dsl;
pub mod error;
pub mod final_status;
pub mod graph;
#[cfg(feature = "http")]
pub mod http;
pub(crate) mod image_ref;
pub mod local;
pub mod mlflow;
// `--param` parsing, shared by the commands that start a pipeline.
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) mod params;
pub(crate) mod pyjson;
pub mod reusable;
pub(crate) mod runtime;
pub mod settings;
pub mod spec;
pub mod types;
pub mod ui;
pub mod volumes;
pub(crate) mod yaml;

#[doc(hidden)]
pub mod __private;

pub use kfp_macros::{component, pipeline, Outputs};

pub use cli::main;
pub use compiler::{Compiler, Target};
pub use control::{Branches, Collected, Condition, ExitHandler, LoopItem, ParallelFor};
pub use dsl::{build_pipeline, IntoArg, Param, Task, TaskOutput, UseDefault, DEFAULT};
pub use error::{BuildError, CompileError};
pub use final_status::TaskFinalStatus;
pub use reusable::{load_component_from_file, load_component_from_text, ContainerComponent};
pub use runtime::{BoxError, ComponentReturn, RunError};
pub use settings::Toleration;
pub use spec::pipeline::Pipeline;
pub use types::{Json, KfpType, ParamKind};

/// Everything a pipeline file needs: `use kfp_core::prelude::*;`.
///
/// The two macros and `#[derive(Outputs)]`, the [`Compiler`] and its [`Target`], the handles a
/// pipeline body passes around ([`Pipeline`], [`Task`], [`TaskOutput`], [`Param`],
/// [`DEFAULT`]), the control flow ([`ParallelFor`], [`ExitHandler`], [`TaskFinalStatus`]),
/// [`Json`] for structured parameters, [`InputPath`](artifact::InputPath)/
/// [`OutputPath`](artifact::OutputPath) for files, and
/// [`BoxError`] for a component's `Result`. Nothing in it is called `Error`, so a file's own
/// `Error` type keeps its name; the artifact kinds (`Dataset`, `Model`, ...) are in
/// [`artifact`], where their names cannot collide with the user's.
pub mod prelude {
    pub use crate::artifact::{InputPath, OutputPath};
    pub use crate::{
        component, pipeline, BoxError, Compiler, ExitHandler, Json, Outputs, ParallelFor, Param,
        Pipeline, Target, Task, TaskFinalStatus, TaskOutput, DEFAULT,
    };
}
