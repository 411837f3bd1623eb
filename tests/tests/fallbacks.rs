//! What kfp-rs used to do silently when it could not do what was asked, now a build error (or,
//! where kfp itself accepts the input, a warning).

use std::collections::HashMap;

use kfp_core::prelude::*;
use kfp_core::reusable::{load_component_from_text, ContainerComponent, Placeholder};
use kfp_core::Json;

#[component(base_image = "python:3.11")]
fn show(msg: String) {
    println!("{msg}");
}

#[component(base_image = "python:3.11")]
fn show_n(n: i64) {
    println!("{n}");
}

#[component(base_image = "python:3.11")]
fn take(cfg: Json<HashMap<(i32, i32), i32>>) {
    println!("{}", cfg.len());
}

fn compile(p: &Pipeline, target: Target) -> Result<String, String> {
    Compiler::new()
        .binary_path("/usr/local/bin/t")
        .compile(p, target)
        .map_err(|e| e.to_string())
}

#[pipeline(name = "timed")]
fn timed() {
    show("x");
}

#[test]
fn a_pipeline_timeout_is_refused_on_v2() {
    let p = timed().set_timeout("1h");
    assert!(compile(&p, Target::V1)
        .unwrap()
        .contains("activeDeadlineSeconds: 3600"));
    let e = compile(&p, Target::V2).unwrap_err();
    assert!(e.contains("(pipeline timed)"), "{e}");
    assert!(
        e.contains("`Pipeline::set_timeout` exists only on KFP v1"),
        "{e}"
    );
}

#[test]
fn an_unknown_type_in_a_loaded_component_is_a_warning() {
    let c = load_component_from_text(
        "name: n\ninputs:\n- {name: k, type: Integr}\n- {name: s, type: String}\n\
         - {name: f, type: MyFile}\nimplementation:\n  container:\n    image: alpine\n    \
         command: [echo, {inputValue: k}, {inputValue: s}, {inputPath: f}]\n",
    )
    .unwrap();
    let w = c.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("input `k` has type `Integr`"), "{w:?}");
}

#[test]
fn a_constant_that_cannot_be_serialised_is_a_build_error() {
    let p = kfp_core::build_pipeline("unserialisable", None, |_| {
        let mut m = HashMap::new();
        m.insert((1, 2), 3);
        take::task(Json(m));
    });
    let e = compile(&p, Target::V2).unwrap_err();
    assert!(e.contains("cannot be serialised to JSON"), "{e}");
    assert!(e.contains("key must be a string"), "{e}");
}

#[pipeline(name = "inner")]
fn inner(items: Vec<i64>) {
    ParallelFor::over(items).run(|n| {
        show_n(n);
    });
}

#[pipeline(name = "outer")]
fn outer() {
    ParallelFor::new([vec![1i64, 2], vec![3]]).run(|row| {
        inner(row);
    });
}

#[test]
fn a_nested_loop_over_what_it_cannot_loop_over_is_a_build_error() {
    let e = compile(&outer(), Target::V2).unwrap_err();
    assert!(e.contains("a loop over `items`"), "{e}");
    assert!(e.contains("a loop item"), "{e}");
}

#[test]
fn a_task_made_outside_a_pipeline_is_refused_where_it_is_used() {
    let orphan = show::task("lost");
    let p = kfp_core::build_pipeline("orphan", None, |_| {
        show::task("x").after(&orphan);
    });
    let e = compile(&p, Target::V1).unwrap_err();
    assert!(e.contains("another pipeline"), "{e}");
}

#[test]
fn an_optional_container_input_with_a_null_default_has_no_default() {
    for c in [
        ContainerComponent::new("greet", "alpine:3.19").optional_input(
            "name",
            "String",
            serde_json::Value::Null,
        ),
        ContainerComponent::new("greet", "alpine:3.19")
            .optional_input_without_default("name", "String"),
    ] {
        let c = c.command([Placeholder::Literal("echo".into())]);
        let p = kfp_core::build_pipeline("greet", None, |_| {
            c.task([]);
        });
        let ir = compile(&p, Target::V2).unwrap();
        assert!(ir.contains("isOptional: true"), "{ir}");
        assert!(!ir.contains("defaultValue"), "{ir}");
        compile(&p, Target::V1).unwrap();
    }
}
