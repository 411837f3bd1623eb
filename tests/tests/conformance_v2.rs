//! Conformance of the KFP v2 target with kfp 2.17.3: every example that
//! `kfp-examples/examples.list` compares with a golden in `../shared/oracle/golden/v2`
//! compiles to IR that the oracle's `validate_ir.py` accepts and that `compare.py
//! --any-program --inline-refs` (and the example's `--ignore`s) finds equal to kfp's own
//! output.
//!
//! Needs the oracle (`<workspace>/../shared/oracle`) and its venvs (`$KFP_ORACLE_VENVS`,
//! default `~/.cache/kfp-oracle`, made by the oracle's `setup.sh`). Without them the tests
//! are ignored (see `tests/build.rs`), unless `CI=true`, where a missing oracle fails them.

mod support;

use std::path::{Path, PathBuf};

use support::manifest::{Check, Plan};
use support::oracle::{oracle, python};

use kfp_core::prelude::*;

/// A fresh folder for one test's files.
fn out_dir(test: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("kfp-conformance-v2-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
#[cfg_attr(
    not(kfp_oracle),
    ignore = "needs the oracle (../shared/oracle and its v2 venv) or CI=true"
)]
fn examples_are_valid_ir_equal_to_kfp() {
    let oracle = oracle();
    let dir = out_dir("examples");
    let mut failures = Vec::new();
    // Every example the manifest compares with an oracle golden for KFP v2, as its binary
    // compiles it.
    let mut checked = 0;
    for example in support::manifest::examples() {
        let Plan::Checks(checks) = &example.v2 else {
            continue;
        };
        let name = &example.name;
        for check in checks {
            let Check::Oracle(_) = check else { continue };
            checked += 1;
            let path = dir.join(format!("{name}.yaml"));
            let r = support::run_in(
                &support::built_example(name),
                &["compile", "--target", "v2", "-o", path.to_str().unwrap()],
                &dir,
            );
            assert_eq!(
                r.code,
                Some(0),
                "{name} does not compile for v2: {}",
                r.stderr
            );
            let (ok, report) = python(&oracle, "validate_ir.py", &[&path], &[]);
            if !ok {
                failures.push(format!("validate_ir.py {name}:\n{report}"));
            }
            let golden = check.golden(name, "v2").expect("an oracle golden");
            let mut flags = vec!["--any-program", "--inline-refs"];
            for path in example.ignores("v2") {
                flags.extend(["--ignore", path.as_str()]);
            }
            let (ok, report) = python(&oracle, "compare.py", &[&path, &golden], &flags);
            if !ok {
                failures.push(format!("compare.py {name}:\n{report}"));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        checked > 0,
        "the manifest compares no example with an oracle golden"
    );
}

/// `task_settings` has no kfp golden; its IR (with a `PlatformSpec`) must still be valid.
#[test]
#[cfg_attr(
    not(kfp_oracle),
    ignore = "needs the oracle (../shared/oracle and its v2 venv) or CI=true"
)]
fn task_settings_is_valid_ir() {
    let oracle = oracle();
    let dir = out_dir("settings");
    let path = dir.join("task_settings.yaml");
    let yaml = Compiler::new()
        .compile(&kfp_examples::task_settings::task_settings(), Target::V2)
        .unwrap();
    assert!(yaml.contains("\n---\nplatforms:\n"), "{yaml}");
    std::fs::write(&path, yaml).unwrap();
    let (ok, report) = python(&oracle, "validate_ir.py", &[&path], &[]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(ok, "{report}");
}

/// The comparer is not blind: a changed constant in our IR is a difference.
#[test]
#[cfg_attr(
    not(kfp_oracle),
    ignore = "needs the oracle (../shared/oracle and its v2 venv) or CI=true"
)]
fn the_comparer_catches_a_difference() {
    let oracle = oracle();
    let dir = out_dir("negative");
    let yaml = Compiler::new()
        .compile(&kfp_examples::after::after(), Target::V2)
        .unwrap()
        .replace("constant: d\n", "constant: e\n");
    let path = dir.join("after.yaml");
    std::fs::write(&path, yaml).unwrap();
    let golden = oracle.join("golden/v2/after.yaml");
    let (ok, report) = python(
        &oracle,
        "compare.py",
        &[&path, &golden],
        &["--any-program", "--inline-refs"],
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!ok, "compare.py missed a changed constant:\n{report}");
    assert!(report.contains("DIFFERENT"), "{report}");
}

/// The flagship-independent container components: the `reusable_components` example (a
/// loaded v1 `component.yaml` between two Rust components), and the same pipeline with the
/// component built by hand, against what kfp 2.17.3 makes of the Python pipeline in
/// `tests/kfp-golden/v2/reusable_components.py`.
#[test]
#[cfg_attr(
    not(kfp_oracle),
    ignore = "needs the oracle (../shared/oracle and its v2 venv) or CI=true"
)]
fn container_components_match_kfp() {
    use kfp_examples::reusable_components::{echo_by_hand, make, reusable_components, show};
    let oracle = oracle();
    let echo = echo_by_hand();
    let by_hand = kfp_core::build_pipeline("reusable-components", None, |params| {
        let msg = params.param::<String>("msg", Some("hi".to_owned()));
        let m = make::task(3).outputs();
        let e = echo.task([("msg", msg.into()), ("data", m.data_path.into())]);
        show::task(e.output::<String>("out"));
    });
    let golden =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("kfp-golden/v2/reusable_components.yaml");
    let dir = out_dir("container");
    let mut failures = Vec::new();
    for (name, pipeline) in [("loaded", reusable_components()), ("by_hand", by_hand)] {
        let path = dir.join(format!("{name}.yaml"));
        let yaml = Compiler::new().compile(&pipeline, Target::V2).unwrap();
        std::fs::write(&path, yaml).unwrap();
        for (script, args, flags) in [
            ("validate_ir.py", vec![path.as_path()], vec![]),
            (
                "compare.py",
                vec![path.as_path(), golden.as_path()],
                vec!["--any-program", "--inline-refs"],
            ),
        ] {
            let (ok, report) = python(&oracle, script, &args, &flags);
            if !ok {
                failures.push(format!("{script} {name}:\n{report}"));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What the KFP UI shows (`examples/ui_outputs.rs`): metrics, classification metrics,
/// Markdown, HTML and sliced classification metrics outputs, against what kfp 2.17.3 makes of
/// `tests/kfp-golden/v2/ui_outputs.py`.
#[test]
#[cfg_attr(
    not(kfp_oracle),
    ignore = "needs the oracle (../shared/oracle and its v2 venv) or CI=true"
)]
fn ui_outputs_match_kfp() {
    let oracle = oracle();
    let dir = out_dir("ui-outputs");
    let path = dir.join("ui_outputs.yaml");
    let yaml = Compiler::new()
        .binary_path("/usr/local/bin/ui_outputs")
        .compile(&kfp_examples::ui_outputs::ui_outputs(), Target::V2)
        .unwrap();
    std::fs::write(&path, yaml).unwrap();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("kfp-golden/v2/ui_outputs.yaml");
    let mut failures = Vec::new();
    for (script, args, flags) in [
        ("validate_ir.py", vec![path.as_path()], vec![]),
        (
            "compare.py",
            vec![path.as_path(), golden.as_path()],
            vec!["--any-program", "--inline-refs"],
        ),
    ] {
        let (ok, report) = python(&oracle, script, &args, &flags);
        if !ok {
            failures.push(format!("{script}:\n{report}"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
