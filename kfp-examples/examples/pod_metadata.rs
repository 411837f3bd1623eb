//! Caching and pod metadata: caching off, kfp v1's `max_cache_staleness`, pod annotations and
//! labels, and a loaded `component.yaml` whose own `metadata.annotations`/`labels` KFP v1
//! copies onto its template (kfp 2 drops them).
//!
//! The Python pipelines it ports, and what kfp 1.8.9 and 2.17.3 make of them, are in
//! `tests/kfp-golden/{v1,v2}/pod_metadata.{py,yaml}`. KFP v2 has no `max_cache_staleness`, so
//! the v2 port leaves it out.

use std::sync::LazyLock;

use kfp_core::prelude::*;
use kfp_core::reusable::{load_component_from_text, ContainerComponent, LoadError};

/// A component whose YAML carries `metadata`.
static TAGGED_ECHO: LazyLock<Result<ContainerComponent, LoadError>> = LazyLock::new(|| {
    load_component_from_text(
        r#"
name: Tagged echo
metadata:
  annotations:
    author: Jane Doe
    canonical_location: https://example.com/echo.yaml
  labels:
    team: ml
inputs:
- {name: msg, type: String}
implementation:
  container:
    image: alpine:3.19
    command: [echo, {inputValue: msg}]
"#,
    )
});

#[component(base_image = "python:3.11")]
fn produce(n: i64) -> i64 {
    n * 2
}

#[component(base_image = "python:3.11")]
fn show(x: i64) {
    println!("{x}");
}

// The KFP v1 port: all four settings.
#[pipeline(name = "pod-metadata")]
pub fn pod_metadata_v1(#[kfp(default = 3)] n: i64) {
    let a = produce(n).set_caching_options(false);
    show(a.output())
        .set_max_cache_staleness("P0D")
        .add_pod_annotation("example.com/owner", "data-team")
        .add_pod_label("example.com/tier", "batch")
        .add_pod_label("app", "demo");
    let Ok(echo) = &*TAGGED_ECHO else { return };
    echo.task([("msg", "hi".into())])
        .add_pod_annotation("note", "loaded");
}

// The KFP v2 port: no `max_cache_staleness`, which KFP v2 lacks.
#[pipeline(name = "pod-metadata")]
pub fn pod_metadata(#[kfp(default = 3)] n: i64) {
    let a = produce(n).set_caching_options(false);
    show(a.output())
        .add_pod_annotation("example.com/owner", "data-team")
        .add_pod_label("example.com/tier", "batch")
        .add_pod_label("app", "demo");
    let Ok(echo) = &*TAGGED_ECHO else { return };
    echo.task([("msg", "hi".into())])
        .add_pod_annotation("note", "loaded");
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    if let Err(e) = &*TAGGED_ECHO {
        eprintln!("error: the tagged echo component: {e}");
        std::process::exit(1);
    }
    kfp_core::main(kfp_core::cli::PerTarget {
        v1: pod_metadata_v1,
        v2: pod_metadata,
    })
}
