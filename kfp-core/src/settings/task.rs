//! The settings' methods on [`Task`], in KFP's vocabulary: resources and accelerators, env,
//! Secrets and ConfigMaps, volumes, node selectors and tolerations, retries, timeouts and the
//! image pull policy. Each checks its value and records a bad one on the task.

use super::{
    has_uri_password, is_cpu_quantity, is_env_name, is_label_key, is_label_value,
    looks_like_credential, memory_bytes, Checked, Duration, EnvSource, EnvVar, PvcMount, Retry,
    SecretVolume, TaskSettings, Toleration,
};
use crate::dsl::Task;
use crate::error::BuildError;

impl<O> Task<O> {
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
