//! `.after(..)` a whole exit handler group (`task.after(exit_handler)`): the task waits for
//! every task of the group, on both targets.
//!
//! The Python pipelines it ports, and what kfp 1.8.9 and 2.17.3 make of them, are in
//! `tests/kfp-golden/{v1,v2}/after_group.{py,yaml}`.

use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn say(s: String) {
    println!("{s}");
}

#[pipeline(name = "after-group")]
pub fn after_group() {
    let done = say("done");
    let (group, ()) = ExitHandler::new(&done).run_group(|| {
        say("inside");
    });
    say("after group").after_group(&group);
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(after_group)
}
