//! Container components, loaded from a KFP v1 `component.yaml` or built by hand: inputs checked
//! by name and type at pipeline build, load errors, and the two ways giving the same YAML.

use kfp_core::prelude::*;
use kfp_core::reusable::{load_component_from_text, ContainerComponent};

const ECHO: &str = include_str!("../../kfp-examples/components/echo.yaml");

#[component]
fn number() -> i64 {
    1
}

fn compile(p: &Pipeline) -> Result<String, kfp_core::CompileError> {
    Compiler::new()
        .binary_path("/usr/local/bin/reusable")
        .compile(p, Target::V1)
}

#[test]
fn built_by_hand_equals_loaded_but_for_the_digest() {
    let loaded = kfp_examples::reusable_components::reusable_components();
    let by_hand = kfp_examples::reusable_components::echo_by_hand();
    let p = kfp_core::build_pipeline("reusable-components", None, |params| {
        let msg = params.param_with_default_arg::<String>(
            "msg",
            kfp_core::spec::pipeline::Arg::Constant("hi".into()),
        );
        let m = kfp_examples::reusable_components::make::task(3).outputs();
        let e = by_hand.task([("msg", msg.into()), ("data", m.data_path.into())]);
        kfp_examples::reusable_components::show::task(e.output::<String>("out"));
    });
    let a = compile(&loaded).unwrap();
    let b = compile(&p).unwrap();
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.contains("component_ref") && !l.contains("component_spec"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&a), strip(&b));
    assert!(
        a.contains("digest"),
        "a loaded component records its digest"
    );
    assert!(!b.contains("digest"), "a component built by hand has none");
}

#[test]
fn inputs_are_checked_by_name_and_type() {
    let echo = load_component_from_text(ECHO).unwrap();
    let p = kfp_core::build_pipeline("checked", None, |_| {
        let n = number::task();
        echo.task([("msg", n.output().into()), ("colour", "red".into())]);
    });
    let msg = compile(&p).unwrap_err().to_string();
    for expected in [
        "task `echo-text`: input `msg` takes a String value, but is given an Integer value",
        "task `echo-text` has no input `colour`; expected one of: `msg`, `times`, `data`",
        "task `echo-text`: input `data` is not given a value; it has no default, so pass an output file of an upstream task",
    ] {
        assert!(msg.contains(expected), "missing {expected:?} in:\n{msg}");
    }
    // `times` has a default, so leaving it out is fine.
    assert!(!msg.contains("input `times`"), "{msg}");
}

#[test]
fn a_value_cannot_feed_a_file_input() {
    let echo = load_component_from_text(ECHO).unwrap();
    let p = kfp_core::build_pipeline("files", None, |_| {
        echo.task([("msg", "x".into()), ("data", "not a file".into())]);
    });
    let msg = compile(&p).unwrap_err().to_string();
    assert!(
        msg.contains(
            "task `echo-text`: input `data` takes an output file of an upstream task, \
             but is given the constant \"not a file\""
        ),
        "{msg}"
    );
}

#[test]
fn bad_component_files_are_refused_with_the_reason() {
    let cases = [
        ("name: x\n", "it has no `implementation.container`"),
        (
            "implementation: {container: {image: a}}\n",
            "it has no `name`",
        ),
        (
            "name: x\nimplementation: {container: {image: a, command: [{inputValue: y}]}}\n",
            "names input `y`, which the component does not declare",
        ),
        (
            "name: x\nimplementation: {container: {image: a, args: [{fileValue: y}]}}\n",
            "unknown placeholder `fileValue`",
        ),
        ("name: [unclosed\n", "not valid YAML"),
    ];
    for (text, expected) in cases {
        let err = load_component_from_text(text).unwrap_err().to_string();
        assert!(err.contains(expected), "{text:?}: {err}");
    }
}

#[test]
fn a_component_built_by_hand_checks_its_placeholders_when_compiled() {
    let c = ContainerComponent::new("Lonely", "alpine")
        .input("a", "String")
        .command([kfp_core::reusable::Placeholder::InputValue("a".into())]);
    let p = kfp_core::build_pipeline("lonely", None, |_| {
        c.task([("a", "x".into())]);
    });
    let yaml = compile(&p).unwrap();
    let doc: serde_json::Value = kfp_core::__private::support::yaml::from_str(&yaml).unwrap();
    let template = doc["spec"]["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t.get("container").is_some())
        .unwrap();
    // The task is named after the component, which is also the pipeline's name: the pipeline's
    // DAG template keeps the name, the task takes the next one.
    assert_eq!(template["name"], "lonely-2");
    assert_eq!(template["container"]["image"], "alpine");
    assert_eq!(template["container"]["command"], serde_json::json!(["x"]));
}

#[test]
fn a_v2_component_ir_loads_with_its_placeholders() {
    use kfp_core::reusable::Placeholder::*;
    let echo = load_component_from_text(include_str!("../../kfp-examples/components/echo_v2.yaml"))
        .unwrap();
    let mut echo = echo;
    let spec = echo.spec();
    let inputs: Vec<(&str, bool)> = spec
        .inputs()
        .iter()
        .map(|i| (i.name.as_str(), i.optional))
        .collect();
    assert_eq!(inputs, [("msg", false), ("times", true), ("data", false)]);
    assert_eq!(
        spec.input("times").and_then(|i| i.default.as_ref()),
        None,
        "a container default lives in the container"
    );
    let container = spec.container().unwrap();
    assert_eq!(container.defaults["times"], serde_json::json!(1));
    assert_eq!(
        container.args,
        [
            InputValue("msg".into()),
            OutputPath("out".into()),
            InputPath("data".into()),
            OutputPath("copy".into()),
            Literal("--times".into()),
            InputValue("times".into()),
            Concat(vec![Literal("pre-".into()), InputValue("msg".into())]),
        ]
    );
}

#[test]
fn a_pipeline_ir_is_not_a_component() {
    let two = r#"
components:
  comp-a: {executorLabel: exec-a}
  comp-b: {executorLabel: exec-b}
deploymentSpec: {executors: {exec-a: {container: {image: x}}, exec-b: {container: {image: x}}}}
pipelineInfo: {name: p}
"#;
    let err = load_component_from_text(two).unwrap_err().to_string();
    assert!(err.contains("the IR has 2 components"), "{err}");
}
