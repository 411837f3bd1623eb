//! Conditional execution with `if`/`elif`/`else`, a nested `if` on a task output and a
//! pipeline parameter, and a plain condition after them. Port of the oracle's v2 `condition`
//! pipeline (`dsl.If`/`dsl.Elif`/`dsl.Else` and the legacy `dsl.Condition`); KFP v2 only, as
//! KFP v1 has no `elif` or `else`. `condition_v1` ports the oracle's v1 pipeline with the same
//! components (the `condition_v1` example compiles it alone).

use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn flip_coin() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    if nanos.is_multiple_of(2) {
        "heads"
    } else {
        "tails"
    }
    .to_owned()
}

#[component(base_image = "python:3.11")]
fn random_num(low: i64, high: i64) -> i64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::from(d.subsec_nanos()));
    low + nanos % (high - low + 1)
}

#[component(base_image = "python:3.11")]
fn print_msg(msg: String) {
    println!("{msg}");
}

#[pipeline(name = "condition")]
pub fn condition(#[kfp(default = 5)] threshold: i64) {
    let flip = flip_coin();
    flip.output()
        .equals("heads")
        .named("heads-branch")
        .then(|| {
            print_msg("heads!");
            let num = random_num(0, 9);
            num.output().greater_than(threshold).then(|| {
                print_msg("heads and big number");
            });
        })
        .elif(flip.output().equals("tails"), || {
            print_msg("tails!");
        })
        .otherwise(|| {
            print_msg("edge!");
        });
    flip.output().not_equals("heads").then(|| {
        print_msg("legacy Condition: not heads");
    });
}

// The oracle's v1 pipeline: KFP v1 has no else, so it is a second condition with the negated
// comparison.
#[pipeline(name = "condition")]
pub fn condition_v1(#[kfp(default = 5)] threshold: i64) {
    let flip = flip_coin();
    flip.output()
        .equals("heads")
        .named("heads-branch")
        .then(|| {
            print_msg("heads!");
            let num = random_num(0, 9);
            num.output().greater_than(threshold).then(|| {
                print_msg("heads and big number");
            });
        });
    flip.output().not_equals("heads").then(|| {
        print_msg("tails!");
    });
}

/// KFP v1 gets the oracle's v1 pipeline, KFP v2 the v2 one.
#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(kfp_core::cli::PerTarget {
        v1: condition_v1,
        v2: condition,
    })
}
