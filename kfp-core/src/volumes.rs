//! Persistent volume claims a pipeline creates, mounts and deletes.
//!
//! [`CreatePvc`] adds a task that creates a claim: on KFP v1 kfp 1.8.9's `dsl.VolumeOp` (an
//! Argo `resource` template with outputs `manifest`, `name` and `size`), on KFP v2
//! kfp-kubernetes' `CreatePVC` (a task the KFP backend runs itself). Its `name` output feeds
//! [`Task::mount_pvc_from`], which makes the mounting task wait for the creating one;
//! [`DeletePvc`] (KFP v2's `DeletePVC`, KFP v1's `VolumeOp.delete()`) removes it. [`Task::mount_pvc_with_volume_name`] is
//! kfp v1's `kfp.onprem.mount_pvc(volume_name=...)`.
//!
//! ```
//! use kfp_core::prelude::*;
//! use kfp_core::volumes::{CreatePvc, DeletePvc};
//!
//! #[component]
//! fn write(text: String) {
//!     println!("{text}");
//! }
//!
//! fn main() {
//! let p = kfp_core::build_pipeline("volumes", None, |_| {
//!     let pvc = CreatePvc::new("my-pvc", "1Gi", ["ReadWriteOnce"]).task();
//!     let w = write::task("hi".to_owned()).mount_pvc_from(pvc.output::<String>("name"), "/data");
//!     DeletePvc::new(pvc.output::<String>("name")).task().after(&w);
//! });
//! assert!(p.errors.is_empty(), "{:?}", p.errors);
//! let ir = Compiler::new().compile(&p, Target::V2).unwrap();
//! assert!(ir.contains("image: argostub/createpvc"));
//! }
//! ```

use std::sync::{Arc, LazyLock};

use serde_json::{json, Value};

use crate::compiler::Target;
use crate::dsl::{self, Task, TaskOutput};
use crate::error::BuildError;
use crate::reusable::{load_component_from_text, ContainerImpl, Outputs};
use crate::settings::{is_k8s_name, memory_bytes, PvcMount};
use crate::spec::component::{ComponentSpec, Implementation};
use crate::spec::pipeline::{Arg, Pipeline, TaskSpec};

/// The image of kfp-kubernetes' `CreatePVC` executor, which the KFP v2 backend runs itself.
pub const CREATE_PVC_IMAGE: &str = "argostub/createpvc";

/// The image of kfp-kubernetes' `DeletePVC` executor.
pub const DELETE_PVC_IMAGE: &str = "argostub/deletepvc";

/// The access modes a claim may ask for.
pub const ACCESS_MODES: [&str; 4] = [
    "ReadWriteOnce",
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOncePod",
];

/// kfp-kubernetes 2.17.3's component, as kfp compiles it (`tests/kfp-golden/v2/
/// volumes_components.py` writes the files), with its inputs' descriptions, which kfp writes
/// into a pipeline for its own components.
fn kfp_kubernetes_component(text: &str) -> Result<Arc<ComponentSpec>, String> {
    let mut loaded = load_component_from_text(text).map_err(|e| e.to_string())?;
    let mut spec = (*loaded.spec()).clone();
    let container = spec.container().ok_or("the component has no container")?;
    spec.implementation = Implementation::Container(Arc::new(ContainerImpl {
        v2_descriptions: true,
        ..container.clone()
    }));
    Ok(Arc::new(spec))
}

static CREATE_PVC: LazyLock<Result<Arc<ComponentSpec>, String>> =
    LazyLock::new(|| kfp_kubernetes_component(include_str!("volumes/createpvc.yaml")));

static DELETE_PVC: LazyLock<Result<Arc<ComponentSpec>, String>> =
    LazyLock::new(|| kfp_kubernetes_component(include_str!("volumes/deletepvc.yaml")));

/// A task of `component` with `args` by input name; a problem is recorded on the pipeline
/// being built.
fn add(component: &Result<Arc<ComponentSpec>, String>, args: Vec<(&str, Arg)>) -> Task<Outputs> {
    let spec = match component {
        Ok(s) => s.clone(),
        Err(e) => {
            let task: Task<Outputs> = dsl::add_task(
                Arc::new(ComponentSpec::new("pvc", Implementation::Rust(|_| Ok(())))),
                vec![],
            );
            task.record(BuildError::Internal(format!(
                "kfp-kubernetes' PVC component does not load: {e}"
            )));
            return task;
        }
    };
    let mut slots: Vec<Option<Arg>> = vec![None; spec.inputs.len()];
    for (name, arg) in args {
        if let Some(i) = spec.inputs.iter().position(|inp| inp.name == name) {
            slots[i] = Some(arg);
        }
    }
    dsl::add_task(spec, slots)
}

/// A persistent volume claim to create, named `<run>-<resource name>` (kfp v1's
/// `dsl.VolumeOp`, kfp-kubernetes' `CreatePVC`); [`task`](CreatePvc::task) adds the task.
#[derive(Clone, Debug)]
pub struct CreatePvc {
    resource_name: String,
    size: String,
    access_modes: Vec<String>,
    storage_class: Option<String>,
}

impl CreatePvc {
    /// A claim for `size` of storage (`1Gi`), with these access modes (`ReadWriteOnce`,
    /// `ReadOnlyMany`, `ReadWriteMany`, `ReadWriteOncePod`), named after the run and
    /// `resource_name` (kfp v1's `resource_name`; kfp-kubernetes' `pvc_name_suffix` is
    /// `-<resource_name>`).
    pub fn new<'a>(
        resource_name: &str,
        size: &str,
        access_modes: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        CreatePvc {
            resource_name: resource_name.to_owned(),
            size: size.to_owned(),
            access_modes: access_modes.into_iter().map(str::to_owned).collect(),
            storage_class: None,
        }
    }

    /// Provisions the volume from this StorageClass (by default, the cluster's).
    pub fn storage_class(mut self, name: &str) -> Self {
        self.storage_class = Some(name.to_owned());
        self
    }

    /// Adds the task that creates the claim; its output `name` is the claim's name.
    pub fn task(self) -> Task<Outputs> {
        let mut args = vec![
            ("access_modes", Arg::Constant(json!(self.access_modes))),
            (
                "pvc_name_suffix",
                Arg::Constant(json!(format!("-{}", self.resource_name))),
            ),
            ("size", Arg::Constant(json!(self.size))),
        ];
        if let Some(s) = &self.storage_class {
            args.push(("storage_class_name", Arg::Constant(json!(s))));
        }
        let task = add(&CREATE_PVC, args);
        let name = task.name();
        let bad = |setting: &str, value: &str, expected: &str| {
            task.record(BuildError::InvalidSetting {
                task: name.clone(),
                setting: setting.to_owned(),
                value: value.to_owned(),
                expected: expected.to_owned(),
            })
        };
        // The claim's name is `<run name>-<resource name>`.
        if !is_k8s_name(&format!("run-{}", self.resource_name)) {
            bad(
                "resource_name",
                &self.resource_name,
                "lower-case letters, digits, `-` and `.`, ending with a letter or digit",
            );
        }
        if memory_bytes(&self.size).is_none() {
            bad(
                "size",
                &self.size,
                "a storage quantity like `1Gi` or `500M`",
            );
        }
        if self.access_modes.is_empty() {
            bad("access_modes", "[]", "at least one access mode");
        }
        for m in &self.access_modes {
            if !ACCESS_MODES.contains(&m.as_str()) {
                bad("access_modes", m, &ACCESS_MODES.join(", "));
            }
        }
        if let Some(s) = &self.storage_class {
            if !s.is_empty() && !is_k8s_name(s) {
                bad("storage_class", s, "a StorageClass name");
            }
        }
        task
    }
}

/// A claim to delete (kfp-kubernetes' `DeletePVC`; on KFP v1 the `kubectl delete` step of
/// kfp 1.8.9's `VolumeOp.delete()`); [`task`](DeletePvc::task) adds the task, which runs
/// after the task that produced the name.
#[derive(Clone, Copy, Debug)]
pub struct DeletePvc {
    pvc_name: TaskOutput<String>,
}

impl DeletePvc {
    /// Deletes the claim whose name `pvc_name` holds (the `name` output of a [`CreatePvc`]
    /// task).
    pub fn new(pvc_name: TaskOutput<String>) -> Self {
        DeletePvc { pvc_name }
    }

    /// Adds the task.
    pub fn task(self) -> Task<Outputs> {
        add(
            &DELETE_PVC,
            vec![(
                "pvc_name",
                Arg::Output {
                    task: self.pvc_name.task(),
                    output: self.pvc_name.name().to_owned(),
                },
            )],
        )
    }
}

impl<O> Task<O> {
    /// Mounts the claim whose name `claim` holds (the `name` output of a [`CreatePvc`] task)
    /// at `mount_path`; this task runs after the one that created it (kfp v1's
    /// `add_pvolumes({path: vop.volume})`, kfp-kubernetes' `mount_pvc(pvc_name=task.outputs['name'])`).
    pub fn mount_pvc_from(self, claim: TaskOutput<String>, mount_path: &str) -> Self {
        let task = self.name();
        let producer = claim.task();
        if producer.pipeline != self.id().pipeline {
            self.record(BuildError::ForeignTask {
                task,
                input: Some("mount_pvc_from".into()),
            });
            return self;
        }
        if !mount_path.starts_with('/') {
            self.record(BuildError::InvalidSetting {
                task,
                setting: "mount_pvc_from".into(),
                value: mount_path.to_owned(),
                expected: "an absolute mount path".into(),
            });
            return self;
        }
        let mount = PvcMount {
            claim: String::new(),
            mount_path: mount_path.to_owned(),
            volume_name: None,
            from_task: Some((producer, claim.name())),
        };
        self.update(|t| {
            t.settings.pvc_mounts.push(mount);
            if !t.after.contains(&producer) {
                t.after.push(producer);
            }
        })
    }

    /// Mounts the existing claim `claim` at `mount_path` as the pod volume `volume_name`
    /// (kfp v1's `kfp.onprem.mount_pvc(pvc_name, volume_name, volume_mount_path)`); KFP v1
    /// only: KFP v2 names the volume itself, so compiling for it is an error naming the task.
    pub fn mount_pvc_with_volume_name(
        self,
        claim: &str,
        volume_name: &str,
        mount_path: &str,
    ) -> Self {
        let task = self.name();
        // A volume name is a DNS label.
        let label = volume_name.len() <= 63 && !volume_name.contains('.');
        if !is_k8s_name(volume_name) || !label {
            self.record(BuildError::InvalidSetting {
                task,
                setting: "mount_pvc_with_volume_name".into(),
                value: volume_name.to_owned(),
                expected: "a volume name: at most 63 lower-case letters, digits and `-`, \
                           starting and ending with a letter or digit"
                    .into(),
            });
            return self;
        }
        let name = volume_name.to_owned();
        // `mount_pvc` checks the claim and the path, and adds the mount unless one is bad.
        self.mount_pvc(claim, mount_path).update(|t| {
            if let Some(last) = t.settings.pvc_mounts.last_mut() {
                if last.claim == claim && last.volume_name.is_none() && last.from_task.is_none() {
                    last.volume_name = Some(name);
                }
            }
        })
    }
}

/// Whether `component` is kfp-kubernetes' `CreatePVC`.
pub(crate) fn is_create_pvc(component: &ComponentSpec) -> bool {
    component
        .container()
        .is_some_and(|c| c.image == CREATE_PVC_IMAGE)
}

/// Whether `component` is kfp-kubernetes' `DeletePVC`.
pub(crate) fn is_delete_pvc(component: &ComponentSpec) -> bool {
    component
        .container()
        .is_some_and(|c| c.image == DELETE_PVC_IMAGE)
}

/// What the chosen target cannot express, as errors naming the task.
pub(crate) fn check_target(pipeline: &Pipeline, target: Target, errors: &mut Vec<BuildError>) {
    for task in &pipeline.tasks {
        let unsupported = |message: String| BuildError::Unsupported {
            task: task.name.clone(),
            message,
        };
        match target {
            Target::V1 => {
                if is_create_pvc(&task.component) {
                    let non_constant = task
                        .args
                        .iter()
                        .zip(&task.component.inputs)
                        .find(|(a, _)| matches!(a, Some(a) if !matches!(a, Arg::Constant(_))));
                    if let Some((_, input)) = non_constant {
                        errors.push(unsupported(format!(
                            "`{}` of a created PVC must be a constant on KFP v1",
                            input.name
                        )));
                    }
                }
            }
            Target::V2 => {
                for m in &task.settings.pvc_mounts {
                    if let Some(v) = &m.volume_name {
                        errors.push(unsupported(format!(
                            "`mount_pvc_with_volume_name(\"{}\", \"{v}\", ...)`: KFP v2 names \
                             a mounted volume itself; use `mount_pvc`",
                            m.claim
                        )));
                    }
                }
            }
        }
    }
}

/// The constant of input `name` of `task`, if given.
fn constant<'a>(task: &'a TaskSpec, name: &str) -> Option<&'a Value> {
    let i = task.component.inputs.iter().position(|i| i.name == name)?;
    match task.args.get(i) {
        Some(Some(Arg::Constant(v))) => Some(v),
        _ => None,
    }
}

/// The KFP v1 template of a `CreatePVC` task: kfp 1.8.9's `dsl.VolumeOp`, an Argo `resource`
/// template that creates the claim and outputs its manifest, name and size.
pub(crate) fn v1_volume_op(task: &TaskSpec, sdk_version: &str) -> Value {
    let text = |name: &str| constant(task, name).and_then(Value::as_str).unwrap_or("");
    let modes: Vec<&str> = constant(task, "access_modes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let class = constant(task, "storage_class_name").and_then(Value::as_str);
    let manifest = manifest(text("pvc_name_suffix"), &modes, text("size"), class);
    let output = |name: &str, path: &str| json!({"name": format!("{}-{name}", task.name), "valueFrom": {"jsonPath": path}});
    json!({
        "name": task.name,
        "resource": {"action": "create", "manifest": manifest},
        "outputs": {"parameters": [
            output("manifest", "{}"),
            output("name", "{.metadata.name}"),
            output("size", "{.status.capacity.storage}"),
        ]},
        "metadata": {"labels": {
            "pipelines.kubeflow.org/kfp_sdk_version": sdk_version,
            "pipelines.kubeflow.org/pipeline-sdk-type": "kfp",
            "pipelines.kubeflow.org/enable_caching": if task.caching { "true" } else { "false" },
        }},
    })
}

/// The claim's manifest as kfp 1.8.9 writes it (PyYAML's block style, keys sorted): the text
/// is compared as text, so each scalar is quoted exactly where PyYAML quotes it.
fn manifest(suffix: &str, modes: &[&str], size: &str, class: Option<&str>) -> String {
    let mut out = String::from("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n");
    out.push_str(&format!(
        "  name: {}\nspec:\n  accessModes:\n",
        pyyaml_scalar(&format!("{{{{workflow.name}}}}{suffix}"))
    ));
    for m in modes {
        out.push_str(&format!("  - {}\n", pyyaml_scalar(m)));
    }
    out.push_str(&format!(
        "  resources:\n    requests:\n      storage: {}\n",
        pyyaml_scalar(size)
    ));
    if let Some(c) = class {
        out.push_str(&format!("  storageClassName: {}\n", pyyaml_scalar(c)));
    }
    out
}

/// `s` as PyYAML writes a string: plain when it reads back as the same string under YAML 1.1
/// (PyYAML's resolvers: bools, nulls, ints, floats, timestamps), single-quoted otherwise.
/// Covers the names, modes and quantities a manifest holds.
fn pyyaml_scalar(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-._/".contains(c);
    let lower = s.to_ascii_lowercase();
    let word = [
        "yes", "no", "true", "false", "on", "off", "null", "~", ".inf", ".nan",
    ]
    .contains(&lower.as_str());
    let body = s.strip_prefix(['-', '+']).unwrap_or(s).replace('_', "");
    let (int, frac) = body.split_once('.').unwrap_or((&body, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    // Ints (`10`, `0x1f`, `0o7`) and floats (`1.5`, `.5`, `1.`, with an exponent).
    let number = (!body.is_empty() && digits(&body))
        || (s.contains('.') && digits(int) && {
            let (f, exp) = frac.split_once(['e', 'E']).unwrap_or((frac, ""));
            digits(f) && (exp.is_empty() || digits(exp.trim_start_matches(['-', '+'])))
        })
        || lower.starts_with("0x")
        || lower.starts_with("0o");
    let timestamp = s.len() >= 8 && digits(&s[..4]) && s.as_bytes()[4] == b'-';
    let plain = !s.is_empty()
        && s.chars().all(safe)
        && s.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '/')
        && !word
        && !number
        && !timestamp;
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

/// The image of kfp 1.8.9's `VolumeOp.delete()` step.
pub const KUBECTL_IMAGE: &str = "gcr.io/cloud-builders/kubectl";

/// The KFP v1 template of a `DeletePVC` task: kfp 1.8.9's `VolumeOp.delete()`, a raw
/// `kubectl delete` step; `claim` is the claim's name as the step reads it, `inputs` the
/// template's input parameters.
pub(crate) fn v1_delete_step(
    task: &TaskSpec,
    claim: String,
    inputs: Vec<String>,
    sdk_version: &str,
) -> Value {
    let mut template = serde_json::Map::new();
    template.insert("name".into(), json!(task.name));
    template.insert(
        "container".into(),
        json!({
            "command": ["kubectl", "delete", "PersistentVolumeClaim", claim,
                        "--ignore-not-found", "--output", "name", "--wait=false"],
            "image": KUBECTL_IMAGE,
        }),
    );
    if !inputs.is_empty() {
        let params: Vec<Value> = inputs.iter().map(|n| json!({ "name": n })).collect();
        template.insert("inputs".into(), json!({ "parameters": params }));
    }
    template.insert(
        "metadata".into(),
        json!({"labels": {
            "pipelines.kubeflow.org/kfp_sdk_version": sdk_version,
            "pipelines.kubeflow.org/pipeline-sdk-type": "kfp",
            "pipelines.kubeflow.org/enable_caching": if task.caching { "true" } else { "false" },
        }}),
    );
    Value::Object(template)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_quoted_where_pyyaml_quotes_them() {
        for plain in [
            "1Gi",
            "500Mi",
            "ReadWriteOnce",
            "standard",
            "fast-ssd",
            "1.5Gi",
        ] {
            assert_eq!(pyyaml_scalar(plain), plain);
        }
        for quoted in [
            "1000",
            "1.5",
            "true",
            "No",
            "0x1f",
            "2001-12-14",
            "{{x}}",
            "",
        ] {
            assert!(pyyaml_scalar(quoted).starts_with('\''), "{quoted}");
        }
    }

    #[test]
    fn the_manifest_is_kfp_s_text() {
        assert_eq!(
            manifest("-my-pvc", &["ReadWriteOnce"], "1Gi", Some("standard")),
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: '{{workflow.name}}-my-pvc'\n\
             spec:\n  accessModes:\n  - ReadWriteOnce\n  resources:\n    requests:\n      storage: 1Gi\n\
             \x20 storageClassName: standard\n"
        );
    }
}
