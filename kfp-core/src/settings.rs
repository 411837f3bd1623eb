//! Task and Kubernetes settings: resources, accelerators, env, Secrets, ConfigMaps, volumes,
//! node selectors, tolerations, retries, timeouts, image pull policy.
//!
//! This file holds the data; the methods live on [`Task`] (`task.rs`, `pod_metadata.rs`) and
//! use KFP's vocabulary, and the checks of values sit in `validate.rs`. Each value is checked
//! when it is set;
//! a bad one is recorded as a [`BuildError::InvalidSetting`] naming the task and the setting,
//! and compiling the pipeline reports it.
//!
//! This is the model only: each back end renders the settings in its own folder
//! (`compiler/v1/settings.rs`, `compiler/v2/platform.rs`) and refuses there what its target
//! cannot express (`compiler/<target>/check.rs`).

use crate::dsl::Task;
use crate::error::BuildError;

mod pod_metadata;
mod task;
mod validate;

pub(crate) use validate::{
    cpu_cores, is_cpu_quantity, is_env_name, is_k8s_name, is_label_key, is_label_value,
    memory_bytes,
};
pub use validate::{has_uri_password, looks_like_credential};

/// Everything set on one task beyond its arguments.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TaskSettings {
    /// Accelerator type (`nvidia.com/gpu`) and count.
    pub accelerator: Option<(String, u32)>,
    /// `cpu` request (`500m`).
    pub cpu_request: Option<String>,
    /// `cpu` limit (`2`).
    pub cpu_limit: Option<String>,
    /// `memory` request (`512Mi`).
    pub memory_request: Option<String>,
    /// `memory` limit (`4G`).
    pub memory_limit: Option<String>,
    /// Environment variables, in the order they were set.
    pub env: Vec<EnvVar>,
    /// Secrets mounted as folders.
    pub secret_volumes: Vec<SecretVolume>,
    /// Persistent volume claims mounted as folders.
    pub pvc_mounts: Vec<PvcMount>,
    /// Node selector labels, in the order they were set.
    pub node_selector: Vec<(String, String)>,
    /// Tolerations.
    pub tolerations: Vec<Toleration>,
    /// Retries.
    pub retry: Option<Retry>,
    /// Timeout of the task.
    pub timeout: Option<Duration>,
    /// Image pull policy (`Always`, `IfNotPresent`, `Never`).
    pub image_pull_policy: Option<String>,
    /// kfp v1's `max_cache_staleness` (an ISO 8601 duration, `P0D`); KFP v1 only.
    pub max_cache_staleness: Option<String>,
    /// Annotations on the task's pod, in the order they were added.
    pub pod_annotations: Vec<(String, String)>,
    /// Labels on the task's pod, in the order they were added.
    pub pod_labels: Vec<(String, String)>,
    /// Groups (exit handlers) the task runs after, as indexes in
    /// [`Pipeline::groups`](crate::Pipeline::groups).
    pub after_groups: Vec<usize>,
}

/// An environment variable of a task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvVar {
    /// The variable's name.
    pub name: String,
    /// Where its value comes from.
    pub source: EnvSource,
}

/// Where an environment variable's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvSource {
    /// A literal, written into the YAML.
    Value(String),
    /// A key of a Kubernetes Secret.
    Secret {
        /// The Secret's name.
        secret: String,
        /// The key in the Secret.
        key: String,
        /// Whether the pod starts without it.
        optional: bool,
    },
    /// A key of a Kubernetes ConfigMap.
    ConfigMap {
        /// The ConfigMap's name.
        config_map: String,
        /// The key in the ConfigMap.
        key: String,
        /// Whether the pod starts without it.
        optional: bool,
    },
}

/// A Secret mounted as a folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretVolume {
    /// The Secret's name.
    pub secret: String,
    /// Where it is mounted.
    pub mount_path: String,
    /// Whether the pod starts without it.
    pub optional: bool,
}

/// A persistent volume claim mounted as a folder: an existing claim by name, or the claim a
/// task created (the `name` output of a [`CreatePvc`](crate::volumes::CreatePvc) task).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PvcMount {
    /// The claim's name (empty when it comes from a task).
    pub claim: String,
    /// Where it is mounted.
    pub mount_path: String,
    /// The pod volume's name (KFP v1; kfp's `mount_pvc(volume_name=...)`); by default the
    /// claim's name, or the creating task's name.
    pub volume_name: Option<String>,
    /// The task output that holds the claim's name, when a task created it.
    pub from_task: Option<(crate::spec::pipeline::TaskId, &'static str)>,
}

/// A Kubernetes toleration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Toleration {
    /// The taint key.
    pub key: String,
    /// `Equal` or `Exists`.
    pub operator: String,
    /// The taint value (with `Equal`).
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    pub effect: String,
    /// How long the pod stays bound after a `NoExecute` taint appears.
    pub toleration_seconds: Option<u64>,
}

/// How a failed task is retried.
#[derive(Clone, Debug, PartialEq)]
pub struct Retry {
    /// How many times.
    pub limit: u32,
    /// Argo's retry policy (`Always`, `OnFailure`, `OnError`, `OnTransientError`); v1 only.
    pub policy: Option<String>,
    /// Wait before the first retry.
    pub backoff_duration: Option<Duration>,
    /// Factor the wait grows by.
    pub backoff_factor: Option<f64>,
    /// Longest wait.
    pub backoff_max_duration: Option<Duration>,
}

/// A duration as written (`60s`, `5m`, `1h`, `1h30m`) and its length in seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duration {
    /// As written: KFP v1 passes it to Argo unchanged.
    pub text: String,
    /// In whole seconds: KFP v2 writes `<seconds>s`.
    pub seconds: u64,
}

impl Duration {
    /// Parses `60s`, `5m`, `1h`, `1h30m`, `90` (seconds).
    pub fn parse(text: &str) -> Option<Duration> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        if let Ok(s) = t.parse::<u64>() {
            return Some(Duration {
                text: t.to_owned(),
                seconds: s,
            });
        }
        let mut seconds: u64 = 0;
        let mut num = String::new();
        for c in t.chars() {
            if c.is_ascii_digit() {
                num.push(c);
            } else {
                let n: u64 = num.parse().ok()?;
                num.clear();
                let unit = match c {
                    's' => 1,
                    'm' => 60,
                    'h' => 3600,
                    'd' => 86_400,
                    _ => return None,
                };
                seconds = seconds.checked_add(n.checked_mul(unit)?)?;
            }
        }
        if !num.is_empty() {
            return None;
        }
        Some(Duration {
            text: t.to_owned(),
            seconds,
        })
    }

    /// `seconds` seconds, written `<n>s`.
    pub fn from_secs(seconds: u64) -> Duration {
        Duration {
            text: format!("{seconds}s"),
            seconds,
        }
    }
}

/// What to do with a checked value.
enum Checked<T> {
    Ok(T),
    Bad { value: String, expected: String },
}

impl<O> Task<O> {
    fn setting<T>(
        self,
        setting: &str,
        checked: Checked<T>,
        apply: impl FnOnce(&mut TaskSettings, T),
    ) -> Self {
        match checked {
            Checked::Ok(v) => self.update(|t| apply(&mut t.settings, v)),
            Checked::Bad { value, expected } => {
                let task = self.name();
                self.record(BuildError::InvalidSetting {
                    task,
                    setting: setting.to_owned(),
                    value,
                    expected,
                });
                self
            }
        }
    }

    fn check_name(kind: &str, value: &str) -> Checked<String> {
        if is_k8s_name(value) {
            Checked::Ok(value.to_owned())
        } else {
            Checked::Bad {
                value: value.to_owned(),
                expected: format!(
                    "a Kubernetes {kind} name (lower-case letters, digits, `-` and `.`, starting and ending with a letter or digit)"
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        for ok in ["500m", "2", "0.5", "1000m"] {
            assert!(is_cpu_quantity(ok), "{ok}");
        }
        for bad in ["", "m", "2 cores", "-1", "1.5m", "2c"] {
            assert!(!is_cpu_quantity(bad), "{bad}");
        }
        assert_eq!(memory_bytes("512Mi"), Some(536_870_912.0));
        assert_eq!(memory_bytes("4G"), Some(4e9));
        assert_eq!(memory_bytes("4GB"), None);
        assert_eq!(memory_bytes("lots"), None);
        assert_eq!(cpu_cores("500m"), Some(0.5));
    }

    #[test]
    fn names() {
        assert!(is_k8s_name("mlflow-s3"));
        assert!(is_k8s_name("a.b-c"));
        assert!(!is_k8s_name("MLflow"));
        assert!(!is_k8s_name("-x"));
        assert!(!is_k8s_name("x_y"));
        assert!(is_env_name("AWS_ACCESS_KEY_ID"));
        assert!(!is_env_name("1ABC"));
        assert!(!is_env_name("A B"));
        assert!(is_label_key("cloud.google.com/gke-accelerator"));
        assert!(!is_label_key("bad key"));
    }

    #[test]
    fn credentials() {
        for name in [
            "AWS_SECRET_ACCESS_KEY",
            "aws_access_key_id",
            "DB_PASSWORD",
            "HF_TOKEN",
            "client_secret",
        ] {
            assert!(looks_like_credential(name), "{name}");
        }
        for name in [
            "OPENAI_API_KEY",
            "apikey",
            "DB_PASS",
            "db-passwd",
            "SSH_PRIVATE_KEY",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "basic_auth",
            "AUTH",
        ] {
            assert!(looks_like_credential(name), "{name}");
        }
        for name in [
            "MLFLOW_TRACKING_URI",
            "LOG_LEVEL",
            "COMPASS_HEADING",
            "AUTHOR",
            "PASSTHROUGH",
        ] {
            assert!(!looks_like_credential(name), "{name}");
        }
        assert!(has_uri_password("mysql://u:p@h/db"));
        assert!(has_uri_password("see https://a:b@example.com and more"));
        assert!(!has_uri_password("https://example.com/a:b@c"));
        assert!(!has_uri_password("ftp://anonymous:@host"));
    }

    #[test]
    fn durations() {
        assert_eq!(Duration::parse("1h").unwrap().seconds, 3600);
        assert_eq!(Duration::parse("1h30m").unwrap().seconds, 5400);
        assert_eq!(Duration::parse("60s").unwrap().seconds, 60);
        assert_eq!(Duration::parse("600").unwrap().seconds, 600);
        assert!(Duration::parse("1x").is_none());
        assert!(Duration::parse("h").is_none());
        assert!(Duration::parse("5m3").is_none());
    }
}
