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
pub mod image_ref;
pub mod local;
pub mod mlflow;
// `--param` parsing, shared by the commands that start a pipeline.
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) mod params;
pub mod pyjson;
pub mod reusable;
pub mod runtime;
pub mod settings;
pub mod spec;
pub mod types;
pub mod ui;
pub mod volumes;
pub mod yaml;

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
pub use runtime::{ComponentReturn, Error, RunError};
pub use settings::Toleration;
pub use spec::pipeline::Pipeline;
pub use types::{Json, KfpType, ParamKind};

/// Everything a pipeline file needs: `use kfp_core::prelude::*;`.
pub mod prelude {
    pub use crate::{
        component, pipeline, Compiler, Error, ExitHandler, Json, Outputs, ParallelFor, Param,
        Pipeline, Target, Task, TaskFinalStatus, TaskOutput, DEFAULT,
    };
}
