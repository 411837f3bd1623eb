//! The in-pod contract, run as the pod runs it: the example binaries started as processes with
//! KFP v1 argument vectors. A bad invocation exits 2 with a message naming the component, the
//! flag, the raw value and the expected type, writes nothing and never panics; a failing
//! function exits 1 with its error; good runs write each output file as kfp does.

mod support;

use std::ffi::OsString;
use std::path::Path;

use support::{example, run_in, Run, TempDir};

const YOLO: &str = "yolov8withmlflow";
const TYPES: &str = "param_types";
const MULTI: &str = "multiple_outputs";

/// A valid `train` command line (the check is `False`, so nothing is trained).
const TRAIN: [&str; 10] = [
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
const ALL_TYPES_OUTPUTS: [&str; 6] = ["f", "i", "s", "b", "l", "d"];

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

/// `args` with the value after `flag` replaced.
fn with(args: &[&str], flag: &str, value: &str) -> Vec<String> {
    let mut out = strings(args);
    let i = out.iter().position(|a| a == flag).expect("flag present");
    out[i + 1] = value.to_owned();
    out
}

/// `args` without `flag` and its value.
fn without(args: &[&str], flag: &str) -> Vec<String> {
    let mut out = strings(args);
    let i = out.iter().position(|a| a == flag).expect("flag present");
    out.drain(i..i + 2);
    out
}

/// A valid `all_types` command line writing under `dir`, with `changes` applied.
fn all_types(dir: &Path, changes: &[(&str, &str)]) -> Vec<String> {
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
fn output_path(dir: &Path, name: &str) -> String {
    dir.join("outputs")
        .join(name)
        .join("data")
        .to_string_lossy()
        .into_owned()
}

/// Runs `component` of example `bin` with `args`, as the pod's command line does.
fn component(bin: &str, component: &str, args: &[String], cwd: &Path) -> Run {
    let mut argv = vec!["component".to_owned(), component.to_owned()];
    argv.extend(args.iter().cloned());
    run_in(&example(bin), &argv, cwd)
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
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

/// One bad invocation: which binary and component, the arguments, and what the message must
/// say.
struct Bad {
    bin: &'static str,
    component: &'static str,
    args: Vec<String>,
    says: Vec<&'static str>,
}

fn bad(
    bin: &'static str,
    component: &'static str,
    args: Vec<String>,
    says: &[&'static str],
) -> Bad {
    Bad {
        bin,
        component,
        args,
        says: says.to_vec(),
    }
}

#[test]
fn bad_invocations_exit_2_with_a_message_and_no_panic() {
    let dir = TempDir::new("bad-argv");
    let d = dir.path();
    let existing_dir = d.join("a-folder");
    std::fs::create_dir_all(&existing_dir).unwrap();
    let a_file = d.join("a-file");
    std::fs::write(&a_file, "x").unwrap();
    let out = |name: &str| output_path(d, name);
    let accepted =
        "accepted flags: `--checker`, `--model-name`, `--epochs`, `--imgsz`, `--batchsize`";
    let t = &TRAIN;
    let huge = format!("[{}x]", "1, ".repeat(10_000));
    let cases = vec![
        bad(
            YOLO,
            "nope",
            strings(t),
            &[
                "unknown component `nope`",
                "this binary has: `train`, `verify_training`",
            ],
        ),
        bad(YOLO, "Train", strings(t), &["unknown component `Train`"]),
        bad(
            YOLO,
            "train",
            with(t, "--epochs", "abc"),
            &[
                "component `train`",
                "`--epochs`",
                "\"abc\"",
                "an integer that fits `i64`",
                "not a decimal integer",
            ],
        ),
        bad(
            YOLO,
            "train",
            with(t, "--epochs", "3.0"),
            &["`--epochs`", "\"3.0\"", "`i64`", "without a fraction"],
        ),
        bad(
            YOLO,
            "train",
            with(t, "--epochs", "1e3"),
            &["`--epochs`", "\"1e3\"", "`i64`"],
        ),
        bad(
            YOLO,
            "train",
            with(t, "--epochs", " 3"),
            &["`--epochs`", "\" 3\"", "spaces around the digits"],
        ),
        bad(
            YOLO,
            "train",
            with(t, "--epochs", ""),
            &["`--epochs`", "\"\"", "the value is empty"],
        ),
        bad(
            YOLO,
            "train",
            with(t, "--epochs", "9223372036854775808"),
            &[
                "`--epochs`",
                "\"9223372036854775808\"",
                "too large; the largest `i64` is 9223372036854775807",
            ],
        ),
        bad(
            YOLO,
            "train",
            with(t, "--imgsz", "-9223372036854775809"),
            &[
                "`--imgsz`",
                "too small; the smallest `i64` is -9223372036854775808",
            ],
        ),
        bad(
            YOLO,
            "train",
            with(t, "--batchsize", "0x10"),
            &["`--batchsize`", "\"0x10\"", "`i64`"],
        ),
        bad(
            YOLO,
            "train",
            with(t, "--checker", "maybe"),
            &[
                "component `train`",
                "`--checker`",
                "\"maybe\"",
                "`True` or `False` for a `bool`",
                "y/yes/t/true/on/1",
            ],
        ),
        bad(
            YOLO,
            "train",
            with(t, "--checker", ""),
            &["`--checker`", "\"\"", "`bool`"],
        ),
        bad(
            YOLO,
            "train",
            with(t, "--checker", "Truee"),
            &["`--checker`", "\"Truee\"", "`bool`"],
        ),
        bad(
            YOLO,
            "train",
            without(t, "--epochs"),
            &[
                "component `train`",
                "missing required flag `--epochs`",
                "`i64`, a KFP Integer",
            ],
        ),
        bad(
            YOLO,
            "train",
            without(t, "--checker"),
            &["missing required flag `--checker`", "`bool`, a KFP Boolean"],
        ),
        bad(
            YOLO,
            "train",
            [strings(t), strings(&["--bogus", "1"])].concat(),
            &["component `train`", "unknown flag `--bogus`", accepted],
        ),
        bad(
            YOLO,
            "train",
            [strings(&["--bogus=1"]), strings(t)].concat(),
            &["unknown flag `--bogus`;", accepted],
        ),
        bad(
            YOLO,
            "train",
            [strings(&["--model_name", "x"]), strings(t)].concat(),
            &["unknown flag `--model_name`", accepted],
        ),
        bad(
            YOLO,
            "train",
            [strings(t), strings(&["stray"])].concat(),
            &["unknown flag `stray`"],
        ),
        bad(
            YOLO,
            "train",
            [strings(t), strings(&[""])].concat(),
            &["unknown flag ``"],
        ),
        bad(
            YOLO,
            "train",
            [without(t, "--batchsize"), strings(&["--batchsize"])].concat(),
            &["component `train`", "flag `--batchsize` needs a value"],
        ),
        bad(
            YOLO,
            "train",
            [strings(&["--epochs"]), without(t, "--epochs")].concat(),
            &["flag `--epochs` needs a value"],
        ),
        bad(
            YOLO,
            "train",
            [strings(&["--model-name"]), without(t, "--model-name")].concat(),
            &["flag `--model-name` needs a value"],
        ),
        bad(
            YOLO,
            "train",
            [strings(t), strings(&["--epochs", "4"])].concat(),
            &["flag `--epochs` given more than once"],
        ),
        bad(
            YOLO,
            "train",
            [strings(t), strings(&["--imgsz=1"])].concat(),
            &["flag `--imgsz` given more than once"],
        ),
        bad(
            YOLO,
            "train",
            [strings(t), strings(&["----output-paths", "/x"])].concat(),
            &["`----output-paths` needs 0 path(s)", "got 1"],
        ),
        bad(
            YOLO,
            "verify_training",
            vec![],
            &[
                "component `verify_training`",
                "missing required flag `----output-paths`",
                "`Output`",
            ],
        ),
        bad(
            YOLO,
            "verify_training",
            strings(&["----output-paths"]),
            &["needs 1 path(s)", "got 0"],
        ),
        bad(
            YOLO,
            "verify_training",
            strings(&["----output-paths", &out("a"), &out("b")]),
            &["needs 1 path(s)", "got 2"],
        ),
        bad(
            YOLO,
            "verify_training",
            strings(&["----output-paths", &existing_dir.to_string_lossy()]),
            &[
                "`----output-paths`",
                "a file path for output `Output`",
                "a folder is already there",
            ],
        ),
        bad(
            YOLO,
            "verify_training",
            strings(&["----output-paths", &format!("{}/", out("x"))]),
            &["`----output-paths`", "names a folder"],
        ),
        bad(
            YOLO,
            "verify_training",
            strings(&["----output-paths", &a_file.join("data").to_string_lossy()]),
            &["a file stands where its folder should be"],
        ),
        bad(
            YOLO,
            "verify_training",
            strings(&["----output-paths", ""]),
            &["the path is empty"],
        ),
        bad(
            YOLO,
            "verify_training",
            strings(&["--epochs", "3", "----output-paths", &out("o")]),
            &[
                "unknown flag `--epochs`",
                "accepted flags: `----output-paths`",
            ],
        ),
        bad(
            TYPES,
            "all_types",
            all_types(d, &[("--f", "abc")]),
            &[
                "component `all_types`",
                "`--f`",
                "\"abc\"",
                "a number that fits `f64`",
            ],
        ),
        bad(
            TYPES,
            "all_types",
            all_types(d, &[("--f", "")]),
            &["`--f`", "the value is empty"],
        ),
        bad(
            TYPES,
            "all_types",
            all_types(d, &[("--f", "1.5 ")]),
            &["`--f`", "\"1.5 \"", "spaces around the number"],
        ),
        bad(
            TYPES,
            "all_types",
            all_types(d, &[("--f", "1,5")]),
            &["`--f`", "\"1,5\""],
        ),
        bad(
            TYPES,
            "all_types",
            all_types(d, &[("--i", "18446744073709551615")]),
            &["`--i`", "too large"],
        ),
        bad(
            TYPES,
            "all_types",
            all_types(d, &[("--b", "2")]),
            &["`--b`", "\"2\"", "`bool`"],
        ),
        bad(
            TYPES,
            "all_types",
            all_types(d, &[("--l", "[1, 2")]),
            &["`--l`", "\"[1, 2\"", "a JSON array"],
        ),
        bad(
            TYPES,
            "all_types",
            all_types(d, &[("--l", r#"[1, "x"]"#)]),
            &["`--l`", "an integer that fits `i64`", "at [1]"],
        ),
        bad(
            TYPES,
            "all_types",
            all_types(d, &[("--l", "[1.5]")]),
            &["`--l`", "at [0]"],
        ),
        bad(
            TYPES,
            "all_types",
            all_types(d, &[("--l", r#"{"a": 1}"#)]),
            &["`--l`", "a JSON array"],
        ),
        bad(
            TYPES,
            "all_types",
            all_types(d, &[("--l", &huge)]),
            &[
                "`--l`",
                "\"[1, 1, 1, ",
                "... (30003 characters)",
                "a JSON array",
            ],
        ),
        bad(
            TYPES,
            "all_types",
            all_types(d, &[("--d", "[1]")]),
            &["`--d`", "\"[1]\"", "a JSON object"],
        ),
        bad(
            TYPES,
            "all_types",
            all_types(d, &[("--d", "")]),
            &["`--d`", "a JSON object"],
        ),
        bad(
            TYPES,
            "all_types",
            all_types(d, &[("--d", "None")]),
            &["`--d`", "\"None\""],
        ),
        bad(
            MULTI,
            "split_stats",
            strings(&["--a", "1", "--b", "2", "----output-paths", &out("sum")]),
            &["component `split_stats`", "needs 4 path(s)", "got 1"],
        ),
        bad(
            MULTI,
            "split_stats",
            strings(&[
                "--a",
                "nan-ish",
                "--b",
                "2",
                "----output-paths",
                &out("1"),
                &out("2"),
                &out("3"),
                &out("4"),
            ]),
            &["`--a`", "\"nan-ish\""],
        ),
        bad(
            MULTI,
            "show",
            strings(&["--value", "1.0", "--label"]),
            &["component `show`", "flag `--label` needs a value"],
        ),
    ];
    assert!(cases.len() >= 25, "the table must keep at least 25 cases");
    let mut failures = Vec::new();
    for case in &cases {
        let r = component(case.bin, case.component, &case.args, d);
        let mut problems = Vec::new();
        if r.code != Some(2) {
            problems.push(format!("exit {:?}, expected 2", r.code));
        }
        if !r.stderr.starts_with("error: ") {
            problems.push("stderr does not start with `error: `".to_owned());
        }
        for needle in &case.says {
            if !r.stderr.contains(needle) {
                problems.push(format!("stderr lacks {needle:?}"));
            }
        }
        if r.stderr.contains("panicked") || r.stderr.contains("RUST_BACKTRACE") {
            problems.push("it panicked".to_owned());
        }
        if !r.stdout.is_empty() {
            problems.push(format!("the component ran: stdout {:?}", r.stdout));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{} {} {:?}:\n    {}\n    stderr: {}",
                case.bin,
                case.component,
                case.args,
                problems.join("\n    "),
                r.stderr.trim_end()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Nothing was written: only the two things this test made are there.
    assert_eq!(files_under(d), ["a-file"], "a bad invocation wrote output");
}

#[test]
fn malformed_command_lines_do_not_panic() {
    let dir = TempDir::new("malformed");
    let bin = example(YOLO);
    let mut cases: Vec<Vec<OsString>> = vec![
        vec![],
        vec!["component".into()],
        vec!["component".into(), "".into()],
        vec!["component".into(), "-x".into()],
        vec!["component".into(), "train".into(), "--".into()],
        vec!["component".into(), "train".into(), "-".into()],
        vec!["component".into(), "train".into(), "--=".into()],
        vec!["component".into(), "train".into(), "=".into()],
        vec!["component".into(), "train".into(), "---".into()],
        vec![
            "component".into(),
            "train".into(),
            "\u{0301}\u{1f600}".into(),
        ],
        vec!["no-such-command".into()],
        vec!["compile".into(), "--target".into(), "v3".into()],
    ];
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        cases.push(vec![
            "component".into(),
            "train".into(),
            "--model-name".into(),
            OsString::from_vec(vec![b'x', 0xff, 0xfe]),
        ]);
        cases.push(vec![
            "component".into(),
            OsString::from_vec(vec![0xc3, 0x28]),
        ]);
    }
    for args in &cases {
        let r = run_in(&bin, args, dir.path());
        assert!(
            !r.stderr.contains("panicked"),
            "{args:?} panicked: {}",
            r.stderr
        );
        // With no arguments the binary compiles the pipeline, which succeeds.
        let expected = if args.is_empty() { 0 } else { 2 };
        assert_eq!(r.code, Some(expected), "{args:?}: {}", r.stderr);
        if expected == 2 {
            assert!(r.stderr.contains("error"), "{args:?}: {}", r.stderr);
        }
    }
    // Non-UTF-8 arguments are refused by name.
    #[cfg(unix)]
    {
        let r = run_in(&bin, &cases[cases.len() - 2], dir.path());
        assert!(r.stderr.contains("invalid UTF-8"), "{}", r.stderr);
    }
}

#[test]
fn every_type_round_trips_through_its_output_file() {
    let dir = TempDir::new("all-types");
    let d = dir.path();
    let r = component(TYPES, "all_types", &all_types(d, &[]), d);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let read = |name: &str| std::fs::read(output_path(d, name)).unwrap();
    assert_eq!(read("f"), b"0.25");
    assert_eq!(read("i"), b"3");
    assert_eq!(read("s"), b"const");
    assert_eq!(read("b"), b"True");
    assert_eq!(read("l"), b"[4, 5]");
    assert_eq!(read("d"), br#"{"a": [1, 2]}"#);
    // Only the outputs: no temporary file is left behind.
    let mut want: Vec<String> = ALL_TYPES_OUTPUTS
        .iter()
        .map(|n| format!("outputs/{n}/data"))
        .collect();
    want.sort();
    assert_eq!(files_under(d), want);
}

#[test]
fn values_are_read_as_kfp_reads_them_and_written_as_kfp_writes_them() {
    // (flag, value given, output, bytes kfp 1.8.9 would write)
    let cases: &[(&str, &str, &str, &[u8])] = &[
        ("--f", "2", "f", b"2.0"),
        ("--f", "1e+16", "f", b"1e+16"),
        ("--f", "1e16", "f", b"1e+16"),
        ("--f", "0.00001", "f", b"1e-05"),
        ("--f", "-0.0", "f", b"-0.0"),
        ("--f", "inf", "f", b"inf"),
        ("--f", "-inf", "f", b"-inf"),
        ("--f", "nan", "f", b"nan"),
        ("--f", "0.1", "f", b"0.1"),
        (
            "--f",
            "1.7976931348623157e+308",
            "f",
            b"1.7976931348623157e+308",
        ),
        ("--i", "+7", "i", b"7"),
        ("--i", "-0", "i", b"0"),
        ("--i", "-9223372036854775808", "i", b"-9223372036854775808"),
        ("--i", "007", "i", b"7"),
        ("--s", "", "s", b""),
        ("--s", "--epochs", "s", b"--epochs"),
        ("--s", "--help", "s", b"--help"),
        ("--s", "----output-paths", "s", b"----output-paths"),
        ("--s", "line 1\nline 2\n", "s", b"line 1\nline 2\n"),
        (
            "--s",
            "it's \"q\" $(x) `y` ; \\",
            "s",
            b"it's \"q\" $(x) `y` ; \\",
        ),
        (
            "--s",
            "日本語 \u{1f600}",
            "s",
            "日本語 \u{1f600}".as_bytes(),
        ),
        ("--l", "[]", "l", b"[]"),
        ("--l", "[ -1,2 ,3]", "l", b"[-1, 2, 3]"),
        ("--d", "{}", "d", b"{}"),
        (
            "--d",
            r#"{"b": 1, "a": {"z": [true, null], "y": "é"}, "c": 1.0}"#,
            "d",
            br#"{"a": {"y": "\u00e9", "z": [true, null]}, "b": 1, "c": 1.0}"#,
        ),
    ];
    let trues = [
        "y", "Y", "yes", "YES", "t", "T", "true", "True", "TRUE", "on", "ON", "1",
    ];
    let falses = [
        "n", "N", "no", "NO", "f", "F", "false", "False", "FALSE", "off", "Off", "0",
    ];
    let bools = trues
        .iter()
        .map(|v| ("--b", *v, "b", b"True".as_slice()))
        .chain(falses.iter().map(|v| ("--b", *v, "b", b"False".as_slice())));
    for (flag, value, output, want) in cases.iter().copied().chain(bools) {
        let dir = TempDir::new("value");
        let d = dir.path();
        let r = component(TYPES, "all_types", &all_types(d, &[(flag, value)]), d);
        assert_eq!(r.code, Some(0), "{flag} {value:?}: {}", r.stderr);
        let got = std::fs::read(output_path(d, output)).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(want),
            "{flag} {value:?}"
        );
    }
}

#[test]
fn inline_values_and_flags_in_any_order() {
    let dir = TempDir::new("inline");
    let d = dir.path();
    let mut args = strings(&[
        "--d={}", "--l=[]", "--b=off", "--s=a=b", "--i=-5", "--f=1.5",
    ]);
    args.push("----output-paths".to_owned());
    args.extend(ALL_TYPES_OUTPUTS.iter().map(|n| output_path(d, n)));
    let r = component(TYPES, "all_types", &args, d);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(output_path(d, "s")).unwrap(), "a=b");
    assert_eq!(std::fs::read_to_string(output_path(d, "i")).unwrap(), "-5");
    assert_eq!(
        std::fs::read_to_string(output_path(d, "b")).unwrap(),
        "False"
    );
}

#[test]
fn outputs_replace_what_was_there() {
    let dir = TempDir::new("replace");
    let d = dir.path();
    let path = output_path(d, "Output");
    std::fs::create_dir_all(Path::new(&path).parent().unwrap()).unwrap();
    std::fs::write(&path, "an older, longer value").unwrap();
    let r = component(
        YOLO,
        "verify_training",
        &strings(&["----output-paths", &path]),
        d,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text == "True" || text == "False", "{text:?}");
    assert_eq!(files_under(d), ["outputs/Output/data"]);
}

#[test]
fn named_outputs_are_written_in_order() {
    let dir = TempDir::new("named");
    let d = dir.path();
    let names = ["sum", "product", "label", "ok"];
    let mut args = strings(&["--a", "2.0", "--b", "3.5", "----output-paths"]);
    args.extend(names.iter().map(|n| output_path(d, n)));
    let r = component(MULTI, "split_stats", &args, d);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let read = |n: &str| std::fs::read_to_string(output_path(d, n)).unwrap();
    assert_eq!(read("sum"), "5.5");
    assert_eq!(read("product"), "7.0");
    assert_eq!(read("label"), "2.0x3.5");
    assert_eq!(read("ok"), "True");
}

#[test]
fn a_failing_function_exits_1_with_its_error() {
    // With the check `True`, `train` runs the ultralytics `yolo` CLI; with an empty PATH
    // there is none, so the function returns its error.
    let dir = TempDir::new("fails");
    let empty_path = dir.path().join("empty-bin");
    std::fs::create_dir_all(&empty_path).unwrap();
    let out = std::process::Command::new(example(YOLO))
        .args(["component", "train"])
        .args(with(&TRAIN, "--checker", "True"))
        .env("PATH", &empty_path)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let r = Run::from(out);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.starts_with(
            "error: component `train` failed: cannot start the ultralytics `yolo` CLI"
        ),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn the_seed_message_when_there_is_no_gpu() {
    let dir = TempDir::new("no-gpu");
    let r = component(YOLO, "train", &strings(&TRAIN), dir.path());
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "CUDA is not available.\nPlease Check GPU Device\n"
    );
    assert_eq!(r.stderr, "");
}

#[test]
fn help_lists_inputs_and_outputs() {
    let dir = TempDir::new("help");
    let r = component(YOLO, "train", &strings(&["--help"]), dir.path());
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    for flag in [
        "--checker <bool>",
        "--model-name <String>",
        "--epochs <i64>",
        "--imgsz",
        "--batchsize",
    ] {
        assert!(r.stdout.contains(flag), "{flag}: {}", r.stdout);
    }
    let r = component(TYPES, "all_types", &strings(&["-h"]), dir.path());
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    for line in [
        "--l <Vec>   JsonArray",
        "--d <serde_json::Map>   JsonObject",
    ] {
        assert!(r.stdout.contains(line), "{line}: {}", r.stdout);
    }
    let outputs = r
        .stdout
        .split("Outputs")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    for name in ALL_TYPES_OUTPUTS {
        assert!(
            outputs
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{name} "))),
            "{name}: {}",
            r.stdout
        );
    }
    // `--help` as a string's value is a value, not a request for help.
    let d = dir.path();
    let r = component(TYPES, "all_types", &all_types(d, &[("--s", "--help")]), d);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(output_path(d, "s")).unwrap(),
        "--help"
    );
}
