//! An exit handler whose exit task reads how the group ended: `report` takes a
//! `TaskFinalStatus`, which KFP fills in. Port of the oracle's v2 `exit_handler` pipeline (a
//! named `dsl.ExitHandler` and `PipelineTaskFinalStatus`); KFP v2 only, as KFP v1 gives no
//! final status. `exit_handler_v1` ports the oracle's v1 pipeline with the same components
//! (the `exit_handler_v1` example compiles it alone).

use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn print_msg(msg: String) {
    println!("{msg}");
}

#[component(base_image = "python:3.11")]
fn fail_maybe(fail: bool) -> Result<(), BoxError> {
    if fail {
        return Err("asked to fail".into());
    }
    Ok(())
}

#[component(base_image = "python:3.11")]
fn report(status: TaskFinalStatus) {
    println!(
        "{} {} {:?}",
        status.state, status.pipeline_job_resource_name, status.error_message
    );
}

#[pipeline(name = "exit-handler")]
pub fn exit_handler(#[kfp(default = false)] fail: bool) {
    let cleanup = report();
    ExitHandler::new(&cleanup).named("main-work").run(|| {
        let first = print_msg("step 1");
        fail_maybe(fail).after(&first);
    });
}

// The oracle's v1 pipeline: the exit task runs when the group finishes, failed or not, but
// cannot read how it ended.
#[pipeline(name = "exit-handler")]
pub fn exit_handler_v1(#[kfp(default = false)] fail: bool) {
    let cleanup = print_msg("cleanup: always runs");
    ExitHandler::new(&cleanup).run(|| {
        let first = print_msg("step 1");
        fail_maybe(fail).after(&first);
    });
}

/// KFP v1 gets the oracle's v1 pipeline, KFP v2 the v2 one.
#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(kfp_core::cli::PerTarget {
        v1: exit_handler_v1,
        v2: exit_handler,
    })
}
