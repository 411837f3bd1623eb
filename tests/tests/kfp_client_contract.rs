//! Contract tests of the KFP client against the official REST specs
//! (`../shared/kfp-swagger/{v1beta1,v2beta1}/kfp_api_single_file.swagger.json`):
//!
//! - every request the client builds has a method, a path template and query names that the
//!   spec of its API version has, and the body kind (JSON of the right definition, or the
//!   `uploadfile` form part) the operation takes;
//! - every JSON body validates against its `definitions/<Type>` (JSON Schema Draft 4, the
//!   spec's definitions as the root so `#/definitions/...` resolves), and names no field the
//!   definition lacks;
//! - every answer the client reads, built from the spec's definition, validates and
//!   deserialises.
//!
//! The specs are outside the repository: without them the tests say so and pass, except under
//! `CI=true`, where they fail.

mod support;

use std::path::PathBuf;

use kfp_core::client::types::{
    parse_experiment, parse_pipeline, parse_pipeline_version, parse_recurring_run, parse_run,
};
use kfp_core::client::{package, v1, v2, Body, PipelineSource, RequestPlan, RunBody, RunState};
use kfp_core::Target;
use serde_json::{json, Map, Value};

/// The spec of `api` (`v1beta1`, `v2beta1`), or `None` (with a message) when it is absent
/// outside CI.
fn spec(api: &str) -> Option<Value> {
    let path: PathBuf = support::workspace()
        .join("..")
        .join("shared")
        .join("kfp-swagger")
        .join(api)
        .join("kfp_api_single_file.swagger.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("the spec is JSON")),
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true and the KFP spec {} is missing: {e}",
                path.display()
            );
            eprintln!(
                "skipped: the KFP spec {} is missing ({e}); it sits in ../shared beside the repository",
                path.display()
            );
            None
        }
    }
}

/// A validator for `definitions/<name>` of `doc`, Draft 4.
fn validator(doc: &Value, name: &str) -> jsonschema::Validator {
    let schema = json!({
        "$ref": format!("#/definitions/{name}"),
        "definitions": doc["definitions"],
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap_or_else(|e| panic!("definitions/{name} does not build: {e}"))
}

fn validate(doc: &Value, name: &str, value: &Value) {
    let v = validator(doc, name);
    let errors: Vec<String> = v
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "not a {name}: {errors:?}\n{value:#}");
}

/// The schema `s` with `$ref`s followed.
fn resolve<'a>(doc: &'a Value, mut s: &'a Value) -> &'a Value {
    while let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/definitions/");
        s = &doc["definitions"][name];
    }
    s
}

/// The fields of `value` that its schema does not declare (JSON Schema would let them pass:
/// the spec's objects allow additional properties), with their paths.
fn undeclared(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    match value {
        Value::Object(m) => {
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                // A free-form object (`pipeline_spec`, `parameters`): anything goes.
                return;
            };
            for (k, v) in m {
                match props.get(k) {
                    Some(p) => undeclared(doc, p, v, &format!("{at}.{k}"), out),
                    None => out.push(format!("{at}.{k}")),
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    undeclared(doc, item, v, &format!("{at}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

/// The flagship's compiled YAML for `target`.
fn flagship_yaml(target: Target) -> String {
    kfp_core::Compiler::new()
        .compile(&kfp_examples::yolov8withmlflow::train_pipeline(), target)
        .expect("the flagship compiles")
}

fn args() -> Vec<(String, Value)> {
    vec![
        ("model_name".into(), json!("yolov8n.pt")),
        ("epochs".into(), json!(3)),
        ("sizes".into(), json!([1, 2])),
        ("fast".into(), json!(true)),
    ]
}

/// Every request each API's client builds, with every optional part present in some.
fn plans(target: Target) -> Vec<RequestPlan> {
    let yaml = flagship_yaml(target);
    let (inline, _) = package(target, &yaml, Some(false)).expect("package");
    let bodies = [
        PipelineSource::Inline(inline),
        PipelineSource::Version {
            pipeline_id: "p1".into(),
            version_id: Some("v1".into()),
        },
        PipelineSource::Version {
            pipeline_id: "p1".into(),
            version_id: None,
        },
    ]
    .map(|pipeline| RunBody {
        name: "run 1".into(),
        experiment_id: "e1".into(),
        pipeline,
        arguments: args(),
    });
    let y = yaml.as_bytes();
    let mut out = Vec::new();
    match target {
        Target::V1 => {
            for ns in [None, Some("team-a")] {
                out.push(v1::upload_pipeline("yolo", Some("desc"), ns, y));
                out.push(v1::find_pipeline("yolo", ns));
                out.push(v1::create_experiment("exp", ns));
                out.push(v1::find_experiment("exp", ns));
                out.push(v1::list_runs(None, ns, 20));
            }
            out.push(v1::upload_pipeline_version("v 2", "p1", y));
            out.push(v1::find_pipeline_version("p1", "v 2"));
            out.push(v1::list_runs(Some("e1"), None, 5));
            out.push(v1::find_run("run 1", "e1"));
            out.push(v1::get_run("r/1"));
            out.push(v1::find_job("job", "e1"));
            for b in &bodies {
                out.push(v1::create_run(b));
                out.push(v1::create_job(b, "0 0 * * * *"));
            }
            out.extend([
                v1::delete_run("r1"),
                v1::delete_experiment("e1"),
                v1::delete_pipeline("p1"),
                v1::delete_job("j1"),
            ]);
        }
        Target::V2 => {
            for ns in [None, Some("team-a")] {
                out.push(v2::upload_pipeline("yolo", Some("desc"), ns, y));
                out.push(v2::find_pipeline("yolo", ns));
                out.push(v2::create_experiment("exp", ns));
                out.push(v2::find_experiment("exp", ns));
                out.push(v2::list_runs(None, ns, 20));
            }
            out.push(v2::upload_pipeline_version("v 2", "p1", y));
            out.push(v2::find_pipeline_version("p1", "v 2"));
            out.push(v2::list_runs(Some("e1"), None, 5));
            out.push(v2::find_run("run 1", "e1"));
            out.push(v2::get_run("r/1"));
            out.push(v2::find_recurring_run("job", "e1"));
            for b in &bodies {
                out.push(v2::create_run(b));
                out.push(v2::create_recurring_run(b, "0 0 * * * *"));
            }
            out.extend([
                v2::delete_run("r1"),
                v2::delete_experiment("e1"),
                v2::delete_pipeline("p1"),
                v2::delete_recurring_run("j1"),
            ]);
        }
        // `Target` is `#[non_exhaustive]`: a new target needs its own requests here.
        other => panic!("no KFP API requests for target {other}"),
    }
    out
}

/// Whether `path` is `template` with each `{param}` filled by one non-empty segment.
fn fills(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter().zip(&p).all(|(t, p)| {
            if t.starts_with('{') && t.ends_with('}') {
                !p.is_empty()
            } else {
                t == p
            }
        })
}

fn check_requests(target: Target, api: &str) {
    let Some(doc) = spec(api) else { return };
    let plans = plans(target);
    assert!(plans.len() > 20);
    for plan in &plans {
        let what = format!("{} {}", plan.method, plan.template);
        let op = &doc["paths"][plan.template][plan.method.to_ascii_lowercase()];
        assert!(op.is_object(), "{what}: not in the {api} spec");
        assert!(
            fills(plan.template, &plan.path),
            "{what}: path {}",
            plan.path
        );
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let named = |kind: &str| -> Vec<String> {
            params
                .iter()
                .filter(|p| p["in"] == kind)
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect()
        };
        for (name, _) in &plan.query {
            assert!(
                named("query").iter().any(|n| n == name),
                "{what}: no query parameter `{name}` (has {:?})",
                named("query")
            );
        }
        let body_ref = params
            .iter()
            .find(|p| p["in"] == "body")
            .and_then(|p| p["schema"]["$ref"].as_str())
            .map(|r| r.trim_start_matches("#/definitions/").to_owned());
        match &plan.body {
            Body::None => assert_eq!(body_ref, None, "{what}: the spec wants a body"),
            Body::Json { definition, value } => {
                assert_eq!(body_ref.as_deref(), Some(*definition), "{what}");
                validate(&doc, definition, value);
                let mut extra = Vec::new();
                let schema = json!({"$ref": format!("#/definitions/{definition}")});
                undeclared(&doc, &schema, value, definition, &mut extra);
                assert!(extra.is_empty(), "{what}: fields the spec lacks: {extra:?}");
            }
            Body::Upload { filename, bytes } => {
                assert_eq!(named("formData"), ["uploadfile"], "{what}");
                assert!(op["consumes"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("multipart/form-data")));
                assert!(filename.ends_with(".yaml"), "{what}: {filename}");
                assert!(!bytes.is_empty());
            }
        }
        let answer = op["responses"]["200"]["schema"]["$ref"]
            .as_str()
            .map(|r| r.trim_start_matches("#/definitions/"));
        assert_eq!(plan.response, answer, "{what}: the answer's definition");
    }
}

#[test]
fn v1_requests_fit_the_v1beta1_spec() {
    check_requests(Target::V1, "v1beta1");
}

#[test]
fn v2_requests_fit_the_v2beta1_spec() {
    check_requests(Target::V2, "v2beta1");
}

/// An instance of `schema` with every property filled: strings `sample-<field>`, times in
/// RFC 3339, enums their second value (the first is the "unspecified" default).
fn sample(doc: &Value, schema: &Value, field: &str, depth: usize) -> Value {
    let s = resolve(doc, schema);
    if let Some(values) = s.get("enum").and_then(Value::as_array) {
        return values
            .get(1)
            .or(values.first())
            .cloned()
            .unwrap_or(Value::Null);
    }
    match s.get("type").and_then(Value::as_str) {
        Some("string") => match s.get("format").and_then(Value::as_str) {
            Some("date-time") => json!("2024-05-01T10:00:00Z"),
            Some("int64" | "uint64") => json!("7"),
            Some("byte") => json!("AA=="),
            _ => json!(format!("sample-{field}")),
        },
        Some("integer") => json!(7),
        Some("number") => json!(0.5),
        Some("boolean") => json!(true),
        Some("array") if depth < 6 => json!([sample(doc, &s["items"], field, depth + 1)]),
        Some("array") => json!([]),
        _ => {
            let mut m = Map::new();
            if depth < 6 {
                if let Some(props) = s.get("properties").and_then(Value::as_object) {
                    for (k, p) in props {
                        m.insert(k.clone(), sample(doc, p, k, depth + 1));
                    }
                }
            }
            Value::Object(m)
        }
    }
}

fn sample_of(doc: &Value, name: &str) -> Value {
    let v = sample(
        doc,
        &json!({"$ref": format!("#/definitions/{name}")}),
        name,
        0,
    );
    validate(doc, name, &v);
    v
}

#[test]
fn v1_answers_in_the_spec_shape_deserialise() {
    let Some(doc) = spec("v1beta1") else { return };
    let t = Target::V1;
    let p = parse_pipeline(t, &sample_of(&doc, "apiPipeline")).unwrap();
    assert_eq!(
        (p.id.as_str(), p.default_version_id.as_deref()),
        ("sample-id", Some("sample-id"))
    );
    let v = parse_pipeline_version(t, &sample_of(&doc, "apiPipelineVersion"), "p1").unwrap();
    assert_eq!(v.id, "sample-id");
    let e = parse_experiment(t, &sample_of(&doc, "apiExperiment")).unwrap();
    assert_eq!(
        (e.id.as_str(), e.name.as_str()),
        ("sample-id", "sample-name")
    );
    let r = parse_run(t, &sample_of(&doc, "apiRunDetail")).unwrap();
    assert_eq!(
        (r.id.as_str(), r.created_at.as_deref()),
        ("sample-id", Some("2024-05-01T10:00:00Z"))
    );
    let j = parse_recurring_run(t, &sample_of(&doc, "apiJob")).unwrap();
    assert_eq!(j.id, "sample-id");
    for (list, key) in [
        ("apiListRunsResponse", "runs"),
        ("apiListExperimentsResponse", "experiments"),
        ("apiListPipelinesResponse", "pipelines"),
        ("apiListPipelineVersionsResponse", "versions"),
        ("apiListJobsResponse", "jobs"),
    ] {
        let v = sample_of(&doc, list);
        assert_eq!(v[key].as_array().map(Vec::len), Some(1), "{list}");
    }
    for item in sample_of(&doc, "apiListRunsResponse")["runs"]
        .as_array()
        .unwrap()
    {
        parse_run(t, item).unwrap();
    }

    // A finished run as KFP 1.x reports it: the workflow's pod nodes are the tasks.
    let manifest = json!({"status": {"nodes": {
        "wf-1": {"displayName": "wf", "type": "DAG", "phase": "Failed"},
        "wf-2": {"displayName": "train", "type": "Pod", "phase": "Failed"},
        "wf-3": {"displayName": "verify-training", "type": "Pod", "phase": "Succeeded"},
    }}});
    let detail = json!({
        "run": {"id": "r1", "name": "run 1", "status": "Failed", "error": "step failed",
                "created_at": "2024-05-01T10:00:00Z", "finished_at": "1970-01-01T00:00:00Z"},
        "pipeline_runtime": {"workflow_manifest": manifest.to_string()},
    });
    validate(&doc, "apiRunDetail", &detail);
    let r = parse_run(t, &detail).unwrap();
    assert_eq!(r.state, RunState::Failed);
    assert_eq!(r.finished_at, None);
    assert_eq!(r.error.as_deref(), Some("step failed"));
    let tasks: Vec<(&str, String)> = r
        .tasks
        .iter()
        .map(|t| (t.name.as_str(), t.state.to_string()))
        .collect();
    assert_eq!(
        tasks,
        [
            ("train", "FAILED".into()),
            ("verify-training", "SUCCEEDED".into())
        ]
    );
}

#[test]
fn v2_answers_in_the_spec_shape_deserialise() {
    let Some(doc) = spec("v2beta1") else { return };
    let t = Target::V2;
    let p = parse_pipeline(t, &sample_of(&doc, "v2beta1Pipeline")).unwrap();
    assert_eq!(
        (p.id.as_str(), p.name.as_str()),
        ("sample-pipeline_id", "sample-display_name")
    );
    let v = parse_pipeline_version(t, &sample_of(&doc, "v2beta1PipelineVersion"), "p1").unwrap();
    assert_eq!(
        (v.id.as_str(), v.pipeline_id.as_str()),
        ("sample-pipeline_version_id", "sample-pipeline_id")
    );
    let e = parse_experiment(t, &sample_of(&doc, "v2beta1Experiment")).unwrap();
    assert_eq!(e.id, "sample-experiment_id");
    let r = parse_run(t, &sample_of(&doc, "v2beta1Run")).unwrap();
    assert_eq!(
        (r.id.as_str(), &r.state),
        ("sample-run_id", &RunState::Pending)
    );
    assert_eq!(r.tasks.len(), 1);
    assert_eq!(r.error.as_deref(), Some("sample-message"));
    let rr = parse_recurring_run(t, &sample_of(&doc, "v2beta1RecurringRun")).unwrap();
    assert_eq!(rr.id, "sample-recurring_run_id");
    for (list, key) in [
        ("v2beta1ListRunsResponse", "runs"),
        ("v2beta1ListExperimentsResponse", "experiments"),
        ("v2beta1ListPipelinesResponse", "pipelines"),
        ("v2beta1ListPipelineVersionsResponse", "pipeline_versions"),
        ("v2beta1ListRecurringRunsResponse", "recurringRuns"),
    ] {
        let v = sample_of(&doc, list);
        assert_eq!(v[key].as_array().map(Vec::len), Some(1), "{list}");
    }

    // A finished run as KFP 2.x reports it.
    let run = json!({
        "run_id": "r1", "display_name": "run 1", "state": "CANCELED",
        "created_at": "2024-05-01T10:00:00Z", "finished_at": "2024-05-01T10:05:00Z",
        "run_details": {"task_details": [
            {"display_name": "verify-training", "state": "SUCCEEDED"},
            {"display_name": "train", "state": "CANCELED"},
        ]},
    });
    validate(&doc, "v2beta1Run", &run);
    let r = parse_run(t, &run).unwrap();
    assert!(r.state.is_terminal());
    assert_eq!(r.tasks[0].name, "train");
    // KFP's error bodies are googleRpcStatus.
    validate(
        &doc,
        "googleRpcStatus",
        &json!({"code": 3, "message": "bad", "details": []}),
    );
}

#[test]
fn a_bad_body_is_caught_by_the_schema() {
    // The validator is not vacuous: a wrong type and an unknown enum value fail.
    let Some(doc) = spec("v2beta1") else { return };
    let v = validator(&doc, "v2beta1Run");
    assert!(!v.is_valid(&json!({"display_name": 5})));
    assert!(!v.is_valid(&json!({"state": "NOT_A_STATE"})));
    let Some(doc) = spec("v1beta1") else { return };
    let v = validator(&doc, "apiRun");
    assert!(!v.is_valid(&json!({"resource_references": [{"key": {"type": "NAMESPACEX"}}]})));
    let mut extra = Vec::new();
    undeclared(
        &doc,
        &json!({"$ref": "#/definitions/apiRun"}),
        &json!({"nme": "x"}),
        "apiRun",
        &mut extra,
    );
    assert_eq!(extra, ["apiRun.nme"]);
}
