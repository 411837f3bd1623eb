//! The in-pod runtime, run as the pod runs it: the example binaries started as processes
//! with good KFP v1 argument vectors write each output file as kfp does; a failing function
//! exits 1 with its error; `--help` describes the component.

mod support;

use std::path::Path;

use support::argv::*;
use support::{example, Run, TempDir};

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
    // The component's own output (a warning that MLflow is not configured) comes first.
    assert!(
        r.stderr.lines().any(|l| l.starts_with(
            "error: component `train` failed: cannot start the ultralytics `yolo` CLI"
        )),
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
