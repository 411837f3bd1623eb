//! The requests of the v1beta1 API (KFP 1.x), as pure functions: what kfp 1.8.9's client sends.

use serde_json::{json, Value};

use super::{encode, name_filter, Body, PipelineSource, RequestPlan, RunBody};

const PIPELINES: &str = "/apis/v1beta1/pipelines";
const EXPERIMENTS: &str = "/apis/v1beta1/experiments";
const RUNS: &str = "/apis/v1beta1/runs";
const JOBS: &str = "/apis/v1beta1/jobs";

fn filter(name: &str) -> String {
    name_filter("op", "name", name)
}

/// `POST /pipelines/upload`: the YAML as the `uploadfile` part.
pub fn upload_pipeline(
    name: &str,
    description: Option<&str>,
    namespace: Option<&str>,
    yaml: &[u8],
) -> RequestPlan {
    let mut plan = RequestPlan::new(
        "POST",
        "/apis/v1beta1/pipelines/upload",
        format!("{PIPELINES}/upload"),
    )
    .query("name", name)
    .query_opt("description", description)
    .query_opt("namespace", namespace)
    .returns("apiPipeline");
    plan.body = Body::Upload {
        filename: format!("{}.yaml", crate::spec::component::sanitize_name(name)),
        bytes: yaml.to_vec(),
    };
    plan
}

/// `POST /pipelines/upload_version`: a new version of `pipeline_id`.
pub fn upload_pipeline_version(name: &str, pipeline_id: &str, yaml: &[u8]) -> RequestPlan {
    let mut plan = RequestPlan::new(
        "POST",
        "/apis/v1beta1/pipelines/upload_version",
        format!("{PIPELINES}/upload_version"),
    )
    .query("name", name)
    .query("pipelineid", pipeline_id)
    .returns("apiPipelineVersion");
    plan.body = Body::Upload {
        filename: format!("{}.yaml", crate::spec::component::sanitize_name(name)),
        bytes: yaml.to_vec(),
    };
    plan
}

/// `GET /pipelines?filter=name EQUALS`, as kfp's `get_pipeline_id`.
pub fn find_pipeline(name: &str, namespace: Option<&str>) -> RequestPlan {
    let plan = RequestPlan::new("GET", PIPELINES, PIPELINES.into()).query("filter", filter(name));
    with_namespace(plan, namespace).returns("apiListPipelinesResponse")
}

/// `GET /pipeline_versions` of `pipeline_id` named `name`.
pub fn find_pipeline_version(pipeline_id: &str, name: &str) -> RequestPlan {
    RequestPlan::new(
        "GET",
        "/apis/v1beta1/pipeline_versions",
        "/apis/v1beta1/pipeline_versions".into(),
    )
    .query("resource_key.type", "PIPELINE")
    .query("resource_key.id", pipeline_id)
    .query("filter", filter(name))
    .returns("apiListPipelineVersionsResponse")
}

fn with_namespace(plan: RequestPlan, namespace: Option<&str>) -> RequestPlan {
    match namespace {
        Some(ns) => plan
            .query("resource_reference_key.type", "NAMESPACE")
            .query("resource_reference_key.id", ns),
        None => plan,
    }
}

/// `POST /experiments`, owned by `namespace` when given.
pub fn create_experiment(name: &str, namespace: Option<&str>) -> RequestPlan {
    let mut body = json!({"name": name});
    if let Some(ns) = namespace {
        body["resource_references"] =
            json!([{"key": {"type": "NAMESPACE", "id": ns}, "relationship": "OWNER"}]);
    }
    RequestPlan::new("POST", EXPERIMENTS, EXPERIMENTS.into())
        .json("apiExperiment", body)
        .returns("apiExperiment")
}

/// `GET /experiments?filter=name EQUALS`, as kfp's `get_experiment(experiment_name=)`.
pub fn find_experiment(name: &str, namespace: Option<&str>) -> RequestPlan {
    let plan =
        RequestPlan::new("GET", EXPERIMENTS, EXPERIMENTS.into()).query("filter", filter(name));
    with_namespace(plan, namespace).returns("apiListExperimentsResponse")
}

/// kfp 1.8.9's parameter values: `str(v)`, JSON for lists and dicts.
fn parameters(arguments: &[(String, Value)]) -> Value {
    Value::Array(
        arguments
            .iter()
            .map(|(n, v)| json!({"name": n, "value": crate::pyjson::str_value(v)}))
            .collect(),
    )
}

/// The `pipeline_spec` and `resource_references` of a run or job.
fn run_fields(body: &RunBody) -> Value {
    let mut refs = vec![json!({
        "key": {"type": "EXPERIMENT", "id": body.experiment_id},
        "relationship": "OWNER",
    })];
    let mut spec = json!({"parameters": parameters(&body.arguments)});
    match &body.pipeline {
        PipelineSource::Inline(workflow) => {
            spec["workflow_manifest"] = Value::String(workflow.to_string());
        }
        PipelineSource::Version {
            pipeline_id,
            version_id,
        } => match version_id {
            Some(v) => refs.push(json!({
                "key": {"type": "PIPELINE_VERSION", "id": v},
                "relationship": "CREATOR",
            })),
            None => spec["pipeline_id"] = Value::String(pipeline_id.clone()),
        },
    }
    json!({"name": body.name, "pipeline_spec": spec, "resource_references": refs})
}

/// `POST /runs`.
pub fn create_run(body: &RunBody) -> RequestPlan {
    RequestPlan::new("POST", RUNS, RUNS.into())
        .json("apiRun", run_fields(body))
        .returns("apiRunDetail")
}

fn in_experiment(plan: RequestPlan, experiment_id: &str) -> RequestPlan {
    plan.query("resource_reference_key.type", "EXPERIMENT")
        .query("resource_reference_key.id", experiment_id)
}

/// `GET /runs` of the experiment named `name`.
pub fn find_run(name: &str, experiment_id: &str) -> RequestPlan {
    in_experiment(RequestPlan::new("GET", RUNS, RUNS.into()), experiment_id)
        .query("filter", filter(name))
        .returns("apiListRunsResponse")
}

/// `GET /runs/{run_id}`.
pub fn get_run(run_id: &str) -> RequestPlan {
    RequestPlan::new(
        "GET",
        "/apis/v1beta1/runs/{run_id}",
        format!("{RUNS}/{}", encode(run_id)),
    )
    .returns("apiRunDetail")
}

/// `GET /runs`, newest first.
pub fn list_runs(experiment_id: Option<&str>, namespace: Option<&str>, limit: u32) -> RequestPlan {
    let plan = RequestPlan::new("GET", RUNS, RUNS.into())
        .query("page_size", limit.to_string())
        .query("sort_by", "created_at desc");
    match experiment_id {
        Some(id) => in_experiment(plan, id),
        None => with_namespace(plan, namespace),
    }
    .returns("apiListRunsResponse")
}

/// `POST /jobs`: a recurring run on `cron`.
pub fn create_job(body: &RunBody, cron: &str) -> RequestPlan {
    let mut job = run_fields(body);
    job["trigger"] = json!({"cron_schedule": {"cron": cron}});
    job["max_concurrency"] = json!("10");
    job["enabled"] = json!(true);
    RequestPlan::new("POST", JOBS, JOBS.into())
        .json("apiJob", job)
        .returns("apiJob")
}

/// `GET /jobs` of the experiment named `name`.
pub fn find_job(name: &str, experiment_id: &str) -> RequestPlan {
    in_experiment(RequestPlan::new("GET", JOBS, JOBS.into()), experiment_id)
        .query("filter", filter(name))
        .returns("apiListJobsResponse")
}

/// `DELETE /runs/{id}`.
pub fn delete_run(id: &str) -> RequestPlan {
    RequestPlan::new(
        "DELETE",
        "/apis/v1beta1/runs/{id}",
        format!("{RUNS}/{}", encode(id)),
    )
}

/// `DELETE /experiments/{id}`.
pub fn delete_experiment(id: &str) -> RequestPlan {
    RequestPlan::new(
        "DELETE",
        "/apis/v1beta1/experiments/{id}",
        format!("{EXPERIMENTS}/{}", encode(id)),
    )
}

/// `DELETE /pipelines/{id}`.
pub fn delete_pipeline(id: &str) -> RequestPlan {
    RequestPlan::new(
        "DELETE",
        "/apis/v1beta1/pipelines/{id}",
        format!("{PIPELINES}/{}", encode(id)),
    )
}

/// `DELETE /jobs/{id}`.
pub fn delete_job(id: &str) -> RequestPlan {
    RequestPlan::new(
        "DELETE",
        "/apis/v1beta1/jobs/{id}",
        format!("{JOBS}/{}", encode(id)),
    )
}

/// kfp 1.8.9's `_override_caching_options`: sets the `enable_caching` label of every template
/// that has one.
pub fn override_caching(workflow: &mut Value, enable: bool) {
    let Some(templates) = workflow
        .pointer_mut("/spec/templates")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for t in templates {
        if let Some(label) =
            t.pointer_mut("/metadata/labels/pipelines.kubeflow.org~1enable_caching")
        {
            *label = Value::String(if enable { "true" } else { "false" }.into());
        }
    }
}
