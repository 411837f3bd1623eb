//! The v1 back end's names for the KFP v1 UI's special outputs: kfp 1.8.9 makes an output
//! named `mlpipeline_metrics` or `mlpipeline_ui_metadata` the Argo artifact
//! `mlpipeline-metrics` / `mlpipeline-ui-metadata`, without the task's name, where KFP's
//! persistence agent and UI look for them. The files themselves are written in the pod with
//! [`MetricsFile`](crate::ui::v1::MetricsFile) and
//! [`UiMetadataFile`](crate::ui::v1::UiMetadataFile).

/// The names KFP v1 gives its special outputs, by the output's v1 name: `mlpipeline-metrics`
/// and `mlpipeline-ui-metadata` (kfp 1.8.9 lower-cases the name and turns every character but
/// a letter or digit into `-` before comparing).
pub(crate) fn special_output(v1_name: &str) -> Option<&'static str> {
    let normal: String = v1_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    ["mlpipeline-ui-metadata", "mlpipeline-metrics"]
        .into_iter()
        .find(|n| *n == normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_outputs_are_kfps_two() {
        assert_eq!(
            special_output("mlpipeline_ui_metadata"),
            Some("mlpipeline-ui-metadata")
        );
        assert_eq!(
            special_output("mlpipeline-metrics"),
            Some("mlpipeline-metrics")
        );
        assert_eq!(
            special_output("MLPipeline UI metadata"),
            Some("mlpipeline-ui-metadata")
        );
        assert_eq!(special_output("mlpipeline_metrics_2"), None);
        assert_eq!(special_output("metrics"), None);
    }
}
