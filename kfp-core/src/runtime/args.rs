//! Parses the KFP v1 command line a component receives: `--<input> <value>` pairs in any
//! order, then `----output-paths` and one path per output.

use std::collections::HashMap;

use super::RunError;
use crate::compiler::v1::input_flag;
use crate::spec::component::ComponentSpec;

/// The parsed KFP v1 arguments of one component run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct V1Args {
    /// Raw values by input name (`model_name`, not the flag).
    pub values: HashMap<String, String>,
    /// Output paths, in the component's output order.
    pub output_paths: Vec<String>,
}

/// The separator kfp puts before the output paths.
pub const OUTPUT_PATHS: &str = "----output-paths";

/// Parses `argv` (everything after the component's name) against `spec`.
pub fn parse_v1(spec: &ComponentSpec, argv: &[String]) -> Result<V1Args, RunError> {
    let flags: Vec<(String, &str)> = spec
        .inputs
        .iter()
        .map(|i| (input_flag(&i.name), i.name.as_str()))
        .collect();
    let mut out = V1Args::default();
    let mut i = 0;
    while i < argv.len() {
        let arg = &argv[i];
        if arg == OUTPUT_PATHS {
            let paths: Vec<String> = argv[i + 1..].to_vec();
            if paths.len() != spec.outputs.len() {
                return Err(RunError::OutputPaths {
                    component: spec.key.clone(),
                    expected: spec.outputs.len(),
                    got: paths.len(),
                });
            }
            if let Some(p) = paths.iter().find(|p| p.is_empty()) {
                return Err(RunError::BadValue {
                    component: spec.key.clone(),
                    flag: OUTPUT_PATHS.to_owned(),
                    value: p.clone(),
                    expected: "a file path".to_owned(),
                    detail: None,
                });
            }
            out.output_paths = paths;
            break;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (arg.as_str(), None),
        };
        let Some((_, name)) = flags.iter().find(|(f, _)| f == flag) else {
            return Err(RunError::UnknownFlag {
                component: spec.key.clone(),
                flag: arg.clone(),
                accepted: accepted_flags(spec),
            });
        };
        let value = match inline {
            Some(v) => v.to_owned(),
            None => match argv.get(i + 1) {
                // A value may itself start with `--` (a string input), except the flags we know.
                Some(v) if v != OUTPUT_PATHS && !flags.iter().any(|(f, _)| f == v) => {
                    i += 1;
                    v.clone()
                }
                _ => {
                    return Err(RunError::MissingValue {
                        component: spec.key.clone(),
                        flag: flag.to_owned(),
                    })
                }
            },
        };
        if out.values.insert((*name).to_owned(), value).is_some() {
            return Err(RunError::DuplicateFlag {
                component: spec.key.clone(),
                flag: flag.to_owned(),
            });
        }
        i += 1;
    }
    if !spec.outputs.is_empty() && out.output_paths.is_empty() {
        return Err(RunError::OutputPaths {
            component: spec.key.clone(),
            expected: spec.outputs.len(),
            got: 0,
        });
    }
    Ok(out)
}

/// `--a, --b` for the messages.
pub fn accepted_flags(spec: &ComponentSpec) -> String {
    let mut flags: Vec<String> = spec.inputs.iter().map(|i| input_flag(&i.name)).collect();
    if !spec.outputs.is_empty() {
        flags.push(OUTPUT_PATHS.to_owned());
    }
    if flags.is_empty() {
        "none".to_owned()
    } else {
        flags.join(", ")
    }
}
