//! Graph errors are typed and name the tasks involved (kfp crashes or emits invalid YAML for
//! several of these: `../shared/oracle/errors/ERRORS.md`).

use kfp_core::prelude::*;
use kfp_core::{BuildError, CompileError};

#[component]
fn produce() -> String {
    "x".into()
}

#[component]
fn consume(s: String) {
    println!("{s}");
}

fn compile(p: &Pipeline) -> Result<String, CompileError> {
    Compiler::new()
        .binary_path("/usr/local/bin/graph")
        .compile(p, Target::V1)
}

fn errors(p: &Pipeline) -> Vec<BuildError> {
    compile(p)
        .expect_err("the pipeline must not compile")
        .errors
}

#[pipeline(name = "cycle")]
fn cycle() {
    let a = consume("a");
    let b = consume("b").after(&a);
    a.after(&b);
}

#[test]
fn a_dependency_cycle_names_its_tasks() {
    let errs = errors(&cycle());
    assert_eq!(
        errs,
        vec![BuildError::Cycle {
            tasks: vec!["consume".into(), "consume-2".into()]
        }]
    );
    let msg = compile(&cycle()).unwrap_err().to_string();
    assert!(
        msg.contains("`consume` -> `consume-2` -> `consume`"),
        "{msg}"
    );
}

#[pipeline(name = "data-cycle")]
fn data_cycle() {
    let p = produce();
    let c = consume(p.output());
    p.after(&c);
}

#[test]
fn a_data_edge_plus_after_cycle_is_found() {
    let errs = errors(&data_cycle());
    assert!(
        matches!(&errs[..], [BuildError::Cycle { tasks }] if tasks.contains(&"produce".to_owned()) && tasks.contains(&"consume".to_owned())),
        "{errs:?}"
    );
}

#[pipeline(name = "after-self")]
fn after_self() {
    let a = consume("a");
    a.after(&a);
}

#[test]
fn a_task_after_itself_is_named() {
    assert_eq!(
        errors(&after_self()),
        vec![BuildError::AfterSelf {
            task: "consume".into()
        }]
    );
}

#[pipeline(name = "empty")]
fn empty() {}

#[test]
fn an_empty_pipeline_is_refused() {
    let msg = compile(&empty()).unwrap_err().to_string();
    assert_eq!(
        msg,
        "pipeline `empty`: pipeline `empty` has no task; call at least one component in its body"
    );
}

#[pipeline(name = "outside-loop")]
fn outside_loop() {
    let mut inner = None;
    ParallelFor::new(["a", "b"]).run(|item| {
        inner = Some(produce().after(&consume(item)));
    });
    if let Some(p) = inner {
        consume(p.output());
    }
}

#[test]
fn an_output_used_outside_its_loop_names_both_tasks() {
    let errs = errors(&outside_loop());
    assert_eq!(
        errs,
        vec![BuildError::OutputOutsideGroup {
            consumer: "consume-2".into(),
            producer: "produce".into(),
            group: "for-loop-2".into(),
        }]
    );
}

#[pipeline(name = "outside-condition")]
fn outside_condition() {
    let flip = produce();
    let mut inner = None;
    flip.output().equals("heads").then(|| {
        inner = Some(produce());
    });
    if let Some(p) = inner {
        consume(p.output());
    }
}

#[test]
fn an_output_used_outside_its_condition_names_both_tasks() {
    let msg = compile(&outside_condition()).unwrap_err().to_string();
    assert!(
        msg.contains("`consume` uses an output of task `produce-2`, which is inside `condition-1`"),
        "{msg}"
    );
}

#[pipeline(name = "first")]
fn first() {
    produce();
}

#[test]
fn a_task_from_another_pipeline_is_refused() {
    // A task handle escapes one pipeline's build and is used in another's.
    let mut escaped = None;
    let _ = kfp_core::build_pipeline("one", None, |_| {
        escaped = Some(produce::task());
    });
    let Some(foreign) = escaped else {
        panic!("no task")
    };
    let p = kfp_core::build_pipeline("two", None, |_| {
        consume::task(foreign.output());
    });
    let errs = errors(&p);
    assert_eq!(
        errs,
        vec![BuildError::ForeignTask {
            task: "consume".into(),
            input: Some("s".into())
        }]
    );
    // The pipeline it came from is fine.
    assert!(compile(&first()).is_ok());
}

#[test]
fn every_problem_is_reported_at_once() {
    let p = kfp_core::build_pipeline("Bad Name!!", None, |_| {
        let a = consume::task("a");
        a.after(&a).set_cpu_limit("lots");
    });
    let err = compile(&p).unwrap_err();
    assert_eq!(err.errors.len(), 2, "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("task `consume` is set to run after itself"),
        "{msg}"
    );
    assert!(
        msg.contains("task `consume`: invalid value \"lots\" for `set_cpu_limit`"),
        "{msg}"
    );
}

#[test]
fn settings_are_checked_with_the_task_and_setting_named() {
    let p = kfp_core::build_pipeline("settings", None, |_| {
        consume::task("a")
            .set_memory_limit("4GB")
            .use_secret_as_env("Bad_Name", [("k", "V")])
            .set_env_variable("AWS_SECRET_ACCESS_KEY", "minio123")
            .add_node_selector("bad key", "v")
            .set_retry_backoff("soon", 2.0, "1h");
    });
    let msg = compile(&p).unwrap_err().to_string();
    for expected in [
        "task `consume`: invalid value \"4GB\" for `set_memory_limit`: expected a memory quantity",
        "task `consume`: invalid value \"Bad_Name\" for `use_secret_as_env`: expected a Kubernetes Secret name",
        "task `consume`: refusing a literal value for `AWS_SECRET_ACCESS_KEY`, which looks like a credential",
        "use `.use_secret_as_env(",
        "task `consume`: invalid value \"bad key\" for `add_node_selector`",
        "task `consume`: invalid value \"soon\" for `set_retry_backoff`",
    ] {
        assert!(msg.contains(expected), "missing {expected:?} in:\n{msg}");
    }
    assert!(
        !msg.contains("minio123"),
        "the literal must not be echoed:\n{msg}"
    );
}

#[test]
fn the_credential_escape_hatch_is_explicit() {
    let p = kfp_core::build_pipeline("hatch", None, |_| {
        consume::task("a").set_env_variable_unchecked("TOKENIZER_PATH", "/models/tok");
    });
    let yaml = compile(&p).unwrap();
    assert!(yaml.contains("TOKENIZER_PATH"));
}
