//! An exit handler: a task that runs when the wrapped group finishes, failed or not. Port of
//! the oracle's v1 `exit_handler` pipeline; `exit_handler.rs` ports the v2 one, whose exit
//! task reads how the group ended.

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

#[pipeline(name = "exit-handler")]
pub fn exit_handler(#[kfp(default = false)] fail: bool) {
    let cleanup = print_msg("cleanup: always runs");
    ExitHandler::new(&cleanup).run(|| {
        let first = print_msg("step 1");
        fail_maybe(fail).after(&first);
    });
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(exit_handler)
}
