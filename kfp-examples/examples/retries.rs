//! Retries: a plain count, and a policy with backoff. Port of the oracle's `retries` pipeline
//! (the policy is Argo's, so only KFP v1 writes it).

use kfp_core::prelude::*;

#[component(base_image = "python:3.11")]
fn flaky() -> Result<(), BoxError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .subsec_nanos();
    if nanos.is_multiple_of(2) {
        return Err("flaky".into());
    }
    Ok(())
}

#[pipeline(name = "retries")]
pub fn retries() {
    flaky().set_retry(2);
    flaky()
        .set_retry(3)
        .set_retry_policy("Always")
        .set_retry_backoff("60s", 2.0, "1h");
}

#[allow(dead_code)] // also compiled into the kfp-examples library, where `main` is unused
fn main() {
    kfp_core::main(retries)
}
