//! The local runner's cache: a task whose component, input values and input artifacts'
//! contents are unchanged reuses the outputs of its last successful run.
//!
//! The key is the SHA-256 of the component's definition (its IR-visible parts: name, image,
//! packages, inputs, outputs, defaults, a container component's command), the task's
//! environment, its input values, and the SHA-256 of each input artifact's content. The
//! Rust function's code is not in the key, as KFP's cache key has no image digest either:
//! after a fix, only the steps that failed (and so were never cached) and what they feed run
//! again. `--no-cache`, or `set_caching_options(false)` on a task, turns it off; an exit
//! task that reads its group's final status is never cached.
//!
//! Entries live in the cache folder (by default `./kfp-local/.cache`, or `$KFP_LOCAL_CACHE`),
//! one folder per key: `entry.json` (output values, artifact types and metadata) and a copy
//! of each output artifact.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::executor_input::{output_artifact_path, TaskInputs};
use super::record::ArtifactRecord;
use crate::spec::component::ComponentSpec;

/// The default cache folder: `$KFP_LOCAL_CACHE`, else `./kfp-local/.cache`.
pub fn default_dir() -> PathBuf {
    std::env::var_os("KFP_LOCAL_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("kfp-local").join(".cache"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The component's definition as the cache sees it.
fn component_json(c: &ComponentSpec) -> Value {
    let inputs: Vec<Value> = c
        .inputs
        .iter()
        .map(|i| {
            json!([
                i.name,
                i.kind.v2_name(),
                i.optional,
                i.artifact.map(|t| t.schema_title),
                i.default,
                i.final_status
            ])
        })
        .collect();
    let outputs: Vec<Value> = c
        .outputs
        .iter()
        .map(|o| json!([o.name, o.kind.v2_name(), o.artifact.map(|t| t.schema_title)]))
        .collect();
    let order = format!("{:?}", c.params_in_order());
    let container = c.container().map(|own| {
        json!({"image": own.image, "command": format!("{:?}", own.command),
               "args": format!("{:?}", own.args), "digest": own.digest})
    });
    json!({
        "key": c.key, "name": c.name, "image": c.base_image, "packages": c.packages,
        "inputs": inputs, "outputs": outputs, "order": order, "container": container,
    })
}

/// The SHA-256 of a file's content, or of a folder's files (names and contents, sorted).
pub fn content_digest(path: &Path) -> std::io::Result<String> {
    let mut h = Sha256::new();
    hash_path(&mut h, path, Path::new(""))?;
    Ok(hex(&h.finalize()))
}

fn hash_path(h: &mut Sha256, path: &Path, rel: &Path) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)?
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        entries.sort();
        for name in entries {
            hash_path(h, &path.join(&name), &rel.join(&name))?;
        }
        return Ok(());
    }
    h.update(rel.display().to_string().as_bytes());
    h.update([0]);
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    h.update([0]);
    Ok(())
}

/// The cache key of `component` run with `inputs` and `env`; `None` when an input artifact
/// cannot be read (the task then runs uncached).
pub fn key(
    component: &ComponentSpec,
    inputs: &TaskInputs,
    env: &[(String, String)],
) -> Option<String> {
    let mut artifacts = Map::new();
    for (name, list) in &inputs.artifacts {
        let digests: Option<Vec<String>> = list
            .iter()
            .map(|a| content_digest(Path::new(&a.uri)).ok())
            .collect();
        artifacts.insert(name.clone(), json!(digests?));
    }
    let doc = json!({
        "component": component_json(component),
        "env": env,
        "parameters": inputs.params,
        "artifacts": artifacts,
    });
    Some(hex(&Sha256::digest(doc.to_string().as_bytes())))
}

/// A cache hit, restored into a task's folder.
pub struct Hit {
    /// The output values.
    pub outputs: Map<String, Value>,
    /// The output artifacts, at their new paths.
    pub artifacts: BTreeMap<String, ArtifactRecord>,
}

/// Restores entry `key` into the task folder `dir`, if there is one.
pub fn restore(cache: &Path, key: &str, dir: &Path) -> Option<Hit> {
    let entry = cache.join(key);
    let text = std::fs::read_to_string(entry.join("entry.json")).ok()?;
    let doc: Value = serde_json::from_str(&text).ok()?;
    let outputs = doc.get("outputs")?.as_object()?.clone();
    let mut artifacts = BTreeMap::new();
    for (name, a) in doc.get("artifacts")?.as_object()? {
        let to = output_artifact_path(dir, name);
        let from = entry.join("artifacts").join(name);
        if from.exists() {
            copy(&from, &to).ok()?;
        }
        artifacts.insert(
            name.clone(),
            ArtifactRecord {
                uri: to.display().to_string(),
                schema_title: a.get("type")?.as_str()?.to_owned(),
                metadata: a.get("metadata").cloned().unwrap_or_else(|| json!({})),
            },
        );
    }
    Some(Hit { outputs, artifacts })
}

/// Stores a successful task's outputs under `key`; a failure to store only costs a re-run.
pub fn store(
    cache: &Path,
    key: &str,
    outputs: &Map<String, Value>,
    artifacts: &BTreeMap<String, ArtifactRecord>,
) {
    let entry = cache.join(key);
    let tmp = cache.join(format!(".{key}.tmp{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| -> std::io::Result<()> {
        std::fs::create_dir_all(tmp.join("artifacts"))?;
        let mut arts = Map::new();
        for (name, a) in artifacts {
            let from = Path::new(&a.uri);
            if from.exists() {
                copy(from, &tmp.join("artifacts").join(name))?;
            }
            arts.insert(
                name.clone(),
                json!({"type": a.schema_title, "metadata": a.metadata}),
            );
        }
        let doc = json!({"outputs": outputs, "artifacts": arts});
        std::fs::write(tmp.join("entry.json"), doc.to_string())?;
        let _ = std::fs::remove_dir_all(&entry);
        std::fs::rename(&tmp, &entry)
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
}

/// Copies a file or a folder.
fn copy(from: &Path, to: &Path) -> std::io::Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    if from.is_dir() {
        std::fs::create_dir_all(to)?;
        for e in std::fs::read_dir(from)? {
            let e = e?;
            copy(&e.path(), &to.join(e.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::copy(from, to).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_changes_with_inputs_and_component() {
        let c = ComponentSpec::test("add");
        let mut a = TaskInputs::default();
        a.params.insert("x".into(), json!(1));
        let mut b = a.clone();
        b.params.insert("x".into(), json!(2));
        assert_ne!(key(&c, &a, &[]), key(&c, &b, &[]));
        assert_eq!(key(&c, &a, &[]), key(&c, &a.clone(), &[]));
        let d = ComponentSpec::test("sub");
        assert_ne!(key(&c, &a, &[]), key(&d, &a, &[]));
        assert_ne!(key(&c, &a, &[]), key(&c, &a, &[("K".into(), "V".into())]));
    }
}
