//! The build errors a user meets when a task's inputs, a default or a nested pipeline's
//! arguments are wrong: one typed variant each, naming the task and the input, with a message
//! that says what is expected.

use kfp_core::prelude::*;
use kfp_core::reusable::load_component_from_text;
use kfp_core::{BuildError, CompileError, IntoArg};

const ECHO: &str = include_str!("../../kfp-examples/components/echo.yaml");

#[component]
fn number() -> i64 {
    1
}

#[component]
fn configure(settings: Json<String>) {
    let _ = settings;
}

fn compile(p: &Pipeline) -> Result<String, CompileError> {
    Compiler::new()
        .binary_path("/usr/local/bin/build-errors")
        .compile(p, Target::V1)
}

/// The errors, one line each, and the typed values.
fn errors(p: &Pipeline) -> (Vec<BuildError>, Vec<String>) {
    let err = compile(p).expect_err("the pipeline must not compile");
    let lines = err.errors.iter().map(ToString::to_string).collect();
    (err.errors, lines)
}

#[test]
fn an_unknown_input_names_the_task_and_the_inputs_it_has() {
    let echo = load_component_from_text(ECHO).unwrap();
    let p = kfp_core::build_pipeline("unknown", None, |_| {
        let n = number::task();
        echo.task([
            ("msg", "hi".into()),
            ("data", n.output().into()),
            ("colour", "red".into()),
        ]);
    });
    let (errs, lines) = errors(&p);
    assert!(
        errs.contains(&BuildError::UnknownInput {
            task: "echo-text".into(),
            input: "colour".into(),
            known: vec!["msg".into(), "times".into(), "data".into()],
        }),
        "{errs:?}"
    );
    assert!(
        lines.contains(
            &"task `echo-text` has no input `colour`; expected one of: `msg`, `times`, `data`"
                .to_owned()
        ),
        "{lines:?}"
    );
}

#[test]
fn a_missing_input_says_what_to_pass() {
    let echo = load_component_from_text(ECHO).unwrap();
    let p = kfp_core::build_pipeline("missing", None, |_| {
        echo.task([]);
    });
    let (errs, lines) = errors(&p);
    assert_eq!(
        errs,
        [
            BuildError::MissingInput {
                task: "echo-text".into(),
                input: "msg".into(),
                expected: "a String value".into(),
            },
            BuildError::MissingInput {
                task: "echo-text".into(),
                input: "data".into(),
                expected: "an output file of an upstream task".into(),
            },
        ]
    );
    assert_eq!(
        lines[0],
        "task `echo-text`: input `msg` is not given a value; it has no default, so pass a \
         String value"
    );
}

#[test]
fn an_input_given_twice_is_refused() {
    let echo = load_component_from_text(ECHO).unwrap();
    let p = kfp_core::build_pipeline("twice", None, |_| {
        let m = kfp_examples::reusable_components::make::task(3).outputs();
        echo.task([
            ("msg", "a".into()),
            ("msg", "b".into()),
            ("data", m.data_path.into()),
        ]);
    });
    let (errs, lines) = errors(&p);
    assert_eq!(
        errs,
        [BuildError::DuplicateInput {
            task: "echo-text".into(),
            input: "msg".into(),
        }]
    );
    assert_eq!(lines, ["task `echo-text`: input `msg` is given twice"]);
}

#[test]
fn a_value_of_the_wrong_type_names_both_types() {
    let echo = load_component_from_text(ECHO).unwrap();
    let p = kfp_core::build_pipeline("mistyped", None, |_| {
        let n = number::task();
        echo.task([("msg", n.output().into()), ("data", n.output().into())]);
    });
    let (errs, lines) = errors(&p);
    assert_eq!(
        errs,
        [
            BuildError::TypeMismatch {
                task: "echo-text".into(),
                input: "msg".into(),
                given: "an Integer value".into(),
                expected: "a String value".into(),
            },
            BuildError::TypeMismatch {
                task: "echo-text".into(),
                input: "data".into(),
                given: "an Integer value".into(),
                expected: "an output file of an upstream task".into(),
            },
        ]
    );
    assert_eq!(
        lines[0],
        "task `echo-text`: input `msg` takes a String value, but is given an Integer value"
    );
}

#[test]
fn a_json_constant_that_is_not_an_object_is_a_type_mismatch() {
    // `Json<T>` is a KFP JsonObject; a `String` (like a unit enum variant) serialises to a
    // JSON string.
    let p = kfp_core::build_pipeline("json-string", None, |_| {
        configure::task(Json("Fast".to_owned()));
    });
    let (errs, lines) = errors(&p);
    assert_eq!(
        errs,
        [BuildError::TypeMismatch {
            task: "configure".into(),
            input: "settings".into(),
            given: "the constant \"Fast\"".into(),
            expected: "a JsonObject value".into(),
        }]
    );
    assert_eq!(
        lines,
        [
            "task `configure`: input `settings` takes a JsonObject value, but is given the \
          constant \"Fast\""
        ]
    );
}

#[test]
fn a_pipeline_parameter_cannot_default_to_another_parameter() {
    let p = kfp_core::build_pipeline("bad-default", None, |params| {
        let a = params.param::<i64>("a", None);
        let b = params.param_with_default_arg::<i64>("b", IntoArg::<i64>::into_arg(a));
        let _ = b;
        number::task();
    });
    let (errs, lines) = errors(&p);
    assert!(
        matches!(&errs[..], [BuildError::InvalidDefault { owner, .. }]
            if owner == "pipeline parameter `b`"),
        "{errs:?}"
    );
    assert_eq!(
        lines,
        [
            "pipeline parameter `b`: invalid default: it is a pipeline parameter or a task \
          output; a default must be a constant value"
        ]
    );
}

#[pipeline(name = "needs-value")]
fn needs_value(count: i64) {
    let _ = count;
    number();
}

#[pipeline(name = "caller")]
fn caller() {
    needs_value(DEFAULT);
}

#[test]
fn a_nested_pipeline_without_an_argument_names_the_parameter() {
    let (errs, lines) = errors(&caller());
    assert_eq!(
        errs,
        [BuildError::MissingPipelineArgument {
            pipeline: "needs-value".into(),
            param: "count".into(),
        }]
    );
    assert_eq!(
        lines,
        [
            "nested pipeline `needs-value`: parameter `count` is not given a value; it has no \
          default, so pass one"
        ]
    );
}

#[test]
fn a_bad_setting_names_the_task_and_the_setting() {
    let p = kfp_core::build_pipeline("setting", None, |_| {
        number::task().set_cpu_limit("lots");
    });
    let (errs, lines) = errors(&p);
    assert!(
        matches!(&errs[..], [BuildError::InvalidSetting { task, setting, value, .. }]
            if task == "number" && setting == "set_cpu_limit" && value == "lots"),
        "{errs:?}"
    );
    assert!(
        lines[0].starts_with("task `number`: invalid value \"lots\" for `set_cpu_limit`"),
        "{lines:?}"
    );
}
