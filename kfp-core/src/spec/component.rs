//! What a component is: its name, image, packages, inputs, outputs and how it runs.
//!
//! Everything known about one input or output lives on its [`InputSpec`] or [`OutputSpec`];
//! what is known about the whole component lives on [`ComponentSpec`], read through its
//! accessors. Nothing here knows about YAML: the compilers and the pod side read this model.

use std::sync::Arc;

use serde_json::Value;

use super::container::ContainerImpl;
use crate::artifact::ArtifactType;
use crate::runtime::{Invocation, RunError};
use crate::types::ParamKind;

/// Runs a component's function inside its container: reads the inputs from the invocation,
/// calls the function and writes the outputs.
pub type RunFn = fn(&mut Invocation) -> Result<(), RunError>;

/// How a component runs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Implementation {
    /// A Rust function of this binary (what `#[component]` makes): the pod runs the binary,
    /// which dispatches on the component's key.
    Rust(RunFn),
    /// A container with its own image, command and arguments (a loaded `component.yaml` or
    /// KFP v2 IR, a raw `ContainerOp`, kfp-kubernetes' steps): no code of this binary runs.
    Container(Arc<ContainerImpl>),
}

/// A component: what `#[component]` generates for a function (or a loaded component file
/// makes), read by the compilers, the local runner and the in-pod runtime.
///
/// Read it through its accessors; build it with [`ComponentSpec::new`] and the `with_*`
/// methods.
///
/// ```
/// use kfp_core::spec::component::{ComponentSpec, Implementation, InputSpec, OutputSpec};
/// use kfp_core::ParamKind;
///
/// let spec = ComponentSpec::new("add", Implementation::Rust(|_| Ok(())))
///     .with_input(InputSpec::new("a", ParamKind::Integer))
///     .with_output(OutputSpec::new("Output", ParamKind::Integer));
/// assert_eq!(spec.name(), "Add");
/// assert_eq!(spec.input("a").map(|i| i.kind), Some(ParamKind::Integer));
/// assert!(spec.run_fn().is_some());
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ComponentSpec {
    pub(crate) key: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) base_image: Option<String>,
    pub(crate) packages: Vec<String>,
    pub(crate) inputs: Vec<InputSpec>,
    pub(crate) outputs: Vec<OutputSpec>,
    pub(crate) implementation: Implementation,
    /// The inputs and output files in signature order, mixed, as KFP v1 lays out a Rust
    /// component's command line; empty means the inputs in order (a container component, a
    /// component built by hand). It stays on the component, not on each input or output,
    /// because it is a fact about the two lists together: where output files fall among the
    /// inputs.
    pub(crate) order: Vec<ParamRef>,
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
    /// A component called `key` (a function name) that runs as `implementation`, with no
    /// inputs or outputs yet; its name is the human form of `key` (`verify_training` →
    /// `Verify training`).
    pub fn new(key: impl Into<String>, implementation: Implementation) -> Self {
        let key = key.into();
        ComponentSpec {
            name: human_name(&key),
            key,
            description: None,
            base_image: None,
            packages: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            implementation,
            order: Vec::new(),
        }
    }

    /// Sets the human name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the image the component runs in.
    pub fn with_base_image(mut self, image: impl Into<String>) -> Self {
        self.base_image = Some(image.into());
        self
    }

    /// Sets the Python packages installed before the component runs.
    pub fn with_packages<S: Into<String>>(mut self, packages: impl IntoIterator<Item = S>) -> Self {
        self.packages = packages.into_iter().map(Into::into).collect();
        self
    }

    /// Adds an input after the others.
    pub fn with_input(mut self, input: InputSpec) -> Self {
        if !self.order.is_empty() {
            self.order.push(ParamRef::Input(self.inputs.len()));
        }
        self.inputs.push(input);
        self
    }

    /// Adds an output after the others.
    pub fn with_output(mut self, output: OutputSpec) -> Self {
        self.outputs.push(output);
        self
    }

    /// The name the binary dispatches on in the pod: the function's name.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The human name, as kfp makes it (`verify_training` → `Verify training`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The description (from `description = ...` or the function's doc comment).
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The image the component runs in; `None` takes each target's default.
    pub fn base_image(&self) -> Option<&str> {
        self.base_image.as_deref()
    }

    /// Python packages installed before the component runs (kfp's `packages_to_install`).
    pub fn packages(&self) -> &[String] {
        &self.packages
    }

    /// The inputs, in signature order.
    pub fn inputs(&self) -> &[InputSpec] {
        &self.inputs
    }

    /// The outputs: a Rust component's output files in signature order, then its return
    /// values, as kfp lists them.
    pub fn outputs(&self) -> &[OutputSpec] {
        &self.outputs
    }

    /// How the component runs.
    pub fn implementation(&self) -> &Implementation {
        &self.implementation
    }

    /// The function that runs the component in the pod, if it is a Rust component.
    pub fn run_fn(&self) -> Option<RunFn> {
        match &self.implementation {
            Implementation::Rust(run) => Some(*run),
            Implementation::Container(_) => None,
        }
    }

    /// The image, command and arguments, if it is a container component.
    pub fn container(&self) -> Option<&ContainerImpl> {
        match &self.implementation {
            Implementation::Container(c) => Some(c),
            Implementation::Rust(_) => None,
        }
    }

    /// The input called `name`, if any.
    pub fn input(&self, name: &str) -> Option<&InputSpec> {
        self.inputs.iter().find(|i| i.name == name)
    }

    /// The output called `name`, if any.
    pub fn output(&self, name: &str) -> Option<&OutputSpec> {
        self.outputs.iter().find(|o| o.name == name)
    }

    /// The artifact type of input or output `param`, if it is a file.
    pub fn artifact(&self, param: ParamRef) -> Option<ArtifactType> {
        match param {
            ParamRef::Input(i) => self.inputs.get(i).and_then(|p| p.artifact),
            ParamRef::Output(i) => self.outputs.get(i).and_then(|p| p.artifact),
        }
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
        if self.container().is_none() && self.artifact(param).is_some() {
            crate::artifact::v1_name(name)
        } else {
            name
        }
    }

    /// The inputs and output files in signature order, mixed, as KFP v1 lays out a Rust
    /// component's command line; for a component built without a signature, the inputs in
    /// order.
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
            .filter(|(_, o)| o.artifact.is_none())
    }

    /// The positions of the inputs KFP fills with how an exit handler's group ended.
    pub fn final_status_inputs(&self) -> impl Iterator<Item = usize> + '_ {
        self.inputs
            .iter()
            .enumerate()
            .filter(|(_, i)| i.final_status)
            .map(|(k, _)| k)
    }

    /// The default of each input that has one (`#[kfp(default = ...)]`), by input name, in
    /// signature order. A container component's defaults are text of its own file and stay
    /// in its [`ContainerImpl`].
    pub fn defaults(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.inputs
            .iter()
            .filter_map(|i| Some((i.name.as_str(), i.default.as_ref()?)))
    }
}

/// One input parameter of a component, with everything known about it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InputSpec {
    /// The name, spelled as in Rust (`model_name`).
    pub name: String,
    /// The KFP type.
    pub kind: ParamKind,
    /// The Rust type, for messages (`i64`).
    pub rust_type: &'static str,
    /// Whether the input may be left out (`Option<T>`, or an input with a default).
    pub optional: bool,
    /// The default value (`#[kfp(default = ...)]`), used when a task leaves the input out.
    pub default: Option<Value>,
    /// The artifact type, if the input is a file ([`InputPath`](crate::artifact::InputPath)).
    pub artifact: Option<ArtifactType>,
    /// Whether KFP fills the input with how an exit handler's group ended (a
    /// [`TaskFinalStatus`](crate::TaskFinalStatus) parameter; KFP v2 only): not an argument
    /// of a task.
    pub final_status: bool,
}

impl InputSpec {
    /// A required input `name` of KFP type `kind`, not a file, with no default; its Rust type
    /// is the usual one for `kind` (`i64` for an integer).
    pub fn new(name: impl Into<String>, kind: ParamKind) -> Self {
        InputSpec {
            name: name.into(),
            kind,
            rust_type: rust_type_of(kind),
            optional: false,
            default: None,
            artifact: None,
            final_status: false,
        }
    }
}

/// One output of a component, with everything known about it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutputSpec {
    /// The name: `Output` for a single return value, the field name for named outputs.
    pub name: String,
    /// The KFP type.
    pub kind: ParamKind,
    /// The artifact type, if the output is a file ([`OutputPath`](crate::artifact::OutputPath));
    /// `None` for a return value.
    pub artifact: Option<ArtifactType>,
}

impl OutputSpec {
    /// An output value `name` of KFP type `kind` (not a file).
    pub fn new(name: impl Into<String>, kind: ParamKind) -> Self {
        OutputSpec {
            name: name.into(),
            kind,
            artifact: None,
        }
    }
}

#[cfg(test)]
impl ComponentSpec {
    /// A Rust component `key` whose function does nothing, for tests.
    pub(crate) fn test(key: &str) -> Self {
        ComponentSpec::new(key, Implementation::Rust(|_| Ok(())))
    }
}

/// The Rust type that usually carries a KFP type, for messages.
pub(crate) fn rust_type_of(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::String => "String",
        ParamKind::Integer => "i64",
        ParamKind::Float => "f64",
        ParamKind::Boolean => "bool",
        ParamKind::List => "Vec",
        ParamKind::Struct => "serde_json::Map",
    }
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

    /// `fit(data_path: InputPath<Dataset>, epochs: i64 = 3, model: OutputPath<Model>,
    /// status: TaskFinalStatus) -> f64`, as `#[component]` lays it out.
    fn fit() -> ComponentSpec {
        use crate::__private::{component, final_status_input, input, input_with_default};
        use crate::__private::{output, output_file};
        use crate::artifact::{Dataset, InputPath, Model, OutputPath};
        let spec = component(
            "fit",
            None,
            None,
            Some("python:3.11"),
            &["mlflow"],
            vec![
                input::<InputPath<Dataset>>("data_path"),
                input_with_default::<i64>("epochs", crate::spec::pipeline::Arg::Constant(3.into())),
                output_file::<OutputPath<Model>>("model"),
                final_status_input("status"),
            ],
            vec![output::<f64>("Output")],
            |_| Ok(()),
        );
        (*spec).clone()
    }

    #[test]
    fn each_input_carries_its_own_facts() {
        use crate::artifact::{ArtifactKind, Dataset, Model};
        let spec = fit();
        let [data, epochs, status] = spec.inputs() else {
            panic!("three inputs: {:?}", spec.inputs());
        };
        assert_eq!(data.artifact, Some(Dataset::TYPE));
        assert_eq!((data.optional, &data.default), (false, &None));
        assert_eq!(epochs.artifact, None);
        assert_eq!(epochs.default, Some(serde_json::json!(3)));
        assert!(epochs.optional, "a defaulted input may be left out");
        assert_eq!((epochs.kind, epochs.rust_type), (ParamKind::Integer, "i64"));
        assert!(status.final_status && status.optional);
        assert!(!data.final_status && !epochs.final_status);
        // Output files come first, then the return values.
        let names: Vec<_> = spec.outputs().iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["model", "Output"]);
        assert_eq!(spec.outputs()[0].artifact, Some(Model::TYPE));
        assert_eq!(spec.output("Output").map(|o| o.artifact), Some(None));
        assert_eq!(spec.artifact(ParamRef::Input(0)), Some(Dataset::TYPE));
        assert_eq!(spec.artifact(ParamRef::Output(1)), None);
        assert_eq!(spec.artifact(ParamRef::Output(9)), None);
    }

    #[test]
    fn component_level_facts_read_through_accessors() {
        let spec = fit();
        assert_eq!((spec.key(), spec.name()), ("fit", "Fit"));
        assert_eq!(spec.description(), None);
        assert_eq!(spec.base_image(), Some("python:3.11"));
        assert_eq!(spec.packages(), ["mlflow"]);
        assert!(spec.run_fn().is_some() && spec.container().is_none());
        assert!(matches!(spec.implementation(), Implementation::Rust(_)));
        assert_eq!(spec.final_status_inputs().collect::<Vec<_>>(), [2]);
        let defaults: Vec<_> = spec.defaults().collect();
        assert_eq!(defaults, [("epochs", &serde_json::json!(3))]);
        let values: Vec<_> = spec
            .value_outputs()
            .map(|(k, o)| (k, o.name.as_str()))
            .collect();
        assert_eq!(values, [(1, "Output")]);
        // KFP v1's command line: the signature order, inputs and output files mixed.
        use ParamRef::{Input, Output};
        assert_eq!(
            spec.params_in_order(),
            [Input(0), Input(1), Output(0), Input(2)]
        );
        // A file parameter loses `_path` on KFP v1; a value keeps its name.
        assert_eq!(spec.v1_name(Input(0)), "data");
        assert_eq!(spec.v1_name(Input(1)), "epochs");
        assert_eq!(spec.v1_name(Output(0)), "model");
    }

    #[test]
    fn built_by_hand_the_inputs_are_the_order() {
        let spec = ComponentSpec::test("add")
            .with_name("Add numbers")
            .with_description("Adds")
            .with_input(InputSpec::new("a", ParamKind::Integer))
            .with_input(InputSpec::new("b", ParamKind::Float))
            .with_output(OutputSpec::new("Output", ParamKind::Float));
        assert_eq!(
            (spec.name(), spec.description()),
            ("Add numbers", Some("Adds"))
        );
        assert_eq!(
            spec.params_in_order(),
            [ParamRef::Input(0), ParamRef::Input(1)]
        );
        assert_eq!(spec.input("b").map(|i| i.rust_type), Some("f64"));
        assert!(spec.input("c").is_none());
        assert_eq!(spec.defaults().count(), 0);
        // A signature's order grows with an input added after it.
        let mut grown = fit();
        grown = grown.with_input(InputSpec::new("late", ParamKind::String));
        assert_eq!(grown.params_in_order().last(), Some(&ParamRef::Input(3)));
    }

    #[test]
    fn a_container_component_has_no_run_fn_and_keeps_its_names() {
        let container = ContainerImpl {
            image: "alpine".into(),
            command: Vec::new(),
            args: Vec::new(),
            defaults: Default::default(),
            spec: Value::Null,
            digest: None,
            keep_names: false,
            v2_descriptions: false,
            raw: None,
        };
        let mut file = InputSpec::new("data_path", ParamKind::String);
        file.artifact = Some(<crate::artifact::Dataset as crate::artifact::ArtifactKind>::TYPE);
        let spec = ComponentSpec::new("c", Implementation::Container(Arc::new(container)))
            .with_input(file);
        assert!(spec.run_fn().is_none());
        assert_eq!(spec.container().map(|c| c.image.as_str()), Some("alpine"));
        assert_eq!(spec.v1_name(ParamRef::Input(0)), "data_path");
    }

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
