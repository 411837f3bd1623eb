//! The example pipelines of kfp-rs, also compiled as a library so that the workspace tests can
//! compile them to YAML and check them against their golden files.
//!
//! Each module is the example file of the same name in `examples/`; run one with
//! `cargo run --example <name>`.
#![warn(missing_docs)]

/// `examples/yolov8withmlflow.rs`: the flagship.
#[path = "../examples/yolov8withmlflow.rs"]
pub mod yolov8withmlflow;

/// `examples/multiple_outputs.rs`.
#[path = "../examples/multiple_outputs.rs"]
pub mod multiple_outputs;

/// `examples/param_types.rs`.
#[path = "../examples/param_types.rs"]
pub mod param_types;

/// `examples/after.rs`.
#[path = "../examples/after.rs"]
pub mod after;
