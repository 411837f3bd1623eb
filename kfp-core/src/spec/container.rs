//! How a container component runs: its image, command and arguments, with placeholders for
//! its inputs and outputs. Part of the model: [`reusable`](crate::reusable) loads it from a
//! `component.yaml` or a KFP v2 IR file, or builds it by hand, and each back end renders it.

use std::collections::BTreeMap;

use serde_json::Value;

/// A piece of a container component's command or arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Placeholder {
    /// Literal text.
    Literal(String),
    /// The value of an input (`{inputValue: x}`).
    InputValue(String),
    /// The path of an input file (`{inputPath: x}`).
    InputPath(String),
    /// The path an output is written to (`{outputPath: x}`).
    OutputPath(String),
    /// The pieces joined into one argument (`{concat: [...]}`).
    Concat(Vec<Placeholder>),
    /// `then` when input `present` is given, else `otherwise` (`{if: {cond: {isPresent: x},
    /// then: [...], else: [...]}}`).
    IfPresent {
        /// The input.
        present: String,
        /// The arguments when it is given.
        then: Vec<Placeholder>,
        /// The arguments when it is not.
        otherwise: Vec<Placeholder>,
    },
}

/// How a container component runs: image, command, arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct ContainerImpl {
    /// The image.
    pub image: String,
    /// The command.
    pub command: Vec<Placeholder>,
    /// The arguments.
    pub args: Vec<Placeholder>,
    /// Default values of optional inputs, as text.
    pub defaults: BTreeMap<String, Value>,
    /// The component's declaration in KFP's `component.yaml` format (what a loaded file says,
    /// or what the builder was told): the model's record of its interface, which both back
    /// ends read (v1 writes it as the `component_spec` annotation).
    pub spec: Value,
    /// The SHA-256 of the text it was loaded from, if it was loaded.
    pub digest: Option<String>,
    /// Whether its inputs and outputs keep their names exactly on KFP v2 (a component loaded
    /// from a KFP v2 IR), rather than being sanitised as kfp 2 reads a v1 `component.yaml`.
    pub keep_names: bool,
    /// Whether KFP v2 writes its inputs' and outputs' descriptions (kfp does for the
    /// components of its own packages, such as kfp-kubernetes' `CreatePVC`, not for a loaded
    /// file).
    pub v2_descriptions: bool,
    /// For a raw `ContainerOp` (KFP v1 only): its file outputs and whether it has arguments.
    pub raw: Option<crate::container_op::RawOp>,
}
