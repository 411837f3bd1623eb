//! Control flow on KFP v2: conditions with `elif`/`else`, loops over parameters and outputs,
//! fan-in, exit handlers with a final status.
//!
//! `kfp-golden/v2/control_flow.py` gathers the edge cases (compiled by kfp 2.17.3 to
//! `control_flow.yaml`); its port here must be EQUAL to it under the oracle's `compare.py`
//! and valid under `validate_ir.py`. The oracle tests skip without the oracle unless
//! `CI=true`. The rest checks what kfp gets wrong or refuses, as typed errors.

use std::collections::BTreeMap;
mod support;

use std::path::{Path, PathBuf};

use support::oracle::{oracle, python};

use kfp_core::artifact::{Dataset, InputPath, OutputPath};
use kfp_core::prelude::*;
use kfp_core::{BuildError, CompileError};
use serde_json::Value;

#[component(base_image = "python:3.11")]
fn make_list(n: i64) -> Vec<i64> {
    (0..n).collect()
}

#[component(base_image = "python:3.11")]
fn show_int(x: i64) {
    println!("{x}");
}

#[component(base_image = "python:3.11")]
fn show_str(s: String) {
    println!("{s}");
}

#[component(base_image = "python:3.11")]
fn get_num() -> i64 {
    3
}

#[component(base_image = "python:3.11")]
fn make_ds(ds: OutputPath<Dataset>) -> Result<String, BoxError> {
    std::fs::write(&ds, "x")?;
    Ok("x".into())
}

#[component(base_image = "python:3.11")]
fn use_ds(ds: InputPath<Dataset>, s: String) -> Result<(), BoxError> {
    println!("{} {s}", std::fs::read_to_string(&ds)?);
    Ok(())
}

#[component(base_image = "python:3.11")]
fn square(x: i64) -> i64 {
    x * x
}

#[component(base_image = "python:3.11")]
fn total(values: Vec<i64>) -> i64 {
    values.iter().sum()
}

#[component(base_image = "python:3.11")]
fn report(status: TaskFinalStatus) {
    println!("{}", status.state);
}

// The port of `kfp-golden/v2/control_flow.py` (a doc comment would be a description).
#[pipeline(name = "control-flow")]
fn control_flow(
    xs: Vec<i64>,
    cfgs: Vec<BTreeMap<String, i64>>,
    #[kfp(default = 2)] threshold: i64,
    #[kfp(default = "x")] label: String,
    #[kfp(default = 0.5)] ratio: f64,
    #[kfp(default = true)] flag: bool,
) {
    let cleanup = report();
    ExitHandler::new(&cleanup).run(|| {
        let made = make_list(threshold);
        ParallelFor::over(xs).run(|x| {
            show_int(x);
            x.greater_than(threshold).then(|| {
                show_int(threshold);
            });
        });
        ParallelFor::over_output(made.output())
            .parallelism(2)
            .named("over-output")
            .run(|y| {
                show_int(y);
                let num = get_num();
                // Python's `num.output == y` runs the loop item's `__eq__` (a subclass's
                // reflected operator), so kfp writes `y == num.output`.
                y.equals(num.output())
                    .then(|| {
                        show_str(label);
                    })
                    .otherwise(|| {
                        show_int(y);
                    });
            });
        ParallelFor::over(cfgs).run(|c| {
            square(c.field::<i64>("a"));
            c.field::<i64>("b").at_least(10).then(|| {
                show_int(c.field("a"));
            });
        });
        threshold
            .less_than(3)
            .then(|| {
                show_str("small");
            })
            .elif(label.not_equals("x").named("labelled"), || {
                show_str(label);
            })
            .elif(ratio.at_least(0.25), || {
                show_str("r");
            })
            .otherwise(|| {
                show_str("else");
            });
        flag.equals(true).then(|| {
            show_str("f");
        });
        let d = make_ds().outputs();
        d.output.equals("x").then(|| {
            use_ds(d.ds, label);
            ParallelFor::new([1, 2]).run(|i| {
                use_ds(d.ds, d.output);
                show_int(i);
            });
        });
        let squares = ParallelFor::new([10, 20]).run(|_| {
            let squares = ParallelFor::new([1, 2, 3]).run(|inner| square(inner).output());
            total(squares);
            squares
        });
        label.equals("x").then(|| {
            total(squares);
        });
        total(squares);
    });
}

/// The port of `kfp-golden/v2/control_flow_deps.py`, whose `report` takes a message too.
mod deps {
    use kfp_core::prelude::*;
    use serde_json::json;

    #[component(base_image = "python:3.11")]
    fn make_list(n: i64) -> Vec<i64> {
        (0..n).collect()
    }

    #[component(base_image = "python:3.11")]
    fn square(x: i64) -> i64 {
        x * x
    }

    #[component(base_image = "python:3.11")]
    fn total(values: Vec<i64>) -> i64 {
        values.iter().sum()
    }

    #[component(base_image = "python:3.11")]
    fn show_str(s: String) {
        println!("{s}");
    }

    #[component(base_image = "python:3.11")]
    fn report(msg: String, status: TaskFinalStatus) {
        println!("{msg} {}", status.state);
    }

    #[pipeline(name = "control-flow-deps")]
    pub fn control_flow_deps(#[kfp(default = "a")] word: String, #[kfp(default = 3)] n: i64) {
        let done = report(word);
        ExitHandler::new(&done).named("everything").run(|| {
            let first = show_str("first");
            let (sq, squares) = ParallelFor::new([1, 2]).run(|a| {
                let sq = square(a);
                show_str("in loop").after(&first);
                (sq, sq.output())
            });
            ParallelFor::new([3, 4]).run(|_| {
                total(squares);
                show_str("in b");
            });
            show_str("after loop").after(&sq);
            word.equals("a").then(|| {
                let made = make_list(n);
                ParallelFor::over_output(made.output()).run(|m| {
                    m.greater_than(n).then(|| {
                        show_str(word);
                    });
                });
            });
        });
        let cfgs = [
            json!({"size": 640, "model": "n"}),
            json!({"size": 1280, "model": "s"}),
        ];
        ParallelFor::new(cfgs).run(|cfg| {
            // kfp types `model` after the first value, `640`: an integer, compared as text.
            cfg.field::<String>("model").equals("n").then(|| {
                show_str("nano");
            });
        });
    }
}

fn out_dir(test: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("kfp-control-flow-v2-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn v2(p: &Pipeline) -> Result<String, CompileError> {
    Compiler::new()
        .binary_path("/usr/local/bin/control")
        .compile(p, Target::V2)
}

fn v1(p: &Pipeline) -> Result<String, CompileError> {
    Compiler::new()
        .binary_path("/usr/local/bin/control")
        .compile(p, Target::V1)
}

fn ir(p: &Pipeline) -> Value {
    let text = v2(p).unwrap_or_else(|e| panic!("{e}"));
    kfp_core::__private::support::yaml::from_str_multi(&text)
        .unwrap()
        .remove(0)
}

/// Valid under `validate_ir.py`, and EQUAL to kfp's output where there is one.
fn check_with_oracle(name: &str, p: &Pipeline, golden: Option<&Path>) {
    if !cfg!(kfp_oracle) {
        // The test's own assertions ran; only the comparison with kfp is left out.
        eprintln!(
            "{name}: not compared with kfp ({})",
            support::oracle::NO_ORACLE
        );
        return;
    }
    let oracle = oracle();
    let dir = out_dir(name);
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, v2(p).unwrap()).unwrap();
    let mut failures = Vec::new();
    let (ok, report) = python(&oracle, "validate_ir.py", &[&path], &[]);
    if !ok {
        failures.push(report);
    }
    if let Some(golden) = golden {
        let flags = ["--any-program", "--inline-refs"];
        let (ok, report) = python(&oracle, "compare.py", &[&path, golden], &flags);
        if !ok {
            failures.push(report);
        }
    }
    // A failure keeps the files, to look at.
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[cfg_attr(
    not(kfp_oracle),
    ignore = "needs the oracle (../shared/oracle and its v2 venv) or CI=true"
)]
fn the_edge_cases_match_kfp() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("kfp-golden/v2/control_flow.yaml");
    check_with_oracle("control_flow", &control_flow(), Some(&golden));
}

#[test]
fn the_dependency_edge_cases_match_kfp() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("kfp-golden/v2/control_flow_deps.yaml");
    let p = deps::control_flow_deps();
    let ir = ir(&p);
    let in_handler = &ir["components"]["comp-exit-handler-1"]["dag"]["tasks"];
    assert_eq!(
        in_handler["for-loop-3"]["dependentTasks"],
        serde_json::json!(["show-str"])
    );
    assert_eq!(
        in_handler["show-str-4"]["dependentTasks"],
        serde_json::json!(["for-loop-3"]),
        "`.after(..)` a task in a loop waits for the loop"
    );
    assert_eq!(
        in_handler["for-loop-5"]["inputs"]["parameters"]
            ["pipelinechannel--for-loop-3-pipelinechannel--square-Output"],
        serde_json::json!({"taskOutputParameter": {
            "outputParameterKey": "pipelinechannel--square-Output",
            "producerTask": "for-loop-3"
        }})
    );
    check_with_oracle("control_flow_deps", &p, Some(&golden));
}

#[test]
fn the_v2_ports_are_deterministic_and_refused_on_v1() {
    use kfp_examples as ex;
    type Port = (&'static str, fn() -> Pipeline, &'static str);
    let ports: [Port; 3] = [
        (
            "condition",
            ex::condition::condition,
            "`.elif(..)` (kfp's `dsl.Elif`) exists only on KFP v2",
        ),
        (
            "parallelfor_static",
            ex::parallelfor_static::parallelfor_static,
            "`total`: it takes the outputs of `square` collected from a loop",
        ),
        (
            "exit_handler",
            ex::exit_handler::exit_handler,
            "`report`: input `status` is a `TaskFinalStatus`, which only KFP v2 fills in",
        ),
    ];
    for (name, build, refusal) in ports {
        let first = v2(&build()).unwrap();
        assert_eq!(first, v2(&build()).unwrap(), "{name}");
        let err = v1(&build()).unwrap_err().to_string();
        assert!(err.contains(refusal), "{name}: {err}");
    }
    let edges = v2(&control_flow()).unwrap();
    assert_eq!(edges, v2(&control_flow()).unwrap());
}

#[test]
fn the_if_takes_the_number_of_its_branches_group() {
    let ir = ir(&kfp_examples::condition::condition());
    let root = &ir["root"]["dag"]["tasks"];
    let names: Vec<&String> = root.as_object().unwrap().keys().collect();
    assert_eq!(names, ["condition-6", "condition-branches-1", "flip-coin"]);
    let branches = &ir["components"]["comp-condition-branches-1"]["dag"]["tasks"];
    assert_eq!(
        branches["condition-3"]["taskInfo"]["name"], "heads-branch",
        "the `if` keeps its name, not its number"
    );
    assert_eq!(
        branches["condition-5"]["triggerPolicy"]["condition"],
        "!(inputs.parameter_values['pipelinechannel--flip-coin-Output'] == 'heads') && \
         !(inputs.parameter_values['pipelinechannel--flip-coin-Output'] == 'tails')"
    );
}

#[pipeline(name = "after-branches")]
fn after_branches(p: String) {
    let flip = get_num();
    flip.output()
        .equals(1)
        .then(|| {
            show_str("one");
        })
        .elif(flip.output().equals(2), || {
            show_str("two");
        });
    show_str("after");
    p.equals("a").then(|| {
        show_str("pa");
    });
}

/// kfp 2.17.3 leaves the `condition-branches` group open after an `if`/`elif` without an
/// `else`, so that every later task and group lands in it; here they stay where they are made.
#[test]
fn an_if_elif_chain_without_else_holds_only_its_branches() {
    let ir = ir(&after_branches());
    let root: Vec<&String> = ir["root"]["dag"]["tasks"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        root,
        [
            "condition-4",
            "condition-branches-1",
            "get-num",
            "show-str-3"
        ]
    );
    let branches = &ir["components"]["comp-condition-branches-1"]["dag"]["tasks"];
    let names: Vec<&String> = branches.as_object().unwrap().keys().collect();
    assert_eq!(names, ["condition-2", "condition-3"]);
    check_with_oracle("after_branches", &after_branches(), None);
}

#[pipeline(name = "nested-fields")]
fn nested_fields(go: bool) {
    let cfgs = [
        serde_json::json!({"model": "n", "size": 640}),
        serde_json::json!({"model": "s", "size": 1280}),
    ];
    go.equals(true).then(|| {
        ParallelFor::new(cfgs).run(|cfg| {
            cfg.field::<String>("model").equals("it's").then(|| {
                show_str(cfg.field("model"));
            });
            ParallelFor::new([1, 2]).run(|i| {
                show_str(cfg.field("model"));
                show_int(i);
            });
        });
    });
}

/// kfp 2.17.3 crashes on a field of a static list's item used in a group inside the loop
/// (`component_input_parameter: pipelinechannel--loop-item-param-2 not found`), and gives
/// the groups around the loop an input for the field that nothing can feed; here the groups
/// inside take the field as an input of their own, selected from the item by the loop's
/// DAG, and the groups around the loop take nothing.
#[test]
fn a_field_of_a_static_item_enters_nested_groups() {
    let ir = ir(&nested_fields());
    let components = &ir["components"];
    let field = "pipelinechannel--loop-item-param-2-subvar-model";
    let condition = &components["comp-condition-4"];
    assert_eq!(
        condition["inputDefinitions"]["parameters"][field]["parameterType"],
        "STRING"
    );
    assert_eq!(
        condition["dag"]["tasks"]["show-str"]["inputs"]["parameters"]["s"],
        serde_json::json!({ "componentInputParameter": field })
    );
    let outer = &components["comp-for-loop-3"]["dag"]["tasks"];
    assert_eq!(
        outer["condition-4"]["inputs"]["parameters"][field],
        serde_json::json!({
            "componentInputParameter": "pipelinechannel--loop-item-param-2",
            "parameterExpressionSelector": "parseJson(string_value)[\"model\"]"
        })
    );
    // A quote in a string constant is escaped, so that the condition stays valid CEL.
    assert_eq!(
        outer["condition-4"]["triggerPolicy"]["condition"],
        "inputs.parameter_values['pipelinechannel--loop-item-param-2-subvar-model'] == 'it\\'s'"
    );
    assert_eq!(
        outer["for-loop-6"]["inputs"]["parameters"][field]["parameterExpressionSelector"],
        "parseJson(string_value)[\"model\"]"
    );
    assert_eq!(
        components["comp-condition-1"]["inputDefinitions"],
        serde_json::json!({"parameters": {"pipelinechannel--go": {"parameterType": "BOOLEAN"}}})
    );
    check_with_oracle("nested_fields", &nested_fields(), None);
}

fn errors(p: &Pipeline, target: Target) -> Vec<BuildError> {
    Compiler::new()
        .compile(p, target)
        .map(|_| Vec::new())
        .unwrap_or_else(|e| e.errors)
}

fn one_error(p: &Pipeline, target: Target) -> String {
    let errs = errors(p, target);
    assert_eq!(errs.len(), 1, "{errs:?}");
    errs[0].to_string()
}

#[pipeline(name = "late-elif")]
fn late_elif() {
    let n = get_num();
    let chain = n.output().equals(1).then(|| {
        show_str("one");
    });
    ParallelFor::new([1]).run(|i| {
        show_int(i);
    });
    chain.otherwise(|| {
        show_str("other");
    });
}

#[test]
fn an_else_must_follow_its_if_directly() {
    assert_eq!(
        one_error(&late_elif(), Target::V2),
        "`condition-1`: `.elif(..)` and `.otherwise(..)` must follow the `.then(..)` or \
         `.elif(..)` before them directly, in the same block, with no other condition, loop or \
         exit handler in between"
    );
}

#[pipeline(name = "collected-from-condition")]
fn collected_from_condition(p: String) {
    let mut squares = None;
    p.equals("a").then(|| {
        squares = Some(ParallelFor::new([1, 2]).run(|i| square(i).output()));
    });
    if let Some(s) = squares {
        total(s);
    }
}

#[test]
fn a_fan_in_from_a_loop_in_a_condition_is_refused() {
    assert_eq!(
        one_error(&collected_from_condition(), Target::V2),
        "`total`: it collects the outputs of `square` from a loop inside `condition-1`, which \
         may not run: collect them inside `condition-1` too"
    );
}

#[pipeline(name = "status-outside-exit")]
fn status_outside_exit() {
    report();
}

#[test]
fn only_an_exit_task_gets_a_final_status() {
    assert_eq!(
        one_error(&status_outside_exit(), Target::V2),
        "`report`: input `status` is a `TaskFinalStatus`, which KFP gives only to the exit task \
         of an `ExitHandler`"
    );
}

#[pipeline(name = "after-condition")]
fn after_condition(p: String) {
    let mut inner = None;
    p.equals("a").then(|| {
        inner = Some(get_num());
    });
    if let Some(t) = inner {
        show_str("after").after(&t);
    }
}

#[test]
fn waiting_for_a_task_in_a_condition_is_refused_on_v2_only() {
    assert_eq!(
        one_error(&after_condition(), Target::V2),
        "`condition-1`: task `show-str` runs after task `get-num`, which is inside this \
         condition: on KFP v2 a task can only wait for tasks in its own condition, or outside it"
    );
    assert!(v1(&after_condition()).is_ok());
}

#[pipeline(name = "bad-conditions")]
fn bad_conditions(xs: Vec<i64>) {
    xs.equals(vec![1]).then(|| {
        show_str("list");
    });
    ParallelFor::new(Vec::<i64>::new()).run(|i| {
        show_int(i);
    });
}

#[test]
fn conditions_on_lists_and_loops_over_nothing_are_refused_on_v2() {
    assert_eq!(
        errors(&bad_conditions(), Target::V2)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [
            "`condition-1`: it compares `pipelinechannel--xs`, a LIST; conditions compare \
             strings, numbers and booleans",
            "`for-loop-3`: it loops over an empty list, which KFP v2 refuses",
        ]
    );
}

#[pipeline(name = "empty-group")]
fn empty_group(p: String) {
    show_str(p);
    p.equals("a").then(|| {});
}

#[test]
fn an_empty_group_is_refused_on_both_targets() {
    for target in [Target::V1, Target::V2] {
        assert_eq!(
            one_error(&empty_group(), target),
            "`condition-1`: it has no task; call at least one component in its body"
        );
    }
}

#[pipeline(name = "waits-for-exit")]
fn waits_for_exit() {
    let cleanup = show_str("cleanup");
    ExitHandler::new(&cleanup).run(|| {
        show_str("work");
    });
    show_str("late").after(&cleanup);
}

#[test]
fn nothing_waits_for_the_exit_task() {
    for target in [Target::V1, Target::V2] {
        assert_eq!(
            one_error(&waits_for_exit(), target),
            "`exit-handler`: task `show-str-3` waits for the exit task `show-str`, which runs \
             after everything else"
        );
    }
}

#[pipeline(name = "bad-field")]
fn bad_field() {
    ParallelFor::new([serde_json::json!({"a-b": 1})]).run(|item| {
        show_int(item.field("a-b"));
    });
}

#[test]
fn a_field_name_must_be_an_identifier_on_v2() {
    assert_eq!(
        one_error(&bad_field(), Target::V2),
        "`for-loop-2`: its item's field `a-b` is not a valid field name on KFP v2: use letters, \
         digits and `_`, not starting with a digit"
    );
}

#[component(base_image = "python:3.11")]
fn status_text(status: TaskFinalStatus) -> String {
    format!(
        "{} {:?} {:?}",
        status.state, status.error_code, status.error_message
    )
}

/// Runs `status_text` in this process the way KFP v2 runs it in the pod, with `status` (if
/// any) as the driver fills it in; the exit status and what it wrote.
fn run_status_text(status: Option<Value>) -> (u8, String) {
    let dir = out_dir("status");
    let out = dir.join("Output");
    let mut values = serde_json::Map::new();
    if let Some(s) = status {
        values.insert("status".into(), s);
    }
    let input = serde_json::json!({
        "inputs": {"parameterValues": values},
        "outputs": {
            "parameters": {"Output": {"outputFile": out.to_string_lossy()}},
            "outputFile": dir.join("executor_output.json").to_string_lossy(),
        },
    });
    let argv: Vec<String> = [
        "--executor_input",
        &input.to_string(),
        "--function_to_execute",
        "status_text",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let code =
        kfp_core::__private::support::run_component(&[status_text::spec()], "status_text", &argv);
    let written = std::fs::read_to_string(&out).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    (code, written)
}

#[test]
fn an_exit_task_reads_the_final_status_from_the_executor_input() {
    let (code, written) = run_status_text(Some(serde_json::json!({
        "state": "FAILED",
        "pipelineJobResourceName": "runs/1",
        "pipelineTaskName": "exit-handler-1",
        "error": {"code": 9, "message": "fail-maybe failed"}
    })));
    assert_eq!(code, 0);
    assert!(
        written == "FAILED Some(9) Some(\"fail-maybe failed\")",
        "{written}"
    );
    // Without it (a task that is no exit task), the run is refused as a bad invocation.
    let (code, written) = run_status_text(None);
    assert_eq!((code, written.as_str()), (2, ""));
    let (code, _) = run_status_text(Some(serde_json::json!("FAILED")));
    assert_eq!(code, 2);
}

#[pipeline(name = "group-cycle")]
fn group_cycle() {
    let a = get_num();
    let mut inner = None;
    ParallelFor::new([1, 2]).run(|i| {
        inner = Some(show_int(i));
        show_int(a.output());
    });
    if let Some(b) = inner {
        a.after(&b);
    }
}

/// No two tasks wait for each other, but the loop waits for `get-num` (a task inside takes
/// its output) and `get-num` for the loop (it runs after a task inside).
#[test]
fn a_cycle_through_a_group_is_refused_on_both_targets() {
    for target in [Target::V1, Target::V2] {
        assert_eq!(
            errors(&group_cycle(), target),
            [BuildError::Cycle {
                tasks: vec!["get-num".into(), "for-loop-2".into()]
            }]
        );
    }
}
