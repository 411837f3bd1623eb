//! `kfp-examples/examples.list`, the one list of the examples: each example's targets and the
//! conformance checks of its YAML (the format is described at the top of the file).

use std::path::PathBuf;
use std::sync::OnceLock;

/// What an example's binary does for one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// `no`: it refuses the target (a typed error).
    Refused,
    /// `-`: it compiles, with no conformance check.
    Compiles,
    /// The conformance checks of its YAML, in order.
    Checks(Vec<Check>),
}

/// One conformance check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// `valid`: valid under the target's schemas.
    Valid,
    /// `oracle[:X]`: valid and equal to kfp's output for the oracle's pipeline `X`.
    Oracle(String),
    /// `kfp[:X]`: valid and equal to `tests/kfp-golden/<t>/X.yaml`.
    Kfp(String),
}

/// One example's line, with its `ignore` lines.
#[derive(Clone, Debug)]
pub struct Example {
    /// The file's stem: `examples/<name>.rs`.
    pub name: String,
    /// What it does for KFP v1.
    pub v1: Plan,
    /// What it does for KFP v2.
    pub v2: Plan,
    /// compare.py `--ignore` paths for KFP v1.
    pub ignore_v1: Vec<String>,
    /// compare.py `--ignore` paths for KFP v2.
    pub ignore_v2: Vec<String>,
}

impl Example {
    /// What it does for `target` (`"v1"` or `"v2"`).
    pub fn plan(&self, target: &str) -> &Plan {
        if target == "v1" {
            &self.v1
        } else {
            &self.v2
        }
    }

    /// Whether its binary compiles for `target`.
    pub fn compiles_for(&self, target: &str) -> bool {
        *self.plan(target) != Plan::Refused
    }

    /// The compare.py `--ignore` paths for `target`.
    pub fn ignores(&self, target: &str) -> &[String] {
        if target == "v1" {
            &self.ignore_v1
        } else {
            &self.ignore_v2
        }
    }
}

/// The manifest's path.
pub fn path() -> PathBuf {
    super::workspace()
        .join("kfp-examples")
        .join("examples.list")
}

/// The examples, in the manifest's order; panics naming the line when it is malformed.
pub fn examples() -> &'static [Example] {
    static ALL: OnceLock<Vec<Example>> = OnceLock::new();
    ALL.get_or_init(|| {
        let path = path();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    })
}

/// The example called `name`.
pub fn example(name: &str) -> &'static Example {
    examples()
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("{name} is not in {}", path().display()))
}

/// Parses the manifest's text.
pub fn parse(text: &str) -> Result<Vec<Example>, String> {
    let mut out: Vec<Example> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let at = |msg: String| format!("line {}: {msg}", i + 1);
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            [] => {}
            [first, ..] if first.starts_with('#') => {}
            ["ignore", target, path] => {
                let last = out
                    .last_mut()
                    .ok_or_else(|| at("`ignore` before any example".into()))?;
                match *target {
                    "v1" => last.ignore_v1.push((*path).to_owned()),
                    "v2" => last.ignore_v2.push((*path).to_owned()),
                    other => return Err(at(format!("unknown target `{other}`"))),
                }
            }
            [name, v1, v2] => {
                if out.iter().any(|e| e.name == *name) {
                    return Err(at(format!("`{name}` is listed twice")));
                }
                out.push(Example {
                    name: (*name).to_owned(),
                    v1: plan(v1).map_err(at)?,
                    v2: plan(v2).map_err(at)?,
                    ignore_v1: Vec::new(),
                    ignore_v2: Vec::new(),
                });
            }
            _ => {
                return Err(at(format!(
                    "expected `<name> <v1> <v2>` or `ignore <target> <path>`, found `{line}`"
                )))
            }
        }
    }
    Ok(out)
}

fn plan(field: &str) -> Result<Plan, String> {
    match field {
        "no" => return Ok(Plan::Refused),
        "-" => return Ok(Plan::Compiles),
        _ => {}
    }
    field
        .split('+')
        .map(|check| match check.split_once(':') {
            None if check == "valid" => Ok(Check::Valid),
            None if check == "oracle" || check == "kfp" => Ok(golden(check, None)),
            Some((kind @ ("oracle" | "kfp"), name)) if !name.is_empty() => {
                Ok(golden(kind, Some(name)))
            }
            _ => Err(format!(
                "unknown check `{check}`; expected `no`, `-`, or `valid`, `oracle[:X]`, \
                 `kfp[:X]` joined by `+`"
            )),
        })
        .collect::<Result<Vec<Check>, String>>()
        .map(Plan::Checks)
}

/// An `oracle` or `kfp` check against `name` (the example's own when `None`, filled in by
/// [`Check::golden_name`]).
fn golden(kind: &str, name: Option<&str>) -> Check {
    let name = name.unwrap_or_default().to_owned();
    if kind == "oracle" {
        Check::Oracle(name)
    } else {
        Check::Kfp(name)
    }
}

impl Check {
    /// The golden `example` is compared with for `target`: `None` for [`Check::Valid`].
    pub fn golden(&self, example: &str, target: &str) -> Option<PathBuf> {
        let (dir, name) = match self {
            Check::Valid => return None,
            Check::Oracle(n) => (super::oracle::oracle().join("golden"), n),
            Check::Kfp(n) => (super::workspace().join("tests").join("kfp-golden"), n),
        };
        let name = if name.is_empty() { example } else { name };
        Some(dir.join(target).join(format!("{name}.yaml")))
    }
}
