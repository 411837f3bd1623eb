//! GPU requests: one NVIDIA GPU with a node selector for the accelerator type, and two AMD
//! GPUs. Port of the oracle's `gpu` pipeline (v1 `set_gpu_limit`, v2 `set_accelerator_*`).

use kfp_core::prelude::*;

#[component(base_image = "nohgyu/test:v1.0")]
fn check_gpu() -> bool {
    true
}

#[pipeline(name = "gpu")]
pub fn gpu() {
    check_gpu()
        .set_gpu_limit(1)
        .add_node_selector("cloud.google.com/gke-accelerator", "nvidia-tesla-t4");
    check_gpu()
        .set_accelerator_type("amd.com/gpu")
        .set_accelerator_limit(2);
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(gpu)
}
