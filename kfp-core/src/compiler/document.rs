//! What the back ends share to build their documents.

use serde_json::Value;

/// A JSON object with these entries, in this order. Unlike `json!`, which serializes (deep
/// copies) every value it interpolates, this moves them: a document holds every template,
/// component, executor and task, and copying them took most of the compile time of a large
/// pipeline.
pub(crate) fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}
