//! A pipeline of Rust components that really trains and tracks the training in MLflow:
//!
//! 1. `make_dataset` makes a seeded synthetic regression data set (`y = 3 x1 - 2 x2 + 0.5 +
//!    noise`), split into a training and a held-out `Dataset`;
//! 2. `train` fits a linear regression by gradient descent, logs the hyperparameters, the
//!    loss (MSE) of every epoch as steps, and the model file as an MLflow artifact, and
//!    outputs the `Model` and the MLflow run id;
//! 3. `evaluate` reads the model and the held-out data, logs the RMSE to the same run and
//!    outputs `Metrics`.
//!
//! The tracking server, the S3 endpoint and the experiment come from `Mlflow` wiring (the
//! cluster's services), and the S3 keys from the Kubernetes Secret `mlflow-s3-credentials`
//! (keys `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`). The `tracking_uri` and `s3_endpoint`
//! parameters, when not empty, override the wiring (a local run against local servers).

use std::path::Path;

use kfp_core::artifact::{Dataset, InputPath, Metrics, Model, OutputPath};
use kfp_core::mlflow::{ClientBuilder, Metric, Mlflow, MlflowClient};
use kfp_core::prelude::*;

const TRACKING_URI: &str = "http://mlflow-server-service.mlflow-system.svc:5000";
const S3_ENDPOINT: &str = "http://minio-service.kubeflow.svc:9000";
const EXPERIMENT: &str = "mlflow-train";
const CREDENTIALS_SECRET: &str = "mlflow-s3-credentials";

/// A small deterministic generator (SplitMix64): the same seed gives the same data set on
/// every machine, without a dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[component(base_image = "debian:bookworm-slim")]
#[allow(missing_docs)]
pub fn make_dataset(
    rows: i64,
    seed: i64,
    train_data: OutputPath<Dataset>,
    test_data: OutputPath<Dataset>,
) -> Result<(), BoxError> {
    if rows < 10 {
        return Err(format!("rows must be at least 10, got {rows}").into());
    }
    let mut rng = SplitMix(seed as u64);
    let mut train = String::from("x1,x2,y\n");
    let mut test = train.clone();
    for i in 0..rows {
        let x1 = rng.next_f64() * 2.0 - 1.0;
        let x2 = rng.next_f64() * 2.0 - 1.0;
        let noise = (rng.next_f64() - 0.5) * 0.1;
        let line = format!("{x1},{x2},{}\n", 3.0 * x1 - 2.0 * x2 + 0.5 + noise);
        // Every fifth row is held out.
        if i % 5 == 4 {
            test.push_str(&line);
        } else {
            train.push_str(&line);
        }
    }
    std::fs::write(&train_data, train)?;
    std::fs::write(&test_data, test)?;
    Ok(())
}

/// Rows of `x1,x2,y` after the header.
fn read_rows(path: &Path) -> Result<Vec<[f64; 3]>, BoxError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let v: Vec<f64> = line
                .split(',')
                .map(str::parse)
                .collect::<Result<_, _>>()
                .map_err(|e| format!("{}: bad row {line:?}: {e}", path.display()))?;
            match v[..] {
                [a, b, c] => Ok([a, b, c]),
                _ => Err(format!("{}: row {line:?} has not 3 values", path.display()).into()),
            }
        })
        .collect()
}

/// The client from the environment, with the non-empty parameters overriding it.
fn client(tracking_uri: &str, s3_endpoint: &str) -> Result<MlflowClient, BoxError> {
    let mut b = ClientBuilder::from_env()?;
    if !tracking_uri.is_empty() {
        b = b.tracking_uri(tracking_uri);
    }
    if !s3_endpoint.is_empty() {
        b = b.s3_endpoint(s3_endpoint);
    }
    Ok(b.build()?)
}

/// The model file: the weights and the bias, one per line.
fn model_text(w: [f64; 2], b: f64) -> String {
    format!("w1 {}\nw2 {}\nb {}\n", w[0], w[1], b)
}

fn parse_model(text: &str) -> Result<([f64; 2], f64), BoxError> {
    let mut values = [0.0; 3];
    for (i, name) in ["w1", "w2", "b"].iter().enumerate() {
        values[i] = text
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .ok_or_else(|| format!("the model has no {name}"))?
            .trim()
            .parse()
            .map_err(|e| format!("the model's {name}: {e}"))?;
    }
    Ok(([values[0], values[1]], values[2]))
}

#[component(base_image = "debian:bookworm-slim")]
#[allow(missing_docs)]
#[allow(clippy::too_many_arguments)]
pub fn train(
    train_data: InputPath<Dataset>,
    epochs: i64,
    learning_rate: f64,
    tracking_uri: String,
    s3_endpoint: String,
    experiment: String,
    model: OutputPath<Model>,
) -> Result<String, BoxError> {
    let rows = read_rows(train_data.path())?;
    let mlflow = client(&tracking_uri, &s3_endpoint)?;
    let name = if experiment.is_empty() {
        mlflow.default_experiment().unwrap_or(EXPERIMENT).to_owned()
    } else {
        experiment
    };
    let exp = mlflow.get_or_create_experiment(&name)?;
    let mut run = mlflow.start_run(&exp, "train", &[("kfp.component", "train")])?;
    run.set_flush_every(100);
    run.log_params(&[
        ("epochs", &epochs.to_string()),
        ("learning_rate", &learning_rate.to_string()),
        ("rows", &rows.len().to_string()),
    ])?;
    let n = rows.len() as f64;
    let (mut w, mut b) = ([0.0f64; 2], 0.0f64);
    for epoch in 0..epochs {
        let (mut gw, mut gb, mut loss) = ([0.0; 2], 0.0, 0.0);
        for [x1, x2, y] in &rows {
            let err = w[0] * x1 + w[1] * x2 + b - y;
            loss += err * err;
            gw[0] += 2.0 * err * x1;
            gw[1] += 2.0 * err * x2;
            gb += 2.0 * err;
        }
        // The loss of the weights this epoch starts from, so step 0 is the untrained model.
        run.log_metric("loss", loss / n, epoch)?;
        w[0] -= learning_rate * gw[0] / n;
        w[1] -= learning_rate * gw[1] / n;
        b -= learning_rate * gb / n;
    }
    std::fs::write(&model, model_text(w, b))?;
    run.log_artifact(model.path(), Some("model"))?;
    println!("trained: w = {w:?}, b = {b}; MLflow run {}", run.id());
    let id = run.id().to_owned();
    run.finish()?;
    Ok(id)
}

#[component(base_image = "debian:bookworm-slim")]
#[allow(missing_docs)]
pub fn evaluate(
    test_data: InputPath<Dataset>,
    model: InputPath<Model>,
    run_id: String,
    tracking_uri: String,
    s3_endpoint: String,
    mlpipeline_metrics: OutputPath<Metrics>,
) -> Result<f64, BoxError> {
    let rows = read_rows(test_data.path())?;
    let (w, b) = parse_model(&std::fs::read_to_string(&model)?)?;
    let sse: f64 = rows
        .iter()
        .map(|[x1, x2, y]| (w[0] * x1 + w[1] * x2 + b - y).powi(2))
        .sum();
    let rmse = (sse / rows.len() as f64).sqrt();
    let mlflow = client(&tracking_uri, &s3_endpoint)?;
    mlflow.log_batch(&run_id, &[Metric::now("rmse", rmse, 0)], &[], &[])?;
    // The RMSE for the KFP UI on both targets: on v2 in the `Metrics` artifact's metadata
    // (executor_output.json), on v1 as the `mlpipeline-metrics` file the UI reads.
    mlpipeline_metrics.log_metric("rmse", rmse);
    kfp_core::ui::v1::MetricsFile::new()
        .raw("rmse", rmse)
        .write(&mlpipeline_metrics)?;
    println!("rmse {rmse}");
    Ok(rmse)
}

/// The pipeline: data, training and evaluation, tracked in MLflow.
#[pipeline(name = "mlflow-train")]
pub fn mlflow_train(
    #[kfp(default = 200)] rows: i64,
    #[kfp(default = 7)] seed: i64,
    #[kfp(default = 30)] epochs: i64,
    #[kfp(default = 0.3)] learning_rate: f64,
    #[kfp(default = "")] tracking_uri: String,
    #[kfp(default = "")] s3_endpoint: String,
    #[kfp(default = "")] experiment: String,
) {
    let mlflow = Mlflow::new(TRACKING_URI)
        .s3_endpoint(S3_ENDPOINT)
        .experiment(EXPERIMENT)
        .credentials_secret(CREDENTIALS_SECRET);
    let data = make_dataset(rows, seed).outputs();
    let trained = train(
        data.train_data,
        epochs,
        learning_rate,
        tracking_uri,
        s3_endpoint,
        experiment,
    )
    .use_mlflow(&mlflow)
    .outputs();
    evaluate(
        data.test_data,
        trained.model,
        trained.output,
        tracking_uri,
        s3_endpoint,
    )
    .use_mlflow(&mlflow);
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(mlflow_train)
}
