//! A `PerTarget` binary's `component --help`, `components` and `dockerfile` speak of the
//! pipeline built for the target asked for (the pods themselves are run, for every example, by
//! `every_example_pod.rs`).

mod support;

use support::{built_example, run_in, TempDir};

#[test]
fn component_help_shows_each_target_when_they_differ() {
    let dir = TempDir::new("per-target-help");
    let r = run_in(
        &built_example("parallelfor_static"),
        &["component", "show", "--help"],
        dir.path(),
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v1 = r.stdout.find("# as compiled for KFP v1").expect(&r.stdout);
    let v2 = r.stdout.find("# as compiled for KFP v2").expect(&r.stdout);
    assert!(r.stdout[v1..v2].contains("--size <i64>"), "{}", r.stdout);
    assert!(r.stdout[v2..].contains("--size <String>"), "{}", r.stdout);
}

#[test]
fn component_help_is_shown_once_when_the_targets_agree() {
    let dir = TempDir::new("per-target-help-once");
    let r = run_in(
        &built_example("yolov8withmlflow"),
        &["component", "train", "--help"],
        dir.path(),
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(!r.stdout.contains("# as compiled for"), "{}", r.stdout);
    assert!(r.stdout.contains("--epochs"), "{}", r.stdout);
}

#[test]
fn components_and_dockerfile_take_a_target() {
    let dir = TempDir::new("per-target-dockerfile");
    let bin = built_example("artifact_passing");
    for target in ["v1", "v2"] {
        let r = run_in(&bin, &["components", "--target", target], dir.path());
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(r.stdout.contains("make_dataset\t"), "{}", r.stdout);
        let out = dir.path().join(target);
        let r = run_in(
            &bin,
            &[
                "dockerfile",
                "--target",
                target,
                "-o",
                out.to_str().unwrap(),
            ],
            dir.path(),
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let text = std::fs::read_to_string(out.join("Dockerfile")).unwrap();
        assert!(text.contains("FROM python:3.11\n"), "{text}");
    }
    let r = run_in(&bin, &["dockerfile", "--target", "v3"], dir.path());
    assert_eq!(r.code, Some(2), "{}", r.stderr);
}
