//! Persistent volume claims the pipeline creates, mounts and deletes: a claim created by a
//! task (kfp-kubernetes' `CreatePVC`) mounted by two tasks, which wait for it, and deleted at
//! the end (`DeletePVC`), and an existing claim mounted by name. Port of
//! `tests/kfp-golden/v2/volumes.py`. KFP v1 gets `volumes_v1`, the port of
//! `tests/kfp-golden/v1/volumes.py` with the same components (the `volumes_v1` example compiles
//! it alone).

use kfp_core::prelude::*;
use kfp_core::volumes::{CreatePvc, DeletePvc};

#[component(base_image = "python:3.11")]
fn write(text: String) {
    println!("{text}");
}

#[component(base_image = "python:3.11")]
fn read() {
    println!("r");
}

#[pipeline(name = "volumes")]
pub fn volumes(#[kfp(default = "hi")] text: String) {
    let pvc = CreatePvc::new("my-pvc", "1Gi", ["ReadWriteOnce"])
        .storage_class("standard")
        .task();
    let claim = pvc.output::<String>("name");
    let w = write(text).mount_pvc_from(claim, "/data");
    let r = read().after(&w).mount_pvc_from(claim, "/data");
    DeletePvc::new(claim).task().after(&r);
    read().mount_pvc("existing-claim", "/shared");
}

// The v1 port: a claim created by kfp 1.8.9's `dsl.VolumeOp` (an Argo `resource` template
// with outputs `manifest`, `name` and `size`), mounted by two tasks that wait for it, an
// existing claim mounted under a volume name of its own (`kfp.onprem.mount_pvc(volume_name=
// ...)`), and the created claim deleted at the end (`VolumeOp.delete()`'s `kubectl delete`
// step).
#[pipeline(name = "volumes")]
pub fn volumes_v1(#[kfp(default = "hi")] text: String) {
    let pvc = CreatePvc::new("my-pvc", "1Gi", ["ReadWriteOnce"])
        .storage_class("standard")
        .task();
    let claim = pvc.output::<String>("name");
    let w = write(text).mount_pvc_from(claim, "/data");
    let r = read().mount_pvc_from(claim, "/data").after(&w);
    DeletePvc::new(claim).task().after(&r);
    read().mount_pvc_with_volume_name("existing-claim", "shared", "/shared");
}

/// KFP v1 gets the v1 port (`dsl.VolumeOp`), KFP v2 the v2 one.
#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(kfp_core::cli::PerTarget {
        v1: volumes_v1,
        v2: volumes,
    })
}
