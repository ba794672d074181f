//! Builds the guest component for `wasm32-wasip2` in its own target directory (so the nested cargo
//! never waits on the outer build's lock) and points `GUEST_COMPONENT_PATH` at the artefact, which
//! the harness embeds. Plain `cargo build` / `cargo test --workspace` therefore build everything.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.parent().expect("workspace root").to_path_buf();
    let catalog = build_guest(&root, "guest", &[]);
    println!("cargo:rustc-env=GUEST_COMPONENT_PATH={}", catalog.display());
    // The same mapping for the import-free `transform` world, for portals that fetch by themselves.
    let transform = build_guest(&root, "guest-transform", &["--features", "transform"]);
    println!("cargo:rustc-env=TRANSFORM_COMPONENT_PATH={}", transform.display());
    for p in ["guest/src", "guest/Cargo.toml", "wit", "Cargo.lock"] {
        rerun_if_changed(&root.join(p));
    }
    println!("cargo:rerun-if-env-changed=OPENCHOREO_GUEST_MAX_MEMORY");
}

fn build_guest(root: &Path, dir: &str, extra: &[&str]) -> PathBuf {
    let target_dir = root.join("target").join(dir);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["build", "-p", "openchoreo-catalog-guest", "--target", "wasm32-wasip2", "--release"])
        .args(extra)
        .env("CARGO_TARGET_DIR", &target_dir)
        // One codegen unit, whole-program LTO: the mapping runs about 3 % faster in wasmtime for a
        // few seconds more of build, and only this nested build pays them.
        .env("CARGO_PROFILE_RELEASE_LTO", "fat")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET");
    // The guest's memory cap travels inside the artefact, so every host (wasmtime, V8 via jco) enforces it.
    cmd.env("CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS", format!("-C link-arg=--max-memory={}", guest_max_memory()));
    let status = cmd.status().expect("failed to run cargo for the guest component");
    assert!(
        status.success(),
        "building the guest component (wasm32-wasip2) failed; is the target installed? `rustup target add wasm32-wasip2`"
    );
    let artefact = target_dir.join("wasm32-wasip2/release/openchoreo_catalog_guest.wasm");
    assert!(artefact.exists(), "guest component missing at {}", artefact.display());
    artefact
}

/// 1 GiB by default: a 100k-component installation fits; a runaway guest does not take the host down.
fn guest_max_memory() -> u64 {
    std::env::var("OPENCHOREO_GUEST_MAX_MEMORY").ok().and_then(|v| v.parse().ok()).unwrap_or(1 << 30)
}

fn rerun_if_changed(p: &Path) {
    if p.is_dir() {
        for entry in std::fs::read_dir(p).into_iter().flatten().flatten() {
            rerun_if_changed(&entry.path());
        }
    } else {
        println!("cargo:rerun-if-changed={}", p.display());
    }
}
