//! Loaded components whose names KFP v2 keeps exactly: a KFP v2 container component
//! (`components/shout_v2.yaml`) with an output `Shouted`, and a Python component's IR
//! (`components/count_v2.yaml`) whose single output is `Output`; and a `component.yaml` input of
//! no type used as a path, which KFP v2 reads as an artifact. The IR loader keeps the inputs'
//! and outputs' descriptions (KFP v1's `component_spec` shows them; kfp 2 drops them from a
//! pipeline, and so does the v2 port).
//!
//! The Python pipeline it ports, and what kfp 2.17.3 makes of it, are in
//! `tests/kfp-golden/v2/loaded_io.{py,yaml}` (`loaded_io_components.py` writes the two IR files).

use std::sync::LazyLock;

use kfp_core::artifact::{Dataset, OutputPath};
use kfp_core::prelude::*;
use kfp_core::reusable::{load_component_from_text, ContainerComponent, LoadError};

type Loaded = LazyLock<Result<ContainerComponent, LoadError>>;

/// A container component compiled by kfp 2.17.3.
static SHOUT: Loaded =
    LazyLock::new(|| load_component_from_text(include_str!("../components/shout_v2.yaml")));

/// A Python component compiled by kfp 2.17.3: it runs kfp's own executor.
static COUNT: Loaded =
    LazyLock::new(|| load_component_from_text(include_str!("../components/count_v2.yaml")));

/// A `component.yaml` whose input has no type.
static KEEP: Loaded = LazyLock::new(|| {
    load_component_from_text(
        r#"
name: Keep
inputs:
- {name: blob, description: Any file}
implementation:
  container:
    image: alpine:3.19
    command: [cat, {inputPath: blob}]
"#,
    )
});

#[component(base_image = "python:3.11")]
fn show(n: i64, text: String) {
    println!("{n} {text}");
}

#[pipeline(name = "loaded-io")]
pub fn loaded_io(#[kfp(default = "hi")] word: String) {
    let (Ok(shout), Ok(count), Ok(keep)) = (&*SHOUT, &*COUNT, &*KEEP) else {
        return;
    };
    let s = shout.task([("word", word.into())]);
    let c = count.task([("text", s.output::<String>("Shouted").into())]);
    show(c.output::<i64>("Output"), s.output::<String>("Shouted"));
    keep.task([("blob", s.output::<OutputPath<Dataset>>("data").into())]);
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    for (file, loaded) in [
        ("components/shout_v2.yaml", &SHOUT),
        ("components/count_v2.yaml", &COUNT),
        ("the keep component", &KEEP),
    ] {
        if let Err(e) = &**loaded {
            eprintln!("error: {file}: {e}");
            std::process::exit(1);
        }
    }
    kfp_core::main(loaded_io)
}
