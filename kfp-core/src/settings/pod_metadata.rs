//! Pod annotations and labels, and kfp v1's `max_cache_staleness`: what a task adds to its
//! pod's metadata.
//!
//! KFP v1 writes them on the Argo template's `metadata` (with a loaded `component.yaml`'s own
//! `metadata.annotations`/`labels`, as kfp 1.8.9 copies them); KFP v2 writes the pod's
//! annotations and labels into the `PlatformSpec` (`podMetadata`, kfp-kubernetes'
//! `add_pod_annotation`/`add_pod_label`) and has no `max_cache_staleness`.

use super::{is_label_key, is_label_value, Checked};
use crate::dsl::Task;

/// Whether `s` is an ISO 8601 duration as kfp v1's caching takes it: `P`, then numbers with
/// `Y`, `M`, `W`, `D`, optionally `T` and numbers with `H`, `M`, `S` (`P0D`, `P30D`, `PT1H30M`).
pub fn is_iso8601_duration(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    fn parts(s: &str, units: &str) -> Option<usize> {
        let mut count = 0;
        let mut num = String::new();
        let mut last = None;
        for c in s.chars() {
            if c.is_ascii_digit() || (c == '.' && !num.is_empty()) {
                num.push(c);
            } else {
                let pos = units.find(c)?;
                if num.is_empty() || last.is_some_and(|l| pos <= l) {
                    return None;
                }
                last = Some(pos);
                num.clear();
                count += 1;
            }
        }
        num.is_empty().then_some(count)
    }
    match (parts(date, "YMWD"), time.map(|t| parts(t, "HMS"))) {
        (Some(d), None) => d > 0,
        (Some(_), Some(Some(t))) => t > 0,
        _ => false,
    }
}

impl<O> Task<O> {
    /// Sets how old a cached result of this task may be and still be reused (an ISO 8601
    /// duration; `P0D` never reuses one): kfp v1's
    /// `execution_options.caching_strategy.max_cache_staleness`. KFP v1 only; compiling for
    /// KFP v2, which has no such setting, is an error naming the task.
    ///
    /// ```
    /// use kfp_core::prelude::*;
    ///
    /// #[component]
    /// fn step() {}
    ///
    /// fn main() {
    /// let p = kfp_core::build_pipeline("p", None, |_| {
    ///     step::task().set_max_cache_staleness("P30D");
    /// });
    /// assert_eq!(p.tasks[0].settings.max_cache_staleness.as_deref(), Some("P30D"));
    /// }
    /// ```
    pub fn set_max_cache_staleness(self, staleness: &str) -> Self {
        let checked = if is_iso8601_duration(staleness) {
            Checked::Ok(staleness.to_owned())
        } else {
            Checked::Bad {
                value: staleness.to_owned(),
                expected: "an ISO 8601 duration like `P0D`, `P30D` or `PT12H`".into(),
            }
        };
        self.setting("set_max_cache_staleness", checked, |s, v| {
            s.max_cache_staleness = Some(v)
        })
    }

    /// Adds an annotation to the task's pod (kfp v1's `add_pod_annotation`, kfp-kubernetes'
    /// `add_pod_annotation`). A key set twice keeps the last value.
    ///
    /// ```
    /// use kfp_core::prelude::*;
    ///
    /// #[component]
    /// fn step() {}
    ///
    /// fn main() {
    /// let p = kfp_core::build_pipeline("p", None, |_| {
    ///     step::task().add_pod_annotation("example.com/owner", "data team");
    /// });
    /// assert_eq!(p.tasks[0].settings.pod_annotations[0].1, "data team");
    /// }
    /// ```
    pub fn add_pod_annotation(self, key: &str, value: &str) -> Self {
        let checked = if is_label_key(key) {
            Checked::Ok((key.to_owned(), value.to_owned()))
        } else {
            Checked::Bad {
                value: key.to_owned(),
                expected: "an annotation key: an optional DNS prefix and `/`, then at most 63 letters, digits, `-`, `_` and `.`".into(),
            }
        };
        self.setting("add_pod_annotation", checked, |s, kv| {
            upsert(&mut s.pod_annotations, kv)
        })
    }

    /// Adds a label to the task's pod (kfp v1's `add_pod_label`, kfp-kubernetes'
    /// `add_pod_label`). A key set twice keeps the last value.
    ///
    /// ```
    /// use kfp_core::prelude::*;
    ///
    /// #[component]
    /// fn step() {}
    ///
    /// fn main() {
    /// let p = kfp_core::build_pipeline("p", None, |_| {
    ///     step::task().add_pod_label("example.com/tier", "batch");
    /// });
    /// assert_eq!(p.tasks[0].settings.pod_labels[0].0, "example.com/tier");
    /// }
    /// ```
    pub fn add_pod_label(self, key: &str, value: &str) -> Self {
        let checked = match (is_label_key(key), is_label_value(value)) {
            (true, true) => Checked::Ok((key.to_owned(), value.to_owned())),
            (false, _) => Checked::Bad {
                value: key.to_owned(),
                expected: "a label key: an optional DNS prefix and `/`, then at most 63 letters, digits, `-`, `_` and `.`".into(),
            },
            (true, false) => Checked::Bad {
                value: value.to_owned(),
                expected: "a label value: at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit".into(),
            },
        };
        self.setting("add_pod_label", checked, |s, kv| {
            upsert(&mut s.pod_labels, kv)
        })
    }
}

fn upsert(list: &mut Vec<(String, String)>, (key, value): (String, String)) {
    match list.iter_mut().find(|(k, _)| *k == key) {
        Some(entry) => entry.1 = value,
        None => list.push((key, value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_durations() {
        for ok in [
            "P0D",
            "P30D",
            "PT1H",
            "PT1H30M",
            "P1Y2M3W4DT5H6M7S",
            "PT0.5S",
        ] {
            assert!(is_iso8601_duration(ok), "{ok}");
        }
        for bad in ["", "P", "0D", "PT", "P1H", "PD", "P1D1Y", "30d", "P1DT"] {
            assert!(!is_iso8601_duration(bad), "{bad}");
        }
    }
}
