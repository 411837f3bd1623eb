//! What a component is: its name, image, packages, inputs and outputs.

use crate::runtime::{Invocation, RunError};
use crate::types::ParamKind;

/// Runs a component's function inside its container: reads the inputs from the invocation,
/// calls the function and writes the outputs.
pub type RunFn = fn(&mut Invocation) -> Result<(), RunError>;

/// A component: what `#[component]` generates for a function, read by the compilers and by
/// the in-pod runtime.
#[derive(Clone, Debug)]
pub struct ComponentSpec {
    /// The name the binary dispatches on in the pod: the function's name.
    pub key: String,
    /// The human name, as kfp makes it (`verify_training` → `Verify training`).
    pub name: String,
    /// The description (from `description = ...` or the function's doc comment).
    pub description: Option<String>,
    /// The image the component runs in; `None` takes each target's default.
    pub base_image: Option<String>,
    /// Python packages installed before the component runs (kfp's `packages_to_install`).
    pub packages: Vec<String>,
    /// The inputs, in signature order.
    pub inputs: Vec<InputSpec>,
    /// The outputs, in declaration order.
    pub outputs: Vec<OutputSpec>,
    /// The function that runs the component in the pod.
    pub run: Option<RunFn>,
    /// The inputs and outputs that are files ([`InputPath`](crate::artifact::InputPath),
    /// [`OutputPath`](crate::artifact::OutputPath)), by name, with their types.
    pub artifacts: Vec<(ParamRef, crate::artifact::ArtifactType)>,
    /// The parameters in signature order, inputs and output files mixed, as KFP v1 lays out
    /// the command line; empty means the inputs in order.
    pub order: Vec<ParamRef>,
    /// Default values of optional inputs (`#[kfp(default = ...)]`), by input name.
    pub input_defaults: std::collections::BTreeMap<String, serde_json::Value>,
    /// For a container component (no Rust body): its image, command and arguments.
    pub container: Option<std::sync::Arc<crate::reusable::ContainerImpl>>,
    /// The inputs KFP fills with how an exit handler's group ended
    /// ([`TaskFinalStatus`](crate::TaskFinalStatus) parameters), by position: not arguments
    /// of a task (KFP v2 only).
    pub final_status: Vec<usize>,
}

/// An input or output of a component, by position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamRef {
    /// `inputs[i]`.
    Input(usize),
    /// `outputs[i]`.
    Output(usize),
}

impl ComponentSpec {
    /// A component called `key` (a function name) with no inputs or outputs yet.
    pub fn new(key: impl Into<String>) -> Self {
        let key = key.into();
        ComponentSpec {
            name: human_name(&key),
            key,
            description: None,
            base_image: None,
            packages: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            run: None,
            artifacts: Vec::new(),
            order: Vec::new(),
            input_defaults: std::collections::BTreeMap::new(),
            container: None,
            final_status: Vec::new(),
        }
    }

    /// The artifact type of input or output `param`, if it is a file.
    pub fn artifact(&self, param: ParamRef) -> Option<crate::artifact::ArtifactType> {
        self.artifacts
            .iter()
            .find(|(p, _)| *p == param)
            .map(|(_, t)| *t)
    }

    /// The name KFP v1 uses for input or output `param`: a file parameter loses a trailing
    /// `_path` or `_file`.
    pub fn v1_name(&self, param: ParamRef) -> &str {
        let name = match param {
            ParamRef::Input(i) => self.inputs.get(i).map(|p| p.name.as_str()),
            ParamRef::Output(i) => self.outputs.get(i).map(|p| p.name.as_str()),
        }
        .unwrap_or("");
        // Only a Rust function's file parameters lose their suffix, as kfp does for a Python
        // function's; a container component's names are used as written.
        if self.container.is_none() && self.artifact(param).is_some() {
            crate::artifact::v1_name(name)
        } else {
            name
        }
    }

    /// The parameters in signature order (see [`ComponentSpec::order`]).
    pub fn params_in_order(&self) -> Vec<ParamRef> {
        if self.order.is_empty() {
            (0..self.inputs.len()).map(ParamRef::Input).collect()
        } else {
            self.order.clone()
        }
    }

    /// The outputs that are return values (not files), with their positions.
    pub fn value_outputs(&self) -> impl Iterator<Item = (usize, &OutputSpec)> {
        self.outputs
            .iter()
            .enumerate()
            .filter(|(i, _)| self.artifact(ParamRef::Output(*i)).is_none())
    }

    /// The input called `name`, if any.
    pub fn input(&self, name: &str) -> Option<&InputSpec> {
        self.inputs.iter().find(|i| i.name == name)
    }
}

/// One input parameter of a component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputSpec {
    /// The name, spelled as in Rust (`model_name`).
    pub name: String,
    /// The KFP type.
    pub kind: ParamKind,
    /// The Rust type, for messages (`i64`).
    pub rust_type: &'static str,
    /// Whether the input may be left out (`Option<T>`).
    pub optional: bool,
}

/// One output parameter of a component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputSpec {
    /// The name: `Output` for a single return value, the field name for named outputs.
    pub name: String,
    /// The KFP type.
    pub kind: ParamKind,
}

/// Turns a function name into kfp's component name: `verify_training` → `Verify training`.
///
/// ```
/// assert_eq!(kfp_core::spec::component::human_name("verify_training"), "Verify training");
/// ```
pub fn human_name(fn_name: &str) -> String {
    let spaced = fn_name.replace('_', " ");
    let words: Vec<&str> = spaced.split(' ').filter(|w| !w.is_empty()).collect();
    let joined = words.join(" ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => joined,
    }
}

/// kfp's `sanitize_k8s_name`: lower-case, every run of characters outside `[-0-9a-z]` becomes
/// `-`, runs of `-` collapse, and leading and trailing `-` go.
///
/// ```
/// assert_eq!(kfp_core::spec::component::sanitize_name("My Pipeline_Name"), "my-pipeline-name");
/// ```
pub fn sanitize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.to_lowercase().chars() {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' {
            c
        } else {
            '-'
        };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    out.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_names_follow_kfp() {
        assert_eq!(human_name("split_stats"), "Split stats");
        assert_eq!(human_name("all_types"), "All types");
        assert_eq!(human_name("_private__name_"), "Private name");
        assert_eq!(human_name("train"), "Train");
    }

    #[test]
    fn sanitizing_follows_kfp() {
        assert_eq!(sanitize_name("Verify training"), "verify-training");
        assert_eq!(sanitize_name("--A__b--"), "a-b");
        assert_eq!(sanitize_name("ÜBER model"), "ber-model");
        assert_eq!(sanitize_name("yolov8withmlflow"), "yolov8withmlflow");
    }
}
