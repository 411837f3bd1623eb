//! Golden YAML: every example compiles to exactly the bytes in `tests/golden/<target>/<name>.yaml`.
//!
//! Run with `UPDATE_GOLDEN=1` to rewrite the files after an intended change, and review the
//! diff like code.

mod support;

use std::path::PathBuf;

use kfp_core::__private::support::yaml;
use kfp_core::prelude::*;

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

/// What example binary `name` compiles for `target` with `compile --target <t> -o -` (the
/// `scale` generator: its 3-task fan-out), the binary at `/usr/local/bin/<name>`.
fn compile_example(name: &str, target: Target) -> String {
    let target = target.to_string();
    let args: &[&str] = if name == "scale" {
        &[
            "--tasks", "3", "--shape", "fanout", "--target", &target, "-o", "-",
        ]
    } else {
        &["compile", "--target", &target, "-o", "-"]
    };
    let dir = support::TempDir::new("golden");
    let r = support::run_in(&support::built_example(name), args, dir.path());
    assert_eq!(
        r.code,
        Some(0),
        "{name} does not compile for {target}: {}",
        r.stderr
    );
    r.stdout
}

/// Every example binary of the manifest, as its own command line compiles it for `target` (a
/// `PerTarget` binary gives that target's pipeline), and the YAML-quirks pipeline.
fn check_every_example(target: Target) {
    let t = target.to_string();
    for name in support::all_examples()
        .iter()
        .filter(|n| support::compiles_for(n, &t))
    {
        check_golden(name, target, &compile_example(name, target));
    }
    check_golden(
        "yaml_quirks",
        target,
        &compile(&yaml_quirks(), "yaml_quirks", target),
    );
    if target == Target::V1 {
        for (name, pipeline) in v2_pipelines_for_v1() {
            check_golden(
                &format!("{name}_v2_pipeline"),
                target,
                &compile(&pipeline, name, target),
            );
        }
    }
}

/// The KFP v2 pipelines of `PerTarget` examples whose KFP v1 forms render settings that no
/// v1 pipeline of an example has (optional Secrets, a Secret as a volume, a ConfigMap as env;
/// component-level defaults), compiled for KFP v1 as if by the example's binary:
/// `tests/golden/v1/<name>_v2_pipeline.yaml`.
fn v2_pipelines_for_v1() -> [(&'static str, Pipeline); 2] {
    [
        (
            "k8s_secret_env",
            kfp_examples::k8s_secret_env::k8s_secret_env(),
        ),
        ("param_types", kfp_examples::param_types::param_types()),
    ]
}

#[test]
fn examples_match_their_golden_files_v1() {
    check_every_example(Target::V1);
}

#[test]
fn examples_match_their_golden_files_v2() {
    check_every_example(Target::V2);
}

#[test]
fn every_example_file_is_in_the_manifest_and_back() {
    let files = support::example_files();
    let listed: Vec<String> = support::manifest::examples()
        .iter()
        .map(|e| e.name.clone())
        .collect();
    let path = support::manifest::path();
    for f in &files {
        assert!(
            listed.contains(f),
            "kfp-examples/examples/{f}.rs has no line in {}: add one (its format is at the top)",
            path.display()
        );
    }
    for l in &listed {
        assert!(
            files.contains(l),
            "{} lists `{l}`, but there is no kfp-examples/examples/{l}.rs",
            path.display()
        );
    }
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "{}: keep the names sorted", path.display());
}

#[test]
fn every_golden_file_belongs_to_an_example_that_compiles_for_its_target() {
    for target in [Target::V1, Target::V2] {
        let dir = golden_path(target, "x");
        for entry in std::fs::read_dir(dir.parent().unwrap()).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if name == "yaml_quirks" || name.ends_with("_v2_pipeline") {
                continue;
            }
            assert!(
                support::manifest::examples()
                    .iter()
                    .any(|e| e.name == name && e.compiles_for(&target.to_string())),
                "{} is the golden of no example compiling for {target}",
                path.display()
            );
        }
    }
}

#[test]
fn the_manifest_parser_refuses_what_it_does_not_know() {
    use support::manifest::{parse, Check, Plan};
    let ok = parse("# c\n\na  oracle+valid  kfp:b\nignore v2 x.y\nc no -\n").unwrap();
    assert_eq!(
        ok[0].v1,
        Plan::Checks(vec![Check::Oracle(String::new()), Check::Valid])
    );
    assert_eq!(ok[0].v2, Plan::Checks(vec![Check::Kfp("b".into())]));
    assert_eq!(ok[0].ignore_v2, ["x.y"]);
    assert_eq!((&ok[1].v1, &ok[1].v2), (&Plan::Refused, &Plan::Compiles));
    for (bad, says) in [
        ("a oracle", "line 1: expected"),
        ("a oracle oracle x", "line 1: expected"),
        ("ignore v1 x", "line 1: `ignore` before"),
        (
            "a oracle oracle\nignore v3 x",
            "line 2: unknown target `v3`",
        ),
        ("a orcale oracle", "line 1: unknown check `orcale`"),
        ("a oracle: oracle", "line 1: unknown check `oracle:`"),
        ("a - -\na - -", "line 2: `a` is listed twice"),
    ] {
        let e = parse(bad).unwrap_err();
        assert!(e.starts_with(says), "{bad:?}: {e}");
    }
}

#[test]
fn compiling_twice_gives_the_same_bytes() {
    for name in support::all_examples()
        .iter()
        .filter(|n| support::compiles_for(n, "v1"))
    {
        let first = compile_example(name, Target::V1);
        assert_eq!(first, compile_example(name, Target::V1), "{name}");
    }
    // A freshly built pipeline gives the same bytes too.
    let first = compile(&yaml_quirks(), "yaml_quirks", Target::V1);
    assert_eq!(first, compile(&yaml_quirks(), "yaml_quirks", Target::V1));
}

#[test]
fn golden_files_round_trip_through_the_yaml_layer() {
    let v1 = golden_path(Target::V1, "x");
    for entry in std::fs::read_dir(v1.parent().unwrap()).unwrap() {
        let path = entry.unwrap().path();
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
