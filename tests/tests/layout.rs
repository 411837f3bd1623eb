//! Pins the crate's layout and its single sources of truth: the pod side
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
