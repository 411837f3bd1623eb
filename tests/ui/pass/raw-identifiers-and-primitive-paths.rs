//! A raw identifier as a parameter (`r#type`), and a primitive type's function
//! (`i64::from(3i32)`) in a pipeline body, which is not a component call.
use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn show(r#type: String, n: i64) {
    println!("{type} {n}", type = r#type);
}

#[pipeline(name = "raw")]
fn raw(r#type: String) {
    show(r#type, i64::from(3i32));
}

fn main() {
    let p = raw();
    assert_eq!(p.params[0].name, "type");
    assert_eq!(p.tasks[0].component.inputs()[0].name, "type");
}
