//! A component loaded from a KFP v1 `component.yaml` (`components/echo.yaml`: an `inputPath`,
//! two `outputPath`s, an optional input with a default, `if`/`isPresent` and `concat`) used
//! between two Rust components, and the same component built by hand. Its inputs are checked
//! by name and type when the pipeline is built.
//!
//! The Python pipeline it ports, and what kfp 1.8.9 makes of it, are in
//! `tests/kfp-golden/v1/reusable_components.{py,yaml}`.

use std::sync::LazyLock;

use kfp_core::artifact::{Csv, OutputPath};
use kfp_core::prelude::*;
use kfp_core::reusable::{load_component_from_text, ContainerComponent, Placeholder};

/// The component, loaded once from the YAML compiled into the binary.
static ECHO: LazyLock<Result<ContainerComponent, kfp_core::reusable::LoadError>> =
    LazyLock::new(|| load_component_from_text(include_str!("../components/echo.yaml")));

#[component(base_image = "python:3.11")]
#[allow(missing_docs)] // a doc comment would become the component's description
pub fn make(rows: i64, data_path: OutputPath<Csv>) -> Result<(), BoxError> {
    std::fs::write(&data_path, "0,0\n".repeat(usize::try_from(rows)?))?;
    Ok(())
}

#[component(base_image = "python:3.11")]
#[allow(missing_docs)] // a doc comment would become the component's description
pub fn show(text: String) {
    println!("{text}");
}

#[pipeline(name = "reusable-components")]
pub fn reusable_components(#[kfp(default = "hi")] msg: String) {
    let m = make(3).outputs();
    let Ok(echo) = &*ECHO else { return };
    let e = echo.task([("msg", msg.into()), ("data", m.data_path.into())]);
    show(e.output::<String>("out"));
}

/// The same component written in Rust instead of YAML (kfp's `@dsl.container_component`).
pub fn echo_by_hand() -> ContainerComponent {
    use Placeholder::*;
    ContainerComponent::new("Echo text", "alpine:3.19")
        .description("Writes a message to a file")
        .input("msg", "String")
        .optional_input("times", "Integer", "1")
        .input("data", "CSV")
        .output("out", "String")
        .output("copy", "CSV")
        .command([
            Literal("sh".into()),
            Literal("-c".into()),
            Literal(r#"echo "$0" > "$1"; cp "$2" "$3""#.into()),
            InputValue("msg".into()),
            OutputPath("out".into()),
            InputPath("data".into()),
            OutputPath("copy".into()),
        ])
        .args([
            Literal("--times".into()),
            InputValue("times".into()),
            IfPresent {
                present: "times".into(),
                then: vec![Literal("--twice".into())],
                otherwise: vec![],
            },
            Concat(vec![Literal("pre-".into()), InputValue("msg".into())]),
        ])
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    if let Err(e) = &*ECHO {
        eprintln!("error: components/echo.yaml: {e}");
        std::process::exit(1);
    }
    kfp_core::main(reusable_components)
}
