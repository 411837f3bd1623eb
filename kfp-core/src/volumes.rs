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

use serde_json::json;

use crate::dsl::{self, Task, TaskOutput};
use crate::error::BuildError;
use crate::reusable::{load_component_from_text, ContainerImpl, Outputs};
use crate::settings::{is_k8s_name, memory_bytes, PvcMount};
use crate::spec::component::{ComponentSpec, Implementation};
use crate::spec::pipeline::Arg;

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
