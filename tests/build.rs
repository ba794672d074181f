//! Builds the hostile test component (wasm32-wasip2) into its own target directory and points
//! `HOSTILE_COMPONENT_PATH` at it. The real component comes with `openchoreo-catalog-host`.

#[path = "../host-harness/guest_build.rs"]
mod guest_build;

use guest_build::{GuestBuild, WASIP2};
use std::path::PathBuf;

/// 64 MiB: small, so hoarding up to it is quick. Keep in step with
/// packages/catalog-backend-module-openchoreo/test/sandbox.test.mjs, which builds the same artefact.
const HOSTILE_MAX_MEMORY: u64 = 64 << 20;

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR")).parent().expect("root").to_path_buf();
    let artefact = GuestBuild {
        root: &root,
        package: "hostile-guest",
        target: WASIP2,
        target_subdir: "hostile-guest",
        extra_args: &[],
        max_memory: HOSTILE_MAX_MEMORY,
        env: &[],
    }
    .run();
    println!("cargo:rustc-env=HOSTILE_COMPONENT_PATH={}", artefact.display());
    for p in ["tests/hostile-guest/src", "tests/hostile-guest/Cargo.toml", "wit", "host-harness/guest_build.rs"] {
        println!("cargo:rerun-if-changed={}", root.join(p).display());
    }
}
