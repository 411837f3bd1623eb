//! A persistent volume claim the pipeline creates with kfp 1.8.9's `dsl.VolumeOp`, mounts and
//! deletes, and an existing claim mounted under a volume name of its own: the port of
//! `tests/kfp-golden/v1/volumes.py`, for KFP v1 only (KFP v2 refuses `VolumeOp`: a typed
//! error). It lives in `volumes.rs` beside the v2 port, with which it shares its components.

pub use kfp_examples::volumes::volumes_v1 as volumes;

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(volumes)
}
