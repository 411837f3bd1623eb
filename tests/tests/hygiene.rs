//! Both macros and the derive, used in a `#![no_implicit_prelude]` module that also shadows
//! the prelude's names: the generated code names everything by absolute path.

#[allow(dead_code, non_camel_case_types, clippy::upper_case_acronyms)] // the shadowing items
#[no_implicit_prelude]
mod hygiene {
    use ::kfp_core::{component, pipeline, Outputs};

    // Items named like the prelude's and like what the generated code uses.
    struct Option;
    struct Result;
    struct Some;
    struct None;
    struct Ok;
    struct Err;
    struct Vec;
    struct String;
    struct Box;
    struct Arc;
    struct LazyLock;
    struct Clone;
    struct Copy;
    struct Debug;
    struct Sized;
    struct Params;
    struct Pipeline;
    struct Task;
    struct TaskOutput;
    mod core {}
    mod std {}
    mod kfp_core {}
    mod __private {}

    /// Named outputs.
    #[derive(Outputs)]
    pub struct Stats {
        pub sum: f64,
        pub label: ::std::string::String,
    }

    /// Every option.
    #[component(
        base_image = "python:3.11",
        packages = ["mlflow"],
        name = "Add",
        description = "Adds",
    )]
    pub fn add(a: f64, b: f64) -> f64 {
        a + b
    }

    #[component]
    pub fn stats(
        a: f64,
        tags: ::std::vec::Vec<::std::string::String>,
        extra: ::std::option::Option<f64>,
    ) -> Stats {
        Stats {
            sum: a + extra.unwrap_or(0.0),
            label: tags.join(","),
        }
    }

    #[component]
    pub fn check(ok: bool) -> ::std::result::Result<(), ::kfp_core::BoxError> {
        if ok {
            ::std::result::Result::Ok(())
        } else {
            ::std::result::Result::Err(::std::convert::Into::into("not ok"))
        }
    }

    #[component]
    pub fn show(value: f64, label: ::std::string::String) {
        ::std::println!("{label}: {value}");
    }

    #[pipeline(name = "hygiene")]
    pub fn hygiene(#[kfp(default = 1.5)] a: f64, b: f64, #[kfp(default = true)] ok: bool) {
        let first = check(ok);
        let sum = add(a, b).after(&first);
        let s = stats(sum.output(), ::std::vec![], ::std::option::Option::None).outputs();
        show(s.sum, s.label).set_display_name("Show");
    }
}

#[test]
fn macros_need_no_prelude() {
    let p = hygiene::hygiene();
    assert_eq!(p.name, "hygiene");
    assert_eq!(p.tasks.len(), 4);
    assert_eq!(hygiene::add(1.0, 2.0), 3.0);
    assert_eq!(hygiene::add::spec().name(), "Add");
}
