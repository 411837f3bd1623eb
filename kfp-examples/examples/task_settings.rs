//! Task settings without a kfp golden: caching off, CPU and memory requests and limits, node
//! selectors and tolerations, a persistent volume claim, a per-task timeout, the image pull
//! policy, and a pipeline timeout (KFP v1). Checked with the oracle's validators.

use kfp_core::prelude::*;
use kfp_core::Toleration;

#[component(base_image = "python:3.11")]
fn prepare(rows: i64) -> i64 {
    rows * 2
}

#[component(base_image = "python:3.11")]
fn crunch(rows: i64) {
    println!("crunching {rows} rows");
}

#[pipeline(
    name = "task-settings",
    description = "Resources, scheduling, volumes and timeouts"
)]
pub fn task_settings(#[kfp(default = 1000)] rows: i64) {
    let prepared = prepare(rows)
        .set_caching_options(false)
        .set_cpu_request("500m")
        .set_cpu_limit("2")
        .set_memory_request("512Mi")
        .set_memory_limit("4G")
        .set_image_pull_policy("IfNotPresent");
    crunch(prepared.output())
        .add_node_selector("kubernetes.io/arch", "amd64")
        .add_toleration(Toleration {
            key: "dedicated".into(),
            operator: "Equal".into(),
            value: Some("ml".into()),
            effect: "NoSchedule".into(),
            toleration_seconds: None,
        })
        .add_toleration(Toleration {
            key: "node.kubernetes.io/unreachable".into(),
            operator: "Exists".into(),
            value: None,
            effect: "NoExecute".into(),
            toleration_seconds: Some(3600),
        })
        .mount_pvc("training-data", "/data")
        .set_timeout("10m");
}

/// The pipeline with a one-day timeout for the whole run.
pub fn task_settings_with_timeout() -> Pipeline {
    task_settings().set_timeout("24h")
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    // A pipeline timeout exists only on KFP v1.
    kfp_core::main(kfp_core::cli::PerTarget {
        v1: task_settings_with_timeout,
        v2: task_settings,
    })
}
