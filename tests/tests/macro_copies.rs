//! kfp-macros is a proc-macro crate and cannot depend on kfp-core, so it keeps a copy of the OCI
//! image-reference check. This test pins the copy to kfp-core's on inputs chosen to reach every
//! branch, so the two cannot drift apart.

#[allow(dead_code)] // The test uses one function of the module.
#[path = "../../kfp-macros/src/image_ref.rs"]
mod macro_image_ref;

const IMAGES: &[&str] = &[
    "",
    "python",
    "python:3.11",
    "python:3.11-slim",
    "docker.io/library/python:3.11",
    "localhost:5000/team/yolo:v1",
    "registry.example.com:443/a/b/c@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "nohgyu/test:v1.0",
    "Python:3.11",
    "python:3.11\nRUN touch /pwned",
    "python 3.11",
    "python:",
    ":tag",
    "a//b",
    "a/b/",
    "-a/b",
    "a__b/c",
    "a___b/c",
    "a..b",
    "host:port/x",
    "img@sha256:short",
    "img@md5:0123",
    "img:tag@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "img:.tag",
    "img:t\u{e9}g",
    "x.y.z:99999/p",
    "\u{7f}",
];

#[test]
fn the_macro_image_reference_check_is_kfp_core_s() {
    for image in IMAGES {
        assert_eq!(
            macro_image_ref::check_image_reference(image),
            kfp_core::__private::support::check_image_reference(image),
            "{image:?}"
        );
    }
    // The list reaches both answers.
    assert!(IMAGES
        .iter()
        .any(|i| kfp_core::__private::support::check_image_reference(i).is_ok()));
    assert!(IMAGES
        .iter()
        .any(|i| kfp_core::__private::support::check_image_reference(i).is_err()));
}
