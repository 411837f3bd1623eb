//! The example pipelines of kfp-rs, also compiled as a library so that the workspace tests can
//! compile them to YAML and check them against their golden files.
//!
//! Each module is the example file of the same name in `examples/`, one per line of
//! `examples.list`; run one with `cargo run --example <name>`.
#![warn(missing_docs)]

// Lets an example name its sibling examples as `kfp_examples::<name>` both when it is built
// as an example binary and when this library includes it.
extern crate self as kfp_examples;

// One module per line of `examples.list`, each the example file of that name (`build.rs`).
include!(concat!(env!("OUT_DIR"), "/examples.rs"));
