//! Unit tests of `executor`.

use super::*;
use crate::spec::component::{InputSpec, OutputSpec};
use crate::types::ParamKind;

fn spec() -> ComponentSpec {
    let mut s = ComponentSpec::test("train");
    for (name, kind, rust_type, optional) in [
        ("checker", ParamKind::Boolean, "bool", false),
        ("epochs", ParamKind::Integer, "i64", false),
        ("note", ParamKind::String, "Option", true),
    ] {
        let mut input = InputSpec::new(name, kind);
        input.rust_type = rust_type;
        input.optional = optional;
        s.inputs.push(input);
    }
    s.outputs
        .push(OutputSpec::new("Output", ParamKind::Boolean));
    s
}

fn argv(input: &str) -> Vec<String> {
    vec![
        "--executor_input".to_owned(),
        input.to_owned(),
        "--function_to_execute".to_owned(),
        "train".to_owned(),
    ]
}

const GOOD: &str = r#"{"inputs": {"parameterValues": {"checker": true, "epochs": 3.0}},
    "outputs": {"parameters": {"Output": {"outputFile": "/tmp/kfp/outputs/Output"}},
                "outputFile": "/tmp/kfp_outputs/output_metadata.json"}}"#;

#[test]
fn reads_a_launcher_style_executor_input() {
    let spec = spec();
    let args = parse_argv(&spec, &argv(GOOD)).unwrap();
    assert_eq!(args.function.as_deref(), Some("train"));
    let ei = &args.executor_input;
    assert!(ei.input::<bool>(&spec, "checker").unwrap());
    assert_eq!(ei.input::<i64>(&spec, "epochs").unwrap(), 3);
    assert_eq!(ei.input::<Option<String>>(&spec, "note").unwrap(), None);
    assert_eq!(
        ei.output_parameters.get("Output").map(String::as_str),
        Some("/tmp/kfp/outputs/Output")
    );
    assert_eq!(
        ei.output_file.as_deref(),
        Some("/tmp/kfp_outputs/output_metadata.json")
    );
}

#[test]
fn v2_command_lines_are_recognised_by_their_first_flag() {
    assert!(is_v2_argv(&argv("{}")));
    assert!(is_v2_argv(&["--executor_input={}".to_owned()]));
    assert!(is_v2_argv(&["--function_to_execute".to_owned()]));
    assert!(!is_v2_argv(&[
        "--msg".to_owned(),
        "--executor_input".to_owned()
    ]));
    assert!(!is_v2_argv(&["--executor_inputs".to_owned()]));
    assert!(!is_v2_argv(&[]));
}

#[test]
fn malformed_executor_input_names_the_component_and_the_field() {
    let spec = spec();
    let cases = [
        ("{not json", "`--executor_input` is not valid JSON"),
        (
            "[1]",
            "the executor input is an array; expected a JSON object",
        ),
        (
            r#"{"inputs": 3}"#,
            "`inputs` is a number; expected a JSON object",
        ),
        (
            r#"{"inputs": {"parameterValues": "x"}}"#,
            "`inputs.parameterValues` is a string",
        ),
        (
            r#"{"outputs": {"parameters": {"Output": {"outputFile": 7}}}}"#,
            "`outputs.parameters.Output.outputFile` is a number; expected a string",
        ),
        (
            r#"{"outputs": {"artifacts": {"m": {"artifacts": [1]}}}}"#,
            "`outputs.artifacts.m.artifacts[0]` is a number",
        ),
        (
            r#"{"inputs": {"parameterValues": {}}}"#,
            "output `Output` has nowhere to go",
        ),
    ];
    for (input, expected) in cases {
        let err = parse_argv(&spec, &argv(input)).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("component `train`: "), "{text}");
        assert!(text.contains(expected), "{input}: {text}");
        assert_eq!(err.exit_code(), 2, "{input}");
    }
}

#[test]
fn bad_command_lines_exit_2() {
    let spec = spec();
    let cases: [(Vec<String>, &str); 5] = [
        (
            vec!["--executor_input".into()],
            "flag `--executor_input` needs a value",
        ),
        (
            vec!["--function_to_execute".into(), "train".into()],
            "missing required flag `--executor_input`",
        ),
        (
            vec![
                "--executor_input".into(),
                "{}".into(),
                "--executor_input".into(),
                "{}".into(),
            ],
            "given more than once",
        ),
        (
            vec![
                "--executor_input".into(),
                GOOD.into(),
                "--extra".into(),
                "1".into(),
            ],
            "unknown flag `--extra`",
        ),
        (
            vec![
                "--executor_input".into(),
                GOOD.into(),
                "--function_to_execute".into(),
                "verify".into(),
            ],
            "expected `train`, the function of this component",
        ),
    ];
    for (argv, expected) in cases {
        let err = parse_argv(&spec, &argv).unwrap_err();
        assert!(err.to_string().contains(expected), "{argv:?}: {err}");
        assert_eq!(err.exit_code(), 2);
    }
}

#[test]
fn wrong_and_missing_values_name_the_field() {
    let spec = spec();
    let ei = parse_executor_input(
        &spec,
        r#"{"inputs": {"parameterValues": {"checker": "maybe", "epochs": 2.5}}}"#,
    )
    .unwrap();
    let err = ei.input::<bool>(&spec, "checker").unwrap_err().to_string();
    assert!(err.contains("`inputs.parameterValues.checker`"), "{err}");
    assert!(err.contains("maybe"), "{err}");
    let err = ei.input::<i64>(&spec, "epochs").unwrap_err().to_string();
    assert!(err.contains("`inputs.parameterValues.epochs`"), "{err}");
    assert!(err.contains("2.5"), "{err}");
    let err = ei.input::<String>(&spec, "absent").unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(
        err.to_string()
            .contains("missing `inputs.parameterValues.absent` (expected `String`, a KFP String)"),
        "{err}"
    );
}

#[test]
fn parameter_files_hold_what_kfp_computes() {
    assert_eq!(parameter_text(&json!(true)), "True");
    assert_eq!(parameter_text(&json!(3)), "3");
    assert_eq!(parameter_text(&json!(2.0)), "2.0");
    assert_eq!(parameter_text(&json!("a b")), "a b");
    assert_eq!(parameter_text(&json!([1, "x"])), r#"[1, "x"]"#);
    // Insertion order, as Python's `json.dumps` without `sort_keys`.
    assert_eq!(
        parameter_text(&json!({"z": 1, "a": [2.5]})),
        r#"{"z": 1, "a": [2.5]}"#
    );
}

#[test]
fn executor_output_follows_kfp() {
    let spec = spec();
    let ei = parse_executor_input(
        &spec,
        r#"{"outputs": {"artifacts": {"model": {"artifacts": [
            {"name": "m1", "uri": "s3://bucket/x/model", "metadata": {"k": 1},
             "type": {"schemaTitle": "system.Model"}}]}}}}"#,
    )
    .unwrap();
    let a = &ei.output_artifacts["model"][0];
    assert_eq!(a.schema_title.as_deref(), Some("system.Model"));
    assert_eq!(a.local_path(), "/s3/bucket/x/model");
    let outputs = vec![
        OutputValue::new("sum", &2.5f64),
        OutputValue::new("ok", &true),
        OutputValue::new("none", &None::<String>),
    ];
    assert_eq!(
        pyjson::dumps(&ei.executor_output(&outputs), false),
        r#"{"parameterValues": {"sum": 2.5, "ok": true}, "artifacts": {"model": {"artifacts": [{"name": "m1", "uri": "s3://bucket/x/model", "metadata": {"k": 1}}]}}}"#
    );
    assert_eq!(
        pyjson::dumps(&ExecutorInput::default().executor_output(&[]), false),
        "{}"
    );
}

#[test]
fn artifact_paths_follow_kfp_mounts() {
    let path = |uri: &str| {
        RuntimeArtifact {
            uri: uri.to_owned(),
            ..RuntimeArtifact::default()
        }
        .local_path()
    };
    assert_eq!(path("gs://b/o"), "/gcs/b/o");
    assert_eq!(path("minio://b/o"), "/minio/b/o");
    assert_eq!(path("oci://reg/img:1"), "/oci/reg_img:1");
    assert_eq!(path("/local/file"), "/local/file");
}

fn artifact_spec() -> ComponentSpec {
    use crate::artifact::{ArtifactKind, Dataset, Model};
    let mut data = InputSpec::new("data_path", ParamKind::String);
    data.rust_type = "InputPath";
    data.artifact = Some(Dataset::TYPE);
    let mut model = OutputSpec::new("model", ParamKind::String);
    model.artifact = Some(Model::TYPE);
    ComponentSpec::test("fit")
        .with_input(data)
        .with_output(model)
}

#[test]
fn files_are_the_artifacts_local_paths() {
    use crate::artifact::{Dataset, InputPath, Model, OutputPath};
    let spec = artifact_spec();
    let dir = std::env::temp_dir().join(format!("kfp-exec-art-{}", std::process::id()));
    let model_uri = dir.join("out/model");
    let text = json!({
        "inputs": {"artifacts": {"data_path": {"artifacts": [
            {"name": "d", "uri": "s3://bucket/run/data", "type": {"schemaTitle": "system.Dataset"}}]}}},
        "outputs": {"artifacts": {"model": {"artifacts": [
            {"name": "m", "uri": model_uri.to_string_lossy(), "metadata": {}}]}},
            "outputFile": dir.join("executor_output.json").to_string_lossy()}})
    .to_string();
    let ei = setup(&spec, &argv(&text)[..2]).unwrap();
    // Without `outputs.outputFile`, the file output still has its place.
    let no_meta = json!({"outputs": {"artifacts": {"model": {"artifacts": [{"uri": "/m"}]}}}});
    assert!(parse_argv(&spec, &argv(&no_meta.to_string())[..2]).is_ok());
    assert!(
        model_uri.parent().unwrap().is_dir(),
        "setup makes the output folders"
    );
    let data: InputPath<Dataset> = ei.input(&spec, "data_path").unwrap();
    assert_eq!(data.path(), Path::new("/s3/bucket/run/data"));
    let model: OutputPath<Model> = ei.input(&spec, "model").unwrap();
    assert_eq!(model.path(), model_uri);
    std::fs::write(&model_uri, "weights").unwrap();
    ei.write_outputs(&spec, &[]).unwrap();
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("executor_output.json")).unwrap())
            .unwrap();
    assert_eq!(
        meta,
        json!({"artifacts": {"model": {"artifacts": [
            {"name": "m", "uri": model_uri.to_string_lossy(), "metadata": {}}]}}})
    );
    let _ = std::fs::remove_dir_all(&dir);

    let missing = parse_executor_input(&spec, r#"{"inputs": {}}"#).unwrap();
    let err = missing
        .input::<InputPath<Dataset>>(&spec, "data_path")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("missing `inputs.artifacts.data_path` (expected an artifact)"),
        "{err}"
    );
    let empty = parse_executor_input(
        &spec,
        r#"{"inputs": {"artifacts": {"data_path": {"artifacts": []}}}}"#,
    )
    .unwrap();
    let err = empty
        .input::<InputPath<Dataset>>(&spec, "data_path")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`inputs.artifacts.data_path.artifacts` is empty"),
        "{err}"
    );
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn only_the_chief_writes() {
    assert!(is_chief(None));
    assert!(is_chief(Some(r#"{"task": {"type": "workerpool0"}}"#)));
    assert!(is_chief(Some(r#"{"task": {"type": "chief"}}"#)));
    assert!(!is_chief(Some(r#"{"task": {"type": "workerpool1"}}"#)));
    assert!(is_chief(Some("not json")));
}

#[test]
fn outputs_land_in_their_files() {
    let dir = std::env::temp_dir().join(format!("kfp-exec-{}", std::process::id()));
    let param = dir.join("outputs/Output");
    let meta = dir.join("executor_output.json");
    let text = json!({"outputs": {
        "parameters": {"Output": {"outputFile": param.to_string_lossy()}},
        "outputFile": meta.to_string_lossy()}})
    .to_string();
    let spec = spec();
    let ei = parse_argv(&spec, &argv(&text)).unwrap().executor_input;
    ei.write_outputs(&spec, &[OutputValue::new("Output", &false)])
        .unwrap();
    assert_eq!(std::fs::read_to_string(&param).unwrap(), "False");
    assert_eq!(
        std::fs::read_to_string(&meta).unwrap(),
        r#"{"parameterValues": {"Output": false}}"#
    );
    let _ = std::fs::remove_dir_all(&dir);
}
