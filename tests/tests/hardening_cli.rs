//! Hostile and careless command lines, run against an example binary as a user runs it.

mod support;

use support::{built_example, run_in, TempDir};

#[test]
fn dockerfile_refuses_a_binary_path_that_adds_a_line() {
    let dir = TempDir::new("dockerfile-binary");
    let bin = built_example("after");
    for binary in [
        "/usr/local/bin/x\nRUN touch /pwned",
        "usr/local/bin/x",
        "/bin/x\r",
    ] {
        let r = run_in(&bin, &["dockerfile", "--binary", binary], dir.path());
        assert_eq!(r.code, Some(2), "{binary:?}: {}", r.stderr);
        assert!(r.stderr.contains("`--binary`"), "{}", r.stderr);
        let written = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(written, 0, "{binary:?} wrote a file");
        let r = run_in(
            &bin,
            &["compile", "--binary", binary, "-o", "-"],
            dir.path(),
        );
        assert_eq!(r.code, Some(2), "{binary:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }
    let r = run_in(&bin, &["dockerfile", "--binary", "/opt/x/run"], dir.path());
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(text.contains("COPY run /opt/x/run\n"), "{text}");
}

#[test]
fn compile_refuses_an_image_that_is_not_a_reference() {
    let dir = TempDir::new("compile-image");
    let bin = built_example("multiple_outputs");
    for image in ["python:3.11\nRUN touch /pwned", "Python", "img:"] {
        let r = run_in(&bin, &["compile", "--image", image, "-o", "-"], dir.path());
        assert_eq!(r.code, Some(2), "{image:?}: {}", r.stderr);
        assert!(r.stderr.contains("`--image`"), "{}", r.stderr);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }
    let r = run_in(
        &bin,
        &[
            "compile",
            "--image",
            "registry.local:5000/team/x:1",
            "-o",
            "-",
        ],
        dir.path(),
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout.contains("image: registry.local:5000/team/x:1"),
        "{}",
        r.stdout
    );
}

/// Runs `bin args` with standard output `/dev/full`.
#[cfg(unix)]
fn run_to_full(bin: &std::path::Path, args: &[&str]) -> support::Run {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    std::process::Command::new(bin)
        .args(args)
        .stdout(full)
        .output()
        .unwrap()
        .into()
}

/// Runs `bin args` with standard output a pipe whose reading end is already closed, as when
/// the reader of `bin ... | head -0` has gone.
fn run_to_closed_pipe(bin: &std::path::Path, args: &[&str]) -> support::Run {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    std::process::Command::new(bin)
        .args(args)
        .stdout(writer)
        .output()
        .unwrap()
        .into()
}

#[test]
fn a_closed_or_full_stdout_is_an_io_error_not_a_panic() {
    let bin = built_example("param_types");
    let cases: [&[&str]; 4] = [
        &["compile", "-o", "-"],
        &["compile", "--target", "v2", "-o", "-"],
        &["components"],
        &["component", "all_types", "--help"],
    ];
    for args in cases {
        let mut runs = vec![("closed pipe", run_to_closed_pipe(&bin, args))];
        #[cfg(unix)]
        runs.push(("/dev/full", run_to_full(&bin, args)));
        for (how, r) in runs {
            assert_eq!(r.code, Some(1), "{args:?} to a {how}: {}", r.stderr);
            assert!(
                r.stderr.contains("standard output"),
                "{args:?} {how}: {}",
                r.stderr
            );
            assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        }
    }
}

#[cfg(unix)]
#[test]
fn a_non_utf8_argument_is_named_with_its_component_and_flag() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = TempDir::new("non-utf8");
    let bin = built_example("multiple_outputs");
    let bad = OsStr::from_bytes(b"2\xff");
    let r = run_in(
        &bin,
        &[
            OsStr::new("component"),
            OsStr::new("split_stats"),
            OsStr::new("--a"),
            OsStr::new("1"),
            OsStr::new("--b"),
            bad,
        ],
        dir.path(),
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("component `split_stats`: the value of `--b` is invalid UTF-8"),
        "{}",
        r.stderr
    );
    let r = run_in(&bin, &[OsStr::new("component"), bad], dir.path());
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("component name"), "{}", r.stderr);
}

#[test]
fn a_container_component_says_what_it_is_in_the_pod_and_in_its_help() {
    let dir = TempDir::new("container-component");
    let bin = built_example("reusable_components");
    let r = run_in(&bin, &["component", "echo_text", "--msg", "x"], dir.path());
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains("`echo_text` is a container component")
            && r.stderr.contains("(`alpine:3.19`)"),
        "{}",
        r.stderr
    );
    let r = run_in(&bin, &["component", "echo_text", "--help"], dir.path());
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let outputs = r.stdout.split("Outputs").nth(1).expect(&r.stdout);
    assert!(!outputs.contains("(none)"), "{}", r.stdout);
    assert!(outputs.contains("out"), "{}", r.stdout);
    assert!(r.stdout.contains("A container component"), "{}", r.stdout);
}
