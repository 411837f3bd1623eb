//! The checks MLflow's server makes on names and values (`mlflow/utils/validation.py`), made
//! before sending: the server rejects a whole batch for one bad name, so a bad name caught
//! here loses nothing else.

use super::MlflowError;

/// The longest metric, param or tag key MLflow accepts.
pub const MAX_KEY_LEN: usize = 250;
/// The longest param value MLflow accepts.
pub const MAX_PARAM_VALUE_LEN: usize = 6000;
/// The longest tag value MLflow accepts.
pub const MAX_TAG_VALUE_LEN: usize = 8000;
/// The most metrics one `runs/log-batch` request may carry.
pub const MAX_METRICS_PER_BATCH: usize = 1000;
/// The most params and tags, together, one `runs/log-batch` request may carry.
pub const MAX_PARAMS_TAGS_PER_BATCH: usize = 100;
/// The most entities (metrics, params and tags) one `runs/log-batch` request may carry.
pub const MAX_BATCH_ENTITIES: usize = 1000;

/// Checks a metric, param or tag key as MLflow does: at most [`MAX_KEY_LEN`] characters of
/// alphanumerics, `_`, `-`, `.`, space, `:` and `/`, and a normalized relative path (not
/// empty, no leading or trailing `/`, no `//`, no `.` or `..` segment).
///
/// ```
/// use kfp_core::mlflow::validate_key;
/// assert!(validate_key("train/box_loss").is_ok());
/// let err = validate_key("metrics/mAP50(B)").unwrap_err().to_string();
/// assert!(err.contains("metrics/mAP50(B)"), "{err}");
/// assert!(validate_key(&"k".repeat(251)).is_err());
/// ```
pub fn validate_key(key: &str) -> Result<(), MlflowError> {
    let bad = |reason: &str| {
        Err(MlflowError::InvalidName {
            key: key.to_owned(),
            reason: reason.to_owned(),
        })
    };
    if key.chars().count() > MAX_KEY_LEN {
        return bad(&format!("it is longer than {MAX_KEY_LEN} characters"));
    }
    if let Some(c) = key
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | ':' | '/')))
    {
        return bad(&format!(
            "{c:?} is not allowed: names may only contain alphanumerics, underscores, dashes, \
             periods, spaces, colons and slashes"
        ));
    }
    if key.is_empty() {
        return bad("it is empty");
    }
    if key.starts_with('/') || key.ends_with('/') || key.contains("//") {
        return bad("it must be a relative path without empty segments");
    }
    if key.split('/').any(|seg| seg == "." || seg == "..") {
        return bad("it must not contain `.` or `..` segments");
    }
    Ok(())
}

/// Checks a param value's length (at most [`MAX_PARAM_VALUE_LEN`] characters).
pub fn validate_param_value(key: &str, value: &str) -> Result<(), MlflowError> {
    check_len(key, value, MAX_PARAM_VALUE_LEN, "param")
}

/// Checks a tag value's length (at most [`MAX_TAG_VALUE_LEN`] characters).
pub fn validate_tag_value(key: &str, value: &str) -> Result<(), MlflowError> {
    check_len(key, value, MAX_TAG_VALUE_LEN, "tag")
}

fn check_len(key: &str, value: &str, max: usize, what: &str) -> Result<(), MlflowError> {
    let len = value.chars().count();
    if len > max {
        return Err(MlflowError::InvalidName {
            key: key.to_owned(),
            reason: format!("its {what} value has {len} characters, more than {max}"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_mlflow_accepts() {
        for k in [
            "loss",
            "train/box_loss",
            "lr/pg0",
            "a b:c-d.e",
            "metrics/mAP50-95B",
            "é",
        ] {
            assert!(validate_key(k).is_ok(), "{k}");
        }
    }

    #[test]
    fn keys_mlflow_refuses_name_the_key() {
        for k in [
            "", "/abs", "trail/", "a//b", "./a", "a/../b", "..", "a(b)", "a\nb", "x*",
        ] {
            let err = validate_key(k).unwrap_err().to_string();
            assert!(err.contains(&format!("{k:?}")), "{k:?}: {err}");
        }
        assert!(validate_key(&"k".repeat(250)).is_ok());
        assert!(validate_key(&"k".repeat(251)).is_err());
    }

    #[test]
    fn value_lengths() {
        assert!(validate_param_value("p", &"v".repeat(6000)).is_ok());
        let err = validate_param_value("p", &"v".repeat(6001)).unwrap_err();
        assert!(err.to_string().contains("6001"), "{err}");
        assert!(validate_tag_value("t", &"v".repeat(8000)).is_ok());
        assert!(validate_tag_value("t", &"v".repeat(8001)).is_err());
    }
}
