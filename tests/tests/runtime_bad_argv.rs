//! Bad invocations of the in-pod runtime, run as the pod runs them: the example binaries
//! started as processes. Each exits 2 with a message naming the component, the flag, the raw
//! value and the expected type, writes nothing and never panics.

mod support;

use std::ffi::OsString;

use support::argv::*;
use support::{example, run_in, TempDir};

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
