//! A component loaded from a KFP v2 component IR file (`components/echo_v2.yaml`, what kfp
//! 2.17.3 compiles a `@dsl.container_component` to) used between two Rust components. Its
//! inputs are checked by name and type when the pipeline is built.
//!
//! The Python pipeline it ports, and what kfp 2.17.3 makes of it, are in
//! `tests/kfp-golden/v2/reusable_ir.{py,yaml}`.

use std::sync::LazyLock;

use kfp_core::artifact::{Dataset, OutputPath};
use kfp_core::prelude::*;
use kfp_core::reusable::{load_component_from_text, ContainerComponent, LoadError};

/// The component, loaded once from the IR compiled into the binary.
static ECHO: LazyLock<Result<ContainerComponent, LoadError>> =
    LazyLock::new(|| load_component_from_text(include_str!("../components/echo_v2.yaml")));

#[component(base_image = "python:3.11")]
fn make(rows: i64, data: OutputPath<Dataset>) -> Result<(), BoxError> {
    std::fs::write(&data, "0,0\n".repeat(usize::try_from(rows)?))?;
    Ok(())
}

#[component(base_image = "python:3.11")]
fn show(text: String) {
    println!("{text}");
}

#[pipeline(name = "reusable-ir")]
pub fn reusable_ir(#[kfp(default = "hi")] msg: String) {
    let m = make(3).outputs();
    let Ok(echo) = &*ECHO else { return };
    let e = echo.task([("msg", msg.into()), ("data", m.data.into())]);
    show(e.output::<String>("out"));
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    if let Err(e) = &*ECHO {
        eprintln!("error: components/echo_v2.yaml: {e}");
        std::process::exit(1);
    }
    kfp_core::main(reusable_ir)
}
