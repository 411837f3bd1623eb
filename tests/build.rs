//! Sets `cfg(kfp_oracle)` when the tests that compare with kfp's own output can run: the
//! oracle (`<workspace>/../shared/oracle`) and its v2 venv are present, or `CI=true` (where
//! a missing oracle must fail them). Without it those tests are `#[ignore]`d with the reason,
//! so `cargo test` reports them as ignored rather than as passed having checked nothing.
//!
//! After installing the oracle, `touch tests/build.rs` (or set `CI=true`) to run them.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rustc-check-cfg=cfg(kfp_oracle)");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=KFP_ORACLE_VENVS");
    println!("cargo::rerun-if-env-changed=HOME");
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let script = manifest.map(|m| m.join("../../shared/oracle/validate_ir.py"));
    let venvs = std::env::var_os("KFP_ORACLE_VENVS")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/kfp-oracle")));
    let python = venvs.map(|v| v.join("v2/bin/python"));
    let mut ready = true;
    for path in [script, python] {
        match path.filter(|p| p.is_file()) {
            Some(p) => println!("cargo::rerun-if-changed={}", p.display()),
            None => ready = false,
        }
    }
    if ready || std::env::var("CI").as_deref() == Ok("true") {
        println!("cargo::rustc-cfg=kfp_oracle");
    }
}
