//! Compiles a [`Pipeline`] to YAML for a KFP cluster: KFP v1 (Argo Workflow) or KFP v2 (IR).
//!
//! Each target is a back end in its own folder, `v1/` and `v2/`, with its checks
//! (`<target>/check.rs`), its renderers for tasks, settings, inputs and outputs, and its
//! placeholders. What every target shares sits here: the checks of names, images, defaults,
//! groups and scopes (`check.rs`), cycles found on the model (`cycles.rs`), the depth of
//! constants (`constants.rs`), and the command that runs a component. Nothing outside this
//! folder renders for one target: the model (`spec`, `dsl`, `control`, `settings`, `volumes`,
//! `container_op`, `reusable`) knows no YAML, and the pod side (`runtime`, `ui`) imports
//! nothing from here. `yaml.rs` (the PyYAML-style writer both back ends emit with) and
//! `pyjson.rs` (Python's text forms, which the pod writes too) are shared beside the model.

mod check;
pub(crate) mod constants;
mod cycles;
mod document;
mod tree;
pub(crate) mod v1;
pub(crate) mod v2;

/// The v2 back end's inputs and outputs, at the path they had before it had a folder.
pub(crate) use v2::io as v2_io;

use std::fmt;
use std::str::FromStr;

use crate::error::CompileError;
use crate::spec::component::ComponentSpec;
use crate::spec::pipeline::Pipeline;

pub(crate) use check::check;

/// The version of kfp-rs, written into the YAML where kfp writes its own version.
pub const SDK_VERSION: &str = concat!("kfp-rs-", env!("CARGO_PKG_VERSION"));

/// Where the compiled YAML runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// KFP 1.x: an Argo Workflow, as kfp 1.8.9 emits it.
    #[default]
    V1,
    /// KFP 2.x: pipeline IR, as kfp 2.17.3 emits it.
    V2,
}

impl Target {
    /// The image a Python component runs in when it names none: kfp's default for this
    /// target (`python:3.7` for kfp 1.8.9, `python:3.11` for kfp 2.17.3).
    pub fn default_image(self) -> &'static str {
        match self {
            Target::V1 => v1::DEFAULT_IMAGE,
            Target::V2 => v2::DEFAULT_IMAGE,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Target::V1 => "v1",
            Target::V2 => "v2",
        })
    }
}

impl FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "v1" => Ok(Target::V1),
            "v2" => Ok(Target::V2),
            other => Err(format!("unknown target `{other}`; expected `v1` or `v2`")),
        }
    }
}

/// Compiles pipelines. Holds what the YAML needs to know about the binary.
///
/// ```
/// use kfp_core::prelude::*;
///
/// #[component(base_image = "python:3.11")]
/// fn say(msg: String) {
///     println!("{msg}");
/// }
///
/// #[pipeline(name = "hello")]
/// fn hello(msg: String) {
///     say(msg);
/// }
///
/// fn main() {
/// let yaml = Compiler::new()
///     .binary_path("/usr/local/bin/hello")
///     .compile(&hello(), Target::V1)
///     .unwrap();
/// assert!(yaml.contains("generateName: hello-"));
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Compiler {
    binary_path: String,
    timestamp: bool,
}

impl Default for Compiler {
    fn default() -> Self {
        Self::new()
    }
}

impl Compiler {
    /// A compiler whose YAML runs this program's own binary from `/usr/local/bin/<name>`.
    pub fn new() -> Self {
        Compiler {
            binary_path: default_binary_path(),
            timestamp: false,
        }
    }

    /// Sets the absolute path of the binary inside the image.
    pub fn binary_path(mut self, path: impl Into<String>) -> Self {
        self.binary_path = path.into();
        self
    }

    /// The absolute path of the binary inside the image.
    pub fn get_binary_path(&self) -> &str {
        &self.binary_path
    }

    /// Writes kfp's `pipeline_compilation_time` annotation (v1); off by default so that the
    /// same program always gives the same bytes.
    pub fn timestamp(mut self, on: bool) -> Self {
        self.timestamp = on;
        self
    }

    /// Checks `pipeline` and compiles it for `target`.
    pub fn compile(&self, pipeline: &Pipeline, target: Target) -> Result<String, CompileError> {
        if let Err(message) = crate::image_ref::check_binary_path(&self.binary_path) {
            return Err(CompileError {
                pipeline: pipeline.name.clone(),
                errors: vec![crate::error::BuildError::InvalidBinaryPath {
                    path: self.binary_path.clone(),
                    message,
                }],
            });
        }
        check(pipeline, target)?;
        match target {
            Target::V1 => Ok(v1::compile(self, pipeline)),
            Target::V2 => Ok(v2::compile(self, pipeline)),
        }
    }

    /// The container command that runs `component` with this binary, before the arguments:
    /// the binary, the `component` subcommand and the component's name, behind kfp's pip
    /// prelude when the component has packages.
    pub fn component_command(&self, component: &ComponentSpec) -> Vec<String> {
        command_with_prelude(&self.binary_path, component, |pkgs| {
            let pip = "PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location";
            format!("({pip} {pkgs} || {pip} {pkgs} --user) && \"$0\" \"$@\"")
        })
    }
}

/// The command that runs `component` with `binary`: the binary, the `component` subcommand and
/// the component's name; when the component has packages, behind `sh -c` and the pip prelude
/// that `prelude` writes for them (shell-quoted, space-separated). Each target has its own
/// prelude, as kfp does.
pub(crate) fn command_with_prelude(
    binary: &str,
    component: &ComponentSpec,
    prelude: impl FnOnce(&str) -> String,
) -> Vec<String> {
    let run = [
        binary.to_owned(),
        "component".to_owned(),
        component.key.clone(),
    ];
    if component.packages.is_empty() {
        return run.to_vec();
    }
    let pkgs = component
        .packages
        .iter()
        .map(|p| shell_quote(p))
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = vec!["sh".to_owned(), "-c".to_owned(), prelude(&pkgs)];
    cmd.extend(run);
    cmd
}

/// `/usr/local/bin/<file name of this program>`.
pub fn default_binary_path() -> String {
    let name = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "pipeline".to_owned());
    format!("/usr/local/bin/{name}")
}

/// Quotes `s` for a POSIX shell: `'...'`, with each `'` written as `'\''`, so that no
/// character in it (`$`, backticks, `;`, spaces, newlines) is interpreted.
pub(crate) fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn shell_quote_leaves_nothing_to_the_shell() {
        assert_eq!(shell_quote("mlflow"), "'mlflow'");
        assert_eq!(shell_quote("a'b"), r#"'a'\''b'"#);
        assert_eq!(shell_quote("$(x); `y`"), "'$(x); `y`'");
    }
}
