// The derive fails, yet the component returning the enum reports nothing more.
use kfp_core::prelude::*;

#[derive(Outputs)]
enum Stats {
    Sum(f64),
    Label(String),
}

#[component]
fn stats(a: f64) -> Stats {
    if a > 0.0 {
        Stats::Sum(a)
    } else {
        Stats::Label("negative".into())
    }
}

fn main() {
    if let Stats::Label(label) = stats(1.0) {
        println!("{label}");
    }
}
