//! The example pipelines of kfp-rs, also compiled as a library so that the workspace tests can
//! compile them to YAML and check them against their golden files.
//!
//! Each module is the example file of the same name in `examples/`; run one with
//! `cargo run --example <name>`.
#![warn(missing_docs)]

// Lets an example name its sibling examples as `kfp_examples::<name>` both when it is built
// as an example binary and when this library includes it.
extern crate self as kfp_examples;

/// `examples/yolov8withmlflow.rs`: the flagship.
#[path = "../examples/yolov8withmlflow.rs"]
pub mod yolov8withmlflow;

/// `examples/multiple_outputs.rs`.
#[path = "../examples/multiple_outputs.rs"]
pub mod multiple_outputs;

/// `examples/param_types.rs`.
#[path = "../examples/param_types.rs"]
pub mod param_types;

/// `examples/param_types_v1.rs`.
#[path = "../examples/param_types_v1.rs"]
pub mod param_types_v1;

/// `examples/after.rs`.
#[path = "../examples/after.rs"]
pub mod after;

/// `examples/gpu.rs`.
#[path = "../examples/gpu.rs"]
pub mod gpu;

/// `examples/env_vars.rs`.
#[path = "../examples/env_vars.rs"]
pub mod env_vars;

/// `examples/k8s_secret_env.rs`.
#[path = "../examples/k8s_secret_env.rs"]
pub mod k8s_secret_env;

/// `examples/k8s_secret_env_v1.rs`.
#[path = "../examples/k8s_secret_env_v1.rs"]
pub mod k8s_secret_env_v1;

/// `examples/retries.rs`.
#[path = "../examples/retries.rs"]
pub mod retries;

/// `examples/task_settings.rs`.
#[path = "../examples/task_settings.rs"]
pub mod task_settings;

/// `examples/condition.rs` (KFP v2).
#[path = "../examples/condition.rs"]
pub mod condition;

/// `examples/condition_v1.rs`.
#[path = "../examples/condition_v1.rs"]
pub mod condition_v1;

/// `examples/parallelfor_static.rs` (KFP v2).
#[path = "../examples/parallelfor_static.rs"]
pub mod parallelfor_static;

/// `examples/parallelfor_static_v1.rs`.
#[path = "../examples/parallelfor_static_v1.rs"]
pub mod parallelfor_static_v1;

/// `examples/exit_handler.rs` (KFP v2).
#[path = "../examples/exit_handler.rs"]
pub mod exit_handler;

/// `examples/exit_handler_v1.rs`.
#[path = "../examples/exit_handler_v1.rs"]
pub mod exit_handler_v1;

/// `examples/artifact_passing.rs` (KFP v2).
#[path = "../examples/artifact_passing.rs"]
pub mod artifact_passing;

/// `examples/artifact_passing_v1.rs`.
#[path = "../examples/artifact_passing_v1.rs"]
pub mod artifact_passing_v1;

/// `examples/reusable_components.rs`.
#[path = "../examples/reusable_components.rs"]
pub mod reusable_components;

/// `examples/nested_pipeline.rs`.
#[path = "../examples/nested_pipeline.rs"]
pub mod nested_pipeline;

/// `examples/pipeline_as_component.rs`.
#[path = "../examples/pipeline_as_component.rs"]
pub mod pipeline_as_component;

/// `examples/nested_control.rs`.
#[path = "../examples/nested_control.rs"]
pub mod nested_control;

/// `examples/loop_over_files.rs`.
#[path = "../examples/loop_over_files.rs"]
pub mod loop_over_files;

/// `examples/reusable_ir.rs`.
#[path = "../examples/reusable_ir.rs"]
pub mod reusable_ir;

/// `examples/ui_outputs.rs` (KFP v2).
#[path = "../examples/ui_outputs.rs"]
pub mod ui_outputs;

/// `examples/ui_outputs_v1.rs`.
#[path = "../examples/ui_outputs_v1.rs"]
pub mod ui_outputs_v1;

/// `examples/pod_metadata.rs`.
#[path = "../examples/pod_metadata.rs"]
pub mod pod_metadata;

/// `examples/loaded_io.rs` (KFP v2).
#[path = "../examples/loaded_io.rs"]
pub mod loaded_io;

/// `examples/untyped_inputs.rs` (KFP v1).
#[path = "../examples/untyped_inputs.rs"]
pub mod untyped_inputs;

/// `examples/volumes.rs` (KFP v2).
#[path = "../examples/volumes.rs"]
pub mod volumes;

/// `examples/volumes_v1.rs`.
#[path = "../examples/volumes_v1.rs"]
pub mod volumes_v1;

/// `examples/container_op.rs` (KFP v1).
#[path = "../examples/container_op.rs"]
pub mod container_op;

/// `examples/after_group.rs`.
#[path = "../examples/after_group.rs"]
pub mod after_group;

/// `examples/one_of.rs` (KFP v2).
#[path = "../examples/one_of.rs"]
pub mod one_of;

/// `examples/collected_artifacts.rs` (KFP v2).
#[path = "../examples/collected_artifacts.rs"]
pub mod collected_artifacts;

/// `examples/mlflow_train.rs`: Rust components that train and track in MLflow.
#[path = "../examples/mlflow_train.rs"]
pub mod mlflow_train;

/// `examples/local_faults.rs`: the local runner's failure paths.
#[path = "../examples/local_faults.rs"]
pub mod local_faults;

/// `examples/local_bench.rs`: the local runner's benchmark shapes.
#[path = "../examples/local_bench.rs"]
pub mod local_bench;
