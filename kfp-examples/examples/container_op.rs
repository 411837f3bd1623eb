//! Raw container steps (kfp 1.8.9's `dsl.ContainerOp`) with outputs read from fixed paths
//! (`file_outputs`): one taking a pipeline parameter, one taking another's output in its
//! command, one with an empty argument list and caching off. KFP v1 only (KFP v2 has no raw
//! container step: a typed error naming the task).
//!
//! The Python pipeline it ports, and what kfp 1.8.9 makes of it, are in
//! `tests/kfp-golden/v1/container_op.{py,yaml}`.

use kfp_core::container_op::ContainerOp;
use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn show(text: String) {
    println!("{text}");
}

#[pipeline(name = "container-op")]
pub fn container_op(#[kfp(default = "hi")] msg: String) {
    let op = ContainerOp::new("echo", "alpine:3.19")
        .command(["sh".into(), "-c".into()])
        .arguments([
            r#"echo "$0" > /tmp/out.txt; echo 3 > /tmp/n.txt"#.into(),
            msg.into(),
        ])
        .file_output("out", "/tmp/out.txt")
        .file_output("n", "/tmp/n.txt")
        .task();
    show(op.output::<String>("out"));
    ContainerOp::new("echo again", "alpine:3.19")
        .command(["echo".into(), op.output::<String>("n").into()])
        .task();
    ContainerOp::new("date", "alpine:3.19")
        .command(["sh".into(), "-c".into(), "date > /tmp/d.txt".into()])
        .arguments([])
        .file_output("d", "/tmp/d.txt")
        .task()
        .set_caching_options(false);
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(container_op)
}
