//! The in-pod runtime in process: typed inputs from a KFP v1 argv, outputs written where KFP
//! expects them, and the function's error with its chain.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use kfp_core::__private::support::run_component;
use kfp_core::__private::Invocation;
use kfp_core::spec::component::{ComponentSpec, Implementation, InputSpec, OutputSpec};
use kfp_core::types::ParamKind;
use kfp_core::RunError;

fn argv(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kfp-runtime-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `double(x: i64, note: Option<String>) -> i64`, failing for negative `x`.
fn double_spec() -> ComponentSpec {
    fn run(inv: &mut Invocation) -> Result<(), RunError> {
        let x: i64 = inv.input("x")?;
        let _note: Option<String> = inv.input("note")?;
        let ret: Result<i64, Outer> = if x < 0 { Err(Outer(Middle)) } else { Ok(x * 2) };
        inv.finish(ret)
    }
    let mut note = InputSpec::new("note", ParamKind::String);
    note.rust_type = "Option";
    note.optional = true;
    ComponentSpec::new("double", Implementation::Rust(run))
        .with_input(InputSpec::new("x", ParamKind::Integer))
        .with_input(note)
        .with_output(OutputSpec::new("Output", ParamKind::Integer))
}

#[derive(Debug)]
struct Outer(Middle);
#[derive(Debug)]
struct Middle;

impl fmt::Display for Outer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("training failed")
    }
}
impl std::error::Error for Outer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}
impl fmt::Display for Middle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the dataset is empty")
    }
}
impl std::error::Error for Middle {}

fn run(spec: &ComponentSpec, args: &[&str]) -> Result<(), RunError> {
    let mut inv = Invocation::from_v1_args(spec, &argv(args))?;
    spec.run_fn().expect("has a run fn")(&mut inv)
}

#[test]
fn outputs_are_written_where_kfp_says() {
    let dir = temp_dir("writes");
    let out = dir.join("deep").join("er").join("data");
    let spec = double_spec();
    run(
        &spec,
        &["--x", "21", "----output-paths", &out.to_string_lossy()],
    )
    .unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "42");
    // Only the output: the temporary file was renamed into place.
    let names: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, ["data"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_function_error_exits_1_with_its_chain() {
    let dir = temp_dir("chain");
    let out = dir.join("data");
    let spec = double_spec();
    let e = run(
        &spec,
        &["--x", "-1", "----output-paths", &out.to_string_lossy()],
    )
    .unwrap_err();
    assert_eq!(e.exit_code(), 1);
    assert_eq!(
        e.to_string(),
        "component `double` failed: training failed\n  caused by: the dataset is empty"
    );
    assert!(!out.exists(), "a failed run wrote its output");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn inputs_are_typed_with_messages_that_name_everything() {
    let spec = double_spec();
    let e = run(&spec, &["--x", "4.5", "----output-paths", "o"]).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(
        e.to_string(),
        "component `double`: invalid value \"4.5\" for `--x`: expected an integer that fits `i64` (write it in decimal digits, without a fraction or exponent)"
    );
    let e = run(&spec, &["--note", "n", "----output-paths", "o"]).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(
        e.to_string(),
        "component `double`: missing required flag `--x` (expected `i64`, a KFP Integer)"
    );
    let e = run(&spec, &["--x", "1", "--y", "2"]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "component `double`: unknown flag `--y`; accepted flags: `--x`, `--note`, `----output-paths`"
    );
}

#[test]
fn run_component_maps_errors_to_exit_codes() {
    let dir = temp_dir("codes");
    let out = dir.join("data").to_string_lossy().into_owned();
    let specs = vec![Arc::new(double_spec())];
    assert_eq!(
        run_component(
            &specs,
            "double",
            &argv(&["--x", "1", "----output-paths", &out])
        ),
        0
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "2");
    assert_eq!(
        run_component(
            &specs,
            "double",
            &argv(&["--x", "-1", "----output-paths", &out])
        ),
        1
    );
    assert_eq!(run_component(&specs, "double", &argv(&["--x"])), 2);
    assert_eq!(run_component(&specs, "triple", &argv(&[])), 2);
    assert_eq!(run_component(&specs, "double", &argv(&["--help"])), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

mod no_argv_panics {
    use super::*;
    use kfp_core::__private::support::args::{parse_v1, wants_help, OUTPUT_PATHS};
    use proptest::prelude::*;

    /// Tokens a command line is made of: the component's flags, look-alikes, values of every
    /// kind and arbitrary text.
    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "--x",
                "--note",
                "--x=",
                "--note=",
                "--x=1",
                OUTPUT_PATHS,
                "--help",
                "-h",
                "--",
                "-",
                "",
                "=",
                "--=",
                "---x",
                "--X",
                "--y",
                "1",
                "-1",
                "1.5",
                "True",
                "[1]",
                "99999999999999999999",
                "out/data",
            ])
            .prop_map(str::to_owned),
            any::<String>(),
            any::<i64>().prop_map(|i| i.to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn any_argv_parses_or_errs_and_never_panics(argv in prop::collection::vec(token(), 0..8)) {
            let spec = double_spec();
            let _ = wants_help(&spec, &argv);
            match Invocation::from_v1_args(&spec, &argv) {
                Ok(mut inv) => {
                    let parsed = parse_v1(&spec, &argv).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    // A parse that succeeds gave `----output-paths` and one path, or asked
                    // for help.
                    prop_assert!(parsed.help || parsed.output_paths.len() == 1, "{parsed:?}");
                    match inv.input::<i64>("x") {
                        Ok(x) => prop_assert_eq!(parsed.values.get("x").map(|v| v.parse::<i64>().ok()), Some(Some(x))),
                        Err(e) => {
                            prop_assert_eq!(e.exit_code(), 2);
                            prop_assert!(e.to_string().contains("`--x`"), "{e}");
                        }
                    }
                    let note = inv.input::<Option<String>>("note").map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(note.as_ref(), parsed.values.get("note"));
                }
                Err(e) => {
                    prop_assert_eq!(e.exit_code(), 2);
                    prop_assert!(e.to_string().starts_with("component `double`"), "{e}");
                }
            }
        }
    }
}
