//! Compile-fail (and compile-pass) cases for `#[component]`, `#[pipeline]` and
//! `#[derive(Outputs)]`, and for the public API (`ui/api`: kfp-core's internals are not
//! public, the prelude has no `Error`): one mistake per file, the file name states it, the `.stderr` beside
//! it is the exact message. Bless with `TRYBUILD=overwrite cargo test -p kfp-tests --test ui`
//! and review the diff like code.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/component/*.rs");
    t.compile_fail("ui/pipeline/*.rs");
    t.compile_fail("ui/outputs/*.rs");
    t.compile_fail("ui/api/*.rs");
    t.pass("ui/pass/*.rs");
}
