//! How one attempt of a local task runs: as a subprocess of the pipeline binary (in a process
//! group of its own, so that stopping it stops its children too), as a `docker run`, or in
//! this process (the Rust API's default, for `cargo test`).
//!
//! A subprocess's output is streamed line by line with a `[task]` prefix and kept in the
//! task's `log.txt`. A timeout or a cancellation (Ctrl-C) sends SIGTERM to the task's process
//! group, then SIGKILL after a grace period.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::compiler::v2::{executor_args, executor_command, EXECUTOR_INPUT_PLACEHOLDER};
use crate::compiler::Compiler;
use crate::reusable::Placeholder;
use crate::spec::component::ComponentSpec;

/// How long a task gets between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_secs(3);

/// How often a running task is checked for its timeout and for a cancellation (its end is
/// seen at once).
const POLL: Duration = Duration::from_millis(50);

/// What runs a task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Executable {
    /// Call the component's Rust function in this process, on a worker thread: what a test
    /// binary can do, as it cannot run `component X`. Timeouts are not enforced, a running
    /// task cannot be interrupted, and its output is not captured.
    InProcess,
    /// Run each task as `<binary> component <fn> --executor_input ...`: the pipeline binary
    /// itself (the `run` command), or a named example binary.
    Binary(PathBuf),
    /// `docker run` each task in its image (`--runner docker`); `binary` is the in-image
    /// path of the pipeline binary, as the compiled YAML has it.
    Docker {
        /// The pipeline binary's path inside the images.
        binary: String,
    },
}

/// How one attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Exit status 0.
    Succeeded,
    /// A non-zero exit, or the function's error.
    Failed(String),
    /// Killed at the timeout.
    TimedOut,
    /// Killed because the run was interrupted.
    Cancelled,
}

/// One attempt of one task.
pub struct Attempt<'a> {
    /// The component.
    pub component: &'a ComponentSpec,
    /// The executor input JSON.
    pub executor_input: &'a Value,
    /// The task's folder (its `log.txt` goes there).
    pub dir: &'a Path,
    /// The run folder (mounted into Docker containers at the same path).
    pub root: &'a Path,
    /// Extra environment variables.
    pub env: &'a [(String, String)],
    /// Folder put first on `PATH` (a virtualenv's `bin`).
    pub path_prefix: Option<&'a Path>,
    /// Kill the task after this long.
    pub timeout: Option<Duration>,
    /// Set when the run is interrupted.
    pub cancel: &'a AtomicBool,
    /// The `[task]` prefix of streamed lines; `None` to stream nothing (`--quiet`).
    pub echo: Option<&'a str>,
    /// Input parameter values by IR name (for a container component's placeholders).
    pub inputs: &'a serde_json::Map<String, Value>,
}

/// The command line that runs `component` as its `exec-*` in the v2 IR says, with `binary`
/// as the pipeline binary, the executor input in place of `{{$}}`, and without the pip
/// prelude (packages come from the current environment or a `--venv`).
pub fn task_argv(binary: &Path, component: &ComponentSpec, executor_input: &str) -> Vec<String> {
    let compiler = Compiler::new().binary_path(binary.display().to_string());
    let mut command = executor_command(&compiler, component);
    // With packages the IR's command is `sh -c <pip prelude> <binary> component <fn>`; the
    // prelude's `"$0" "$@"` runs the last three, which is what runs here.
    if command.len() > 3 {
        command.drain(..command.len() - 3);
    }
    command.extend(executor_args(component).into_iter().map(|a| {
        if a == EXECUTOR_INPUT_PLACEHOLDER {
            executor_input.to_owned()
        } else {
            a
        }
    }));
    command
}

/// The `docker run` command line of one task: the image, the run folder mounted at the same
/// path (artifact URIs are local paths), the environment, and the component's command and
/// arguments as the v2 IR gives them (the pip prelude included: it installs the packages in
/// the container), placeholders filled in.
pub fn docker_argv(
    binary: &str,
    component: &ComponentSpec,
    executor_input: &Value,
    inputs: &serde_json::Map<String, Value>,
    root: &Path,
    env: &[(String, String)],
) -> Vec<String> {
    let root = root.display().to_string();
    let mut argv: Vec<String> = ["docker", "run", "--rm", "-v"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    argv.push(format!("{root}:{root}"));
    for (k, v) in env {
        argv.push("-e".into());
        argv.push(format!("{k}={v}"));
    }
    match component.container() {
        Some(own) => {
            // An input left out takes its declared default, as the driver fills it in.
            let mut inputs = inputs.clone();
            for (i, input) in component.inputs.iter().enumerate() {
                let name = crate::compiler::v2_io::io_name(component, &input.name).into_owned();
                if let crate::compiler::v2_io::Io::Parameter(kind) =
                    crate::compiler::v2_io::input_io(component, i)
                {
                    if !inputs.contains_key(&name) {
                        if let Some(d) =
                            crate::compiler::v2_io::container_default(component, &input.name, kind)
                        {
                            inputs.insert(name, d);
                        }
                    }
                }
            }
            let inputs = &inputs;
            argv.push("--entrypoint".into());
            let command = resolve_all(&own.command, executor_input, inputs);
            let (first, rest) = command
                .split_first()
                .map_or((String::new(), &[][..]), |(f, r)| (f.clone(), r));
            argv.push(first);
            argv.push(own.image.clone());
            argv.extend(rest.iter().cloned());
            argv.extend(resolve_all(&own.args, executor_input, inputs));
        }
        None => {
            let image = component
                .base_image
                .clone()
                .unwrap_or_else(|| crate::compiler::v2::DEFAULT_IMAGE.to_owned());
            let compiler = Compiler::new().binary_path(binary.to_owned());
            let mut command = executor_command(&compiler, component);
            let first = command.remove(0);
            argv.push("--entrypoint".into());
            argv.push(first);
            argv.push(image);
            argv.extend(command);
            let input = executor_input.to_string();
            argv.extend(executor_args(component).into_iter().map(|a| {
                if a == EXECUTOR_INPUT_PLACEHOLDER {
                    input.clone()
                } else {
                    a
                }
            }));
        }
    }
    argv
}

/// A container component's command or arguments with their placeholders filled in from the
/// executor input; an absent optional input drops its argument, as the launcher does.
fn resolve_all(
    list: &[Placeholder],
    executor_input: &Value,
    inputs: &serde_json::Map<String, Value>,
) -> Vec<String> {
    let mut out = Vec::new();
    for p in list {
        match p {
            Placeholder::IfPresent {
                present,
                then,
                otherwise,
            } => {
                let name = crate::compiler::v2_io::sanitize_input_name(present);
                let given = inputs.contains_key(&name)
                    || executor_input
                        .pointer(&format!("/inputs/artifacts/{name}"))
                        .is_some();
                let branch = if given { then } else { otherwise };
                out.extend(resolve_all(branch, executor_input, inputs));
            }
            other => out.extend(resolve_one(other, executor_input, inputs)),
        }
    }
    out
}

fn resolve_one(
    p: &Placeholder,
    executor_input: &Value,
    inputs: &serde_json::Map<String, Value>,
) -> Option<String> {
    use crate::compiler::v2_io::sanitize_input_name as s;
    match p {
        Placeholder::Literal(t) => Some(t.clone()),
        Placeholder::InputValue(n) => inputs.get(&s(n)).map(crate::pyjson::str_value),
        Placeholder::InputPath(n) => executor_input
            .pointer(&format!("/inputs/artifacts/{}/artifacts/0/uri", s(n)))
            .and_then(Value::as_str)
            .map(str::to_owned),
        Placeholder::OutputPath(n) => {
            let n = s(n);
            executor_input
                .pointer(&format!("/outputs/parameters/{n}/outputFile"))
                .or_else(|| {
                    executor_input.pointer(&format!("/outputs/artifacts/{n}/artifacts/0/uri"))
                })
                .and_then(Value::as_str)
                .map(str::to_owned)
        }
        Placeholder::Concat(parts) => Some(
            parts
                .iter()
                .filter_map(|q| resolve_one(q, executor_input, inputs))
                .collect(),
        ),
        Placeholder::IfPresent { .. } => None,
    }
}

/// Runs one attempt with `exec`.
pub fn run_attempt(exec: &Executable, attempt: &Attempt<'_>) -> Outcome {
    if attempt.cancel.load(Ordering::SeqCst) {
        return Outcome::Cancelled;
    }
    let argv = match exec {
        Executable::InProcess => return in_process(attempt),
        Executable::Binary(binary) => task_argv(
            binary,
            attempt.component,
            &attempt.executor_input.to_string(),
        ),
        Executable::Docker { binary } => docker_argv(
            binary,
            attempt.component,
            attempt.executor_input,
            attempt.inputs,
            attempt.root,
            attempt.env,
        ),
    };
    subprocess(&argv, attempt)
}

fn in_process(attempt: &Attempt<'_>) -> Outcome {
    let component = attempt.component;
    let Some(run) = component.run_fn() else {
        return Outcome::Failed(format!(
            "component `{}` has no Rust function to run in process",
            component.key
        ));
    };
    let argv = task_argv(
        Path::new("in-process"),
        component,
        &attempt.executor_input.to_string(),
    );
    // `[binary, component, <fn>, --executor_input, <json>, ...]`: the invocation reads the rest.
    let result = crate::runtime::Invocation::from_executor_input(component, &argv[3..])
        .and_then(|mut inv| run(&mut inv));
    match result {
        Ok(()) => Outcome::Succeeded,
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

fn subprocess(argv: &[String], attempt: &Attempt<'_>) -> Outcome {
    let log_path = attempt.dir.join("log.txt");
    let log = match std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
    {
        Ok(f) => Arc::new(Mutex::new(f)),
        Err(e) => return Outcome::Failed(format!("cannot open {}: {e}", log_path.display())),
    };
    let Some((program, args)) = argv.split_first() else {
        return Outcome::Failed("empty command".into());
    };
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in attempt.env {
        cmd.env(k, v);
    }
    if let Some(bin) = attempt.path_prefix {
        let old = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![bin.to_path_buf()];
        paths.extend(std::env::split_paths(&old));
        if let Ok(joined) = std::env::join_paths(paths) {
            cmd.env("PATH", joined);
        }
        if let Some(venv) = bin.parent() {
            cmd.env("VIRTUAL_ENV", venv);
        }
    }
    #[cfg(unix)]
    {
        // Its own process group: the terminal's Ctrl-C reaches the runner only, and the
        // runner stops the whole group, the task's children included.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return Outcome::Failed(format!("cannot start `{program}`: {e}")),
    };
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .enumerate()
    .map(|(i, stream)| {
        let log = log.clone();
        let prefix = attempt.echo.map(str::to_owned);
        std::thread::spawn(move || pump(stream, &log, prefix.as_deref(), i == 1))
    })
    .collect();
    let start = Instant::now();
    let pid = child.id();
    // A thread waits for the task, so its end is seen at once; this thread only watches the
    // clock and the cancel flag meanwhile.
    let (done_tx, done) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(child.wait());
    });
    let mut outcome = None;
    let status = loop {
        match done.recv_timeout(POLL) {
            Ok(Ok(status)) => break Some(status),
            Ok(Err(e)) => {
                outcome = Some(Outcome::Failed(format!("cannot wait for the task: {e}")));
                break None;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break None,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        let timed_out = attempt.timeout.is_some_and(|t| start.elapsed() >= t);
        if timed_out || attempt.cancel.load(Ordering::SeqCst) {
            outcome = Some(if timed_out {
                Outcome::TimedOut
            } else {
                Outcome::Cancelled
            });
            stop_group(pid, &done);
            break None;
        }
    };
    // Whatever the task left behind in its group goes with it, as a pod's processes do.
    kill_group(pid, true);
    for r in readers {
        let _ = r.join();
    }
    if let Some(o) = outcome {
        return o;
    }
    match status {
        Some(s) if s.success() => Outcome::Succeeded,
        Some(s) => Outcome::Failed(format!(
            "exited with {}",
            s.code()
                .map_or_else(|| s.to_string(), |c| format!("status {c}"))
        )),
        None => Outcome::Failed("the task vanished".into()),
    }
}

/// Copies `stream` line by line to the log and, with a prefix, to the runner's output.
fn pump(stream: Box<dyn Read + Send>, log: &Mutex<std::fs::File>, prefix: Option<&str>, err: bool) {
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if let Ok(mut f) = log.lock() {
            let _ = f.write_all(&line);
        }
        if let Some(p) = prefix {
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\n', '\r']);
            // Over the live progress line (on stderr), the line is cleared first.
            let clear = if super::progress::LIVE.load(std::sync::atomic::Ordering::Relaxed) {
                "\r\x1b[K"
            } else {
                ""
            };
            if err {
                let _ = writeln!(std::io::stderr().lock(), "{clear}[{p}] {text}");
            } else {
                let _ = writeln!(std::io::stdout().lock(), "{clear}[{p}] {text}");
            }
        }
    }
}

/// SIGTERM to the task's group, then SIGKILL if the task is still there after the grace
/// period; returns once the task is reaped.
///
/// The task's own children (a `sleep` its shell started) are in its group too and may outlive
/// it by a moment: the group is waited for as well, and killed when it outstays the grace
/// period, so no process of the task is left when this returns.
fn stop_group(pid: u32, done: &mpsc::Receiver<std::io::Result<std::process::ExitStatus>>) {
    kill_group(pid, false);
    if done.recv_timeout(GRACE).is_err() {
        kill_group(pid, true);
        let _ = done.recv();
    }
    if !group_gone(pid, GRACE) {
        kill_group(pid, true);
        group_gone(pid, Duration::from_secs(1));
    }
}

/// Waits up to `wait` for every process of group `pid` to end; whether they did.
fn group_gone(pid: u32, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    loop {
        if !group_alive(pid) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(unix)]
fn group_alive(pid: u32) -> bool {
    use nix::sys::signal::killpg;
    use nix::unistd::Pid;
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    // Signal 0 checks that the group has a process left, and sends nothing.
    killpg(Pid::from_raw(pid), None).is_ok()
}

#[cfg(not(unix))]
fn group_alive(_pid: u32) -> bool {
    false
}

#[cfg(unix)]
fn kill_group(pid: u32, hard: bool) {
    use nix::sys::signal::{killpg, Signal};
    use nix::unistd::Pid;
    let Ok(pid) = i32::try_from(pid) else { return };
    let signal = if hard {
        Signal::SIGKILL
    } else {
        Signal::SIGTERM
    };
    // ESRCH (the group is gone) is the usual case after a clean exit.
    let _ = killpg(Pid::from_raw(pid), signal);
}

#[cfg(not(unix))]
fn kill_group(_pid: u32, _hard: bool) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_argv_drops_the_pip_prelude_and_fills_the_executor_input() {
        let mut c = ComponentSpec::test("train");
        c.packages = vec!["ultralytics".into()];
        let argv = task_argv(Path::new("/bin/p"), &c, "{}");
        assert_eq!(
            argv,
            [
                "/bin/p",
                "component",
                "train",
                "--executor_input",
                "{}",
                "--function_to_execute",
                "train"
            ]
        );
    }

    #[test]
    fn docker_argv_mounts_the_root_and_keeps_the_prelude() {
        let mut c = ComponentSpec::test("train");
        c.base_image = Some("img:1".into());
        c.packages = vec!["a b".into()];
        let argv = docker_argv(
            "/usr/local/bin/p",
            &c,
            &serde_json::json!({}),
            &serde_json::Map::new(),
            Path::new("/r"),
            &[("K".into(), "V".into())],
        );
        assert_eq!(
            &argv[..8],
            [
                "docker",
                "run",
                "--rm",
                "-v",
                "/r:/r",
                "-e",
                "K=V",
                "--entrypoint"
            ]
        );
        assert_eq!(argv[8], "sh");
        assert_eq!(argv[9], "img:1");
        assert_eq!(argv[10], "-c");
        assert!(argv[11].contains("pip install"));
        assert_eq!(
            &argv[12..],
            [
                "/usr/local/bin/p",
                "component",
                "train",
                "--executor_input",
                "{}",
                "--function_to_execute",
                "train"
            ]
        );
    }
}
