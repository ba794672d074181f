//! Builds the guest component for `wasm32-wasip2` (adding the target when the toolchain lacks it) and
//! points `GUEST_COMPONENT_PATH` at the artefact, which the harness embeds. Plain `cargo build` /
//! `cargo test --workspace` therefore build everything.

#[path = "guest_build.rs"]
mod guest_build;

use guest_build::GuestBuild;
use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.parent().expect("workspace root").to_path_buf();
    let guest = |target_subdir, extra_args| GuestBuild {
        root: &root,
        package: "openchoreo-catalog-guest",
        target_subdir,
        extra_args,
        max_memory: guest_max_memory(),
        // One codegen unit, whole-program LTO: the mapping runs about 3 % faster in wasmtime for a
        // few seconds more of build, and only this nested build pays them.
        env: &[("CARGO_PROFILE_RELEASE_LTO", "fat"), ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")],
    };
    let catalog = guest("guest", &[]).run();
    println!("cargo:rustc-env=GUEST_COMPONENT_PATH={}", catalog.display());
    // The same mapping for the import-free `transform` world, for portals that fetch by themselves.
    let transform = guest("guest-transform", &["--features", "transform"]).run();
    println!("cargo:rustc-env=TRANSFORM_COMPONENT_PATH={}", transform.display());
    for p in ["guest/src", "guest/Cargo.toml", "wit", "Cargo.lock", "host-harness/guest_build.rs"] {
        rerun_if_changed(&root.join(p));
    }
    println!("cargo:rerun-if-env-changed=OPENCHOREO_GUEST_MAX_MEMORY");
}

/// 768 MiB by default: a 100k-component installation fits; with the host's 192 MiB response budget a
/// run stays under 1 GiB, and a runaway guest does not take the host down.
fn guest_max_memory() -> u64 {
    std::env::var("OPENCHOREO_GUEST_MAX_MEMORY").ok().and_then(|v| v.parse().ok()).unwrap_or(768 << 20)
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
