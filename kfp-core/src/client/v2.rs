//! The requests of the v2beta1 API (KFP 2.x), as pure functions: what kfp 2.17.3's client
//! sends.

use serde_json::{json, Map, Value};

use super::{encode, name_filter, Body, PipelineSource, RequestPlan, RunBody};

const PIPELINES: &str = "/apis/v2beta1/pipelines";
const EXPERIMENTS: &str = "/apis/v2beta1/experiments";
const RUNS: &str = "/apis/v2beta1/runs";
const RECURRING: &str = "/apis/v2beta1/recurringruns";

fn filter(name: &str) -> String {
    name_filter("operation", "display_name", name)
}

fn upload(mut plan: RequestPlan, name: &str, yaml: &[u8]) -> RequestPlan {
    plan.body = Body::Upload {
        filename: format!("{}.yaml", crate::spec::component::sanitize_name(name)),
        bytes: yaml.to_vec(),
    };
    plan
}

/// `POST /pipelines/upload`: the YAML as the `uploadfile` part.
pub fn upload_pipeline(
    name: &str,
    description: Option<&str>,
    namespace: Option<&str>,
    yaml: &[u8],
) -> RequestPlan {
    let plan = RequestPlan::new(
        "POST",
        "/apis/v2beta1/pipelines/upload",
        format!("{PIPELINES}/upload"),
    )
    .query("name", name)
    .query("display_name", name)
    .query_opt("description", description)
    .query_opt("namespace", namespace)
    .returns("v2beta1Pipeline");
    upload(plan, name, yaml)
}

/// `POST /pipelines/upload_version`: a new version of `pipeline_id`.
pub fn upload_pipeline_version(name: &str, pipeline_id: &str, yaml: &[u8]) -> RequestPlan {
    let plan = RequestPlan::new(
        "POST",
        "/apis/v2beta1/pipelines/upload_version",
        format!("{PIPELINES}/upload_version"),
    )
    .query("name", name)
    .query("display_name", name)
    .query("pipelineid", pipeline_id)
    .returns("v2beta1PipelineVersion");
    upload(plan, name, yaml)
}

/// `GET /pipelines?filter=display_name EQUALS`, as kfp's `get_pipeline_id`.
pub fn find_pipeline(name: &str, namespace: Option<&str>) -> RequestPlan {
    RequestPlan::new("GET", PIPELINES, PIPELINES.into())
        .query_opt("namespace", namespace)
        .query("filter", filter(name))
        .returns("v2beta1ListPipelinesResponse")
}

/// `GET /pipelines/{pipeline_id}/versions` named `name`.
pub fn find_pipeline_version(pipeline_id: &str, name: &str) -> RequestPlan {
    RequestPlan::new(
        "GET",
        "/apis/v2beta1/pipelines/{pipeline_id}/versions",
        format!("{PIPELINES}/{}/versions", encode(pipeline_id)),
    )
    .query("filter", filter(name))
    .returns("v2beta1ListPipelineVersionsResponse")
}

/// `POST /experiments`.
pub fn create_experiment(name: &str, namespace: Option<&str>) -> RequestPlan {
    let mut body = json!({"display_name": name});
    if let Some(ns) = namespace {
        body["namespace"] = json!(ns);
    }
    RequestPlan::new("POST", EXPERIMENTS, EXPERIMENTS.into())
        .json("v2beta1Experiment", body)
        .returns("v2beta1Experiment")
}

/// `GET /experiments?filter=display_name EQUALS`, as kfp's `get_experiment(experiment_name=)`.
pub fn find_experiment(name: &str, namespace: Option<&str>) -> RequestPlan {
    RequestPlan::new("GET", EXPERIMENTS, EXPERIMENTS.into())
        .query("filter", filter(name))
        .query_opt("namespace", namespace)
        .returns("v2beta1ListExperimentsResponse")
}

/// The fields a run and a recurring run share.
fn run_fields(body: &RunBody) -> Value {
    let params: Map<String, Value> = body.arguments.iter().cloned().collect();
    let mut run = json!({
        "display_name": body.name,
        "experiment_id": body.experiment_id,
        "runtime_config": {"parameters": params},
    });
    match &body.pipeline {
        PipelineSource::Inline(spec) => run["pipeline_spec"] = spec.clone(),
        PipelineSource::Version {
            pipeline_id,
            version_id,
        } => {
            let mut r = json!({"pipeline_id": pipeline_id});
            if let Some(v) = version_id {
                r["pipeline_version_id"] = json!(v);
            }
            run["pipeline_version_reference"] = r;
        }
    }
    run
}

/// `POST /runs`.
pub fn create_run(body: &RunBody) -> RequestPlan {
    RequestPlan::new("POST", RUNS, RUNS.into())
        .json("v2beta1Run", run_fields(body))
        .returns("v2beta1Run")
}

/// `GET /runs` of the experiment named `name`.
pub fn find_run(name: &str, experiment_id: &str) -> RequestPlan {
    RequestPlan::new("GET", RUNS, RUNS.into())
        .query("experiment_id", experiment_id)
        .query("filter", filter(name))
        .returns("v2beta1ListRunsResponse")
}

/// `GET /runs/{run_id}`.
pub fn get_run(run_id: &str) -> RequestPlan {
    RequestPlan::new(
        "GET",
        "/apis/v2beta1/runs/{run_id}",
        format!("{RUNS}/{}", encode(run_id)),
    )
    .returns("v2beta1Run")
}

/// `GET /runs`, newest first.
pub fn list_runs(experiment_id: Option<&str>, namespace: Option<&str>, limit: u32) -> RequestPlan {
    RequestPlan::new("GET", RUNS, RUNS.into())
        .query_opt("namespace", namespace)
        .query_opt("experiment_id", experiment_id)
        .query("page_size", limit.to_string())
        .query("sort_by", "created_at desc")
        .returns("v2beta1ListRunsResponse")
}

/// `POST /recurringruns`: a recurring run on `cron`.
pub fn create_recurring_run(body: &RunBody, cron: &str) -> RequestPlan {
    let mut rr = run_fields(body);
    rr["trigger"] = json!({"cron_schedule": {"cron": cron}});
    rr["max_concurrency"] = json!("10");
    rr["mode"] = json!("ENABLE");
    RequestPlan::new("POST", RECURRING, RECURRING.into())
        .json("v2beta1RecurringRun", rr)
        .returns("v2beta1RecurringRun")
}

/// `GET /recurringruns` of the experiment named `name`.
pub fn find_recurring_run(name: &str, experiment_id: &str) -> RequestPlan {
    RequestPlan::new("GET", RECURRING, RECURRING.into())
        .query("experiment_id", experiment_id)
        .query("filter", filter(name))
        .returns("v2beta1ListRecurringRunsResponse")
}

/// `DELETE /runs/{run_id}`.
pub fn delete_run(id: &str) -> RequestPlan {
    RequestPlan::new(
        "DELETE",
        "/apis/v2beta1/runs/{run_id}",
        format!("{RUNS}/{}", encode(id)),
    )
}

/// `DELETE /experiments/{experiment_id}`.
pub fn delete_experiment(id: &str) -> RequestPlan {
    RequestPlan::new(
        "DELETE",
        "/apis/v2beta1/experiments/{experiment_id}",
        format!("{EXPERIMENTS}/{}", encode(id)),
    )
}

/// `DELETE /pipelines/{pipeline_id}?cascade=true`: the pipeline and its versions.
pub fn delete_pipeline(id: &str) -> RequestPlan {
    RequestPlan::new(
        "DELETE",
        "/apis/v2beta1/pipelines/{pipeline_id}",
        format!("{PIPELINES}/{}", encode(id)),
    )
    .query("cascade", "true")
}

/// `DELETE /recurringruns/{recurring_run_id}`.
pub fn delete_recurring_run(id: &str) -> RequestPlan {
    RequestPlan::new(
        "DELETE",
        "/apis/v2beta1/recurringruns/{recurring_run_id}",
        format!("{RECURRING}/{}", encode(id)),
    )
}

/// kfp 2.17.3's `_override_caching_options`: every root task's `cachingOptions.enableCache`
/// (`{}` for false, the proto default that kfp leaves out).
pub fn override_caching(spec: &mut Value, enable: bool) {
    let Some(tasks) = spec
        .pointer_mut("/root/dag/tasks")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for task in tasks.values_mut() {
        if let Some(t) = task.as_object_mut() {
            let opts = if enable {
                json!({"enableCache": true})
            } else {
                json!({})
            };
            let mut merged = t
                .get("cachingOptions")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            merged.remove("enableCache");
            if let Value::Object(o) = opts {
                merged.extend(o);
            }
            t.insert("cachingOptions".into(), Value::Object(merged));
        }
    }
}
