//! Pins the crate's layout and its single sources of truth: only `kfp-core/src/compiler/`
//! names a back end or renders for one target; the pod side
//! (`kfp-core/src/runtime`) depends on the model only, never on a compiler back end, so that the
//! facts it shares with the YAML come from one place; and the macros' copy of the name
//! sanitiser stays equal to kfp-core's.

use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, recursively, in a stable order.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|x| x == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn runtime_imports_nothing_from_the_compiler() {
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kfp-core/src/runtime");
    let files = rust_files(&runtime);
    assert!(
        files.len() >= 3,
        "expected the runtime's source files under {}, found {files:?}",
        runtime.display()
    );
    let offenders: Vec<String> = files
        .iter()
        .flat_map(|path| {
            let text = fs::read_to_string(path).expect("readable source file");
            text.lines()
                .enumerate()
                .filter(|(_, line)| {
                    line.contains("crate::compiler") || line.contains("kfp_core::compiler")
                })
                .map(|(n, line)| format!("{}:{}: {}", path.display(), n + 1, line.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "the pod side must depend on the model only (`crate::spec`), not on a compiler:\n{}",
        offenders.join("\n")
    );
}

/// The macros' copy of the name sanitiser, compiled from its own file: a proc-macro crate
/// cannot use kfp-core's, so this pins the two equal.
#[path = "../../kfp-macros/src/sanitize.rs"]
mod macro_sanitize;

#[test]
fn the_macros_sanitize_names_as_kfp_core_does() {
    let long = "Ab_".repeat(60);
    let names = [
        "My Pipeline_Name",
        "--A__b--",
        "!!!",
        "",
        "-",
        "a--b",
        "123-abc",
        "CamelCaseName",
        "UPPER_snake-Case",
        "tab\there\nnew line",
        "ÄÖÜ straße",
        "İstanbul",
        "ΣΑΣ",
        "kelvin \u{212A}",
        "émoji 🚀 run",
        "ends with dash -",
        long.as_str(),
    ];
    for name in names {
        assert_eq!(
            macro_sanitize::sanitize_name(name),
            kfp_core::spec::component::sanitize_name(name),
            "the macros' sanitize_name differs from kfp-core's on {name:?}"
        );
    }
    // The pair agrees on what matters, not only with each other.
    assert_eq!(
        macro_sanitize::sanitize_name("My Pipeline_Name"),
        "my-pipeline-name"
    );
    assert_eq!(macro_sanitize::sanitize_name("kelvin \u{212A}"), "kelvin-k");
}

/// The files of `kfp-core/src` outside `compiler/`, with their paths relative to `src`.
fn model_files() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kfp-core/src");
    rust_files(&src)
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(&src)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            let text = fs::read_to_string(&path).expect("readable source file");
            (rel, text)
        })
        .filter(|(rel, _)| !rel.starts_with("compiler/"))
        .collect()
}

/// Whether `line` names a back end's module: `compiler::v1`, `compiler::v2` (and its `v2_io`
/// alias), or either inside a `compiler::{...}` import.
fn names_a_back_end(line: &str) -> bool {
    let code = line.split("//").next().unwrap_or("");
    if code.contains("compiler::v1") || code.contains("compiler::v2") {
        return true;
    }
    code.split("compiler::{").skip(1).any(|rest| {
        let inside = rest.split('}').next().unwrap_or("");
        inside
            .split(',')
            .any(|item| matches!(item.trim().split("::").next(), Some("v1" | "v2" | "v2_io")))
    })
}

#[test]
fn only_the_back_ends_render_for_a_target() {
    // The local runner plays KFP v2's launcher on one machine: it runs the compiled v2
    // executors, so it takes their command line and their inputs' and outputs' names from the
    // v2 back end. `__private.rs` re-exports the v1 document for the workspace's own tests.
    const MAY_NAME_A_BACK_END: &[&str] = &[
        "__private.rs",
        "local/executor_input.rs",
        "local/process.rs",
        "local/record.rs",
        "local/scheduler.rs",
    ];
    let files = model_files();
    assert!(
        files.len() >= 20 && files.iter().any(|(rel, _)| rel == "volumes.rs"),
        "expected kfp-core's model files, found {:?}",
        files.iter().map(|(rel, _)| rel).collect::<Vec<_>>()
    );
    let offenders: Vec<String> = files
        .iter()
        .filter(|(rel, _)| !MAY_NAME_A_BACK_END.contains(&rel.as_str()))
        .flat_map(|(rel, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| names_a_back_end(line))
                .map(|(n, line)| format!("{rel}:{}: {}", n + 1, line.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "only `kfp-core/src/compiler/` may name a back end (`compiler::v1`, `compiler::v2`); \
         the model, the pod side and the CLI reach them through `Compiler` and `Target`:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_back_end_check_recognises_its_forms() {
    assert!(names_a_back_end("use crate::compiler::v1::check;"));
    assert!(names_a_back_end("crate::compiler::v2_io::io_name(c, n)"));
    assert!(names_a_back_end("use crate::compiler::{v2, Target};"));
    assert!(names_a_back_end(
        "use crate::compiler::{Target, v1::workflow};"
    ));
    assert!(!names_a_back_end(
        "use crate::compiler::{Compiler, Target};"
    ));
    assert!(!names_a_back_end("// see compiler::v1::check"));
}

/// A renderer for one target is a function named for it (`v1_volume_op`, `v2_platform`). Outside
/// `compiler/`, only these such names may be defined: facts of the model that the pod side
/// and the loaders share with the back ends (type names, group names, the pod's flags and
/// paths), and the loaders of the two component formats.
#[test]
fn no_target_renderer_is_defined_outside_the_compiler() {
    const ALLOWED: &[(&str, &str)] = &[
        // The pod's command line and output files under KFP v1.
        ("spec/io.rs", "v1_output_path"),
        ("spec/io.rs", "v1_input_flag"),
        // Names of inputs, outputs, types and groups on each target.
        ("spec/component.rs", "v1_name"),
        ("artifact.rs", "v1_name"),
        ("types.rs", "v1_name"),
        ("types.rs", "v2_name"),
        ("control.rs", "v2_name"),
        // Reading a KFP v2 component IR into the model.
        ("reusable/load.rs", "v1_type_of_v2"),
        ("reusable/load.rs", "v1_type_of_schema"),
        ("reusable/load.rs", "v2_placeholder"),
        // A test's name.
        (
            "runtime/executor/tests.rs",
            "v2_command_lines_are_recognised_by_their_first_flag",
        ),
    ];
    let mut found = Vec::new();
    for (rel, text) in model_files() {
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            let Some(at) = code.find("fn v1_").or_else(|| code.find("fn v2_")) else {
                continue;
            };
            let name: String = code[at + 3..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !ALLOWED.contains(&(rel.as_str(), name.as_str())) {
                found.push(format!("{rel}: fn {name}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "a function named for one target is defined outside `kfp-core/src/compiler/`; render \
         in `compiler/<target>/` instead:\n{}",
        found.join("\n")
    );
}
