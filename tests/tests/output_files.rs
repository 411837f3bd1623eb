//! How a pod's output files are written, seen from outside the process: a run of the
//! `param_types` example's `all_types` component (six outputs, the third a string as long as
//! its input) with the output paths KFP v1 gives it.

#![cfg(unix)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{built_example, Run, TempDir};

const OUTPUTS: [&str; 6] = ["f", "i", "s", "b", "l", "d"];

/// `sh -c SCRIPT` runs `$0 "$@"` as the last step, with these as `$0 "$@"`: the binary and
/// the v1 arguments of `all_types`, with output `o` at `paths[o]`.
fn all_types_argv(s: &str, paths: &[PathBuf]) -> Vec<String> {
    let mut argv: Vec<String> = [
        "component",
        "all_types",
        "--f",
        "1.5",
        "--i",
        "7",
        "--s",
        s,
        "--b",
        "True",
        "--l",
        "[1]",
        "--d",
        "{}",
        "----output-paths",
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .collect();
    argv.extend(paths.iter().map(|p| p.to_string_lossy().into_owned()));
    argv
}

/// Runs `all_types` under `sh -c "<prefix>; exec \"$0\" \"$@\""` in `dir`: the prefix sets
/// limits or plants files with the pid the binary will have (`$$`, kept by `exec`).
fn run_all_types(dir: &Path, prefix: &str, s: &str, paths: &[PathBuf]) -> Run {
    Command::new("sh")
        .arg("-c")
        .arg(format!("{prefix}\nexec \"$0\" \"$@\""))
        .arg(built_example("param_types"))
        .args(all_types_argv(s, paths))
        .current_dir(dir)
        .output()
        .unwrap()
        .into()
}

/// Each output in its own folder, as KFP v1 lays them out (`/tmp/outputs/<name>/data`).
fn paths(root: &Path) -> Vec<PathBuf> {
    OUTPUTS.iter().map(|o| root.join(o).join("data")).collect()
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn all_outputs_are_written() {
    let dir = TempDir::new("outputs-ok");
    let root = dir.path().join("out");
    let r = run_all_types(dir.path(), ":", "hello", &paths(&root));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let expected: Vec<String> = OUTPUTS.iter().map(|o| format!("{o}/data")).collect();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(files(&root), expected_sorted, "no temporary file is left");
    assert_eq!(
        std::fs::read_to_string(root.join("s/data")).unwrap(),
        "hello"
    );
}

#[test]
fn a_process_killed_mid_write_leaves_no_final_output() {
    let dir = TempDir::new("outputs-killed");
    let root = dir.path().join("out");
    // `ulimit -f 1`: a file may not grow past one block, so writing the 3rd output (64 KiB)
    // kills the process with SIGXFSZ, after the first two were written to their temp files.
    let big = "s".repeat(64 * 1024);
    let r = run_all_types(dir.path(), "ulimit -f 1", &big, &paths(&root));
    assert_eq!(r.code, None, "killed by a signal: {}", r.stderr);
    for p in paths(&root) {
        assert!(!p.exists(), "{} was written by a killed run", p.display());
    }
    // A kill cannot clean up: what it leaves are hidden temporary files, never a final path.
    for f in files(&root) {
        let name = f.rsplit('/').next().unwrap();
        assert!(name.starts_with(".kfp-out-"), "{f}");
    }
}

#[test]
fn a_failed_write_removes_every_output_of_the_run() {
    let dir = TempDir::new("outputs-failed");
    let root = dir.path().join("out");
    // With SIGXFSZ ignored, the oversized write fails with EFBIG: a component failure (exit
    // 1) that removes what the run created.
    let big = "s".repeat(64 * 1024);
    let r = run_all_types(dir.path(), "trap '' XFSZ; ulimit -f 1", &big, &paths(&root));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("cannot write output"), "{}", r.stderr);
    assert!(r.stderr.contains("s/data"), "{}", r.stderr);
    assert_eq!(
        files(&root),
        Vec::<String>::new(),
        "the run left files behind"
    );
    assert!(!root.join("f").exists(), "the run left the folders it made");
}

#[test]
fn a_planted_symlink_at_the_old_temp_name_is_not_followed() {
    let dir = TempDir::new("outputs-symlink");
    let root = dir.path().join("out");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    let ps = paths(&root);
    // The names the runtime used to write through: `.data.tmp<pid>` in each output folder.
    let mut plant = String::new();
    for p in &ps {
        let folder = p.parent().unwrap().display().to_string();
        plant.push_str(&format!(
            "mkdir -p '{folder}' && ln -s '{}' '{folder}/.data.tmp'$$\n",
            victim.display()
        ));
    }
    let r = run_all_types(dir.path(), &plant, "attacker-chosen", &ps);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(std::fs::read_to_string(&ps[2]).unwrap(), "attacker-chosen");
}

#[test]
fn an_output_file_name_of_250_bytes_is_written() {
    let dir = TempDir::new("outputs-long");
    let root = dir.path().join("out");
    let ps: Vec<PathBuf> = OUTPUTS
        .iter()
        .map(|o| root.join(format!("{o}{}", "n".repeat(249))))
        .collect();
    let r = run_all_types(dir.path(), ":", "long", &ps);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&ps[2]).unwrap(), "long");
}
