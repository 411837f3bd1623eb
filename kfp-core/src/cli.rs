//! The command line every pipeline binary gets from `kfp_core::main`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Arg, ArgAction, Command};

use crate::compiler::{Compiler, Target};
use crate::spec::component::{sanitize_name, ComponentSpec};
use crate::spec::pipeline::Pipeline;

fn command(bin: &str) -> Command {
    let binary = Arg::new("binary")
        .long("binary")
        .value_name("PATH")
        .help("Absolute path of this binary inside the image [default: /usr/local/bin/<this binary's name>]");
    let image = Arg::new("image").long("image").value_name("IMAGE").help(
        "Run every component in IMAGE (an image that holds this binary) instead of its base_image",
    );
    Command::new(bin.to_owned())
        .about("A Kubeflow Pipelines pipeline built with kfp-rs.\n\nWith no command, compiles the pipeline for KFP v1 to <pipeline-name>.yaml.")
        .subcommand_required(false)
        .disable_help_subcommand(true)
        .subcommand(
            Command::new("compile")
                .about("Compile the pipeline to YAML for a KFP cluster")
                .arg(
                    Arg::new("target")
                        .long("target")
                        .value_name("TARGET")
                        .value_parser(["v1", "v2"])
                        .default_value("v1")
                        .help("v1: Argo Workflow for KFP 1.x; v2: pipeline IR for KFP 2.x"),
                )
                .arg(
                    Arg::new("output")
                        .short('o')
                        .long("output")
                        .value_name("PATH")
                        .help("Where to write the YAML (`-` for stdout) [default: <pipeline-name>.yaml]"),
                )
                .arg(binary.clone())
                .arg(image.clone())
                .arg(
                    Arg::new("timestamp")
                        .long("timestamp")
                        .action(ArgAction::SetTrue)
                        .help("Write kfp's pipeline_compilation_time annotation (v1)"),
                ),
        )
        .subcommand(
            Command::new("component")
                .about("Run one component, as the pod does (used by the compiled YAML)")
                .arg(Arg::new("name").required(true).value_name("COMPONENT"))
                .arg(
                    Arg::new("args")
                        .num_args(0..)
                        .allow_hyphen_values(true)
                        .trailing_var_arg(true)
                        .value_name("KFP_ARGS"),
                )
                .disable_help_flag(true),
        )
        .subcommand(
            Command::new("dockerfile")
                .about("Write a Dockerfile per distinct base image that adds this binary where the YAML runs it")
                .arg(
                    Arg::new("dir")
                        .short('o')
                        .long("output-dir")
                        .value_name("DIR")
                        .default_value(".")
                        .help("Folder to write the Dockerfiles to"),
                )
                .arg(binary),
        )
        .subcommand(Command::new("components").about("List the components this binary can run"))
        // The local runner and the DAG drawing (issue 12).
        .subcommand(crate::local::cli::command())
        .subcommand(crate::graph::command())
}

/// Runs the pipeline binary's command line (`std::env::args_os()`) and exits.
///
/// - no arguments: compile for KFP v1 to `<pipeline-name>.yaml`;
/// - `compile [--target v1|v2] [-o PATH]`;
/// - `component <name> [KFP args...]`: run one component in the pod;
/// - `dockerfile [-o DIR]`: Dockerfiles that add this binary to each base image;
/// - `run [--param NAME=VALUE]...`: run the whole pipeline on this machine ([`crate::local`]);
/// - `graph [--format mermaid|dot] [-o PATH]`: draw the pipeline's DAG ([`crate::graph`]);
/// - `--help`.
pub fn main(pipeline: impl Pipelines) -> ! {
    let code = run(std::env::args_os().collect(), pipeline);
    std::process::exit(i32::from(code))
}

/// What a binary compiles: one pipeline for both targets (any `fn() -> Pipeline`, such as a
/// `#[pipeline]` function), or one per target ([`PerTarget`]).
pub trait Pipelines {
    /// The pipeline for `target`, or every pipeline the binary has when `target` is `None`
    /// (to run a component, list them, or write Dockerfiles).
    fn build(self, target: Option<Target>) -> Vec<Pipeline>;
}

impl<F: FnOnce() -> Pipeline> Pipelines for F {
    fn build(self, _: Option<Target>) -> Vec<Pipeline> {
        vec![self()]
    }
}

/// A pipeline written once per target: for a program whose KFP v1 and v2 forms differ (as the
/// oracle's v1 and v2 Python pipelines of the same name sometimes do).
///
/// ```no_run
/// # fn v1() -> kfp_core::Pipeline { kfp_core::build_pipeline("p", None, |_| {}) }
/// # fn v2() -> kfp_core::Pipeline { kfp_core::build_pipeline("p", None, |_| {}) }
/// fn main() {
///     kfp_core::main(kfp_core::cli::PerTarget { v1, v2 })
/// }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct PerTarget<A, B> {
    /// Builds the KFP v1 pipeline.
    pub v1: A,
    /// Builds the KFP v2 pipeline.
    pub v2: B,
}

impl<A: FnOnce() -> Pipeline, B: FnOnce() -> Pipeline> Pipelines for PerTarget<A, B> {
    fn build(self, target: Option<Target>) -> Vec<Pipeline> {
        match target {
            Some(Target::V1) => vec![(self.v1)()],
            Some(Target::V2) => vec![(self.v2)()],
            None => vec![(self.v1)(), (self.v2)()],
        }
    }
}

/// Every component of `pipelines`, each key once (the first pipeline's wins).
fn all_components(pipelines: &[Pipeline]) -> Vec<Arc<ComponentSpec>> {
    let mut out: Vec<Arc<ComponentSpec>> = Vec::new();
    for p in pipelines {
        for c in p.components() {
            if !out.iter().any(|o| o.key == c.key) {
                out.push(c);
            }
        }
    }
    out
}

/// [`main`] without the exit: runs `argv` (including the program name) and returns the exit
/// status.
pub fn run(argv: Vec<OsString>, pipelines: impl Pipelines) -> u8 {
    let bin = argv
        .first()
        .map(|a| {
            Path::new(a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .unwrap_or_else(|| "pipeline".to_owned());
    let matches = match command(&bin).try_get_matches_from(argv) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let target = match matches.subcommand() {
        None => Some(Target::V1),
        Some(("compile", m)) => Some(
            m.get_one::<String>("target")
                .and_then(|t| t.parse().ok())
                .unwrap_or_default(),
        ),
        // A v2 pod runs the component of the pipeline built for KFP v2 (a `PerTarget` binary
        // may have a v1 component of the same name), as do the local runner and `graph`.
        Some(("component", m))
            if crate::runtime::executor::is_v2_argv(
                &m.get_many::<String>("args")
                    .map(|v| v.cloned().collect::<Vec<_>>())
                    .unwrap_or_default(),
            ) =>
        {
            Some(Target::V2)
        }
        Some(("run" | "graph", _)) => Some(Target::V2),
        _ => None,
    };
    let built = pipelines.build(target);
    let Some(pipeline) = built.first() else {
        eprintln!("error: the binary has no pipeline");
        return 1;
    };
    match matches.subcommand() {
        None => compile(pipeline, Target::V1, None, Compiler::new(), None),
        Some(("compile", m)) => {
            let target = target.unwrap_or_default();
            let mut compiler = Compiler::new().timestamp(m.get_flag("timestamp"));
            if let Some(b) = m.get_one::<String>("binary") {
                compiler = compiler.binary_path(b.clone());
            }
            compile(
                pipeline,
                target,
                m.get_one::<String>("output").map(PathBuf::from),
                compiler,
                m.get_one::<String>("image").cloned(),
            )
        }
        Some(("component", m)) => {
            let name = m.get_one::<String>("name").cloned().unwrap_or_default();
            let args: Vec<String> = m
                .get_many::<String>("args")
                .map(|v| v.cloned().collect())
                .unwrap_or_default();
            crate::runtime::run_component(&all_components(&built), &name, &args)
        }
        Some(("components", _)) => {
            for c in all_components(&built) {
                println!("{}\t{}", c.key, c.name);
            }
            0
        }
        Some(("dockerfile", m)) => {
            let mut compiler = Compiler::new();
            if let Some(b) = m.get_one::<String>("binary") {
                compiler = compiler.binary_path(b.clone());
            }
            let dir = m
                .get_one::<String>("dir")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("."));
            dockerfiles(&built, &compiler, &dir)
        }
        Some(("run", m)) => crate::local::cli::main(m, pipeline),
        Some(("graph", m)) => crate::graph::main(m, pipeline),
        Some((other, _)) => {
            eprintln!("error: unknown command `{other}`");
            2
        }
    }
}

/// Replaces the image of every component with a Rust body with `image`.
pub fn with_image(pipeline: &Pipeline, image: &str) -> Pipeline {
    let mut p = pipeline.clone();
    let mut replaced: Vec<(Arc<ComponentSpec>, Arc<ComponentSpec>)> = Vec::new();
    // A container component runs its own image, not this binary.
    for task in p
        .tasks
        .iter_mut()
        .filter(|t| t.component.container.is_none())
    {
        let new = match replaced
            .iter()
            .find(|(old, _)| Arc::ptr_eq(old, &task.component))
        {
            Some((_, new)) => new.clone(),
            None => {
                let mut c = (*task.component).clone();
                c.base_image = Some(image.to_owned());
                let new = Arc::new(c);
                replaced.push((task.component.clone(), new.clone()));
                new
            }
        };
        task.component = new;
    }
    p
}

fn compile(
    pipeline: &Pipeline,
    target: Target,
    output: Option<PathBuf>,
    compiler: Compiler,
    image: Option<String>,
) -> u8 {
    let owned;
    let pipeline = match &image {
        Some(image) => {
            owned = with_image(pipeline, image);
            &owned
        }
        None => pipeline,
    };
    let yaml = match compiler.compile(pipeline, target) {
        Ok(y) => y,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    if let Some(warning) = size_warning(yaml.len()) {
        eprintln!("{warning}");
    }
    let path =
        output.unwrap_or_else(|| PathBuf::from(format!("{}.yaml", sanitize_name(&pipeline.name))));
    if path.as_os_str() == "-" {
        print!("{yaml}");
        return 0;
    }
    match std::fs::write(&path, yaml) {
        Ok(()) => {
            eprintln!("wrote {}", path.display());
            0
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", path.display());
            1
        }
    }
}

/// The size above which Kubernetes refuses to store an object: etcd's default request limit,
/// 1.5 MiB. An Argo Workflow (KFP v1) is one Kubernetes object, so a larger YAML fails to run.
pub const K8S_OBJECT_LIMIT: usize = 1_572_864;

/// The warning for a compiled YAML of `bytes` bytes, or `None` when it fits under
/// [`K8S_OBJECT_LIMIT`].
///
/// ```
/// use kfp_core::cli::{size_warning, K8S_OBJECT_LIMIT};
/// assert_eq!(size_warning(K8S_OBJECT_LIMIT), None);
/// assert!(size_warning(4_300_000).unwrap().contains("4.10 MiB"));
/// ```
pub fn size_warning(bytes: usize) -> Option<String> {
    // Lossless for any size a YAML string can have in practice (below 2^52 bytes).
    #[allow(clippy::cast_precision_loss)]
    let mib = |b: usize| b as f64 / 1_048_576.0;
    (bytes > K8S_OBJECT_LIMIT).then(|| {
        format!(
            "warning: the compiled YAML is {:.2} MiB ({bytes} bytes), over the {:.1} MiB \
             ({K8S_OBJECT_LIMIT} bytes) that Kubernetes accepts for one object; a cluster \
             will refuse to run it; split the pipeline into smaller ones",
            mib(bytes),
            mib(K8S_OBJECT_LIMIT),
        )
    })
}

/// The Dockerfile that adds the binary at `binary_path` to `base_image`.
pub fn dockerfile(base_image: &str, binary_path: &str) -> String {
    let file = Path::new(binary_path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "pipeline".to_owned());
    format!(
        "# Adds the pipeline binary to {base_image}.\n\
         # Build the binary for the image's platform first, then from the folder holding `{file}`:\n\
         #   docker build -f <this file> -t <registry>/<image>:<tag> .\n\
         FROM {base_image}\n\
         COPY {file} {binary_path}\n\
         RUN chmod 0755 {binary_path}\n"
    )
}

fn dockerfiles(pipelines: &[Pipeline], compiler: &Compiler, dir: &Path) -> u8 {
    let mut images: Vec<String> = all_components(pipelines)
        .iter()
        .filter(|c| c.container.is_none())
        .map(|c| {
            c.base_image
                .clone()
                .unwrap_or_else(|| crate::compiler::v1::DEFAULT_IMAGE.to_owned())
        })
        .collect();
    images.sort();
    images.dedup();
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create {}: {e}", dir.display());
        return 1;
    }
    for image in &images {
        let name = if images.len() == 1 {
            "Dockerfile".to_owned()
        } else {
            format!("Dockerfile.{}", sanitize_name(image))
        };
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, dockerfile(image, compiler.get_binary_path())) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return 1;
        }
        println!("{}\t{image}", path.display());
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_warning_names_size_and_limit() {
        assert_eq!(size_warning(0), None);
        assert_eq!(size_warning(K8S_OBJECT_LIMIT), None);
        let w = size_warning(K8S_OBJECT_LIMIT + 1).expect("one byte over warns");
        assert!(w.starts_with("warning: "), "{w}");
        assert!(w.contains("1.50 MiB (1572865 bytes)"), "{w}");
        assert!(w.contains("1.5 MiB (1572864 bytes)"), "{w}");
        let w = size_warning(4_301_234).expect("4 MB warns");
        assert!(w.contains("4.10 MiB (4301234 bytes)"), "{w}");
    }

    #[test]
    fn oversize_pipeline_still_compiles() {
        // A warning, not an error: the YAML is written and the exit status is 0.
        let big = || {
            let mut spec = ComponentSpec::new("step");
            spec.inputs = vec![crate::spec::component::InputSpec {
                name: "x".into(),
                kind: crate::types::ParamKind::String,
                rust_type: "String",
                optional: false,
            }];
            let spec = Arc::new(spec);
            crate::build_pipeline("big", None, |_| {
                for _ in 0..1200 {
                    crate::__private::add_task::<()>(
                        spec.clone(),
                        vec![Some(crate::spec::pipeline::Arg::Constant(
                            "x".repeat(600).into(),
                        ))],
                    );
                }
            })
        };
        let dir = std::env::temp_dir().join(format!("kfp-cli-size-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let out = dir.join("big.yaml");
        let argv = ["big", "compile", "-o", out.to_str().expect("utf-8 path")]
            .map(OsString::from)
            .to_vec();
        assert_eq!(run(argv, big), 0);
        let len = std::fs::metadata(&out).expect("written").len();
        assert!(len > K8S_OBJECT_LIMIT as u64, "{len}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
