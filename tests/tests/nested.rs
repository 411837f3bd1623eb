//! Nested pipelines: a pipeline called from another adds its tasks there, in a group of their
//! own (KFP v1's graph template, KFP v2's component), with its parameters bound to the
//! caller's arguments and its outputs feeding the caller's tasks.

use kfp_core::prelude::*;
use kfp_core::spec::pipeline::Arg;
use serde_json::json;

#[test]
fn a_nested_pipeline_adds_its_tasks_with_its_parameters_bound() {
    let p = kfp_examples::nested_pipeline::nested_pipeline();
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let names: Vec<&str> = p.tasks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["add", "add-2", "add-3", "add-4", "show"]);
    // Only the outer pipeline's parameter is a pipeline parameter.
    let params: Vec<&str> = p.params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(params, ["start"]);
    // add(x = start, step = 2)
    assert_eq!(p.tasks[0].args[0], Some(Arg::Param("start".into())));
    assert_eq!(p.tasks[0].args[1], Some(Arg::Constant(json!(2))));
    // add-2(once.output(), step = 2)
    assert!(matches!(&p.tasks[1].args[0], Some(Arg::Output { task, .. }) if task.index() == 0));
    // The second call: x = the first call's output, step = its default, 1.
    assert!(matches!(&p.tasks[2].args[0], Some(Arg::Output { task, .. }) if task.index() == 1));
    assert_eq!(p.tasks[2].args[1], Some(Arg::Constant(json!(1))));
    // show(x = the second call's output)
    assert!(matches!(&p.tasks[4].args[0], Some(Arg::Output { task, .. }) if task.index() == 3));
}

#[test]
fn a_nested_pipeline_compiles_alone_too() {
    let p = kfp_examples::nested_pipeline::add_twice();
    let params: Vec<(&str, bool)> = p
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.default.is_some()))
        .collect();
    assert_eq!(params, [("x", false), ("step", true)]);
    assert_eq!(p.tasks.len(), 2);
}

#[test]
fn both_targets_compile_it() {
    let p = kfp_examples::nested_pipeline::nested_pipeline();
    // A DAG of its own: kfp 1.8.9's graph template, kfp 2.17.3's component.
    for (target, own_dag) in [
        (Target::V1, "name: graph-add-twice-2"),
        (Target::V2, "name: comp-add-twice-2"),
    ] {
        let yaml = Compiler::new()
            .binary_path("/usr/local/bin/nested_pipeline")
            .compile(&p, target)
            .unwrap();
        assert!(yaml.contains(own_dag), "{target}: {yaml}");
    }
}

#[test]
fn a_pipeline_returns_its_outputs() {
    let p = kfp_examples::pipeline_as_component::pipeline_as_component();
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let names: Vec<&str> = p.outputs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["Output"]);
    let ir = Compiler::new()
        .binary_path("/usr/local/bin/x")
        .compile(&p, Target::V2)
        .unwrap();
    assert!(ir.contains("# Outputs:\n#    Output: int\n"), "{ir}");
    assert!(ir.contains("producerSubtask: make-and-add"), "{ir}");
    assert!(ir.contains("artifactSelectors"), "{ir}");
    // kfp 1.8.9 ignores a pipeline's outputs.
    let argo = Compiler::new()
        .binary_path("/usr/local/bin/x")
        .compile(&p, Target::V1)
        .unwrap();
    assert!(!argo.contains("producerSubtask"), "{argo}");
}

#[component]
fn flip() -> String {
    "heads".into()
}

#[pipeline(name = "returns-from-a-condition")]
fn returns_from_a_condition() -> TaskOutput<String> {
    let f = flip();
    let mut inner = None;
    f.output().equals("heads").then(|| {
        inner = Some(echo(f.output()).output());
    });
    inner.unwrap_or(f.output())
}

#[test]
fn an_output_from_inside_a_condition_is_a_typed_error_on_v2() {
    let err = Compiler::new()
        .binary_path("/usr/local/bin/x")
        .compile(&returns_from_a_condition(), Target::V2)
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("echo") && text.contains("returns its output `Output`"),
        "{text}"
    );
}

#[component]
fn echo(s: String) -> String {
    s
}

#[pipeline(name = "needs-value")]
fn needs_value(s: String) -> TaskOutput<String> {
    echo(s).output()
}

#[pipeline(name = "caller")]
fn caller() {
    needs_value(DEFAULT);
}

#[test]
fn a_nested_parameter_without_default_must_be_given() {
    let err = Compiler::new()
        .binary_path("/usr/local/bin/x")
        .compile(&caller(), Target::V1)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "nested pipeline `needs-value`: parameter `s` is not given a value; it has no \
             default, so pass one"
        ),
        "{err}"
    );
}

#[component(base_image = "python:3.11")]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[component(base_image = "python:3.11")]
fn show(x: i64) {
    println!("{x}");
}

#[pipeline(name = "add-twice")]
fn add_twice(x: i64, step: i64) -> TaskOutput<i64> {
    let once = add(x, step);
    add(once.output(), step).output()
}

#[pipeline(name = "nested-in-loop")]
fn nested_in_loop(#[kfp(default = 1)] step: i64) {
    ParallelFor::new([1i64, 2]).run(|n| {
        let t = add_twice(n, step);
        show(t);
    });
}

/// A nested pipeline inside a loop, fed the loop's item, its output read in the loop (its v2
/// IR was compared EQUAL with kfp 2.17.3's for the same Python pipeline when written).
#[test]
fn a_nested_pipeline_in_a_loop_compiles() {
    let ir = Compiler::new()
        .binary_path("/usr/local/bin/x")
        .compile(&nested_in_loop(), Target::V2)
        .unwrap();
    assert!(
        ir.contains("componentInputParameter: pipelinechannel--loop-item-param-1"),
        "{ir}"
    );
    let argo = Compiler::new()
        .binary_path("/usr/local/bin/x")
        .compile(&nested_in_loop(), Target::V1)
        .unwrap();
    assert!(argo.contains("name: graph-add-twice-3"), "{argo}");
}

#[pipeline(name = "on-gpu-nodes")]
fn on_gpu_nodes(x: i64) -> TaskOutput<i64> {
    add(x, 1).add_node_selector("pool", "gpu").output()
}

#[pipeline(name = "kubernetes-inside")]
fn kubernetes_inside() {
    let a = add(1, 2).add_node_selector("pool", "cpu");
    let b = on_gpu_nodes(a.output());
    show(b);
}

/// Kubernetes settings of a task inside a nested pipeline land on that task's executor, named
/// as the merged pipeline names it (`exec-add-2` here: the caller's `add` keeps `exec-add`).
#[test]
fn kubernetes_settings_inside_a_nested_pipeline_follow_its_executor() {
    let ir = Compiler::new()
        .binary_path("/usr/local/bin/x")
        .compile(&kubernetes_inside(), Target::V2)
        .unwrap();
    let docs: Vec<&str> = ir.split("\n---\n").collect();
    assert_eq!(docs.len(), 2, "{ir}");
    let platform = docs[1];
    assert!(platform.contains("exec-add:\n"), "{platform}");
    assert!(platform.contains("exec-add-2:\n"), "{platform}");
    // The executor whose settings say `gpu` is the one the nested pipeline's task runs.
    let gpu = platform.split("exec-add-2:\n").nth(1).unwrap_or_default();
    assert!(gpu.contains("pool: gpu"), "{platform}");
    let spec = docs[0];
    let nested = spec.split("comp-on-gpu-nodes:").nth(1).unwrap_or_default();
    assert!(nested.contains("name: comp-add-2"), "{spec}");
    assert!(
        spec.contains("comp-add-2:\n    executorLabel: exec-add-2"),
        "{spec}"
    );
}

#[component(base_image = "python:3.11")]
fn read_file(
    data: kfp_core::artifact::InputPath<kfp_core::artifact::Dataset>,
) -> Result<i64, BoxError> {
    Ok(i64::try_from(std::fs::read(&data)?.len())?)
}

#[pipeline(name = "loop-over-files")]
fn loop_over_files(datas: Vec<kfp_core::artifact::InputPath<kfp_core::artifact::Dataset>>) {
    ParallelFor::over(datas).run(|d| {
        read_file(d);
    });
}

/// A loop's item fed to a file input is a typed error naming the task on both targets (it
/// was dropped from the YAML before).
#[test]
fn a_loop_item_into_a_file_input_is_a_typed_error() {
    for target in [Target::V1, Target::V2] {
        let err = Compiler::new()
            .binary_path("/usr/local/bin/x")
            .compile(&loop_over_files(), target)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("read-file") && err.contains("file input `data` is given a loop's item"),
            "{target}: {err}"
        );
    }
}

/// KFP v1 has no loop over files: a typed error naming the loop and the task that reads it.
#[test]
fn a_loop_over_files_is_a_typed_error_on_v1() {
    let err = Compiler::new()
        .binary_path("/usr/local/bin/x")
        .compile(
            &kfp_examples::loop_over_files::loop_over_files(),
            Target::V1,
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("for-loop-4")
            && err.contains("read by task `read`")
            && err.contains("only KFP v2"),
        "{err}"
    );
}
