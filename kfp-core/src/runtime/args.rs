//! Parses the KFP v1 command line a component receives: `--<name> <value>` pairs in signature
//! order (an input's value, an input file's path, or the path an output file goes to), then
//! `----output-paths` and one path per returned output.
//!
//! The compiled YAML always puts each value right after its flag, so the token after a flag is
//! its value, whatever it looks like: a `String` input may hold `--epochs` or `--help`. Only
//! for other types, whose text never starts with `--`, is a known flag in that place read as
//! a flag whose value is missing. The parse never panics: every problem is a [`RunError`].

use std::collections::HashMap;
use std::path::Path;

use super::RunError;
use crate::spec::component::{ComponentSpec, OutputSpec, ParamRef};
use crate::spec::io::v1_input_flag as input_flag;
use crate::types::ParamKind;

/// The parsed KFP v1 arguments of one component run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct V1Args {
    /// Raw values by parameter name as spelled in Rust (`model_name`, `dataset_path`), not by
    /// flag; an output file's value is the path to write it to.
    pub values: HashMap<String, String>,
    /// The paths after `----output-paths`, one per returned output, in order.
    pub output_paths: Vec<String>,
    /// `--help` or `-h` stood where a flag goes: print the component's help instead of
    /// running it. Nothing after it was read.
    pub help: bool,
}

/// The separator kfp puts before the output paths.
pub const OUTPUT_PATHS: &str = "----output-paths";

/// One flag a component takes on the v1 command line.
#[derive(Clone, Debug)]
struct Flag<'a> {
    /// Which parameter it is.
    param: ParamRef,
    /// `--model-name`, `--dataset` (a file parameter loses its `_path` or `_file`).
    flag: String,
    /// The parameter's name in Rust, the key of [`V1Args::values`].
    name: &'a str,
    /// Whether the value is free text that may itself start with `--` (a `String` input).
    free_text: bool,
    /// Whether the flag may be left out.
    optional: bool,
    /// The output, when the value is the path an output file goes to.
    output_file: Option<&'a OutputSpec>,
}

/// The flags of `spec`, in signature order.
fn flags(spec: &ComponentSpec) -> Vec<Flag<'_>> {
    spec.params_in_order()
        .into_iter()
        .filter_map(|param| {
            let flag = input_flag(spec.v1_name(param));
            let file = spec.artifact(param).is_some();
            match param {
                ParamRef::Input(k) => spec.inputs.get(k).map(|i| Flag {
                    param,
                    flag,
                    name: &i.name,
                    free_text: !file && i.kind == ParamKind::String,
                    optional: i.optional,
                    output_file: None,
                }),
                ParamRef::Output(k) => spec.outputs.get(k).map(|o| Flag {
                    param,
                    flag,
                    name: &o.name,
                    free_text: false,
                    optional: false,
                    output_file: Some(o),
                }),
            }
        })
        .collect()
}

/// The outputs whose paths follow `----output-paths`: the returned values.
fn returned(spec: &ComponentSpec) -> Vec<&OutputSpec> {
    spec.value_outputs().map(|(_, o)| o).collect()
}

/// The flag of parameter `name` (an input, or an output file) on the v1 command line:
/// `--model-name` for `model_name`, `--dataset` for the file parameter `dataset_path`.
pub fn flag_for(spec: &ComponentSpec, name: &str) -> String {
    flags(spec)
        .into_iter()
        .find(|f| f.name == name)
        .map_or_else(|| input_flag(name), |f| f.flag)
}

/// Parses `argv` (everything after the component's name) against `spec`.
pub fn parse_v1(spec: &ComponentSpec, argv: &[String]) -> Result<V1Args, RunError> {
    let flags = flags(spec);
    let returned = returned(spec);
    let flag_of = |token: &str| flags.iter().find(|f| f.flag == token);
    let is_flag = |token: &str| token == OUTPUT_PATHS || flag_of(token).is_some();
    let missing_value = |flag: &str| RunError::MissingValue {
        component: spec.key.clone(),
        flag: flag.to_owned(),
    };

    let mut out = V1Args::default();
    // The last flag, if its value was itself a known flag: when what follows does not make
    // sense, that flag's value was most likely left out.
    let mut swallowed: Option<&str> = None;
    // Every (flag, flag-like value) pair taken, to check once everything is read.
    let mut flag_values: Vec<(&str, &str)> = Vec::new();
    let mut saw_paths = false;
    let mut i = 0;
    while let Some(arg) = argv.get(i) {
        if arg == OUTPUT_PATHS {
            if let Some(flag) = swallowed {
                // `--name ----output-paths /p` where `--name`'s value is missing, unless the
                // paths fit the outputs exactly with `----output-paths` as that value.
                if argv.len() - i - 1 != returned.len() {
                    return Err(missing_value(flag));
                }
            }
            out.output_paths =
                output_paths(spec, &returned, argv.get(i + 1..).unwrap_or_default())?;
            saw_paths = true;
            break;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (arg.as_str(), None),
        };
        let Some(param) = flag_of(flag) else {
            if arg == "--help" || arg == "-h" {
                out.help = true;
                return Ok(out);
            }
            if let Some(prev) = swallowed {
                return Err(missing_value(prev));
            }
            return Err(RunError::UnknownFlag {
                component: spec.key.clone(),
                flag: flag.to_owned(),
                accepted: accepted_flags(spec),
            });
        };
        swallowed = None;
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                match argv.get(i) {
                    None => return Err(missing_value(flag)),
                    Some(v) if is_flag(v) => {
                        // Only free text can start with `--`.
                        if !param.free_text {
                            return Err(missing_value(flag));
                        }
                        swallowed = Some(flag);
                        flag_values.push((flag, v.as_str()));
                        v.as_str()
                    }
                    Some(v) => v.as_str(),
                }
            }
        };
        if let Some(output) = param.output_file {
            check_output_path(spec, flag, output, value)?;
        }
        if out
            .values
            .insert(param.name.to_owned(), value.to_owned())
            .is_some()
        {
            return Err(RunError::DuplicateFlag {
                component: spec.key.clone(),
                flag: flag.to_owned(),
            });
        }
        i += 1;
    }
    // `--model-name --epochs` with `--epochs` never given: `--model-name` lacks its value.
    for (flag, value) in flag_values {
        if let Some(taken) = flag_of(value) {
            if !taken.optional && !out.values.contains_key(taken.name) {
                return Err(missing_value(flag));
            }
        }
    }
    if !returned.is_empty() && !saw_paths {
        let names: Vec<String> = returned.iter().map(|o| format!("`{}`", o.name)).collect();
        return Err(RunError::MissingFlag {
            component: spec.key.clone(),
            flag: OUTPUT_PATHS.to_owned(),
            expected: format!("one file path per output: {}", names.join(", ")),
        });
    }
    Ok(out)
}

/// Whether `argv` asks for the component's help: `--help` or `-h` where a flag goes, before
/// anything that is wrong.
pub fn wants_help(spec: &ComponentSpec, argv: &[String]) -> bool {
    matches!(parse_v1(spec, argv), Ok(V1Args { help: true, .. }))
}

/// Checks the paths after `----output-paths`: one per returned output, each a place a file
/// can go.
fn output_paths(
    spec: &ComponentSpec,
    returned: &[&OutputSpec],
    paths: &[String],
) -> Result<Vec<String>, RunError> {
    if paths.len() != returned.len() {
        return Err(RunError::OutputPaths {
            component: spec.key.clone(),
            expected: returned.len(),
            got: paths.len(),
        });
    }
    for (path, output) in paths.iter().zip(returned) {
        check_output_path(spec, OUTPUT_PATHS, output, path)?;
    }
    Ok(paths.to_vec())
}

/// Refuses a path where the file of `output` cannot go.
fn check_output_path(
    spec: &ComponentSpec,
    flag: &str,
    output: &OutputSpec,
    path: &str,
) -> Result<(), RunError> {
    match bad_output_path(path) {
        None => Ok(()),
        Some(detail) => Err(RunError::BadValue {
            component: spec.key.clone(),
            flag: flag.to_owned(),
            value: path.to_owned(),
            expected: format!("a file path for output `{}`", output.name),
            detail: Some(detail.to_owned()),
        }),
    }
}

/// Why a file cannot be written at `path`, when that is plain before the component runs.
fn bad_output_path(path: &str) -> Option<&'static str> {
    let p = Path::new(path);
    if path.is_empty() {
        Some("the path is empty")
    } else if path.ends_with('/') || p.file_name().is_none() {
        Some("the path names a folder")
    } else if p.is_dir() {
        Some("a folder is already there")
    } else if p
        .ancestors()
        .skip(1)
        .find(|a| a.exists())
        .is_some_and(|a| !a.is_dir())
    {
        Some("a file stands where its folder should be")
    } else {
        None
    }
}

/// The `--help` text of a component: its flags in order, then its returned outputs.
pub fn help(spec: &ComponentSpec) -> String {
    let mut s = format!("{} ({})\n", spec.name, spec.key);
    if let Some(d) = &spec.description {
        s.push_str(d);
        s.push('\n');
    }
    s.push_str("\nInputs:\n");
    let flags = flags(spec);
    if flags.is_empty() {
        s.push_str("  (none)\n");
    }
    for f in &flags {
        let file = spec
            .artifact(f.param)
            .map(|t| t.v1_type.unwrap_or("untyped"));
        let line = match (f.param, file) {
            (ParamRef::Output(_), file) => format!(
                "  {} <path>   output file, {}: the component writes it\n",
                f.flag,
                file.unwrap_or("untyped")
            ),
            (ParamRef::Input(_), Some(file)) => {
                format!("  {} <path>   input file, {file}\n", f.flag)
            }
            (ParamRef::Input(k), None) => match spec.inputs.get(k) {
                Some(i) => format!(
                    "  {} <{}>   {}{}\n",
                    f.flag,
                    i.rust_type,
                    i.kind,
                    if i.optional { ", optional" } else { "" }
                ),
                None => continue,
            },
        };
        s.push_str(&line);
    }
    if let Some(container) = spec.container() {
        s.push_str("\nOutputs (files its command writes):\n");
        if spec.outputs.is_empty() {
            s.push_str("  (none)\n");
        }
        for (k, o) in spec.outputs.iter().enumerate() {
            let file = spec.artifact(ParamRef::Output(k)).and_then(|t| t.v1_type);
            match file {
                Some(t) => s.push_str(&format!("  {}   {} file\n", o.name, t)),
                None => s.push_str(&format!("  {}   {}\n", o.name, o.kind)),
            }
        }
        s.push_str(&format!(
            "\nA container component: KFP runs it in its own image ({}) with its own command, \
             not with this binary.\n",
            container.image
        ));
        return s;
    }
    s.push_str("\nOutputs (paths after ----output-paths, in this order):\n");
    let returned = returned(spec);
    if returned.is_empty() {
        s.push_str("  (none)\n");
    }
    for o in returned {
        s.push_str(&format!("  {}   {}\n", o.name, o.kind));
    }
    s
}

/// A raw value as messages show it: quoted and escaped, and cut to its first 200 characters
/// when longer, so that a megabyte of JSON does not bury the message.
pub fn shown(value: &str) -> String {
    const MAX: usize = 200;
    match value.char_indices().nth(MAX) {
        None => format!("{value:?}"),
        Some((cut, _)) => format!(
            "{:?}... ({} characters)",
            &value[..cut],
            value.chars().count()
        ),
    }
}

/// `` `--a`, `--b` `` for the messages.
pub fn accepted_flags(spec: &ComponentSpec) -> String {
    let mut flags: Vec<String> = flags(spec)
        .iter()
        .map(|f| format!("`{}`", f.flag))
        .collect();
    if !returned(spec).is_empty() {
        flags.push(format!("`{OUTPUT_PATHS}`"));
    }
    if flags.is_empty() {
        "none".to_owned()
    } else {
        flags.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::component::InputSpec;

    fn input(name: &str, kind: ParamKind, optional: bool) -> InputSpec {
        let mut input = InputSpec::new(name, kind);
        input.rust_type = "T";
        input.optional = optional;
        input
    }

    #[test]
    fn a_value_that_looks_like_a_flag_is_a_value() {
        let mut spec = ComponentSpec::test("train");
        spec.inputs
            .push(input("model_name", ParamKind::String, false));
        let argv = ["--model-name".to_owned(), "--odd but fine".to_owned()];
        let args = parse_v1(&spec, &argv).unwrap();
        assert_eq!(args.values["model_name"], "--odd but fine");
    }

    /// `train(checker: bool, model_name: String, epochs: i64, note: Option<String>) -> bool`.
    fn spec() -> ComponentSpec {
        let mut spec = ComponentSpec::test("train");
        spec.inputs = vec![
            input("checker", ParamKind::Boolean, false),
            input("model_name", ParamKind::String, false),
            input("epochs", ParamKind::Integer, false),
            input("note", ParamKind::String, true),
        ];
        spec.outputs = vec![OutputSpec::new("Output", ParamKind::Boolean)];
        spec
    }

    fn argv(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| (*a).to_owned()).collect()
    }

    fn parse(args: &[&str]) -> Result<V1Args, RunError> {
        parse_v1(&spec(), &argv(args))
    }

    fn error(args: &[&str]) -> String {
        match parse(args) {
            Ok(a) => panic!("{args:?} parsed: {a:?}"),
            Err(e) => {
                assert_eq!(e.exit_code(), 2, "{e}");
                e.to_string()
            }
        }
    }

    #[test]
    fn reads_pairs_and_paths() {
        let a = parse(&[
            "--checker",
            "True",
            "--model-name",
            "yolov8n.pt",
            "--epochs",
            "3",
            "----output-paths",
            "/tmp/outputs/Output/data",
        ])
        .unwrap();
        assert_eq!(a.values["checker"], "True");
        assert_eq!(a.values["model_name"], "yolov8n.pt");
        assert_eq!(a.values["epochs"], "3");
        assert!(!a.values.contains_key("note"));
        assert_eq!(a.output_paths, ["/tmp/outputs/Output/data"]);
        assert!(!a.help);
    }

    #[test]
    fn inline_values_and_any_order() {
        let a = parse(&[
            "--epochs=-4",
            "--model-name=a=b",
            "--checker",
            "no",
            "----output-paths",
            "out",
        ])
        .unwrap();
        assert_eq!(a.values["epochs"], "-4");
        assert_eq!(a.values["model_name"], "a=b");
    }

    #[test]
    fn a_string_value_may_look_like_a_flag() {
        for value in [
            "--epochs",
            "--help",
            "-h",
            "----output-paths",
            "--x=1",
            "",
            "-",
        ] {
            let a = parse(&[
                "--model-name",
                value,
                "--checker",
                "1",
                "--epochs",
                "0",
                "----output-paths",
                "o",
            ])
            .unwrap_or_else(|e| panic!("{value:?}: {e}"));
            assert_eq!(a.values["model_name"], value);
        }
        // The last input, with `----output-paths` as its value.
        let a = parse(&[
            "--checker",
            "1",
            "--epochs",
            "0",
            "--model-name",
            "----output-paths",
            "----output-paths",
            "o",
        ])
        .unwrap();
        assert_eq!(a.values["model_name"], "----output-paths");
        assert_eq!(a.output_paths, ["o"]);
    }

    #[test]
    fn missing_values_are_named() {
        let cases: &[&[&str]] = &[
            &["--checker"],
            &["--checker", "--epochs", "1"],
            &["--checker", "----output-paths", "o"],
            &["--epochs", "--model-name", "x"],
        ];
        for args in cases {
            let e = error(args);
            assert!(e.contains("needs a value"), "{args:?}: {e}");
            assert!(e.contains(&format!("`{}`", args[0])), "{args:?}: {e}");
        }
        // A string flag that swallowed the next flag is the one reported.
        for args in [
            &["--model-name", "--epochs", "3", "--checker", "1"][..],
            &[
                "--model-name",
                "--epochs",
                "--checker",
                "1",
                "----output-paths",
                "o",
            ],
            &[
                "--checker",
                "1",
                "--epochs",
                "2",
                "--model-name",
                "----output-paths",
                "o",
            ],
        ] {
            let e = error(args);
            assert!(
                e.contains("flag `--model-name` needs a value"),
                "{args:?}: {e}"
            );
        }
    }

    #[test]
    fn unknown_and_duplicate_flags() {
        let e = error(&["--bogus", "1"]);
        assert!(e.contains("component `train`"), "{e}");
        assert!(e.contains("unknown flag `--bogus`"), "{e}");
        assert!(
            e.contains("`--checker`, `--model-name`, `--epochs`, `--note`, `----output-paths`"),
            "{e}"
        );
        let e = error(&["--bogus=1"]);
        assert!(e.contains("unknown flag `--bogus`;"), "{e}");
        let e = error(&["--model_name", "x"]);
        assert!(e.contains("unknown flag `--model_name`"), "{e}");
        let e = error(&["positional"]);
        assert!(e.contains("unknown flag `positional`"), "{e}");
        let e = error(&["--epochs", "1", "--epochs=2"]);
        assert!(e.contains("flag `--epochs` given more than once"), "{e}");
    }

    #[test]
    fn output_paths_are_checked() {
        let e = error(&["--checker", "1"]);
        assert!(
            e.contains("missing required flag `----output-paths` (expected one file path per output: `Output`)"),
            "{e}"
        );
        let e = error(&["----output-paths", "a", "b"]);
        assert!(e.contains("needs 1 path"), "{e}");
        assert!(e.contains("got 2"), "{e}");
        let e = error(&["----output-paths"]);
        assert!(e.contains("got 0"), "{e}");
        let e = error(&["--model-name", "----output-paths"]);
        assert!(
            e.contains("missing required flag `----output-paths`"),
            "{e}"
        );
        let dir = std::env::temp_dir();
        let dir = dir.to_string_lossy();
        for (path, why) in [
            ("", "empty"),
            ("out/", "names a folder"),
            ("..", "names a folder"),
            (dir.as_ref(), "a folder is already there"),
        ] {
            let e = error(&["----output-paths", path]);
            assert!(e.contains("for output `Output`"), "{path:?}: {e}");
            assert!(e.contains(why), "{path:?}: {e}");
        }
        let file = std::env::temp_dir().join(format!("kfp-args-test-{}", std::process::id()));
        std::fs::write(&file, b"x").unwrap();
        let under_file = file.join("sub").join("data");
        let e = error(&["----output-paths", &under_file.to_string_lossy()]);
        let _ = std::fs::remove_file(&file);
        assert!(
            e.contains("a file stands where its folder should be"),
            "{e}"
        );
        let mut none = spec();
        none.outputs.clear();
        let e = parse_v1(&none, &argv(&["----output-paths", "x"])).unwrap_err();
        assert!(e.to_string().contains("needs 0 path"), "{e}");
        assert!(parse_v1(&none, &argv(&["----output-paths"])).is_ok());
        assert!(parse_v1(&none, &[]).is_ok());
    }

    /// `train_model(dataset_path: InputPath<Csv>, epochs: i64, model_path: OutputPath<Model>,
    /// metrics_file: OutputPath) -> f64`, laid out as `#[component]` lays it out.
    fn files_spec() -> ComponentSpec {
        use crate::artifact::{Artifact, ArtifactKind, Csv, Model};
        let mut spec = ComponentSpec::test("train_model");
        spec.inputs = vec![
            input("dataset_path", ParamKind::String, false),
            input("epochs", ParamKind::Integer, false),
        ];
        spec.inputs[0].artifact = Some(Csv::TYPE);
        let output = |name: &str, kind, artifact| {
            let mut o = OutputSpec::new(name, kind);
            o.artifact = artifact;
            o
        };
        spec.outputs = vec![
            output("model_path", ParamKind::String, Some(Model::TYPE)),
            output("metrics_file", ParamKind::String, Some(Artifact::TYPE)),
            output("Output", ParamKind::Float, None),
        ];
        spec.order = vec![
            ParamRef::Input(0),
            ParamRef::Input(1),
            ParamRef::Output(0),
            ParamRef::Output(1),
        ];
        spec
    }

    #[test]
    fn files_take_their_kfp_names_and_outputs_their_own_flags() {
        let spec = files_spec();
        let good = argv(&[
            "--dataset",
            "/tmp/inputs/dataset/data",
            "--epochs",
            "2",
            "--model",
            "out/model/data",
            "--metrics",
            "out/metrics/data",
            "----output-paths",
            "out/Output/data",
        ]);
        let a = parse_v1(&spec, &good).unwrap();
        assert_eq!(a.values["dataset_path"], "/tmp/inputs/dataset/data");
        assert_eq!(a.values["model_path"], "out/model/data");
        assert_eq!(a.values["metrics_file"], "out/metrics/data");
        assert_eq!(a.output_paths, ["out/Output/data"]);
        assert_eq!(flag_for(&spec, "dataset_path"), "--dataset");
        assert_eq!(flag_for(&spec, "metrics_file"), "--metrics");
        assert_eq!(flag_for(&spec, "epochs"), "--epochs");

        let err = |args: &[&str]| parse_v1(&spec, &argv(args)).unwrap_err().to_string();
        let e = err(&["--dataset-path", "x"]);
        assert!(
            e.contains("unknown flag `--dataset-path`; accepted flags: `--dataset`, `--epochs`, `--model`, `--metrics`, `----output-paths`"),
            "{e}"
        );
        let e = err(&[
            "--dataset",
            "d",
            "--epochs",
            "1",
            "--model",
            "m",
            "--metrics",
            "x",
        ]);
        assert!(
            e.contains("(expected one file path per output: `Output`)"),
            "{e}"
        );
        let e = err(&["--dataset", "--epochs", "1"]);
        assert!(e.contains("flag `--dataset` needs a value"), "{e}");
        let e = err(&["----output-paths", "a", "b"]);
        assert!(e.contains("needs 1 path(s)"), "{e}");
        let dir = std::env::temp_dir();
        let e = err(&["--model", &dir.to_string_lossy()]);
        assert!(
            e.contains("for `--model`: expected a file path for output `model_path` (a folder is already there)"),
            "{e}"
        );

        let help = help(&spec);
        for line in [
            "  --dataset <path>   input file, CSV\n",
            "  --epochs <T>   Integer\n",
            "  --model <path>   output file, Model: the component writes it\n",
            "  --metrics <path>   output file, untyped: the component writes it\n",
            "  Output   Float\n",
        ] {
            assert!(help.contains(line), "{line:?} in\n{help}");
        }
        assert!(!help.contains("model_path   "), "{help}");
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        assert_eq!(shown("a\"b\n"), r#""a\"b\n""#);
        let long = "é".repeat(1000);
        let s = shown(&long);
        assert!(s.starts_with(&format!("\"{}\"...", "é".repeat(200))), "{s}");
        assert!(s.ends_with("(1000 characters)"), "{s}");
    }

    #[test]
    fn help_where_a_flag_goes() {
        for args in [
            &["--help"][..],
            &["-h"],
            &["--epochs", "3", "--help", "--bogus"],
        ] {
            assert!(parse(args).unwrap().help, "{args:?}");
            assert!(wants_help(&spec(), &argv(args)), "{args:?}");
        }
        // As a value, or after an error, it is not a request for help.
        for args in [
            &["--model-name", "--help"][..],
            &["--bogus", "--help"],
            &["----output-paths", "--help"],
        ] {
            assert!(!wants_help(&spec(), &argv(args)), "{args:?}");
        }
        // A component may have an input called `help`.
        let mut with_help = spec();
        with_help
            .inputs
            .push(input("help", ParamKind::String, false));
        let a = parse_v1(
            &with_help,
            &argv(&["--help", "me", "----output-paths", "o"]),
        )
        .unwrap();
        assert!(!a.help);
        assert_eq!(a.values["help"], "me");
    }
}
