//! Writes the library's modules, one per example of `examples.list` (`#[path]` to
//! `examples/<name>.rs`), so that the list of examples is kept in one place.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=examples.list");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let list = dir.join("examples.list");
    let text = std::fs::read_to_string(&list)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", list.display()));
    let mut out = String::new();
    for line in text.lines() {
        // `<name> <v1> <v2>`; comments and `ignore` lines name no example.
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        if name.starts_with('#') || name == "ignore" {
            continue;
        }
        let path = dir.join("examples").join(format!("{name}.rs"));
        // The example's own `//!` docs document the module.
        let _ = writeln!(
            out,
            "#[path = {:?}]\npub mod {name};",
            path.display().to_string()
        );
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    let file = out_dir.join("examples.rs");
    std::fs::write(&file, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
}
