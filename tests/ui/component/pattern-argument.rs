use kfp_core::prelude::*;

#[component]
fn train((epochs, imgsz): (i64, i64)) {
    println!("{epochs} {imgsz}");
}

fn main() {}
