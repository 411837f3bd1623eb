//! The flagship: check CUDA, then train YOLOv8 with ultralytics, tracked in an MLflow
//! Tracking Server whose artifacts live in MinIO (S3).
//!
//! `cargo run --example yolov8withmlflow` writes `yolov8withmlflow.yaml` (KFP v1), ready to
//! upload; `-- compile --target v2` writes the KFP v2 IR; `-- --help` lists the other commands.
//!
//! Unlike the seed pipeline it comes from, the training task asks for the GPU it needs and
//! keeps the MinIO credentials in a Kubernetes Secret, created once in the namespace the run
//! goes to:
//!
//! ```text
//! kubectl create secret generic mlflow-s3-credentials \
//!   --from-literal=AWS_ACCESS_KEY_ID=<access key> --from-literal=AWS_SECRET_ACCESS_KEY=<secret key>
//! ```
//!
//! `train` also takes an optional `data` input, the dataset YAML ultralytics trains on; its
//! default is the seed's `coco128.yaml`, and the pipeline leaves it out, so a run is the
//! seed's. Passing it points the component at a local dataset (`e2e/flagship.sh` does).
//!
//! `yolov8withmlflow_seed` compiles the seed's pipeline exactly (no GPU request, no Secret),
//! which is what kfp 1.8.9 and 2.17.3 emit for the seed's Python.

use std::process::Command;

use kfp_core::mlflow::Mlflow;
use kfp_core::prelude::*;

/// The in-cluster MLflow server and MinIO of the seed pipeline.
const MLFLOW_TRACKING_URI: &str = "http://mlflow-server-service.mlflow-system.svc:5000";
const MLFLOW_S3_ENDPOINT_URL: &str = "http://minio-service.kubeflow.svc:9000";
/// The Secret holding `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` for MinIO.
const CREDENTIALS_SECRET: &str = "mlflow-s3-credentials";

// No doc comments on the components and pipelines below: kfp makes a docstring the
// description, and so does kfp-rs, which would set them apart from the seed's.
#[component(base_image = "nohgyu/test:v1.0")]
#[allow(missing_docs)]
pub fn verify_training() -> bool {
    // Ask torch, as the seed does; fall back to nvidia-smi where torch is not installed.
    let probe = "import torch\n\
                 print(torch.cuda.is_available())\n\
                 print(torch.cuda.get_device_name() if torch.cuda.is_available() else '-')\n\
                 print(torch.cuda.device_count())";
    if let Ok(out) = Command::new("python3").args(["-c", probe]).output() {
        if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout);
            print!("{text}");
            return text.lines().next() == Some("True");
        }
    }
    match Command::new("nvidia-smi").arg("-L").output() {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            print!("{text}");
            text.lines().any(|l| l.starts_with("GPU "))
        }
        _ => {
            println!("False");
            false
        }
    }
}

#[component(
    base_image = "nohgyu/test:v1.0",
    packages = ["ultralytics", "opencv-python==4.8.0.74", "mlflow", "boto3"],
)]
#[allow(missing_docs)]
pub fn train(
    checker: bool,
    model_name: String,
    epochs: i64,
    imgsz: i64,
    batchsize: i64,
    #[kfp(default = "coco128.yaml")] data: String,
) -> Result<(), BoxError> {
    yolo_train(checker, &model_name, &data, epochs, imgsz, batchsize)
}

/// `yolo train` on `data` (the seed's `coco128.yaml`, or a dataset YAML of one's own).
fn yolo_train(
    checker: bool,
    model_name: &str,
    data: &str,
    epochs: i64,
    imgsz: i64,
    batchsize: i64,
) -> Result<(), BoxError> {
    if !checker {
        println!("CUDA is not available.\nPlease Check GPU Device");
        return Ok(());
    }
    // ultralytics logs to MLflow when `mlflow` is installed and MLFLOW_TRACKING_URI is set;
    // the task's environment carries the server, the S3 endpoint and the credentials.
    if std::env::var_os("MLFLOW_TRACKING_URI").is_none() {
        eprintln!("warning: MLFLOW_TRACKING_URI is not set; training is not tracked");
    }
    let status = Command::new("yolo")
        .args([
            "train".to_owned(),
            format!("model={model_name}"),
            format!("data={data}"),
            format!("epochs={epochs}"),
            format!("imgsz={imgsz}"),
            format!("batch={batchsize}"),
        ])
        .status()
        .map_err(|e| format!("cannot start the ultralytics `yolo` CLI: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`yolo train` failed: {status}").into())
    }
}

/// The seed's `train` exactly as the seed declares it (no `data` input: kfp's golden has none).
pub mod seed {
    use kfp_core::prelude::*;

    #[component(
        base_image = "nohgyu/test:v1.0",
        packages = ["ultralytics", "opencv-python==4.8.0.74", "mlflow", "boto3"],
    )]
    #[allow(missing_docs)]
    pub fn train(
        checker: bool,
        model_name: String,
        epochs: i64,
        imgsz: i64,
        batchsize: i64,
    ) -> Result<(), BoxError> {
        super::yolo_train(
            checker,
            &model_name,
            "coco128.yaml",
            epochs,
            imgsz,
            batchsize,
        )
    }
}

// The flagship pipeline: the seed's two steps, with one GPU for training and MLflow wired
// through the environment and a Secret.
#[pipeline(name = "yolov8withmlflow")]
pub fn train_pipeline(model_name: String, epochs: i64, imgsz: i64, batchsize: i64) {
    let check = verify_training();
    let mlflow = Mlflow::new(MLFLOW_TRACKING_URI)
        .s3_endpoint(MLFLOW_S3_ENDPOINT_URL)
        .credentials_secret(CREDENTIALS_SECRET);
    train(
        check.output(),
        model_name,
        epochs,
        imgsz,
        batchsize,
        DEFAULT,
    )
    .set_display_name("YOLOv8 test training")
    .set_gpu_limit(1)
    .use_mlflow(&mlflow);
}

// The seed's pipeline as written: the same steps, without the GPU request and the MLflow
// environment (the seed set those inside the pod, credentials included).
#[pipeline(name = "yolov8withmlflow")]
pub fn seed_pipeline(model_name: String, epochs: i64, imgsz: i64, batchsize: i64) {
    let check = verify_training();
    seed::train(check.output(), model_name, epochs, imgsz, batchsize)
        .set_display_name("YOLOv8 test training");
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(train_pipeline)
}
