//! Command lines for the example components, and what the tests check afterwards.

use std::path::Path;

use super::{example, run_in, Run};

/// The flagship binary.
pub const YOLO: &str = "yolov8withmlflow";
/// The binary with every parameter type.
pub const TYPES: &str = "param_types";
/// The binary with named outputs.
pub const MULTI: &str = "multiple_outputs";

/// A valid `train` command line (the check is `False`, so nothing is trained).
pub const TRAIN: [&str; 10] = [
    "--checker",
    "False",
    "--model-name",
    "yolov8n.pt",
    "--epochs",
    "3",
    "--imgsz",
    "640",
    "--batchsize",
    "16",
];

/// The output names of `all_types`, in order.
pub const ALL_TYPES_OUTPUTS: [&str; 6] = ["f", "i", "s", "b", "l", "d"];

/// The arguments as owned strings.
pub fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

/// `args` with the value after `flag` replaced.
pub fn with(args: &[&str], flag: &str, value: &str) -> Vec<String> {
    let mut out = strings(args);
    let i = out.iter().position(|a| a == flag).expect("flag present");
    out[i + 1] = value.to_owned();
    out
}

/// `args` without `flag` and its value.
pub fn without(args: &[&str], flag: &str) -> Vec<String> {
    let mut out = strings(args);
    let i = out.iter().position(|a| a == flag).expect("flag present");
    out.drain(i..i + 2);
    out
}

/// A valid `all_types` command line writing under `dir`, with `changes` applied.
pub fn all_types(dir: &Path, changes: &[(&str, &str)]) -> Vec<String> {
    let mut args = strings(&[
        "--f",
        "0.25",
        "--i",
        "3",
        "--s",
        "const",
        "--b",
        "True",
        "--l",
        "[4, 5]",
        "--d",
        r#"{"a": [1, 2]}"#,
    ]);
    for (flag, value) in changes {
        let i = args.iter().position(|a| a == flag).expect("flag present");
        args[i + 1] = (*value).to_owned();
    }
    args.push("----output-paths".to_owned());
    for name in ALL_TYPES_OUTPUTS {
        args.push(output_path(dir, name));
    }
    args
}

/// Where a test puts output `name`: nested folders that do not exist yet, as in the pod.
pub fn output_path(dir: &Path, name: &str) -> String {
    dir.join("outputs")
        .join(name)
        .join("data")
        .to_string_lossy()
        .into_owned()
}

/// Runs `component` of example `bin` with `args`, as the pod's command line does.
pub fn component(bin: &str, component: &str, args: &[String], cwd: &Path) -> Run {
    let mut argv = vec!["component".to_owned(), component.to_owned()];
    argv.extend(args.iter().cloned());
    run_in(&example(bin), &argv, cwd)
}

/// Every file under `dir`, relative, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(
                    p.strip_prefix(dir)
                        .unwrap_or(&p)
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    out.sort();
    out
}
