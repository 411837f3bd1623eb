//! The prelude exports no `Error`: a component's `Result` names `BoxError`.
use kfp_core::prelude::*;

#[component]
fn fails() -> Result<(), Error> {
    Ok(())
}

fn main() {}
