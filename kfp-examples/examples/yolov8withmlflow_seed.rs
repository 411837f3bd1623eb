//! The seed pipeline exactly as the document it comes from writes it: what kfp 1.8.9 and
//! 2.17.3 emit for its Python, but for the program each container runs. The components are
//! the flagship's (`yolov8withmlflow.rs`); the flagship adds a GPU request and MLflow settings
//! with the credentials in a Secret.

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(kfp_examples::yolov8withmlflow::seed_pipeline)
}
