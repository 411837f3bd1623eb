//! Golden YAML: every example compiles to exactly the bytes in `tests/golden/<target>/<name>.yaml`.
//!
//! Run with `UPDATE_GOLDEN=1` to rewrite the files after an intended change, and review the
//! diff like code.

mod support;

use std::path::PathBuf;

use kfp_core::prelude::*;
use kfp_core::yaml;

fn golden_path(target: Target, name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(target.to_string())
        .join(format!("{name}.yaml"))
}

fn compile(pipeline: &Pipeline, binary: &str, target: Target) -> String {
    Compiler::new()
        .binary_path(format!("/usr/local/bin/{binary}"))
        .compile(pipeline, target)
        .unwrap_or_else(|e| panic!("{binary} does not compile: {e}"))
}

fn check_golden(name: &str, target: Target, actual: &str) {
    let path = golden_path(target, name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\nrun with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || expected.lines().count().min(actual.lines().count()) + 1,
                |i| i + 1,
            );
        panic!(
            "{name} ({target}) differs from {} at line {line}:\n  golden: {:?}\n  actual: {:?}\n\
             run with UPDATE_GOLDEN=1 to accept the new output, and review the diff",
            path.display(),
            expected.lines().nth(line - 1).unwrap_or(""),
            actual.lines().nth(line - 1).unwrap_or(""),
        );
    }
}

fn examples() -> Vec<(&'static str, Pipeline)> {
    vec![
        (
            "yolov8withmlflow",
            kfp_examples::yolov8withmlflow::train_pipeline(),
        ),
        (
            "yolov8withmlflow_seed",
            kfp_examples::yolov8withmlflow::seed_pipeline(),
        ),
        (
            "multiple_outputs",
            kfp_examples::multiple_outputs::multiple_outputs(),
        ),
        ("param_types", kfp_examples::param_types::param_types()),
        (
            "param_types_v1",
            kfp_examples::param_types_v1::param_types(),
        ),
        ("after", kfp_examples::after::after()),
        ("gpu", kfp_examples::gpu::gpu()),
        ("env_vars", kfp_examples::env_vars::env_vars()),
        (
            "k8s_secret_env",
            kfp_examples::k8s_secret_env::k8s_secret_env(),
        ),
        (
            "k8s_secret_env_v1",
            kfp_examples::k8s_secret_env_v1::k8s_secret_env(),
        ),
        ("retries", kfp_examples::retries::retries()),
        (
            "task_settings",
            kfp_examples::task_settings::task_settings_with_timeout(),
        ),
        ("condition_v1", kfp_examples::condition_v1::condition()),
        (
            "parallelfor_static_v1",
            kfp_examples::parallelfor_static_v1::parallelfor_static(),
        ),
        (
            "exit_handler_v1",
            kfp_examples::exit_handler_v1::exit_handler(),
        ),
        (
            "artifact_passing_v1",
            kfp_examples::artifact_passing_v1::artifact_passing(),
        ),
        (
            "reusable_components",
            kfp_examples::reusable_components::reusable_components(),
        ),
        ("reusable_ir", kfp_examples::reusable_ir::reusable_ir()),
        ("ui_outputs_v1", kfp_examples::ui_outputs_v1::ui_outputs()),
        (
            "pod_metadata",
            kfp_examples::pod_metadata::pod_metadata_v1(),
        ),
        ("loaded_io", kfp_examples::loaded_io::loaded_io()),
        ("volumes_v1", kfp_examples::volumes_v1::volumes()),
        ("container_op", kfp_examples::container_op::container_op()),
        ("after_group", kfp_examples::after_group::after_group()),
        (
            "untyped_inputs",
            kfp_examples::untyped_inputs::untyped_inputs(),
        ),
        ("mlflow_train", kfp_examples::mlflow_train::mlflow_train()),
        (
            "pipeline_as_component",
            kfp_examples::pipeline_as_component::pipeline_as_component(),
        ),
        (
            "nested_pipeline",
            kfp_examples::nested_pipeline::nested_pipeline(),
        ),
        (
            "nested_control",
            kfp_examples::nested_control::nested_control(),
        ),
        ("yaml_quirks", yaml_quirks()),
    ]
}

#[component(base_image = "python:3.11")]
fn echo(msg: String, flag: bool, items: Vec<String>) {
    println!("{msg} {flag} {items:?}");
}

/// Strings that YAML 1.1 readers (PyYAML among them) would read as booleans, null or numbers
/// when left unquoted.
#[pipeline(name = "yaml-quirks")]
fn yaml_quirks(#[kfp(default = "no")] answer: String) {
    for word in [
        "yes",
        "on",
        "null",
        "~",
        "off",
        "y",
        "N",
        "0x1F",
        "1e3",
        "1:20",
        "2001-12-14",
    ] {
        echo(
            word,
            true,
            vec!["TRUE".to_owned(), "Null".to_owned(), "".to_owned()],
        );
    }
    echo(
        answer,
        false,
        vec!["- item".to_owned(), "key: value".to_owned(), "#".to_owned()],
    );
}

#[test]
fn examples_match_their_golden_files_v1() {
    for (name, pipeline) in examples() {
        check_golden(name, Target::V1, &compile(&pipeline, name, Target::V1));
    }
}

/// What example binary `name` compiles for KFP v2 with `compile --target v2 -o -` (the
/// `scale` generator: its 3-task fan-out), the binary at `/usr/local/bin/<name>`.
fn compile_example_v2(name: &str) -> String {
    let args: &[&str] = if name == "scale" {
        &[
            "--tasks", "3", "--shape", "fanout", "--target", "v2", "-o", "-",
        ]
    } else {
        &["compile", "--target", "v2", "-o", "-"]
    };
    let dir = support::TempDir::new("golden-v2");
    let r = support::run_in(&support::built_example(name), args, dir.path());
    assert_eq!(
        r.code,
        Some(0),
        "{name} does not compile for v2: {}",
        r.stderr
    );
    r.stdout
}

#[test]
fn examples_match_their_golden_files_v2() {
    // Every example binary, as its own command line compiles it (a `PerTarget` binary gives
    // its v2 pipeline), and the YAML-quirks pipeline.
    for name in support::all_examples()
        .iter()
        .filter(|n| support::compiles_for(n, "v2"))
    {
        check_golden(name, Target::V2, &compile_example_v2(name));
    }
    check_golden(
        "yaml_quirks",
        Target::V2,
        &compile(&yaml_quirks(), "yaml_quirks", Target::V2),
    );
}

#[test]
fn compiling_twice_gives_the_same_bytes() {
    for (name, pipeline) in examples() {
        let first = compile(&pipeline, name, Target::V1);
        let again = compile(&pipeline, name, Target::V1);
        assert_eq!(first, again, "{name}");
        // A freshly built pipeline gives the same bytes too.
        let rebuilt = examples()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| compile(&p, name, Target::V1))
            .unwrap();
        assert_eq!(first, rebuilt, "{name}");
    }
}

#[test]
fn golden_files_round_trip_through_the_yaml_layer() {
    for (name, _) in examples() {
        let path = golden_path(Target::V1, name);
        let text = std::fs::read_to_string(&path).unwrap();
        let value: serde_json::Value = yaml::from_str(&text).unwrap();
        assert_eq!(yaml::to_string(&value), text, "{}", path.display());
    }
    // v2 files hold kfp's comment header, the IR, and the PlatformSpec when there is one.
    let v2 = golden_path(Target::V2, "x");
    for entry in std::fs::read_dir(v2.parent().unwrap()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let docs = yaml::from_str_multi(&text).unwrap();
        assert!(
            docs[0]["pipelineInfo"]["name"].is_string(),
            "{}",
            path.display()
        );
        assert!(docs.len() <= 2, "{}", path.display());
    }
}

#[test]
fn yaml_quirks_survive_a_yaml_1_1_style_reading() {
    let text = compile(&yaml_quirks(), "yaml_quirks", Target::V1);
    let value: serde_json::Value = yaml::from_str(&text).unwrap();
    let templates = value["spec"]["templates"].as_array().unwrap();
    let mut words: Vec<String> = templates
        .iter()
        .filter_map(|t| t["container"]["args"].get(1))
        .map(|a| a.as_str().expect("every argument is a string").to_owned())
        .collect();
    words.sort();
    let mut expected: Vec<String> = [
        "yes",
        "on",
        "null",
        "~",
        "off",
        "y",
        "N",
        "0x1F",
        "1e3",
        "1:20",
        "2001-12-14",
        "{{inputs.parameters.answer}}",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    expected.sort();
    assert_eq!(words, expected);
    // The default `no` stays a string.
    assert_eq!(value["spec"]["arguments"]["parameters"][0]["value"], "no");
    for quirk in ["'yes'", "'on'", "'null'", "'~'", "'no'"] {
        assert!(text.contains(quirk), "{quirk} is not quoted:\n{text}");
    }
}
