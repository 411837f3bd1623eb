//! The kfp features of issue 15 beyond what the golden files show: what each target refuses,
//! as typed errors naming the task, and the values each setting checks.

use kfp_core::prelude::*;
use kfp_core::{BuildError, CompileError};
use serde_json::Value;

fn compile(p: &Pipeline, target: Target) -> Result<String, CompileError> {
    Compiler::new()
        .binary_path("/usr/local/bin/features")
        .compile(p, target)
}

fn yaml(p: &Pipeline, target: Target) -> Value {
    let text = compile(p, target).unwrap_or_else(|e| panic!("{e}"));
    kfp_core::__private::support::yaml::from_str(text.split("\n---\n").next().unwrap()).unwrap()
}

fn template<'a>(workflow: &'a Value, name: &str) -> &'a Value {
    workflow["spec"]["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no template {name}"))
}

#[component]
fn step(n: i64) {
    println!("{n}");
}

#[test]
fn max_cache_staleness_is_refused_on_v2_naming_the_task() {
    let p = kfp_examples::pod_metadata::pod_metadata_v1();
    let err = compile(&p, Target::V2).expect_err("v2 has no max_cache_staleness");
    assert_eq!(err.errors.len(), 1, "{err}");
    match &err.errors[0] {
        BuildError::Unsupported { task, message } => {
            assert_eq!(task, "show");
            assert!(
                message.contains("set_max_cache_staleness(\"P0D\")"),
                "{message}"
            );
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(compile(&p, Target::V1).is_ok());
}

#[test]
fn caching_off_on_v1_is_the_label_alone() {
    let p = kfp_core::build_pipeline("caching", None, |_| {
        step::task(1).set_caching_options(false);
        step::task(2).set_max_cache_staleness("P30D");
    });
    let w = yaml(&p, Target::V1);
    let off = &template(&w, "step")["metadata"];
    assert_eq!(
        off["labels"]["pipelines.kubeflow.org/enable_caching"],
        "false"
    );
    assert!(off["annotations"]
        .get("pipelines.kubeflow.org/max_cache_staleness")
        .is_none());
    let stale = &template(&w, "step-2")["metadata"];
    assert_eq!(
        stale["labels"]["pipelines.kubeflow.org/enable_caching"],
        "true"
    );
    assert_eq!(
        stale["annotations"]["pipelines.kubeflow.org/max_cache_staleness"],
        "P30D"
    );
}

#[test]
fn pod_metadata_values_are_checked() {
    let p = kfp_core::build_pipeline("bad-metadata", None, |_| {
        step::task(1)
            .add_pod_label("app", "not ok!")
            .add_pod_label("bad key", "x")
            .add_pod_annotation("-nope", "anything")
            .set_max_cache_staleness("30 days");
    });
    let settings: Vec<(String, String, String)> = p
        .errors
        .iter()
        .map(|e| match e {
            BuildError::InvalidSetting {
                task,
                setting,
                value,
                ..
            } => (task.clone(), setting.clone(), value.clone()),
            other => panic!("unexpected error {other:?}"),
        })
        .collect();
    let want = |s: &str, v: &str| ("step".to_owned(), s.to_owned(), v.to_owned());
    assert_eq!(
        settings,
        vec![
            want("add_pod_label", "not ok!"),
            want("add_pod_label", "bad key"),
            want("add_pod_annotation", "-nope"),
            want("set_max_cache_staleness", "30 days"),
        ]
    );
    assert!(compile(&p, Target::V1).is_err());
}

#[test]
fn a_pod_label_set_twice_keeps_the_last_value() {
    let p = kfp_core::build_pipeline("relabel", None, |_| {
        step::task(1)
            .add_pod_label("app", "one")
            .add_pod_label("app", "two");
    });
    let text = compile(&p, Target::V2).unwrap();
    assert!(text.contains("podMetadata:\n"), "{text}");
    assert!(text.contains("app: two"), "{text}");
    assert!(!text.contains("app: one"), "{text}");
}

fn annotation_json(template: &Value, key: &str) -> Value {
    let text = template["metadata"]["annotations"][key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key}"));
    serde_json::from_str(text).unwrap()
}

#[test]
fn an_untyped_value_input_is_refused_on_v2_naming_each_task() {
    let p = kfp_examples::untyped_inputs::untyped_inputs();
    assert!(compile(&p, Target::V1).is_ok());
    let err = compile(&p, Target::V2).expect_err("kfp 2 refuses untyped values");
    let tasks: Vec<&str> = err
        .errors
        .iter()
        .map(|e| match e {
            BuildError::Unsupported { task, message } => {
                assert!(
                    message.contains("input `anything` has no type"),
                    "{message}"
                );
                task.as_str()
            }
            other => panic!("unexpected error {other:?}"),
        })
        .collect();
    assert_eq!(tasks, ["untyped", "untyped-2", "untyped-3", "untyped-4"]);
}

#[test]
fn an_untyped_input_takes_a_constant_as_text_on_v1() {
    let w = yaml(&kfp_examples::untyped_inputs::untyped_inputs(), Target::V1);
    let t = template(&w, "untyped");
    assert_eq!(t["container"]["command"][3], "5");
    assert_eq!(
        annotation_json(t, "pipelines.kubeflow.org/arguments.parameters")["anything"],
        "5"
    );
}

#[test]
fn the_ir_loader_keeps_descriptions_and_names() {
    let p = kfp_examples::loaded_io::loaded_io();
    let w = yaml(&p, Target::V1);
    let spec = annotation_json(
        template(&w, "shout"),
        "pipelines.kubeflow.org/component_spec",
    );
    assert_eq!(spec["inputs"][0]["description"], "The word to shout.");
    let outputs: Vec<(&str, &str)> = spec["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap(),
                o["description"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outputs,
        [
            ("Shouted", "The shouted word."),
            ("data", "A file with it.")
        ]
    );
    // On v2 the names stay as the IR has them, in the definitions and the placeholders.
    let ir = compile(&p, Target::V2).unwrap();
    assert!(ir.contains("outputParameterKey: Output\n"), "{ir}");
    // (YAML writes `'` as `''` inside single quotes.)
    assert!(
        ir.contains("{{$.outputs.parameters[''Shouted''].output_file}}"),
        "{ir}"
    );
    assert!(!ir.contains("''shouted''"), "{ir}");
}

#[test]
fn delete_pvc_on_v1_is_kfp_s_kubectl_step() {
    // The v2 port compiles for v1 too: `DeletePvc` becomes `VolumeOp.delete()`'s step.
    let w = yaml(&kfp_examples::volumes::volumes(), Target::V1);
    let delete = template(&w, "deletepvc");
    assert_eq!(
        delete["container"]["image"],
        "gcr.io/cloud-builders/kubectl"
    );
    assert_eq!(
        delete["container"]["command"][3],
        "{{inputs.parameters.createpvc-name}}"
    );
    assert_eq!(delete["inputs"]["parameters"][0]["name"], "createpvc-name");
    assert!(delete["metadata"].get("annotations").is_none());
}

#[test]
fn a_volume_name_is_refused_on_v2_naming_the_task() {
    let err = compile(&kfp_examples::volumes_v1::volumes(), Target::V2)
        .expect_err("KFP v2 names mounted volumes itself");
    assert_eq!(err.errors.len(), 1, "{err}");
    assert!(
        matches!(&err.errors[0], BuildError::Unsupported { task, message }
            if task == "read-2" && message.contains("\"shared\"")),
        "{err}"
    );
}

#[test]
fn a_created_pvc_s_settings_are_checked() {
    use kfp_core::volumes::CreatePvc;
    let p = kfp_core::build_pipeline("bad-pvc", None, |_| {
        let pvc = CreatePvc::new("My_PVC", "lots", ["ReadWriteSometimes"])
            .storage_class("Fast SSD")
            .task();
        step::task(1)
            .mount_pvc_from(pvc.output::<String>("name"), "data")
            .mount_pvc_with_volume_name("claim", "Bad_Name", "/x");
    });
    let got: Vec<(String, String)> = p
        .errors
        .iter()
        .map(|e| match e {
            BuildError::InvalidSetting {
                task,
                setting,
                value,
                ..
            } => (format!("{task}.{setting}"), value.clone()),
            other => panic!("unexpected error {other:?}"),
        })
        .collect();
    let want = |s: &str, v: &str| (s.to_owned(), v.to_owned());
    assert_eq!(
        got,
        vec![
            want("createpvc.resource_name", "My_PVC"),
            want("createpvc.size", "lots"),
            want("createpvc.access_modes", "ReadWriteSometimes"),
            want("createpvc.storage_class", "Fast SSD"),
            want("step.mount_pvc_from", "data"),
            want("step.mount_pvc_with_volume_name", "Bad_Name"),
        ]
    );
}

#[test]
fn a_task_mounting_a_created_pvc_waits_for_it() {
    use kfp_core::volumes::CreatePvc;
    let p = kfp_core::build_pipeline("waits", None, |_| {
        let pvc = CreatePvc::new("scratch", "1Gi", ["ReadWriteOnce"]).task();
        step::task(1).mount_pvc_from(pvc.output::<String>("name"), "/scratch");
    });
    let w = yaml(&p, Target::V1);
    let root = template(&w, "waits");
    let step_task = root["dag"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "step")
        .unwrap();
    assert_eq!(step_task["dependencies"], serde_json::json!(["createpvc"]));
    let t = template(&w, "step");
    assert_eq!(
        t["volumes"][0]["persistentVolumeClaim"]["claimName"],
        "{{inputs.parameters.createpvc-name}}"
    );
    let ir: Value = kfp_core::__private::support::yaml::from_str(
        compile(&p, Target::V2)
            .unwrap()
            .split("\n---\n")
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        ir["root"]["dag"]["tasks"]["step"]["dependentTasks"],
        serde_json::json!(["createpvc"])
    );
}

#[test]
fn a_container_op_is_refused_on_v2_naming_each_task() {
    let p = kfp_examples::container_op::container_op();
    let err = compile(&p, Target::V2).expect_err("KFP v2 has no raw ContainerOp");
    let tasks: Vec<&str> = err
        .errors
        .iter()
        .map(|e| match e {
            BuildError::Unsupported { task, message } => {
                assert!(message.contains("KFP v1 only"), "{message}");
                task.as_str()
            }
            other => panic!("unexpected error {other:?}"),
        })
        .collect();
    assert_eq!(tasks, ["echo", "echo-again", "date"]);
}

#[test]
fn a_container_op_carries_no_component_annotations() {
    let w = yaml(&kfp_examples::container_op::container_op(), Target::V1);
    let again = template(&w, "echo-again");
    assert!(again["container"].get("args").is_none(), "{again}");
    assert!(again["metadata"].get("annotations").is_none(), "{again}");
    let echo = template(&w, "echo");
    assert_eq!(echo["outputs"]["artifacts"][1]["path"], "/tmp/out.txt");
    assert_eq!(
        template(&w, "date")["container"]["args"],
        serde_json::json!([])
    );
}

#[test]
fn a_container_op_s_file_outputs_are_checked() {
    use kfp_core::container_op::ContainerOp;
    let p = kfp_core::build_pipeline("bad-op", None, |_| {
        ContainerOp::new("op", "alpine")
            .file_output("out", "relative.txt")
            .file_output("twice", "/a")
            .file_output("twice", "/b")
            .task();
    });
    let settings: Vec<(&str, &str)> = p
        .errors
        .iter()
        .map(|e| match e {
            BuildError::InvalidSetting { setting, value, .. } => (setting.as_str(), value.as_str()),
            other => panic!("unexpected error {other:?}"),
        })
        .collect();
    assert_eq!(
        settings,
        [
            ("file_output `out`", "relative.txt"),
            ("file_output `twice`", "/b")
        ]
    );
}

#[test]
fn a_task_after_its_own_group_is_refused() {
    let p = kfp_core::build_pipeline("self-wait", None, |_| {
        let done = step::task(0);
        let (group, inner) = ExitHandler::new(&done).run_group(|| step::task(1));
        inner.after_group(&group);
    });
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    for target in [Target::V1, Target::V2] {
        let err = compile(&p, target).expect_err("a task cannot wait for its own group");
        assert!(
            err.errors
                .iter()
                .any(|e| matches!(e, BuildError::InvalidGroup { group, message }
                if group == "exit-handler-1" && message.contains("`step-2`"))),
            "{err}"
        );
    }
}

#[component]
fn word(w: String) -> String {
    w
}

fn one_of_errors(build: impl FnOnce()) -> Vec<String> {
    let p = kfp_core::build_pipeline("one-of", None, |_| build());
    match compile(&p, Target::V2) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .errors
            .iter()
            .map(|e| match e {
                BuildError::Unsupported { task, message } => format!("{task}: {message}"),
                other => format!("{other:?}"),
            })
            .collect(),
    }
}

#[test]
fn a_one_of_is_refused_on_v1_naming_the_task() {
    let err =
        compile(&kfp_examples::one_of::one_of(), Target::V1).expect_err("KFP v1 has no OneOf");
    assert!(
        err.errors
            .iter()
            .any(|e| matches!(e, BuildError::Unsupported { task, message }
            if task == "say" && message.contains("only KFP v2"))),
        "{err}"
    );
}

#[test]
fn a_one_of_kfp_refuses_is_a_typed_error() {
    use kfp_core::control::OneOf;
    // No `else`: none of the branches may run.
    let errs = one_of_errors(|| {
        let (mut a, mut b) = (None, None);
        word::task("x".to_owned())
            .output()
            .equals("x")
            .then(|| a = Some(word::task("a".to_owned()).output()))
            .elif(word::task("y".to_owned()).output().equals("y"), || {
                b = Some(word::task("b".to_owned()).output())
            });
        if let (Some(a), Some(b)) = (a, b) {
            word::task(OneOf::new([a, b]));
        }
    });
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("no `else`"), "{errs:?}");
    // An output from outside any branch.
    let errs = one_of_errors(|| {
        let outside = word::task("o".to_owned()).output();
        word::task(OneOf::new([outside]));
    });
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].starts_with("word-2: "), "{errs:?}");
    assert!(errs[0].contains("not directly inside a branch"), "{errs:?}");
    // Two outputs of one branch.
    let errs = one_of_errors(|| {
        let mut pair = None;
        word::task("x".to_owned())
            .output()
            .equals("x")
            .then(|| {
                pair = Some((
                    word::task("a".to_owned()).output(),
                    word::task("b".to_owned()).output(),
                ))
            })
            .otherwise(|| {
                word::task("c".to_owned());
            });
        if let Some((a, b)) = pair {
            word::task(OneOf::new([a, b]));
        }
    });
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("same branch"), "{errs:?}");
}

#[test]
fn collected_files_are_refused_on_v1_and_into_a_single_file_input() {
    let err = compile(
        &kfp_examples::collected_artifacts::collected_artifacts(),
        Target::V1,
    )
    .expect_err("KFP v1 has no fan-in");
    assert!(
        err.errors
            .iter()
            .any(|e| e.to_string().contains("count-files")),
        "{err}"
    );
    use kfp_core::reusable::{ContainerComponent, Placeholder};
    let p = kfp_core::build_pipeline("one-file", None, |_| {
        let files = ParallelFor::new([1, 2]).run(|n| {
            kfp_examples::collected_artifacts::make::task(n)
                .outputs()
                .data
        });
        let cat = ContainerComponent::new("cat", "alpine")
            .input("file", "Dataset")
            .command([
                Placeholder::Literal("cat".into()),
                Placeholder::InputPath("file".into()),
            ]);
        cat.task([("file", files.into())]);
    });
    let err = compile(&p, Target::V2).expect_err("one file cannot take a list");
    assert!(
        err.errors
            .iter()
            .any(|e| matches!(e, BuildError::Unsupported { task, message }
            if task == "cat" && message.contains("list of artifacts"))),
        "{err}"
    );
}
