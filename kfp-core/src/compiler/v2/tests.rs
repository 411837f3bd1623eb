//! Unit tests of `v2`.

use std::sync::Arc;

use super::*;
use crate::compiler::Target;
use crate::dsl::{add_task, build_pipeline, IntoArg, Task, TaskOutput};
use crate::error::BuildError;
use crate::runtime::{Invocation, RunError};
use crate::spec::component::{Implementation, InputSpec, OutputSpec};
use crate::spec::pipeline::Arg;

fn noop(_: &mut Invocation<'_>) -> Result<(), RunError> {
    Ok(())
}

fn component(
    key: &str,
    inputs: &[(&str, ParamKind, bool)],
    output: Option<ParamKind>,
) -> Arc<ComponentSpec> {
    let mut c = ComponentSpec::new(key, Implementation::Rust(noop));
    c.inputs = inputs
        .iter()
        .map(|&(name, kind, optional)| {
            let mut i = InputSpec::new(name, kind);
            i.rust_type = "T";
            i.optional = optional;
            i
        })
        .collect();
    c.outputs = output
        .into_iter()
        .map(|kind| OutputSpec::new("Output", kind))
        .collect();
    Arc::new(c)
}

fn compile_v2(p: &Pipeline) -> String {
    Compiler::new()
        .binary_path("/usr/local/bin/demo")
        .compile(p, Target::V2)
        .unwrap()
}

/// Two uses of one component fed by a parameter, an upstream output, constants and
/// `after`; caching off and a display name on the second.
fn demo() -> Pipeline {
    let make = component(
        "make_list",
        &[("n", ParamKind::Integer, false)],
        Some(ParamKind::List),
    );
    let show = component(
        "show",
        &[
            ("items", ParamKind::List, false),
            ("cfg", ParamKind::Struct, false),
            ("note", ParamKind::String, true),
        ],
        None,
    );
    build_pipeline(
        "Demo_Pipeline",
        Some("Line one\nLine two: not: yaml"),
        |params| {
            let n = params.param::<i64>("n", Some(7));
            params.param::<String>("label", Some("it's".to_owned()));
            params.param::<Option<f64>>("ratio", None);
            let made: Task<TaskOutput<Vec<i64>>> =
                add_task(make.clone(), vec![Some(IntoArg::<i64>::into_arg(n))]);
            let first: Task<()> = add_task(
                show.clone(),
                vec![
                    Some(IntoArg::<Vec<i64>>::into_arg(made.output())),
                    Some(Arg::Constant(json!({"k": [1, 2.5, "x"]}))),
                    Some(Arg::Constant(Value::Null)),
                ],
            );
            let _second: Task<()> = add_task(
                show.clone(),
                vec![
                    Some(Arg::Constant(json!([3]))),
                    Some(Arg::Constant(json!({}))),
                    Some(Arg::Constant(json!("hi"))),
                ],
            )
            .after(&first)
            .after(&made)
            .set_display_name("Second show")
            .set_caching_options(false);
        },
    )
}

#[test]
fn compiles_tasks_components_and_executors_like_kfp() {
    let text = compile_v2(&demo());
    let docs = yaml::from_str_multi(&text).unwrap();
    assert_eq!(
        docs.len(),
        1,
        "no Kubernetes settings, so no PlatformSpec:\n{text}"
    );
    let ir = &docs[0];
    let keys: Vec<&String> = ir.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "components",
            "deploymentSpec",
            "pipelineInfo",
            "root",
            "schemaVersion",
            "sdkVersion"
        ]
    );
    assert_eq!(ir["schemaVersion"], "2.1.0");
    assert_eq!(ir["sdkVersion"], SDK_VERSION);
    assert_eq!(ir["pipelineInfo"]["name"], "demo-pipeline");
    assert_eq!(
        ir["pipelineInfo"]["description"],
        "Line one\nLine two: not: yaml"
    );

    // One component and one executor per task, even for the same component.
    let comps = ir["components"].as_object().unwrap();
    let names: Vec<&String> = comps.keys().collect();
    assert_eq!(names, ["comp-make-list", "comp-show", "comp-show-2"]);
    assert_eq!(comps["comp-show-2"]["executorLabel"], "exec-show-2");
    let show_inputs = &comps["comp-show"]["inputDefinitions"]["parameters"];
    assert_eq!(show_inputs["items"]["parameterType"], "LIST");
    assert_eq!(show_inputs["cfg"]["parameterType"], "STRUCT");
    assert_eq!(
        show_inputs["note"],
        json!({"isOptional": true, "parameterType": "STRING"})
    );
    assert!(comps["comp-show"].get("outputDefinitions").is_none());
    assert_eq!(
        comps["comp-make-list"]["outputDefinitions"]["parameters"]["Output"]["parameterType"],
        "LIST"
    );
    let exec = &ir["deploymentSpec"]["executors"]["exec-show-2"]["container"];
    assert_eq!(
        exec["args"],
        json!(["--executor_input", "{{$}}", "--function_to_execute", "show"])
    );
    assert_eq!(
        exec["command"],
        json!(["/usr/local/bin/demo", "component", "show"])
    );
    assert_eq!(exec["image"], DEFAULT_IMAGE);

    let tasks = &ir["root"]["dag"]["tasks"];
    assert_eq!(
        tasks["make-list"]["inputs"]["parameters"]["n"],
        json!({"componentInputParameter": "n"})
    );
    assert_eq!(
        tasks["make-list"]["cachingOptions"],
        json!({"enableCache": true})
    );
    assert!(tasks["make-list"].get("dependentTasks").is_none());
    let show = &tasks["show"];
    assert_eq!(
        show["inputs"]["parameters"]["items"],
        json!({"taskOutputParameter": {"outputParameterKey": "Output", "producerTask": "make-list"}})
    );
    // A `None` for an optional input leaves the input out.
    assert!(show["inputs"]["parameters"].get("note").is_none());
    assert_eq!(show["dependentTasks"], json!(["make-list"]));
    assert_eq!(show["taskInfo"]["name"], "show");
    let second = &tasks["show-2"];
    assert_eq!(second["dependentTasks"], json!(["make-list", "show"]));
    assert_eq!(second["cachingOptions"], json!({}));
    assert_eq!(second["taskInfo"]["name"], "Second show");
    assert_eq!(second["componentRef"]["name"], "comp-show-2");
    assert_eq!(
        second["inputs"]["parameters"]["note"],
        json!({"runtimeValue": {"constant": "hi"}})
    );

    let inputs = &ir["root"]["inputDefinitions"]["parameters"];
    assert_eq!(
        inputs["n"],
        json!({"defaultValue": 7.0, "isOptional": true, "parameterType": "NUMBER_INTEGER"})
    );
    assert_eq!(
        inputs["ratio"],
        json!({"isOptional": true, "parameterType": "NUMBER_DOUBLE"})
    );
    assert_eq!(inputs["label"]["defaultValue"], "it's");
}

#[test]
fn integers_are_written_as_doubles_even_when_nested() {
    let text = compile_v2(&demo());
    assert!(text.contains("defaultValue: 7.0\n"), "{text}");
    let ir: Value = yaml::from_str(&text).unwrap();
    let tasks = &ir["root"]["dag"]["tasks"];
    let k = &tasks["show"]["inputs"]["parameters"]["cfg"]["runtimeValue"]["constant"]["k"];
    assert_eq!(*k, json!([1.0, 2.5, "x"]));
    assert!(k[0].is_f64(), "{text}");
    let items = &tasks["show-2"]["inputs"]["parameters"]["items"]["runtimeValue"]["constant"];
    assert!(items[0].is_f64(), "{text}");
    assert_eq!(
        ir_value(&json!({"a": [1, -2, 2.5, "3"]})),
        json!({"a": [1.0, -2.0, 2.5, "3"]})
    );
    assert!(ir_value(&json!(3)).is_f64());
    assert!(!json!(3).is_f64());
}

#[test]
fn header_follows_kfp_and_cannot_turn_into_yaml() {
    let text = compile_v2(&demo());
    let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
    assert_eq!(
        header,
        [
            "# PIPELINE DEFINITION",
            "# Name: demo-pipeline",
            "# Description: Line one",
            "#              Line two: not: yaml",
            "# Inputs:",
            "#    label: str [Default: \"it's\"]",
            "#    n: int [Default: 7.0]",
            "#    ratio: float",
        ]
    );
    assert!(text
        .lines()
        .nth(header.len())
        .unwrap()
        .starts_with("components:"));

    let p = build_pipeline("p", Some("a\u{2028}b: 1\r\nc\u{7}"), |params| {
        params.param::<String>("s", Some("x\ny: 1".to_owned()));
        let _: Task<()> = add_task(component("f", &[], None), vec![]);
    });
    let text = compile_v2(&p);
    assert!(
        text.contains("# Description: a\n#              b: 1\n#              c\\x07\n"),
        "{text}"
    );
    assert!(
        text.contains("#    s: str [Default: 'x\\ny: 1']\n"),
        "{text}"
    );
    let doc: Value = yaml::from_str(&text).unwrap();
    assert!(doc.get("b").is_none() && doc.get("y").is_none());
}

#[test]
fn packages_get_a_pip_prelude_without_kfp() {
    let mut c = ComponentSpec::test("train");
    let compiler = Compiler::new().binary_path("/usr/local/bin/yolo pipe");
    assert_eq!(
        executor_command(&compiler, &c),
        ["/usr/local/bin/yolo pipe", "component", "train"]
    );
    c.packages = vec![
        "ultralytics".into(),
        "opencv-python==4.8.0.74".into(),
        "a'b; rm -rf /".into(),
    ];
    let cmd = executor_command(&compiler, &c);
    assert_eq!(cmd[..2], ["sh", "-c"]);
    assert_eq!(cmd[3..], ["/usr/local/bin/yolo pipe", "component", "train"]);
    assert!(
        cmd[2].starts_with("\nif ! [ -x \"$(command -v pip)\" ]; then\n"),
        "{}",
        cmd[2]
    );
    assert!(
        cmd[2].ends_with(
            "--no-warn-script-location 'ultralytics' 'opencv-python==4.8.0.74' 'a'\\''b; rm -rf /' && \"$0\" \"$@\"\n"
        ),
        "{}",
        cmd[2]
    );
    assert!(!cmd[2].contains("kfp=="));
}

#[test]
fn kubernetes_settings_add_a_platform_spec() {
    let p = build_pipeline("k8s", None, |_| {
        let c = component("f", &[], None);
        let _: Task<()> = add_task(c.clone(), vec![]);
        let _: Task<()> = add_task(c, vec![])
            .add_node_selector("disk", "ssd")
            .set_cpu_limit("2")
            .set_retry(3);
    });
    let text = compile_v2(&p);
    let docs = yaml::from_str_multi(&text).unwrap();
    assert_eq!(docs.len(), 2, "{text}");
    let executors = docs[1]["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
        .as_object()
        .unwrap();
    assert_eq!(executors.keys().collect::<Vec<_>>(), ["exec-f-2"]);
    assert_eq!(
        executors["exec-f-2"]["nodeSelector"]["labels"]["disk"],
        "ssd"
    );
    let ir = &docs[0];
    assert_eq!(
        ir["deploymentSpec"]["executors"]["exec-f-2"]["container"]["resources"]["resourceCpuLimit"],
        "2"
    );
    assert_eq!(
        ir["root"]["dag"]["tasks"]["f-2"]["retryPolicy"]["maxRetryCount"],
        3
    );
    assert!(ir["root"]["dag"]["tasks"]["f"].get("retryPolicy").is_none());
}

#[test]
fn files_are_artifacts_in_the_ir() {
    use crate::artifact::{ArtifactKind, Dataset, Model};
    let mut dataset = OutputSpec::new("dataset_path", ParamKind::String);
    dataset.artifact = Some(Dataset::TYPE);
    let make = ComponentSpec::new("make_dataset", Implementation::Rust(noop)).with_output(dataset);
    let mut fit = (*component(
        "fit",
        &[
            ("data_path", ParamKind::String, false),
            ("epochs", ParamKind::Integer, false),
        ],
        Some(ParamKind::Float),
    ))
    .clone();
    let mut model = OutputSpec::new("model", ParamKind::String);
    model.artifact = Some(Model::TYPE);
    fit.outputs.push(model);
    fit.inputs[0].artifact = Some(Dataset::TYPE);
    let (make, fit) = (Arc::new(make), Arc::new(fit));
    let p = build_pipeline("files", None, |_| {
        let data: Task<()> = add_task(make.clone(), vec![]);
        let output = Arg::Output {
            task: data.id(),
            output: "dataset_path".into(),
        };
        let _: Task<()> = add_task(
            fit.clone(),
            vec![Some(output), Some(Arg::Constant(json!(2)))],
        );
    });
    let ir: Value = yaml::from_str(&compile_v2(&p)).unwrap();
    let dataset =
        json!({"artifactType": {"schemaTitle": "system.Dataset", "schemaVersion": "0.0.1"}});
    assert_eq!(
        ir["components"]["comp-make-dataset"]["outputDefinitions"],
        json!({"artifacts": {"dataset_path": dataset}})
    );
    let fit_comp = &ir["components"]["comp-fit"];
    assert_eq!(
        fit_comp["inputDefinitions"]["artifacts"],
        json!({"data_path": dataset})
    );
    assert_eq!(
        fit_comp["inputDefinitions"]["parameters"],
        json!({"epochs": {"parameterType": "NUMBER_INTEGER"}})
    );
    assert_eq!(
        fit_comp["outputDefinitions"],
        json!({
            "artifacts": {"model": {"artifactType": {"schemaTitle": "system.Model", "schemaVersion": "0.0.1"}}},
            "parameters": {"Output": {"parameterType": "NUMBER_DOUBLE"}},
        })
    );
    let task = &ir["root"]["dag"]["tasks"]["fit"];
    assert_eq!(
        task["inputs"]["artifacts"]["data_path"],
        json!({"taskOutputArtifact": {"outputArtifactKey": "dataset_path", "producerTask": "make-dataset"}})
    );
    assert_eq!(
        task["inputs"]["parameters"]["epochs"]["runtimeValue"]["constant"],
        2.0
    );
    assert_eq!(task["dependentTasks"], json!(["make-dataset"]));
}

#[test]
fn names_that_sanitise_to_nothing_are_refused() {
    let p = build_pipeline("__", None, |_| {
        let _: Task<()> = add_task(component("f", &[], None), vec![]);
    });
    let err = Compiler::new().compile(&p, Target::V2).unwrap_err();
    assert!(
        err.errors.contains(&BuildError::InvalidPipelineName {
            name: "__".into(),
            sanitized: String::new(),
        }),
        "{err}"
    );
    assert!(
        err.to_string().contains("^[a-z0-9][a-z0-9-]{0,127}$"),
        "{err}"
    );
}

#[test]
fn many_tasks_compile_in_one_pass() {
    // A chain: each task consumes the previous one's output.
    let c = component(
        "step",
        &[("x", ParamKind::Integer, false)],
        Some(ParamKind::Integer),
    );
    let p = build_pipeline("chain", None, |_| {
        let mut prev: Task<TaskOutput<i64>> =
            add_task(c.clone(), vec![Some(Arg::Constant(json!(0)))]);
        for _ in 1..3000 {
            prev = add_task(
                c.clone(),
                vec![Some(IntoArg::<i64>::into_arg(prev.output()))],
            );
        }
    });
    let spec = pipeline_spec(&Compiler::new(), &p);
    let tasks = spec["root"]["dag"]["tasks"].as_object().unwrap();
    assert_eq!(tasks.len(), 3000);
    assert_eq!(tasks["step-3000"]["dependentTasks"], json!(["step-2999"]));
    assert_eq!(spec["components"].as_object().unwrap().len(), 3000);
}

/// A task of `c` taking `args`, in the pipeline being built.
fn run(c: &Arc<ComponentSpec>, args: Vec<Arg>) -> Task<TaskOutput<i64>> {
    add_task(c.clone(), args.into_iter().map(Some).collect())
}

fn show() -> Arc<ComponentSpec> {
    component("show", &[("x", ParamKind::Integer, false)], None)
}

fn make() -> Arc<ComponentSpec> {
    component("make", &[], Some(ParamKind::Integer))
}

#[test]
fn trigger_conditions_promote_types_like_kfp() {
    use crate::control::ParallelFor;
    let show = show();
    let p = build_pipeline("cel", None, |params| {
        let ratio = params.param::<f64>("ratio", None);
        let word = params.param::<String>("word", None);
        let n = params.param::<i64>("n", None);
        let flag = params.param::<bool>("flag", None);
        // An int constant against a float: `double(..)`.
        let mut c = ratio.at_least(0.5);
        c.rhs = Arg::Constant(json!(3));
        c.then(|| run(&show, vec![Arg::Constant(json!(1))]));
        // A quote in a string is escaped.
        word.equals("it's")
            .then(|| run(&show, vec![Arg::Constant(json!(1))]));
        // An int against a string: both compared as strings, kfp's way.
        let mut c = n.less_than(3);
        c.rhs = Arg::Constant(json!("x"));
        c.then(|| run(&show, vec![Arg::Constant(json!(1))]));
        // An int constant against a boolean: kfp's inversion, `0` is `true`.
        let mut c = flag.equals(true);
        c.rhs = Arg::Constant(json!(0));
        c.then(|| run(&show, vec![Arg::Constant(json!(1))]));
        // A float against a boolean cannot be written.
        let mut c = flag.equals(true);
        c.rhs = Arg::Constant(json!(1.5));
        c.then(|| run(&show, vec![Arg::Constant(json!(1))]));
        // A static list's field is typed after the first value of the first item.
        ParallelFor::new([json!({"on": true, "size": 640})]).run(|item| {
            item.field::<i64>("size")
                .greater_than(100)
                .then(|| run(&show, vec![Arg::Constant(json!(1))]));
        });
    });
    let cx = super::channels::Context::new(&p);
    let conditions: Vec<Result<String, String>> = (0..p.groups.len())
        .filter(|&g| !p.groups[g].conditions().is_empty())
        .map(|g| cx.trigger_condition(g))
        .collect();
    assert_eq!(
        conditions,
        [
            Ok("inputs.parameter_values['pipelinechannel--ratio'] >= double(3)".to_owned()),
            Ok("inputs.parameter_values['pipelinechannel--word'] == 'it\\'s'".to_owned()),
            Ok("'int(inputs.parameter_values['pipelinechannel--n'])' < 'x'".to_owned()),
            Ok("inputs.parameter_values['pipelinechannel--flag'] == true".to_owned()),
            Err("it compares a boolean with 1.5, which kfp cannot write as a condition".to_owned()),
            // `size` is a boolean, after `on`: `100` becomes kfp's `false`.
            Ok(
                "inputs.parameter_values['pipelinechannel--loop-item-param-6-subvar-size'] > false"
                    .to_owned()
            ),
        ]
    );
}

#[test]
fn a_loop_over_an_output_takes_the_list_and_hands_each_item_down() {
    use crate::control::ParallelFor;
    let (show, make) = (show(), make());
    let list = component("list", &[], Some(ParamKind::List));
    let p = build_pipeline("loops", None, |params| {
        let limit = params.param::<i64>("limit", Some(2));
        let made = run(&list, vec![]);
        let out: TaskOutput<Vec<i64>> = TaskOutput::new(made.id(), "Output");
        ParallelFor::over_output(out).parallelism(3).run(|item| {
            let m = run(&make, vec![]);
            m.output().equals(item).then(|| {
                run(&show, vec![IntoArg::<i64>::into_arg(limit)]);
            });
        });
    });
    let ir: Value = yaml::from_str_multi(&compile_v2(&p)).unwrap().remove(0);
    let task = &ir["root"]["dag"]["tasks"]["for-loop-1"];
    assert_eq!(task["dependentTasks"], json!(["list"]));
    assert_eq!(task["iteratorPolicy"], json!({"parallelismLimit": 3}));
    assert_eq!(
        task["parameterIterator"],
        json!({"itemInput": "pipelinechannel--list-Output-loop-item",
               "items": {"inputParameter": "pipelinechannel--list-Output"}})
    );
    assert_eq!(
        task["inputs"]["parameters"],
        json!({
            "pipelinechannel--limit": {"componentInputParameter": "limit"},
            "pipelinechannel--list-Output": {"taskOutputParameter": {
                "outputParameterKey": "Output", "producerTask": "list"}},
        })
    );
    let inner = &ir["components"]["comp-for-loop-1"];
    assert_eq!(
        inner["inputDefinitions"]["parameters"]["pipelinechannel--list-Output-loop-item"],
        json!({"parameterType": "NUMBER_INTEGER"})
    );
    let condition = &inner["dag"]["tasks"]["condition-2"];
    assert_eq!(condition["dependentTasks"], json!(["make"]));
    assert_eq!(
        condition["triggerPolicy"]["condition"],
        "int(inputs.parameter_values['pipelinechannel--make-Output']) == \
         int(inputs.parameter_values['pipelinechannel--list-Output-loop-item'])"
    );
    assert_eq!(
        ir["components"]["comp-condition-2"]["dag"]["tasks"]["show"]["inputs"]["parameters"]["x"],
        json!({"componentInputParameter": "pipelinechannel--limit"})
    );
}

#[test]
fn a_collected_output_leaves_each_loop_on_the_way_out() {
    use crate::control::ParallelFor;
    let make = make();
    let total = component("total", &[("values", ParamKind::List, false)], None);
    let p = build_pipeline("fan-in", None, |_| {
        let squares = ParallelFor::new([1, 2])
            .run(|_| ParallelFor::new([3, 4]).run(|_| run(&make, vec![]).output()));
        add_task::<()>(
            total.clone(),
            vec![Some(IntoArg::<Vec<i64>>::into_arg(squares))],
        );
    });
    let ir: Value = yaml::from_str_multi(&compile_v2(&p)).unwrap().remove(0);
    let out = "pipelinechannel--make-Output";
    let outer = &ir["components"]["comp-for-loop-2"];
    assert_eq!(
        outer["dag"]["outputs"]["parameters"][out],
        json!({"valueFromParameter": {"outputParameterKey": out, "producerSubtask": "for-loop-4"}})
    );
    assert_eq!(
        outer["outputDefinitions"]["parameters"][out],
        json!({"parameterType": "LIST"})
    );
    assert_eq!(
        ir["components"]["comp-for-loop-4"]["dag"]["outputs"]["parameters"][out],
        json!({"valueFromParameter": {"outputParameterKey": "Output", "producerSubtask": "make"}})
    );
    let total = &ir["root"]["dag"]["tasks"]["total"];
    assert_eq!(total["dependentTasks"], json!(["for-loop-2"]));
    assert_eq!(
        total["inputs"]["parameters"]["values"],
        json!({"taskOutputParameter": {"outputParameterKey": out, "producerTask": "for-loop-2"}})
    );
}

#[test]
fn an_elif_wraps_the_if_which_gives_up_its_number() {
    use crate::control::{GroupKind, ParallelFor};
    let show = show();
    let p = build_pipeline("branches", None, |params| {
        let n = params.param::<i64>("n", None);
        n.equals(1)
            .then(|| {
                ParallelFor::new([1]).run(|_| run(&show, vec![Arg::Constant(json!(1))]));
            })
            .elif(n.equals(2), || run(&show, vec![Arg::Constant(json!(2))]))
            .elif(n.equals(3), || run(&show, vec![Arg::Constant(json!(3))]))
            .otherwise(|| run(&show, vec![Arg::Constant(json!(4))]));
        run(&show, vec![Arg::Constant(json!(5))]);
    });
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let groups: Vec<(String, Option<usize>)> =
        p.groups.iter().map(|g| (g.v2_name(), g.parent)).collect();
    assert_eq!(
        groups,
        [
            ("condition-4".to_owned(), Some(2)),
            ("for-loop-3".to_owned(), Some(0)),
            ("condition-branches-1".to_owned(), None),
            ("condition-5".to_owned(), Some(2)),
            ("condition-6".to_owned(), Some(2)),
            ("condition-7".to_owned(), Some(2)),
        ]
    );
    assert!(matches!(p.groups[2].kind, GroupKind::Branches));
    // The task after the chain is outside it.
    assert_eq!(p.tasks.last().map(|t| t.group), Some(None));
    let cx = super::channels::Context::new(&p);
    assert_eq!(
        cx.trigger_condition(5).unwrap(),
        "!(int(inputs.parameter_values['pipelinechannel--n']) == 1) && \
         !(int(inputs.parameter_values['pipelinechannel--n']) == 2) && \
         !(int(inputs.parameter_values['pipelinechannel--n']) == 3)"
    );
}

#[test]
fn the_exit_task_waits_for_its_group_and_reads_its_status() {
    use crate::control::ExitHandler;
    let show = show();
    let mut status = InputSpec::new("status", ParamKind::Struct);
    status.rust_type = "TaskFinalStatus";
    status.optional = true;
    status.final_status = true;
    let report = ComponentSpec::new("report", Implementation::Rust(noop)).with_input(status);
    let report = Arc::new(report);
    let p = build_pipeline("exit", None, |_| {
        let exit: Task<()> = add_task(report.clone(), vec![None]);
        ExitHandler::new(&exit)
            .named("work")
            .run(|| run(&show, vec![Arg::Constant(json!(1))]));
    });
    let ir: Value = yaml::from_str_multi(&compile_v2(&p)).unwrap().remove(0);
    let tasks = &ir["root"]["dag"]["tasks"];
    assert_eq!(
        tasks["report"],
        json!({
            "cachingOptions": {"enableCache": true},
            "componentRef": {"name": "comp-report"},
            "dependentTasks": ["exit-handler-1"],
            "inputs": {"parameters": {"status": {"taskFinalStatus": {"producerTask": "exit-handler-1"}}}},
            "taskInfo": {"name": "report"},
            "triggerPolicy": {"strategy": "ALL_UPSTREAM_TASKS_COMPLETED"},
        })
    );
    assert_eq!(tasks["exit-handler-1"]["taskInfo"], json!({"name": "work"}));
    assert_eq!(
        ir["components"]["comp-report"]["inputDefinitions"]["parameters"]["status"],
        json!({"isOptional": true, "parameterType": "TASK_FINAL_STATUS"})
    );
}
