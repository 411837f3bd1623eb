//! Hostile and careless values, met where a user meets them: in the compiled YAML, or in the
//! build error that refuses to write it.

use kfp_core::prelude::*;
use serde_json::Value;

#[component(base_image = "python:3.11")]
fn flip() -> String {
    "heads".to_owned()
}

#[component(base_image = "python:3.11")]
fn show(msg: String) {
    println!("{msg}");
}

const HOSTILE: &str = "heads\" || \"a\" == \"a";

#[pipeline(name = "hostile-when")]
fn hostile_when() {
    let f = flip();
    f.output().equals(HOSTILE).then(|| {
        show("matched");
    });
}

#[pipeline(name = "string-ordered")]
fn string_ordered() {
    let f = flip();
    f.output().less_than("b || true").then(|| {
        show("less");
    });
}

fn compile(p: &Pipeline, target: Target) -> Result<String, String> {
    Compiler::new()
        .binary_path("/usr/local/bin/t")
        .compile(p, target)
        .map_err(|e| e.to_string())
}

fn doc(text: &str) -> Value {
    kfp_core::yaml::from_str_multi(text).unwrap().remove(0)
}

/// Reads a string literal's content starting after its opening `quote`: the text up to the
/// closing quote, with `\x` read as `x` (govaluate's and CEL's rule for `\"`, `\'` and
/// `\\`), and what follows the literal.
fn string_literal(s: &str, quote: char) -> (String, &str) {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.extend(chars.next().map(|(_, c)| c)),
            c if c == quote => return (out, &s[i + 1..]),
            c => out.push(c),
        }
    }
    panic!("unterminated string in {s:?}");
}

#[test]
fn v1_when_keeps_a_hostile_constant_inside_its_string() {
    let yaml = compile(&hostile_when(), Target::V1).unwrap();
    let wf = doc(&yaml);
    let root = wf["spec"]["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "hostile-when")
        .unwrap();
    let when = root["dag"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|t| t["when"].as_str())
        .unwrap();
    // `"<ref>" == "<constant>"`, and nothing after the constant's closing quote.
    let rest = when.strip_prefix("\"{{tasks.flip.outputs.parameters.flip-Output}}\" == \"");
    let rest = rest.unwrap_or_else(|| panic!("{when}"));
    let (constant, after) = string_literal(rest, '"');
    assert_eq!(constant, HOSTILE, "{when}");
    assert_eq!(after, "", "{when}");
}

#[test]
fn v2_cel_keeps_a_hostile_constant_inside_its_string() {
    for hostile in [HOSTILE, "heads' || 'a' == 'a", "back\\' || true || '"] {
        let p = kfp_core::build_pipeline("hostile-cel", None, |_| {
            let f = flip::task();
            f.output().equals(hostile).then(|| {
                show::task("matched");
            });
        });
        let ir = doc(&compile(&p, Target::V2).unwrap());
        let cond = ir["root"]["dag"]["tasks"]["condition-1"]["triggerPolicy"]["condition"]
            .as_str()
            .unwrap_or_else(|| panic!("{}", ir["root"]));
        let rest = cond
            .strip_prefix("inputs.parameter_values['pipelinechannel--flip-Output'] == '")
            .unwrap_or_else(|| panic!("{cond}"));
        let (constant, after) = string_literal(rest, '\'');
        assert_eq!(constant, hostile, "{cond}");
        assert_eq!(after, "", "{cond}");
    }
}

#[test]
fn v1_refuses_a_non_number_in_an_ordered_comparison() {
    let e = compile(&string_ordered(), Target::V1).unwrap_err();
    assert!(e.contains("`condition-1`"), "{e}");
    assert!(e.contains("\"b || true\", which is not a number"), "{e}");
}

#[test]
fn a_container_image_that_is_not_a_reference_is_a_build_error() {
    use kfp_core::reusable::{ContainerComponent, Placeholder};
    let echo = ContainerComponent::new("echo", "alpine:3.19\nRUN touch /pwned")
        .command([Placeholder::Literal("echo".into())]);
    let p = kfp_core::build_pipeline("bad-image", None, |_| {
        echo.task([]);
    });
    for target in [Target::V1, Target::V2] {
        let e = compile(&p, target).unwrap_err();
        assert!(e.contains("task `echo`"), "{e}");
        assert!(e.contains("`image`"), "{e}");
    }
}

const ECHO_YAML: &str = "name: echo
inputs:
- {name: msg, type: String}
implementation:
  container:
    image: alpine:3.19
    command: [echo, {inputValue: msg}]
";

#[test]
fn one_container_component_serves_two_tasks() {
    use kfp_core::reusable::{load_component_from_text, ContainerComponent, Placeholder};
    let built = ContainerComponent::new("echo", "alpine:3.19")
        .input("msg", "String")
        .command([Placeholder::InputValue("msg".into())]);
    let loaded = load_component_from_text(ECHO_YAML).unwrap();
    let again = load_component_from_text(ECHO_YAML).unwrap();
    let by_hand = kfp_core::build_pipeline("twice-by-hand", None, |_| {
        built.task([("msg", "a".into())]);
        built.task([("msg", "b".into())]);
    });
    let by_load = kfp_core::build_pipeline("twice-loaded", None, |_| {
        loaded.task([("msg", "a".into())]);
        loaded.task([("msg", "b".into())]);
        again.task([("msg", "c".into())]);
    });
    for target in [Target::V1, Target::V2] {
        let yaml = compile(&by_hand, target).unwrap_or_else(|e| panic!("{target}: {e}"));
        assert!(yaml.contains("echo-2"), "{yaml}");
        let yaml = compile(&by_load, target).unwrap_or_else(|e| panic!("{target}: {e}"));
        assert!(yaml.contains("echo-3"), "{yaml}");
    }
}

mod first {
    use kfp_core::prelude::*;
    #[component(base_image = "python:3.11")]
    pub fn step() {}
}

mod second {
    use kfp_core::prelude::*;
    // `name` changes what KFP shows, not the name the binary runs it by.
    #[component(base_image = "python:3.11", name = "Other step")]
    pub fn step() {}
}

#[pipeline(name = "same-fn-name")]
fn same_fn_name() {
    first::step();
    second::step();
}

#[test]
fn two_functions_of_one_name_are_refused_with_a_fix_that_works() {
    let e = compile(&same_fn_name(), Target::V1).unwrap_err();
    assert!(e.contains("both called `step`"), "{e}");
    assert!(e.contains("rename one of them"), "{e}");
    // The fix the old message gave (a `name = ...`) is what `second::step` already has.
    assert!(e.contains("changes only the name KFP shows"), "{e}");
}
