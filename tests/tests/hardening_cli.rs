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
