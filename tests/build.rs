//! Builds the hostile test component (wasm32-wasip2) into its own target directory and points
//! `HOSTILE_COMPONENT_PATH` at it. The real component comes with `openchoreo-catalog-host`.

use std::path::PathBuf;
use std::process::Command;

/// 64 MiB: small, so hoarding up to it is quick. Keep in step with
/// packages/catalog-backend-module-openchoreo/test/sandbox.test.mjs, which builds the same artefact.
const HOSTILE_MAX_MEMORY: u64 = 64 << 20;

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR")).parent().expect("root").to_path_buf();
    let target_dir = root.join("target/hostile-guest");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(&root)
        .args(["build", "-p", "hostile-guest", "--target", "wasm32-wasip2", "--release"])
        .env("CARGO_TARGET_DIR", &target_dir)
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        // The cap travels in the artefact, as for the real component, so V8 (Node test) enforces it too.
        .env("CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS", format!("-C link-arg=--max-memory={HOSTILE_MAX_MEMORY}"))
        .status()
        .expect("running cargo for the hostile test component");
    assert!(status.success(), "building the hostile test component failed");
    let artefact = target_dir.join("wasm32-wasip2/release/hostile_guest.wasm");
    println!("cargo:rustc-env=HOSTILE_COMPONENT_PATH={}", artefact.display());
    for p in ["tests/hostile-guest/src", "tests/hostile-guest/Cargo.toml", "wit"] {
        println!("cargo:rerun-if-changed={}", root.join(p).display());
    }
}
