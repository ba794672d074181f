//! Shared by the build scripts that compile a crate of this workspace to WebAssembly
//! (`host-harness/build.rs`, `tests/build.rs`): a `wasm32-wasip2` component, or a core module for
//! `wasm32-unknown-unknown` (no WASI at all) that the caller turns into a component. The target is
//! added through rustup when the toolchain lacks it, and each build has its own target directory.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Components with WASI (the sync's `catalog` world needs it for the standard library's I/O).
pub const WASIP2: &str = "wasm32-wasip2";
/// Core modules that import nothing: the `transform` world's component is made from one.
#[allow(dead_code)] // tests/build.rs builds only WASI components
pub const UNKNOWN: &str = "wasm32-unknown-unknown";

/// One nested `cargo build --release --target <target>` of `package`.
pub struct GuestBuild<'a> {
    pub root: &'a Path,
    pub package: &'a str,
    pub target: &'a str,
    /// A directory under `target/`, so the nested cargo never waits on the outer build's lock.
    pub target_subdir: &'a str,
    pub extra_args: &'a [&'a str],
    /// The guest's memory cap travels inside the artefact, so every host (wasmtime, V8 via jco) enforces it.
    pub max_memory: u64,
    pub env: &'a [(&'a str, &'a str)],
}

impl GuestBuild<'_> {
    /// Builds the component and returns the path of the `.wasm` artefact.
    pub fn run(&self) -> PathBuf {
        ensure_wasm_target(self.root, self.target);
        let target_dir = self.root.join("target").join(self.target_subdir);
        let mut cmd = Command::new(cargo());
        cmd.current_dir(self.root)
            .args(["build", "-p", self.package, "--target", self.target, "--release"])
            .args(self.extra_args)
            .env("CARGO_TARGET_DIR", &target_dir)
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_BUILD_TARGET")
            .env(
                format!("CARGO_TARGET_{}_RUSTFLAGS", self.target.to_uppercase().replace('-', "_")),
                format!("-C link-arg=--max-memory={}", self.max_memory),
            );
        for (k, v) in self.env {
            cmd.env(k, v);
        }
        let status = cmd.status().unwrap_or_else(|e| panic!("could not run cargo to build {}: {e}", self.package));
        assert!(status.success(), "building {} for {} failed (see the errors above)", self.package, self.target);
        let artefact = target_dir.join(self.target).join("release").join(format!("{}.wasm", self.package.replace('-', "_")));
        assert!(artefact.exists(), "{} built, but its component is missing at {}", self.package, artefact.display());
        artefact
    }
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn rustc() -> String {
    std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into())
}

/// The directory of the target's standard library in the toolchain that builds us; it exists only
/// when the target is installed.
fn target_libdir(target: &str) -> Option<PathBuf> {
    let out = Command::new(rustc()).args(["--print", "target-libdir", "--target", target]).output().ok()?;
    out.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn target_installed(target: &str) -> bool {
    target_libdir(target).is_some_and(|dir| has_std(&dir))
}

fn has_std(dir: &Path) -> bool {
    std::fs::read_dir(dir).into_iter().flatten().flatten().any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
}

/// `rust-toolchain.toml`'s `targets` only apply when rustup installs the toolchain itself, never with
/// `RUSTUP_AUTO_INSTALL=0`, so a fresh machine whose toolchain lacks the target gets it here.
/// Two build scripts may ask at once: a lock file under `target/` lets one of them install it.
fn ensure_wasm_target(root: &Path, target: &str) {
    if target_installed(target) {
        return;
    }
    let lock_path = root.join("target").join(".wasm-target-install.lock");
    let _ = std::fs::create_dir_all(lock_path.parent().expect("target dir"));
    let lock = File::create(&lock_path).ok();
    if let Some(f) = &lock {
        let _ = f.lock();
    }
    if target_installed(target) {
        return;
    }
    let toolchain = std::env::var("RUSTUP_TOOLCHAIN").ok();
    eprintln!("the {target} target is missing from this Rust toolchain; adding it with `rustup target add {target}`");
    let mut cmd = Command::new("rustup");
    cmd.current_dir(root).args(["target", "add", target]);
    if let Some(t) = &toolchain {
        cmd.args(["--toolchain", t]);
    }
    match cmd.status() {
        Ok(status) if status.success() => {}
        Ok(status) => {
            panic!("`rustup target add {target}` failed ({status}); run it by hand and build again (the component is built for {target})")
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "this Rust toolchain lacks the {target} target and rustup is not installed to add it. Either install \
             rustup (https://rustup.rs) and build again, or install the {target} standard library for the toolchain \
             at `{}` (for a distribution's Rust, its rust-std package for {target})",
            sysroot().unwrap_or_else(|| "rustc --print sysroot".into())
        ),
        Err(e) => panic!("could not run `rustup target add {target}`: {e}"),
    }
    // Cargo shows build-script warnings again on later builds, so this one says what happened then.
    println!("cargo:warning=this build added the {target} target to the Rust toolchain (`rustup target add {target}`)");
    assert!(
        target_installed(target),
        "`rustup target add {target}` succeeded, but {} still has no standard library for it: is `{}` the rustup toolchain cargo uses?",
        target_libdir(target).map(|d| d.display().to_string()).unwrap_or_default(),
        rustc()
    );
}

fn sysroot() -> Option<String> {
    let out = Command::new(rustc()).args(["--print", "sysroot"]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}
