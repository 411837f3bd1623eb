//! What the process-level tests share: building the example binaries once, running them, and
//! private temporary folders.

#![allow(dead_code)] // each test file uses a different part

pub mod argv;
pub mod oracle;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// The workspace root (the parent of this package).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// Where cargo puts the example binaries: `$CARGO_TARGET_DIR/debug/examples`, or the
/// workspace's `target/debug/examples`.
fn examples_dir() -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace().join(dir),
        None => workspace().join("target"),
    };
    target.join("debug").join("examples")
}

/// Builds the example binaries the tests run, once per test process, and returns the folder
/// holding them.
fn built() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .current_dir(workspace())
            .args([
                "build",
                "--quiet",
                "-p",
                "kfp-examples",
                "--example",
                "yolov8withmlflow",
                "--example",
                "param_types",
                "--example",
                "multiple_outputs",
                "--example",
                "artifact_passing_v1",
                "--example",
                "ui_outputs",
                "--example",
                "ui_outputs_v1",
            ])
            .status()
            .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
        assert!(status.success(), "building the examples failed: {status}");
        examples_dir()
    })
}

/// The path of example binary `name`, built.
pub fn example(name: &str) -> PathBuf {
    let path = built().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(path.is_file(), "{} was not built", path.display());
    path
}

/// What a finished process said.
#[derive(Debug)]
pub struct Run {
    /// The exit status, `None` when killed by a signal.
    pub code: Option<i32>,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// Runs `bin` with `args` in `cwd` and waits for it.
pub fn run_in<S: AsRef<OsStr>>(bin: &Path, args: &[S], cwd: &Path) -> Run {
    Command::new(bin)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()))
        .into()
}

/// A fresh, empty folder of our own under the system's temporary folder, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates one; `tag` names the test, for whoever looks in /tmp.
    pub fn new(tag: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "kfp-tests-{tag}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        TempDir(dir)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Builds every example binary (`cargo build -p kfp-examples --examples`), once per test
/// process, and returns the names of the examples, sorted.
pub fn all_examples() -> &'static [String] {
    static ALL: OnceLock<Vec<String>> = OnceLock::new();
    ALL.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .current_dir(workspace())
            .args(["build", "--quiet", "-p", "kfp-examples", "--examples"])
            .status()
            .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
        assert!(status.success(), "building the examples failed: {status}");
        let dir = workspace().join("kfp-examples").join("examples");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".rs").map(str::to_owned)
            })
            .collect();
        names.sort();
        names
    })
}

/// Examples of a feature only KFP v1 has (kfp 2 refuses it): compiling them for v2 is a typed
/// error, asserted in `features.rs`.
pub const V1_ONLY: &[&str] = &["container_op", "untyped_inputs", "volumes_v1"];

/// Examples of a feature only KFP v2 has (`OneOf`, collected files, a task's final status):
/// compiling them for v1 is a typed error, asserted in `features.rs` and `control_flow_v2.rs`.
pub const V2_ONLY: &[&str] = &[
    "collected_artifacts",
    "local_faults",
    "loop_over_files",
    "one_of",
];

/// Whether example `name` compiles for `target` (`"v1"` or `"v2"`).
#[allow(dead_code)] // Not every test file that includes `support` asks.
pub fn compiles_for(name: &str, target: &str) -> bool {
    match target {
        "v1" => !V2_ONLY.contains(&name),
        _ => !V1_ONLY.contains(&name),
    }
}

/// The path of example binary `name`, once [`all_examples`] has built them all.
pub fn built_example(name: &str) -> PathBuf {
    all_examples();
    let path = examples_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(path.is_file(), "{} was not built", path.display());
    path
}
