use kfp_core::prelude::*;

struct Trainer;

impl Trainer {
    #[component]
    fn train(&self, epochs: i64) {
        let _ = epochs;
    }
}

fn main() {}
