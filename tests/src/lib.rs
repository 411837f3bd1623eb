//! Workspace-level tests for kfp-rs (see `tests/`).
