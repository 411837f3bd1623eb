//! Component inputs with defaults (`#[kfp(default = ...)]`): left out with `DEFAULT` in the
//! pipeline, optional in the spec, and the default applies in the pod on both targets.

mod support;

use support::{example, run_in, TempDir};

#[test]
fn a_left_out_input_takes_its_default_in_the_pod_v1() {
    let dir = TempDir::new("defaults-v1");
    let out = dir.path().join("out");
    let run = run_in(
        &example("param_types"),
        &[
            "component",
            "typed_collections",
            "--li",
            "[1, 2]",
            "--ds",
            r#"{"a": 1.0}"#,
            "--ratio",
            "0.25",
            "----output-paths",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    // opt is absent (None); n, flag and name take their defaults; ratio was given.
    assert_eq!(run.stdout.trim(), r#"{"a": 1.0} None 3 0.25 true x"#);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), r#"["1", "2"]"#);
}

#[test]
fn a_left_out_input_takes_its_default_in_the_pod_v2() {
    let dir = TempDir::new("defaults-v2");
    let out = dir.path().join("Output");
    let exec_out = dir.path().join("executor_output.json");
    let input = serde_json::json!({
        "inputs": {"parameterValues": {"li": [1, 2], "ds": {"a": 1.0}}},
        "outputs": {
            "parameters": {"Output": {"outputFile": out.to_str().unwrap()}},
            "outputFile": exec_out.to_str().unwrap(),
        }
    });
    let run = run_in(
        &example("param_types"),
        &[
            "component",
            "typed_collections",
            "--executor_input",
            &input.to_string(),
            "--function_to_execute",
            "typed_collections",
        ],
        dir.path(),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout.trim(), r#"{"a": 1.0} None 3 0.5 true x"#);
}

#[test]
fn the_spec_marks_defaulted_inputs_optional_with_their_defaults() {
    use kfp_core::prelude::*;
    let yaml = Compiler::new()
        .binary_path("/usr/local/bin/param_types")
        .compile(&kfp_examples::param_types::param_types(), Target::V1)
        .unwrap();
    assert!(
        yaml.contains(
            r#"{\"default\": \"3\", \"name\": \"n\", \"optional\": true, \"type\": \"Integer\"}"#
        ) || yaml.contains(r#"{"default": "3", "name": "n", "optional": true, "type": "Integer"}"#),
        "{yaml}"
    );
    // Left out: no `--n` on the command line.
    let doc: serde_json::Value = kfp_core::__private::support::yaml::from_str(&yaml).unwrap();
    let t = doc["spec"]["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "typed-collections")
        .unwrap();
    let args: Vec<&str> = t["container"]["args"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    assert_eq!(
        args,
        [
            "--li",
            "[1, 2]",
            "--ds",
            "{\"a\": 1.0}",
            "----output-paths",
            "/tmp/outputs/Output/data"
        ]
    );
}
