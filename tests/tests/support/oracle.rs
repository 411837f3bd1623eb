//! The oracle (`<workspace>/../shared/oracle` with its v2 venv), for the tests that compare with
//! kfp's own output: found, or skipped outside CI, or a failure under `CI=true`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The oracle's folder, or `None` (with a message) when it or its v2 venv is missing and
/// `CI` is not `true`; under `CI=true` a missing oracle fails the test.
pub fn oracle() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/oracle");
    let venvs = std::env::var_os("KFP_ORACLE_VENVS")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/kfp-oracle")));
    let ready = dir.join("validate_ir.py").is_file()
        && venvs.is_some_and(|v| v.join("v2/bin/python").is_file());
    if ready {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the oracle is missing: {} with its v2 venv (run its setup.sh); CI=true needs it",
        dir.display()
    );
    eprintln!(
        "skipping: no oracle at {} with a v2 venv (CI is not `true`)",
        dir.display()
    );
    None
}

/// Runs an oracle script; whether it passed, and what it said.
pub fn python(oracle: &Path, script: &str, args: &[&Path], flags: &[&str]) -> (bool, String) {
    let out = Command::new("python3")
        .arg(oracle.join(script))
        .args(flags)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 {script}: {e}"));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}
