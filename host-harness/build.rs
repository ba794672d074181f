//! Builds the guest twice (adding the targets when the toolchain lacks them): the `catalog` component
//! for `wasm32-wasip2` (`GUEST_COMPONENT_PATH`), and the `transform` component, a core module for
//! `wasm32-unknown-unknown` made into a component here, so that it imports nothing at all
//! (`TRANSFORM_COMPONENT_PATH`). The harness embeds both. Plain `cargo build` / `cargo test --workspace`
//! therefore build everything.

#[path = "guest_build.rs"]
mod guest_build;

use guest_build::{GuestBuild, UNKNOWN, WASIP2};
use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.parent().expect("workspace root").to_path_buf();
    let guest = |target, target_subdir, extra_args| GuestBuild {
        root: &root,
        package: "openchoreo-catalog-guest",
        target,
        target_subdir,
        extra_args,
        max_memory: guest_max_memory(),
        // One codegen unit, whole-program LTO: the mapping runs about 3 % faster in wasmtime for a
        // few seconds more of build, and only this nested build pays them.
        env: &[("CARGO_PROFILE_RELEASE_LTO", "fat"), ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")],
    };
    let catalog = guest(WASIP2, "guest", &[]).run();
    println!("cargo:rustc-env=GUEST_COMPONENT_PATH={}", catalog.display());
    // The same mapping for the `transform` world, for portals that fetch by themselves: no WASI, so a
    // host runs it with nothing provided.
    let core = guest(UNKNOWN, "guest-transform", &["--features", "transform"]).run();
    let transform = core.with_file_name("openchoreo_catalog_transform.component.wasm");
    componentize(&core, &transform);
    println!("cargo:rustc-env=TRANSFORM_COMPONENT_PATH={}", transform.display());
    for p in ["guest/src", "guest/Cargo.toml", "wit", "Cargo.lock", "host-harness/guest_build.rs"] {
        rerun_if_changed(&root.join(p));
    }
    println!("cargo:rerun-if-env-changed=OPENCHOREO_GUEST_MAX_MEMORY");
}

/// What `wasm-tools component new` does, through the same library: the core module's embedded WIT
/// (from wit-bindgen) becomes the component's type.
fn componentize(core: &Path, out: &Path) {
    let module = std::fs::read(core).unwrap_or_else(|e| panic!("reading {}: {e}", core.display()));
    let component = wit_component::ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .and_then(|encoder| encoder.encode())
        .unwrap_or_else(|e| panic!("making the transform component from {}: {e:#}", core.display()));
    std::fs::write(out, component).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
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
