//! Unit tests of `ui` and `ui::v1`.

use super::v1::{check_metric_name, MetricFormat, MetricsFile, UiMetadataFile};
use super::*;
use crate::runtime::executor::RuntimeArtifact;

fn spec() -> ComponentSpec {
    ComponentSpec::test("evaluate")
}

fn input_with(name: &str, uri: &str, metadata: Value) -> ExecutorInput {
    let mut input = ExecutorInput::default();
    input.output_artifacts.insert(
        name.into(),
        vec![RuntimeArtifact {
            name: name.into(),
            uri: uri.into(),
            metadata: metadata.as_object().cloned().unwrap_or_default(),
            ..Default::default()
        }],
    );
    input
}

#[test]
fn logged_metrics_join_the_executor_input_metadata_in_order() {
    let path = "ui-test-join/metrics";
    let m = OutputPath::<Metrics>::new(path);
    m.log_metric("accuracy", 0.5);
    m.log_metric("loss", 1.0);
    m.log_metric("accuracy", 0.85);
    let mut input = input_with("metrics", path, json!({"given": "x", "loss": 3}));
    attach_logged(&spec(), &mut input).unwrap();
    let meta = &input.output_artifacts["metrics"][0].metadata;
    assert_eq!(
        crate::pyjson::dumps(&Value::Object(meta.clone()), false),
        r#"{"given": "x", "loss": 1.0, "accuracy": 0.85}"#
    );
    // Taken once: a second step end finds nothing more.
    let mut again = input_with("metrics", path, json!({}));
    attach_logged(&spec(), &mut again).unwrap();
    assert!(again.output_artifacts["metrics"][0].metadata.is_empty());
}

#[test]
fn a_nan_metric_fails_the_step_naming_output_and_metric() {
    let path = "ui-test-nan/metrics";
    let m = OutputPath::<Metrics>::new(path);
    m.log_metric("loss", f64::NAN);
    let mut input = input_with("metrics", path, json!({}));
    let err = attach_logged(&spec(), &mut input).unwrap_err();
    assert_eq!(err.exit_code(), 1);
    let text = err.to_string();
    assert!(
        text.contains("output `metrics`") && text.contains("metric `loss` is NaN"),
        "{text}"
    );
}

#[test]
fn classification_metrics_have_kfps_shape() {
    let cm = OutputPath::<ClassificationMetrics>::new("ui-test-cm/classification");
    cm.log_roc_data_point(0.1, 0.6, 0.7);
    cm.log_confusion_matrix(&["a", "b"], &[vec![1, 2], vec![3, 4]])
        .unwrap();
    cm.log_roc_curve(&[0.0], &[0.5], &[1.0]).unwrap();
    assert_eq!(
        crate::pyjson::dumps(&Value::Object(cm.logged_metadata()), false),
        r#"{"confidenceMetrics": [{"confidenceThreshold": 0.7, "recall": 0.6, "falsePositiveRate": 0.1}, {"confidenceThreshold": 1.0, "recall": 0.5, "falsePositiveRate": 0.0}], "confusionMatrix": {"annotationSpecs": [{"displayName": "a"}, {"displayName": "b"}], "rows": [{"row": [1, 2]}, {"row": [3, 4]}]}}"#
    );
}

#[test]
fn bad_shapes_are_refused_and_log_nothing() {
    let cm = OutputPath::<ClassificationMetrics>::new("ui-test-shape/classification");
    let e = cm
        .log_confusion_matrix(&["a", "b"], &[vec![1, 2], vec![3]])
        .unwrap_err();
    assert!(e.to_string().contains("[2, 1] for 2 categories"), "{e}");
    let e = cm
        .log_roc_curve(&[0.0, 1.0], &[0.0], &[1.0, 0.0])
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("2 (fpr), 1 (tpr) and 2 (thresholds)"),
        "{e}"
    );
    assert!(cm.logged_metadata().is_empty());
}

#[test]
fn read_executor_output_gives_metadata_by_output() {
    let text = r#"{"artifacts": {"a": {"artifacts": [{"metadata": {}}]},
                   "m": {"artifacts": [{"metadata": {"x": 1.5}}]}}}"#;
    let got = read_executor_output(text).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got["m"]["x"], 1.5);
    assert!(read_executor_output("{}").unwrap().is_empty());
    assert!(read_executor_output("nope").is_err());
    assert!(read_executor_output(r#"{"artifacts": 3}"#).is_err());
}

#[test]
fn metric_names_follow_kfp_v1s_rule() {
    for good in ["a", "accuracy", "f1-score", "a1", &"a".repeat(64)] {
        assert!(check_metric_name(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        "1a",
        "Accuracy",
        "f1_score",
        "loss-",
        "a b",
        "-a",
        &"a".repeat(65),
    ] {
        let e = check_metric_name(bad).unwrap_err();
        assert!(e.to_string().contains(&format!("`{bad}`")), "{e}");
    }
}

#[test]
fn metrics_file_checks_count_and_values() {
    let many = (0..51).fold(MetricsFile::new(), |f, i| f.raw(&format!("m{i}"), 1.0));
    assert_eq!(many.to_json().unwrap_err(), UiError::TooMany { count: 51 });
    let e = MetricsFile::new()
        .raw("loss", f64::INFINITY)
        .to_json()
        .unwrap_err();
    assert!(e.to_string().contains("metric `loss` is inf"), "{e}");
    let text = MetricsFile::new().percentage("acc", 0.5).to_json().unwrap();
    let back = MetricsFile::parse(&text).unwrap();
    assert_eq!(back.metrics[0].format, MetricFormat::Percentage);
    assert!(
        MetricsFile::parse(r#"{"metrics": [{"name": "a", "numberValue": 1, "format": "X"}]}"#)
            .is_err()
    );
    assert!(MetricsFile::parse(r#"{"metrics": [{"name": "a"}]}"#).is_err());
    assert!(MetricsFile::parse(r#"{"other": []}"#).is_err());
}

#[test]
fn ui_metadata_writes_csv_the_ui_parses() {
    let text = UiMetadataFile::new()
        .confusion_matrix(&["a,b", "c"], &[[1, 2], [3, 4]])
        .table(&["k", "v"], &[vec!["say \"hi\"", "1"]])
        .to_json()
        .unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v["outputs"][0]["source"],
        "\"a,b\",\"a,b\",1\n\"a,b\",c,2\nc,\"a,b\",3\nc,c,4"
    );
    assert_eq!(v["outputs"][0]["labels"], json!(["a,b", "c"]));
    assert_eq!(v["outputs"][1]["source"], "\"say \"\"hi\"\"\",1");
}

#[test]
fn ui_metadata_reports_the_first_problem() {
    let e = UiMetadataFile::new()
        .confusion_matrix(&["a", "a"], &[[1, 2], [3, 4]])
        .roc(&[0.0], &[], &[])
        .to_json()
        .unwrap_err();
    assert!(e.to_string().contains("label `a` is given twice"), "{e}");
    assert!(UiMetadataFile::new()
        .table(&["a"], &[vec!["1", "2"]])
        .to_json()
        .is_err());
    assert!(UiMetadataFile::new().tensorboard("logs").to_json().is_err());
    assert!(UiMetadataFile::new()
        .roc(&[f64::NAN], &[0.0], &[0.0])
        .to_json()
        .is_err());
}
