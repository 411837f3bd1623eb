//! A `component.yaml` with inputs of no declared type, which KFP v1 feeds from anything: an
//! integer constant, an integer pipeline parameter, a Rust component's output (as values) and
//! any file (as a path). KFP v2 reads an untyped input as an artifact, so its value input is a
//! typed error there, naming the task.
//!
//! The Python pipeline it ports, and what kfp 1.8.9 makes of it, are in
//! `tests/kfp-golden/v1/untyped_inputs.{py,yaml}`.

use std::sync::LazyLock;

use kfp_core::artifact::{Csv, OutputPath};
use kfp_core::prelude::*;
use kfp_core::reusable::{load_component_from_text, ContainerComponent, LoadError};

/// The component, with its inputs and output untyped.
static UNTYPED: LazyLock<Result<ContainerComponent, LoadError>> = LazyLock::new(|| {
    load_component_from_text(
        r#"
name: Untyped
description: Takes inputs of no declared type
inputs:
- {name: anything, description: Any value}
- {name: blob, description: Any file}
outputs:
- {name: echoed, description: What it was given}
implementation:
  container:
    image: alpine:3.19
    command: [sh, -c, 'echo "$0" > "$2"; cat "$1" >> "$2"', {inputValue: anything}, {inputPath: blob}, {outputPath: echoed}]
"#,
    )
});

#[component(base_image = "python:3.11")]
#[allow(missing_docs)] // a doc comment would become the component's description
pub fn make(rows: i64, data_path: OutputPath<Csv>) -> Result<(), BoxError> {
    std::fs::write(&data_path, "0,0\n".repeat(usize::try_from(rows)?))?;
    Ok(())
}

#[component(base_image = "python:3.11")]
fn count(n: i64) -> i64 {
    n
}

#[pipeline(name = "untyped-inputs")]
pub fn untyped_inputs(#[kfp(default = 3)] n: i64) {
    let m = make(n).outputs();
    let Ok(untyped) = &*UNTYPED else { return };
    // One component spec for all four tasks.
    let mut untyped = untyped.clone();
    untyped.spec();
    untyped.task([("anything", 5i64.into()), ("blob", m.data_path.into())]);
    untyped.task([("anything", n.into()), ("blob", m.data_path.into())]);
    let c = count(n);
    let u = untyped.task([
        ("anything", c.output().into()),
        ("blob", m.data_path.into()),
    ]);
    untyped.task([
        ("anything", "x".into()),
        ("blob", u.output::<OutputPath<Csv>>("echoed").into()),
    ]);
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    if let Err(e) = &*UNTYPED {
        eprintln!("error: the untyped component: {e}");
        std::process::exit(1);
    }
    kfp_core::main(untyped_inputs)
}
