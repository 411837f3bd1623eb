//! The oracle (`<workspace>/../shared/oracle` with its v2 venv), for the tests that compare with
//! kfp's own output. Without it (and outside CI) those tests are ignored, see `tests/build.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The oracle's folder. The tests that call this are `#[ignore]`d unless the build script
/// found the oracle or `CI=true` (`cfg(kfp_oracle)`), so a missing oracle here fails the test.
pub fn oracle() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/oracle");
    let venvs = std::env::var_os("KFP_ORACLE_VENVS")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/kfp-oracle")));
    let ready = dir.join("validate_ir.py").is_file()
        && venvs.is_some_and(|v| v.join("v2/bin/python").is_file());
    assert!(
        ready,
        "the oracle is missing: {} with its v2 venv (run its setup.sh)",
        dir.display()
    );
    dir
}

/// The reason an oracle test is ignored, for `#[cfg_attr(not(kfp_oracle), ignore = ...)]`.
pub const NO_ORACLE: &str = "needs the oracle (../shared/oracle and its v2 venv) or CI=true";

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
