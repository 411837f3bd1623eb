//! The command line every pipeline binary gets from `kfp_core::main`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Arg, ArgAction, Command};

use crate::compiler::{Compiler, Target};
use crate::spec::component::{sanitize_name, ComponentSpec};
use crate::spec::pipeline::Pipeline;

/// A `--target v1|v2` flag, v1 by default.
fn target_arg(help: &'static str) -> Arg {
    Arg::new("target")
        .long("target")
        .value_name("TARGET")
        .value_parser(["v1", "v2"])
        .default_value("v1")
        .help(help)
}

fn command(bin: &str) -> Command {
    let binary = Arg::new("binary")
        .long("binary")
        .value_name("PATH")
        .help("Absolute path of this binary inside the image [default: /usr/local/bin/<this binary's name>]");
    let image = Arg::new("image").long("image").value_name("IMAGE").help(
        "Run every component in IMAGE (an image that holds this binary) instead of its base_image",
    );
    let cmd = Command::new(bin.to_owned())
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
                .arg(
                    Arg::new("name")
                        .required(true)
                        .value_name("COMPONENT")
                        .value_parser(clap::value_parser!(OsString)),
                )
                .arg(
                    Arg::new("args")
                        .value_parser(clap::value_parser!(OsString))
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
                .arg(binary)
                .arg(target_arg(
                    "The target whose YAML the image serves: its base images, and the default image \
                     (v1: python:3.7, v2: python:3.11, as each compiler writes)",
                )),
        )
        .subcommand(
            Command::new("components")
                .about("List the components this binary can run")
                .arg(target_arg("List only the components of this target's pipeline").default_value(None)),
        )
        // The local runner and the DAG drawing (issue 12).
        .subcommand(crate::local::cli::command())
        .subcommand(crate::graph::command());
    // `submit`, `upload`, `runs`: the KFP API client (issue 14).
    #[cfg(feature = "client")]
    let cmd = cmd.subcommands(crate::client::commands::subcommands());
    cmd
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
    /// (to run a component, list them, or show a component's `--help`), the KFP v1 one first
    /// and the KFP v2 one last: a pod's invocation picks its target's by that order.
    fn build(self, target: Option<Target>) -> Vec<Pipeline>;

    /// Calls `visit` on the binary's pipelines one at a time, each built only when reached:
    /// the one for `first`, then the other target's (if the binary has one), with the target
    /// each was built for; stops at the first `Some`. What a pod uses to find its component
    /// without building the pipeline it does not run.
    fn find_map<T>(
        self,
        first: Target,
        mut visit: impl FnMut(Target, &Pipeline) -> Option<T>,
    ) -> Option<T>
    where
        Self: Sized,
    {
        let mut built: Vec<(Target, Pipeline)> = [Target::V1, Target::V2]
            .into_iter()
            .zip(self.build(None))
            .collect();
        if first == Target::V2 {
            built.reverse();
        }
        built.iter().find_map(|(target, p)| visit(*target, p))
    }
}

impl<F: FnOnce() -> Pipeline> Pipelines for F {
    fn build(self, _: Option<Target>) -> Vec<Pipeline> {
        vec![self()]
    }

    fn find_map<T>(
        self,
        first: Target,
        mut visit: impl FnMut(Target, &Pipeline) -> Option<T>,
    ) -> Option<T> {
        visit(first, &self())
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

    fn find_map<T>(
        self,
        first: Target,
        mut visit: impl FnMut(Target, &Pipeline) -> Option<T>,
    ) -> Option<T> {
        if first == Target::V2 {
            visit(Target::V2, &(self.v2)()).or_else(|| visit(Target::V1, &(self.v1)()))
        } else {
            visit(Target::V1, &(self.v1)()).or_else(|| visit(Target::V2, &(self.v2)()))
        }
    }
}

/// Every component of `pipelines`, each key once (the first pipeline's wins).
fn all_components(pipelines: &[Pipeline]) -> Vec<Arc<ComponentSpec>> {
    dedup_by_key(pipelines.iter().flat_map(Pipeline::components).collect())
}

/// `components` with each key once, the first of a key kept.
fn dedup_by_key(components: Vec<Arc<ComponentSpec>>) -> Vec<Arc<ComponentSpec>> {
    let mut out: Vec<Arc<ComponentSpec>> = Vec::new();
    for c in components {
        if !out.iter().any(|o| o.key == c.key) {
            out.push(c);
        }
    }
    out
}

/// Runs component `key` with the pod's arguments `args`, or prints its `--help`.
///
/// The invocation says which target's YAML runs it: a KFP v2 pod passes `--executor_input`, a
/// KFP v1 pod the v1 flags. Only that target's pipeline is built, and it decides what `key`
/// means; the other target's pipeline is built only when the first lacks `key` (a component
/// tried by hand still runs) or for `--help`, which shows the component as each target has it
/// (once when they agree; per target, KFP v1 first, when a [`PerTarget`] binary's two differ).
fn component(pipelines: impl Pipelines, key: &str, args: &[String]) -> u8 {
    let first = if crate::runtime::executor::is_v2_argv(args) {
        Target::V2
    } else {
        Target::V1
    };
    // The component as each visited pipeline has it, and every component seen (for the
    // error that lists them when no pipeline has `key`).
    let mut found: Vec<(Target, Arc<ComponentSpec>)> = Vec::new();
    let mut seen: Vec<Arc<ComponentSpec>> = Vec::new();
    let mut help = false;
    let done = pipelines.find_map(first, |target, p| {
        let components = p.components();
        let spec = components.iter().find(|c| c.key == key).cloned();
        seen.extend(components);
        let spec = spec?;
        if found.is_empty() {
            help = crate::runtime::args::wants_help(&spec, args);
        }
        found.push((target, spec));
        // `--help` shows every target's form of the component: keep going.
        (!help).then_some(())
    });
    if done.is_none() && !help {
        // No pipeline has `key`: the runtime reports it with the keys there are.
        return crate::runtime::run_component(&dedup_by_key(seen), key, args);
    }
    if !help {
        return crate::runtime::run_component(&[found.remove(0).1], key, args);
    }
    found.sort_by_key(|(target, _)| *target != Target::V1);
    let mut texts: Vec<(Target, String)> = Vec::new();
    for (target, spec) in &found {
        let text = crate::runtime::component_help(spec);
        if !texts.iter().any(|(_, t)| *t == text) {
            texts.push((*target, text));
        }
    }
    let out = if texts.len() == 1 {
        texts.remove(0).1
    } else {
        texts
            .iter()
            .map(|(target, t)| format!("# as compiled for KFP {target}\n{t}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    print_out(&out)
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
    // `--binary` and `--image` end up in Dockerfile lines and YAML fields: refuse a value
    // that would add lines to them.
    if let Some((_, m)) = matches.subcommand() {
        type Check = fn(&str) -> Result<(), String>;
        let checks: [(&str, Check); 2] = [
            ("binary", crate::image_ref::check_binary_path),
            ("image", crate::image_ref::check_image_reference),
        ];
        for (flag, check) in checks {
            let value = m
                .try_get_one::<String>(flag)
                .ok()
                .flatten()
                .map(String::as_str);
            if let Some(Err(e)) = value.map(check) {
                eprintln!(
                    "error: invalid value {value:?} for `--{flag}`: {e}",
                    value = value.unwrap_or_default()
                );
                return 2;
            }
        }
    }
    let target_flag = |m: &clap::ArgMatches| {
        m.get_one::<String>("target")
            .and_then(|t| t.parse::<Target>().ok())
    };
    // Raw, so that an argument that is not UTF-8 gets a message naming the component and
    // the flag (clap's names neither).
    let component_args = |m: &clap::ArgMatches| -> Result<(String, Vec<String>), String> {
        let name = m
            .get_one::<OsString>("name")
            .cloned()
            .unwrap_or_default()
            .into_string()
            .map_err(|n| format!("the component name {n:?} is invalid UTF-8"))?;
        let raw: Vec<OsString> = m
            .get_many::<OsString>("args")
            .map(|v| v.cloned().collect())
            .unwrap_or_default();
        let mut args = Vec::with_capacity(raw.len());
        for (i, a) in raw.into_iter().enumerate() {
            match a.into_string() {
                Ok(a) => args.push(a),
                Err(a) => {
                    let at = match args.last() {
                        Some(flag) if flag.starts_with("--") && i > 0 => {
                            format!("the value of `{flag}`")
                        }
                        _ => format!("argument {}", i + 1),
                    };
                    return Err(format!(
                        "component `{name}`: {at} is invalid UTF-8: {}",
                        a.to_string_lossy()
                    ));
                }
            }
        }
        Ok((name, args))
    };
    if let Some(("component", m)) = matches.subcommand() {
        return match component_args(m) {
            Ok((name, args)) => component(pipelines, &name, &args),
            Err(e) => {
                eprintln!("error: {e}");
                2
            }
        };
    }
    let target = match matches.subcommand() {
        None => Some(Target::V1),
        Some(("compile" | "dockerfile", m)) => Some(target_flag(m).unwrap_or_default()),
        Some(("components", m)) => target_flag(m),
        #[cfg(feature = "client")]
        Some((name, m)) if crate::client::commands::COMMANDS.contains(&name) => {
            Some(crate::client::commands::target_of(m))
        }
        // The local runner and `graph` walk the pipeline built for KFP v2.
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
        Some(("components", _)) => {
            let list: String = all_components(&built)
                .iter()
                .map(|c| format!("{}\t{}\n", c.key, c.name))
                .collect();
            print_out(&list)
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
            dockerfiles(&built, target.unwrap_or_default(), &compiler, &dir)
        }
        #[cfg(feature = "client")]
        Some((name, m)) if crate::client::commands::COMMANDS.contains(&name) => {
            crate::client::commands::run(name, m, pipeline)
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
        .filter(|t| t.component.container().is_none())
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
        return print_out(&yaml);
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

fn dockerfiles(pipelines: &[Pipeline], target: Target, compiler: &Compiler, dir: &Path) -> u8 {
    let default_image = target.default_image();
    let mut images: Vec<String> = all_components(pipelines)
        .iter()
        .filter(|c| c.container().is_none())
        .map(|c| {
            c.base_image
                .clone()
                .unwrap_or_else(|| default_image.to_owned())
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
        let code = print_out(&format!("{}\t{image}\n", path.display()));
        if code != 0 {
            return code;
        }
    }
    0
}

/// Writes `text` to standard output; 0, or 1 with the error reported when standard output is
/// closed or full (`print!` would panic, exit 101).
fn print_out(text: &str) -> u8 {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            1
        }
    }
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
    fn dockerfile_bases_on_the_image_the_target_runs() {
        // A component with no base image runs python:3.7 on v1 and python:3.11 on v2, as
        // each kfp compiler writes it.
        let p = || {
            let spec = Arc::new(ComponentSpec::test("step"));
            crate::build_pipeline("p", None, |_| {
                crate::__private::add_task::<()>(spec.clone(), Vec::new());
            })
        };
        let dir = std::env::temp_dir().join(format!("kfp-cli-dockerfile-{}", std::process::id()));
        for (target, image) in [("v1", "python:3.7"), ("v2", "python:3.11")] {
            let out = dir.join(target);
            let argv = [
                "p",
                "dockerfile",
                "--target",
                target,
                "-o",
                out.to_str().unwrap(),
            ]
            .map(OsString::from)
            .to_vec();
            assert_eq!(run(argv, p), 0);
            let text = std::fs::read_to_string(out.join("Dockerfile")).unwrap();
            assert!(
                text.contains(&format!("FROM {image}\n")),
                "{target}: {text}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_pod_builds_its_targets_pipeline_and_the_other_only_when_needed() {
        use std::cell::RefCell;
        let built: RefCell<Vec<Target>> = RefCell::new(Vec::new());
        let pipeline = |target: Target, key: &'static str| {
            let built = &built;
            move || {
                built.borrow_mut().push(target);
                let spec = Arc::new(ComponentSpec::test(key));
                crate::build_pipeline("p", None, |_| {
                    crate::__private::add_task::<()>(spec.clone(), Vec::new());
                })
            }
        };
        let both = || PerTarget {
            v1: pipeline(Target::V1, "only_v1"),
            v2: pipeline(Target::V2, "only_v2"),
        };
        let find = |key: &'static str| {
            move |target: Target, p: &Pipeline| {
                p.components()
                    .iter()
                    .any(|c| c.key == key)
                    .then_some(target)
            }
        };
        // A v2 pod whose component the v2 pipeline has: v1's is never built.
        assert_eq!(
            both().find_map(Target::V2, find("only_v2")),
            Some(Target::V2)
        );
        assert_eq!(built.take(), [Target::V2]);
        // A name only the other target's pipeline has: that one is built next.
        assert_eq!(
            both().find_map(Target::V2, find("only_v1")),
            Some(Target::V1)
        );
        assert_eq!(built.take(), [Target::V2, Target::V1]);
        assert_eq!(
            both().find_map(Target::V1, find("only_v1")),
            Some(Target::V1)
        );
        assert_eq!(built.take(), [Target::V1]);
        assert_eq!(both().find_map(Target::V1, find("neither")), None);
        assert_eq!(built.take(), [Target::V1, Target::V2]);
    }

    #[test]
    fn oversize_pipeline_still_compiles() {
        // A warning, not an error: the YAML is written and the exit status is 0.
        let big = || {
            let mut spec = ComponentSpec::test("step");
            spec.inputs = vec![crate::spec::component::InputSpec::new(
                "x",
                crate::types::ParamKind::String,
            )];
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
