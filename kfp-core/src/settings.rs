//! Task and Kubernetes settings: resources, accelerators, env, Secrets, ConfigMaps, volumes,
//! node selectors, tolerations, retries, timeouts, image pull policy.
//!
//! The methods live on [`Task`] and use KFP's vocabulary. Each value is checked when it is set;
//! a bad one is recorded as a [`BuildError::InvalidSetting`] naming the task and the setting,
//! and compiling the pipeline reports it.

use crate::dsl::Task;
use crate::error::BuildError;

mod pod_metadata;

pub(crate) use pod_metadata::check_target;

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

impl TaskSettings {
    /// Whether any setting needs KFP v2's `PlatformSpec` (the Kubernetes document).
    pub fn has_platform_settings(&self) -> bool {
        self.env
            .iter()
            .any(|e| !matches!(e.source, EnvSource::Value(_)))
            || !self.secret_volumes.is_empty()
            || !self.pvc_mounts.is_empty()
            || !self.node_selector.is_empty()
            || !self.tolerations.is_empty()
            || self.timeout.is_some()
            || self.image_pull_policy.is_some()
            || !self.pod_annotations.is_empty()
            || !self.pod_labels.is_empty()
    }
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

/// Whether `s` is a Kubernetes CPU quantity kfp accepts: a number, or an integer followed by `m`.
pub(crate) fn is_cpu_quantity(s: &str) -> bool {
    if let Some(milli) = s.strip_suffix('m') {
        return !milli.is_empty() && milli.bytes().all(|b| b.is_ascii_digit());
    }
    is_decimal(s)
}

fn is_decimal(s: &str) -> bool {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    !s.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(int.is_empty() && frac.is_empty())
}

const MEMORY_SUFFIXES: [(&str, f64); 12] = [
    ("Ei", 1_152_921_504_606_846_976.0),
    ("Pi", 1_125_899_906_842_624.0),
    ("Ti", 1_099_511_627_776.0),
    ("Gi", 1_073_741_824.0),
    ("Mi", 1_048_576.0),
    ("Ki", 1024.0),
    ("E", 1e18),
    ("P", 1e15),
    ("T", 1e12),
    ("G", 1e9),
    ("M", 1e6),
    ("K", 1e3),
];

/// The number of bytes in a memory quantity (`512Mi`, `4G`, `1000`), if it is one.
pub(crate) fn memory_bytes(s: &str) -> Option<f64> {
    for (suffix, factor) in MEMORY_SUFFIXES {
        if let Some(n) = s.strip_suffix(suffix) {
            return is_decimal(n)
                .then(|| n.parse::<f64>().ok())
                .flatten()
                .map(|n| n * factor);
        }
    }
    is_decimal(s).then(|| s.parse().ok()).flatten()
}

/// The number of cores in a CPU quantity (`500m` → 0.5).
pub(crate) fn cpu_cores(s: &str) -> Option<f64> {
    if !is_cpu_quantity(s) {
        return None;
    }
    match s.strip_suffix('m') {
        Some(m) => m.parse::<f64>().ok().map(|m| m / 1000.0),
        None => s.parse().ok(),
    }
}

/// Whether `s` is a Kubernetes object name (DNS-1123 subdomain: lower-case alphanumerics,
/// `-` and `.`, starting and ending alphanumeric, at most 253 characters).
pub(crate) fn is_k8s_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

/// Whether `s` is a valid environment variable name (`[-._a-zA-Z][-._a-zA-Z0-9]*`).
pub(crate) fn is_env_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b"-._".contains(&b))
        && bytes.all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
}

/// Whether `s` is a label key: an optional DNS prefix and `/`, then a name of at most 63
/// alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric.
pub(crate) fn is_label_key(s: &str) -> bool {
    let (prefix, name) = match s.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    prefix.is_none_or(is_k8s_name) && is_label_value(name) && !name.is_empty()
}

/// Whether `s` is a label value: empty, or at most 63 alphanumerics, `-`, `_`, `.`, starting
/// and ending alphanumeric.
pub(crate) fn is_label_value(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && s.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric()))
}

/// Whether an environment variable (or input, or parameter) called `name` looks like it holds
/// a credential, in any case: its name contains `SECRET`, `PASSWORD`, `PASSWD`, `TOKEN`,
/// `ACCESS_KEY`, `API_KEY`, `APIKEY`, `PRIVATE_KEY` or `CREDENTIAL`, or has `PASS`, `PWD` or
/// `AUTH` as a whole word (`DB_PASS`, `BASIC_AUTH`; not `COMPASS` or `AUTHOR`).
///
/// ```
/// use kfp_core::settings::looks_like_credential;
/// assert!(looks_like_credential("OPENAI_API_KEY"));
/// assert!(looks_like_credential("db-pass"));
/// assert!(!looks_like_credential("AUTHOR_NAME"));
/// ```
pub fn looks_like_credential(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let inside = [
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "TOKEN",
        "ACCESS_KEY",
        "ACCESS-KEY",
        "API_KEY",
        "API-KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "PRIVATE-KEY",
        "CREDENTIAL",
    ];
    inside.iter().any(|w| upper.contains(w))
        || upper
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| matches!(word, "PASS" | "PWD" | "AUTH"))
}

/// Whether `value` holds a URI with a password in it (`scheme://user:password@host`), as a
/// tracking URI or a database URL may.
///
/// ```
/// use kfp_core::settings::has_uri_password;
/// assert!(has_uri_password("postgresql://ml:hunter2@db:5432/mlflow"));
/// assert!(!has_uri_password("http://mlflow.kubeflow:5000"));
/// assert!(!has_uri_password("s3://user@bucket/path"));
/// ```
pub fn has_uri_password(value: &str) -> bool {
    value.match_indices("://").any(|(i, sep)| {
        let rest = &value[i + sep.len()..];
        let authority = rest
            .split(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
            .next()
            .unwrap_or_default();
        authority
            .rsplit_once('@')
            .and_then(|(userinfo, _)| userinfo.split_once(':'))
            .is_some_and(|(_, password)| !password.is_empty())
    })
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

    /// Asks for `count` NVIDIA GPUs (kfp's `set_gpu_limit`).
    pub fn set_gpu_limit(self, count: u32) -> Self {
        self.set_accelerator_type("nvidia.com/gpu")
            .set_accelerator_limit(count)
    }

    /// Sets the accelerator resource (`nvidia.com/gpu`, `amd.com/gpu`, ...); pair with
    /// [`set_accelerator_limit`](Task::set_accelerator_limit).
    pub fn set_accelerator_type(self, resource: &str) -> Self {
        let checked = if is_label_key(resource) {
            Checked::Ok(resource.to_owned())
        } else {
            Checked::Bad {
                value: resource.to_owned(),
                expected: "an extended resource name like `nvidia.com/gpu`".into(),
            }
        };
        self.setting("set_accelerator_type", checked, |s, r| {
            let count = s.accelerator.as_ref().map_or(1, |a| a.1);
            s.accelerator = Some((r, count));
        })
    }

    /// Sets how many accelerators the task gets (at least 1).
    pub fn set_accelerator_limit(self, count: u32) -> Self {
        let checked = if count >= 1 {
            Checked::Ok(count)
        } else {
            Checked::Bad {
                value: count.to_string(),
                expected: "at least 1".into(),
            }
        };
        self.setting("set_accelerator_limit", checked, |s, c| {
            let resource = s
                .accelerator
                .take()
                .map_or_else(|| "nvidia.com/gpu".to_owned(), |a| a.0);
            s.accelerator = Some((resource, c));
        })
    }

    fn cpu(self, setting: &str, value: &str, apply: fn(&mut TaskSettings, String)) -> Self {
        let checked = if is_cpu_quantity(value) {
            Checked::Ok(value.to_owned())
        } else {
            Checked::Bad {
                value: value.to_owned(),
                expected: "a CPU quantity: a number of cores (`2`, `0.5`) or an integer followed by `m` (`500m`)".into(),
            }
        };
        self.setting(setting, checked, apply)
    }

    fn memory(self, setting: &str, value: &str, apply: fn(&mut TaskSettings, String)) -> Self {
        let checked = if memory_bytes(value).is_some() {
            Checked::Ok(value.to_owned())
        } else {
            Checked::Bad {
                value: value.to_owned(),
                expected: "a memory quantity: a number optionally followed by one of E, Ei, P, Pi, T, Ti, G, Gi, M, Mi, K, Ki (`512Mi`, `4G`)".into(),
            }
        };
        self.setting(setting, checked, apply)
    }

    /// Sets the CPU request (`500m`, `1`).
    pub fn set_cpu_request(self, cpu: &str) -> Self {
        self.cpu("set_cpu_request", cpu, |s, v| s.cpu_request = Some(v))
    }

    /// Sets the CPU limit (`2`).
    pub fn set_cpu_limit(self, cpu: &str) -> Self {
        self.cpu("set_cpu_limit", cpu, |s, v| s.cpu_limit = Some(v))
    }

    /// Sets the memory request (`512Mi`).
    pub fn set_memory_request(self, memory: &str) -> Self {
        self.memory("set_memory_request", memory, |s, v| {
            s.memory_request = Some(v)
        })
    }

    /// Sets the memory limit (`4G`).
    pub fn set_memory_limit(self, memory: &str) -> Self {
        self.memory("set_memory_limit", memory, |s, v| s.memory_limit = Some(v))
    }

    /// Sets an environment variable to a literal value.
    ///
    /// A name that looks like a credential ([`looks_like_credential`]: `SECRET`, `PASSWORD`,
    /// `TOKEN`, `API_KEY`, ...) or a value with a password in a URI
    /// (`scheme://user:password@...`) is refused, because a literal ends up in the YAML and in the cluster's
    /// history: use [`use_secret_as_env`](Task::use_secret_as_env), or
    /// [`set_env_variable_unchecked`](Task::set_env_variable_unchecked) when the value really is
    /// not a secret.
    pub fn set_env_variable(self, name: &str, value: &str) -> Self {
        if looks_like_credential(name) {
            let task = self.name();
            self.record(BuildError::LiteralCredential {
                task,
                name: name.to_owned(),
            });
            return self;
        }
        if has_uri_password(value) {
            let task = self.name();
            self.record(BuildError::PasswordInUri {
                task,
                field: format!("environment variable `{name}`"),
            });
            return self;
        }
        self.set_env_variable_unchecked(name, value)
    }

    /// Sets an environment variable to a literal value without the credential check of
    /// [`set_env_variable`](Task::set_env_variable): the escape hatch for a name like
    /// `TOKENIZER_PATH` that only looks like a secret.
    pub fn set_env_variable_unchecked(self, name: &str, value: &str) -> Self {
        let checked = env_name(name);
        let value = value.to_owned();
        self.setting("set_env_variable", checked, move |s, n| {
            s.env.push(EnvVar {
                name: n,
                source: EnvSource::Value(value),
            })
        })
    }

    /// Exposes keys of the Kubernetes Secret `secret` as environment variables:
    /// `[("access_key", "AWS_ACCESS_KEY_ID")]` sets `AWS_ACCESS_KEY_ID` to the Secret's
    /// `access_key` (kfp's `use_secret_as_env` / `use_k8s_secret`).
    pub fn use_secret_as_env<'a>(
        self,
        secret: &str,
        key_to_env: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        self.secret_env(secret, key_to_env, false)
    }

    /// Like [`use_secret_as_env`](Task::use_secret_as_env), but the pod starts even when the
    /// Secret or a key is missing.
    pub fn use_optional_secret_as_env<'a>(
        self,
        secret: &str,
        key_to_env: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        self.secret_env(secret, key_to_env, true)
    }

    fn secret_env<'a>(
        mut self,
        secret: &str,
        key_to_env: impl IntoIterator<Item = (&'a str, &'a str)>,
        optional: bool,
    ) -> Self {
        let Checked::Ok(secret) = Self::check_name("Secret", secret) else {
            return self.setting(
                "use_secret_as_env",
                Self::check_name("Secret", secret),
                |_, _: String| {},
            );
        };
        for (key, env) in key_to_env {
            let (secret, key) = (secret.clone(), key.to_owned());
            self = self.setting("use_secret_as_env", env_name(env), move |s, n| {
                s.env.push(EnvVar {
                    name: n,
                    source: EnvSource::Secret {
                        secret,
                        key,
                        optional,
                    },
                })
            });
        }
        self
    }

    /// Exposes keys of the Kubernetes ConfigMap `config_map` as environment variables
    /// (kfp's `use_config_map_as_env`).
    pub fn use_config_map_as_env<'a>(
        mut self,
        config_map: &str,
        key_to_env: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let Checked::Ok(cm) = Self::check_name("ConfigMap", config_map) else {
            return self.setting(
                "use_config_map_as_env",
                Self::check_name("ConfigMap", config_map),
                |_, _: String| {},
            );
        };
        for (key, env) in key_to_env {
            let (config_map, key) = (cm.clone(), key.to_owned());
            self = self.setting("use_config_map_as_env", env_name(env), move |s, n| {
                s.env.push(EnvVar {
                    name: n,
                    source: EnvSource::ConfigMap {
                        config_map,
                        key,
                        optional: false,
                    },
                })
            });
        }
        self
    }

    /// Mounts the Kubernetes Secret `secret` as a folder at `mount_path`
    /// (kfp's `use_secret_as_volume`).
    pub fn use_secret_as_volume(self, secret: &str, mount_path: &str) -> Self {
        let mount = mount_path.to_owned();
        let checked = match (
            Self::check_name("Secret", secret),
            mount_path.starts_with('/'),
        ) {
            (Checked::Ok(s), true) => Checked::Ok(s),
            (Checked::Ok(_), false) => Checked::Bad {
                value: mount_path.to_owned(),
                expected: "an absolute mount path".into(),
            },
            (bad, _) => bad,
        };
        self.setting("use_secret_as_volume", checked, move |s, secret| {
            s.secret_volumes.push(SecretVolume {
                secret,
                mount_path: mount,
                optional: false,
            })
        })
    }

    /// Mounts the existing persistent volume claim `claim` at `mount_path` (kfp's `mount_pvc`).
    pub fn mount_pvc(self, claim: &str, mount_path: &str) -> Self {
        let mount = mount_path.to_owned();
        let checked = match (
            Self::check_name("PersistentVolumeClaim", claim),
            mount_path.starts_with('/'),
        ) {
            (Checked::Ok(c), true) => Checked::Ok(c),
            (Checked::Ok(_), false) => Checked::Bad {
                value: mount_path.to_owned(),
                expected: "an absolute mount path".into(),
            },
            (bad, _) => bad,
        };
        self.setting("mount_pvc", checked, move |s, claim| {
            s.pvc_mounts.push(PvcMount {
                claim,
                mount_path: mount,
                volume_name: None,
                from_task: None,
            })
        })
    }

    /// Runs the task only on nodes with label `key=value` (kfp's `add_node_selector` /
    /// `add_node_selector_constraint`).
    pub fn add_node_selector(self, key: &str, value: &str) -> Self {
        let checked = if !is_label_key(key) {
            Checked::Bad {
                value: key.to_owned(),
                expected: "a label key like `cloud.google.com/gke-accelerator`".into(),
            }
        } else if !is_label_value(value) {
            Checked::Bad {
                value: value.to_owned(),
                expected: "a label value (at most 63 letters, digits, `-`, `_` and `.`)".into(),
            }
        } else {
            Checked::Ok((key.to_owned(), value.to_owned()))
        };
        self.setting("add_node_selector", checked, |s, kv| {
            s.node_selector.retain(|(k, _)| *k != kv.0);
            s.node_selector.push(kv)
        })
    }

    /// Lets the task run on nodes with a matching taint.
    pub fn add_toleration(self, toleration: Toleration) -> Self {
        let checked = if !["Equal", "Exists"].contains(&toleration.operator.as_str()) {
            Checked::Bad {
                value: toleration.operator.clone(),
                expected: "`Equal` or `Exists`".into(),
            }
        } else if !["", "NoSchedule", "PreferNoSchedule", "NoExecute"]
            .contains(&toleration.effect.as_str())
        {
            Checked::Bad {
                value: toleration.effect.clone(),
                expected: "`NoSchedule`, `PreferNoSchedule` or `NoExecute`".into(),
            }
        } else if !toleration.key.is_empty() && !is_label_key(&toleration.key) {
            Checked::Bad {
                value: toleration.key.clone(),
                expected: "a taint key".into(),
            }
        } else {
            Checked::Ok(toleration)
        };
        self.setting("add_toleration", checked, |s, t| s.tolerations.push(t))
    }

    /// Retries the task up to `num_retries` times when it fails (kfp's `set_retry`).
    pub fn set_retry(self, num_retries: u32) -> Self {
        let checked = if num_retries <= 100 {
            Checked::Ok(num_retries)
        } else {
            Checked::Bad {
                value: num_retries.to_string(),
                expected: "at most 100 retries".into(),
            }
        };
        self.setting("set_retry", checked, |s, limit| {
            let r = s.retry.get_or_insert(Retry {
                limit,
                policy: None,
                backoff_duration: None,
                backoff_factor: None,
                backoff_max_duration: None,
            });
            r.limit = limit;
        })
    }

    /// Sets Argo's retry policy (`Always`, `OnFailure`, `OnError`, `OnTransientError`); KFP v1
    /// only, KFP v2 has no such setting.
    pub fn set_retry_policy(self, policy: &str) -> Self {
        let checked = if ["Always", "OnFailure", "OnError", "OnTransientError"].contains(&policy) {
            Checked::Ok(policy.to_owned())
        } else {
            Checked::Bad {
                value: policy.to_owned(),
                expected: "`Always`, `OnFailure`, `OnError` or `OnTransientError`".into(),
            }
        };
        self.setting("set_retry_policy", checked, |s, p| {
            retry_of(s).policy = Some(p);
        })
    }

    /// Sets the wait before the first retry (`60s`), the factor it grows by, and the longest
    /// wait (`1h`).
    pub fn set_retry_backoff(self, duration: &str, factor: f64, max_duration: &str) -> Self {
        let checked = match (Duration::parse(duration), Duration::parse(max_duration)) {
            (Some(d), Some(m)) if factor.is_finite() && factor >= 1.0 => Checked::Ok((d, m)),
            (None, _) => Checked::Bad {
                value: duration.to_owned(),
                expected: "a duration like `60s`, `5m` or `1h`".into(),
            },
            (_, None) => Checked::Bad {
                value: max_duration.to_owned(),
                expected: "a duration like `60s`, `5m` or `1h`".into(),
            },
            _ => Checked::Bad {
                value: factor.to_string(),
                expected: "a backoff factor of at least 1".into(),
            },
        };
        self.setting("set_retry_backoff", checked, move |s, (d, m)| {
            let r = retry_of(s);
            r.backoff_duration = Some(d);
            r.backoff_factor = Some(factor);
            r.backoff_max_duration = Some(m);
        })
    }

    /// Stops the task after `timeout` (`600s`, `10m`).
    pub fn set_timeout(self, timeout: &str) -> Self {
        let checked = match Duration::parse(timeout) {
            Some(d) if d.seconds > 0 => Checked::Ok(d),
            _ => Checked::Bad {
                value: timeout.to_owned(),
                expected: "a positive duration like `600s`, `10m` or `1h`".into(),
            },
        };
        self.setting("set_timeout", checked, |s, d| s.timeout = Some(d))
    }

    /// Sets when the image is pulled: `Always`, `IfNotPresent` or `Never`.
    pub fn set_image_pull_policy(self, policy: &str) -> Self {
        let checked = if ["Always", "IfNotPresent", "Never"].contains(&policy) {
            Checked::Ok(policy.to_owned())
        } else {
            Checked::Bad {
                value: policy.to_owned(),
                expected: "`Always`, `IfNotPresent` or `Never`".into(),
            }
        };
        self.setting("set_image_pull_policy", checked, |s, p| {
            s.image_pull_policy = Some(p)
        })
    }
}

fn retry_of(s: &mut TaskSettings) -> &mut Retry {
    s.retry.get_or_insert(Retry {
        limit: 0,
        policy: None,
        backoff_duration: None,
        backoff_factor: None,
        backoff_max_duration: None,
    })
}

fn env_name(name: &str) -> Checked<String> {
    if is_env_name(name) {
        Checked::Ok(name.to_owned())
    } else {
        Checked::Bad {
            value: name.to_owned(),
            expected: "an environment variable name (letters, digits, `_`, `-` and `.`, not starting with a digit)".into(),
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
