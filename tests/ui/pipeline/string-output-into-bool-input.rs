use kfp_core::prelude::*;

#[component]
fn pick_model() -> String {
    "yolov8n.pt".into()
}

#[component]
fn train(checker: bool) {
    println!("{checker}");
}

#[pipeline(name = "wiring")]
fn wiring() {
    let model = pick_model();
    train(model.output());
}

fn main() {}
