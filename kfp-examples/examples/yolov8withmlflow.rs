//! The flagship: check CUDA, then train YOLOv8 with ultralytics, tracked in an MLflow
//! Tracking Server whose artifacts live in MinIO (S3).
//!
//! `cargo run --example yolov8withmlflow` writes `yolov8withmlflow.yaml` (KFP v1), ready to
//! upload; `-- --help` lists the other commands (KFP v2, running one component, Dockerfiles).
//!
//! MLflow is configured through the task's environment (`MLFLOW_TRACKING_URI`,
//! `MLFLOW_S3_ENDPOINT_URL`, and the S3 keys `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, which
//! belong in a Kubernetes Secret): no credential is written in this file or in the YAML.

use std::process::Command;

use kfp_core::prelude::*;

/// The in-cluster MLflow endpoints the seed pipeline uses, taken when the pod's environment
/// does not set them.
const DEFAULT_ENV: [(&str, &str); 2] = [
    (
        "MLFLOW_TRACKING_URI",
        "http://mlflow-server-service.mlflow-system.svc:5000",
    ),
    (
        "MLFLOW_S3_ENDPOINT_URL",
        "http://minio-service.kubeflow.svc:9000",
    ),
];

#[component(base_image = "nohgyu/test:v1.0")]
fn verify_training() -> bool {
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
fn train(
    checker: bool,
    model_name: String,
    epochs: i64,
    imgsz: i64,
    batchsize: i64,
) -> Result<(), Error> {
    if !checker {
        println!("CUDA is not available.\nPlease Check GPU Device");
        return Ok(());
    }
    let mut yolo = Command::new("yolo");
    yolo.args([
        "train".to_owned(),
        format!("model={model_name}"),
        "data=coco128.yaml".to_owned(),
        format!("epochs={epochs}"),
        format!("imgsz={imgsz}"),
        format!("batch={batchsize}"),
    ]);
    for (key, value) in DEFAULT_ENV {
        if std::env::var_os(key).is_none() {
            yolo.env(key, value);
        }
    }
    let status = yolo
        .status()
        .map_err(|e| format!("cannot start the ultralytics `yolo` CLI: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`yolo train` failed: {status}").into())
    }
}

#[pipeline(name = "yolov8withmlflow")]
pub fn train_pipeline(model_name: String, epochs: i64, imgsz: i64, batchsize: i64) {
    let check = verify_training();
    train(check.output(), model_name, epochs, imgsz, batchsize)
        .set_display_name("YOLOv8 test training");
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(train_pipeline)
}
