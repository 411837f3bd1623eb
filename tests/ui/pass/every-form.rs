// Every form of the macros in a crate of its own, with `main` calling what they generate.
#![deny(warnings)]

use kfp_core::prelude::*;

mod renamed {
    // `crate = path` for a renamed or re-exported kfp_core.
    pub use kfp_core as kfp;
}

/// Two named outputs.
#[derive(Outputs)]
pub struct Stats {
    sum: f64,
    label: String,
}

/// Returns nothing.
#[component]
fn hello() {}

#[component(
    base_image = "python:3.11",
    packages = ["mlflow", "boto3==1.34.0"],
    name = "Add numbers",
    description = "Adds two numbers",
)]
fn add(a: f64, b: f64) -> Result<f64, BoxError> {
    Ok(a + b)
}

#[component(crate = renamed::kfp)]
fn stats(a: f64, b: Option<f64>, tags: Vec<String>) -> Stats {
    Stats {
        sum: a + b.unwrap_or_default(),
        label: tags.join(","),
    }
}

#[component]
fn show(value: f64, label: String, ok: bool) {
    println!("{label} {value} {ok}");
}

/// Exercises every form.
#[pipeline(name = "every-form", description = "All the forms")]
fn every_form(#[kfp(default = 1.5)] a: f64, b: f64, #[kfp(default = true)] ok: bool) {
    let h = hello();
    let sum = add(a, b).after(&h);
    let s = stats(sum.output(), Some(2.0), vec!["x".to_owned()]).outputs();
    show(s.sum, s.label, ok).set_display_name("Show");
    show(1.0, "const", false).set_caching_options(false);
}

#[pipeline(crate = renamed::kfp)]
fn renamed_crate() {
    hello();
}

fn main() {
    assert_eq!(add(1.0, 2.0).ok(), Some(3.0));
    assert_eq!(add::spec().name(), "Add numbers");
    assert_eq!(stats(1.0, None, vec![]).sum, 1.0);
    let p = every_form();
    assert_eq!(p.name, "every-form");
    assert_eq!(p.tasks.len(), 5);
    assert_eq!(renamed_crate().tasks.len(), 1);
}
