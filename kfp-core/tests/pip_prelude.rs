//! The pip prelude is a shell string: hostile package specs must reach pip as exactly one
//! argument each, byte for byte, and nothing in them may run.
//!
//! The container command is run with `sh -c` as the pod runs it, with a stub `python3` first
//! on `PATH` that records its argv, and a stub binary in place of the pipeline binary.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use kfp_core::spec::component::{ComponentSpec, Implementation};
use kfp_core::Compiler;

/// Package specs that would break out of naive quoting.
const HOSTILE: &[&str] = &[
    "a'b",
    "'",
    "''",
    "\\'",
    "$(touch pwned-dollar)",
    "`touch pwned-backtick`",
    "x; touch pwned-semicolon",
    "x && touch pwned-and",
    "x | tee pwned-pipe",
    "x > pwned-redirect",
    "two words",
    "\"dq\"",
    "\"; touch pwned-dq; \"",
    "$HOME",
    "${PATH}",
    "*",
    "~",
    "!!",
    "#comment",
    "line\nbreak; touch pwned-newline",
    "tab\there",
    "",
    "-e",
    "mlflow",
    "opencv-python==4.8.0.74",
    "pkg[extra]>=1,<2",
    "日本語",
];

/// A folder of our own under the system's temporary folder.
fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kfp-pip-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes an executable shell script.
fn script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The calls recorded in `file`: each argument ends with a NUL byte and each call with a
/// `\x01` byte (arguments may hold newlines, so lines cannot separate them).
fn calls(file: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(file).unwrap_or_default();
    bytes
        .split(|b| *b == 1)
        .filter(|c| !c.is_empty())
        .map(|call| {
            call.split(|b| *b == 0)
                .collect::<Vec<_>>()
                .split_last()
                .map(|(_, args)| {
                    args.iter()
                        .map(|a| String::from_utf8_lossy(a).into_owned())
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect()
}

/// A recorder: appends each argument and a NUL, then `\x01`, to `$record_var`.
fn recorder(record_var: &str, exit: &str) -> String {
    format!("for a in \"$@\"; do printf '%s\\0' \"$a\"; done >> \"${record_var}\"\nprintf '\\001' >> \"${record_var}\"\n{exit}\n")
}

/// What running the prelude did.
struct Ran {
    /// Whether the shell exited 0.
    ok: bool,
    /// The argv of each `python3` call.
    python3: Vec<Vec<String>>,
    /// The argv of each call of the pipeline binary.
    binary: Vec<Vec<String>>,
    /// The files in the working folder afterwards.
    files: Vec<String>,
}

/// Runs the container command of a component with `packages`, with a `python3` stub that
/// ends with `python3_exit`.
fn run_prelude(tag: &str, packages: &[&str], python3_exit: &str) -> Ran {
    let dir = temp_dir(tag);
    let bin = dir.join("bin");
    let work = dir.join("work");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    // A file for an unquoted `*` to expand to.
    std::fs::write(work.join("glob-bait"), "").unwrap();
    script(&bin.join("python3"), &recorder("PY_RECORD", python3_exit));
    let pipeline_bin = bin.join("pipeline-binary");
    script(&pipeline_bin, &recorder("BIN_RECORD", "exit 0"));

    let spec = ComponentSpec::new("train", Implementation::Rust(|_| Ok(())))
        .with_packages(packages.iter().copied());
    let command = Compiler::new()
        .binary_path(pipeline_bin.to_string_lossy())
        .component_command(&spec);
    assert_eq!(
        command[..2],
        ["sh".to_owned(), "-c".to_owned()],
        "{command:?}"
    );

    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = Command::new(&command[0])
        .args(&command[1..])
        .args(["--epochs", "3"])
        .current_dir(&work)
        .env("PATH", path)
        .env("PY_RECORD", dir.join("python3.calls"))
        .env("BIN_RECORD", dir.join("binary.calls"))
        .env("HOME", "/home-not-expanded")
        .status()
        .unwrap();
    let python3 = calls(&dir.join("python3.calls"));
    let binary = calls(&dir.join("binary.calls"));
    let mut files: Vec<String> = std::fs::read_dir(&work)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let _ = std::fs::remove_dir_all(&dir);
    Ran {
        ok: status.success(),
        python3,
        binary,
        files,
    }
}

const PIP: [&str; 5] = [
    "-m",
    "pip",
    "install",
    "--quiet",
    "--no-warn-script-location",
];

#[test]
fn hostile_package_specs_reach_pip_verbatim() {
    let ran = run_prelude("hostile", HOSTILE, "exit 0");
    assert!(ran.ok);
    let mut want: Vec<String> = PIP.iter().map(|s| (*s).to_owned()).collect();
    want.extend(HOSTILE.iter().map(|s| (*s).to_owned()));
    assert_eq!(
        ran.python3,
        [want],
        "pip must get each spec as one argument"
    );
    // Then the binary runs with the component's arguments, untouched.
    assert_eq!(ran.binary, [["component", "train", "--epochs", "3"]]);
    // Nothing ran: no file besides the bait.
    assert_eq!(ran.files, ["glob-bait"]);
}

#[test]
fn the_user_install_retry_gets_the_same_arguments() {
    // The first `pip install` fails; kfp's prelude retries with `--user`.
    let ran = run_prelude(
        "retry",
        HOSTILE,
        "for a in \"$@\"; do last=\"$a\"; done\n[ \"$last\" = --user ]",
    );
    assert!(ran.ok);
    let mut first: Vec<String> = PIP.iter().map(|s| (*s).to_owned()).collect();
    first.extend(HOSTILE.iter().map(|s| (*s).to_owned()));
    let mut second = first.clone();
    second.push("--user".to_owned());
    assert_eq!(ran.python3, [first, second]);
    assert_eq!(ran.binary, [["component", "train", "--epochs", "3"]]);
    assert_eq!(ran.files, ["glob-bait"]);
}

#[test]
fn a_failed_install_does_not_run_the_binary() {
    let ran = run_prelude("fails", &["mlflow"], "exit 1");
    assert!(!ran.ok);
    assert_eq!(ran.python3.len(), 2, "{:?}", ran.python3);
    assert!(ran.binary.is_empty(), "{:?}", ran.binary);
}

#[test]
fn no_packages_no_shell() {
    let spec = ComponentSpec::new("verify_training", Implementation::Rust(|_| Ok(())));
    let command = Compiler::new()
        .binary_path("/usr/local/bin/x")
        .component_command(&spec);
    assert_eq!(
        command,
        ["/usr/local/bin/x", "component", "verify_training"]
    );
}
