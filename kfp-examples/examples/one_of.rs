//! The output of whichever branch of an `if`/`elif`/`else` ran (kfp's `dsl.OneOf`), fed to a
//! task after the branches. KFP v2 only (a typed error on v1).
//!
//! The Python pipeline it ports, and what kfp 2.17.3 makes of it, are in
//! `tests/kfp-golden/v2/one_of.{py,yaml}`.

use kfp_core::control::OneOf;
use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn flip() -> String {
    "heads".into()
}

#[component(base_image = "python:3.11")]
fn word(w: String) -> String {
    w
}

#[component(base_image = "python:3.11")]
fn say(s: String) {
    println!("{s}");
}

#[pipeline(name = "one-of")]
pub fn one_of() {
    let f = flip();
    // Each branch hands its task's output out of the closure.
    let (mut heads, mut tails, mut edge) = (None, None, None);
    f.output()
        .equals("heads")
        .then(|| heads = Some(word("a").output()))
        .elif(f.output().equals("tails"), || {
            tails = Some(word("b").output())
        })
        .otherwise(|| edge = Some(word("c").output()));
    if let (Some(a), Some(b), Some(c)) = (heads, tails, edge) {
        say(OneOf::new([a, b, c]));
    }
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(one_of)
}
