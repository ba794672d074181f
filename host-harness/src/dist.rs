//! The transform component as a release artefact (`openchoreo-catalog dist`): the component with its
//! name, version, source, revision and license embedded (what `wasm-tools metadata add` writes), the
//! WIT package it implements beside it, and a SHA-256 sum in `sha256sum` format.

use crate::transform::TRANSFORM_COMPONENT;
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use wasm_metadata::{AddMetadata, AddMetadataField, Licenses, Revision, Source, Version};

pub const NAME: &str = "openchoreo-catalog-transform";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub const LICENSE: &str = env!("CARGO_PKG_LICENSE");
/// The WIT package the component implements (its `transform` world).
pub const WIT: &str = include_str!("../../wit/world.wit");

/// Where the artefact came from: a URL of the repository and the commit, when known.
pub struct Origin {
    pub source: String,
    pub revision: Option<String>,
}

pub struct Written {
    pub component: PathBuf,
    pub wit: PathBuf,
    pub sha256: PathBuf,
    pub digest: String,
}

/// The component with its metadata embedded.
pub fn component_with_metadata(origin: &Origin) -> Result<Vec<u8>> {
    let mut add = AddMetadata::default();
    add.name = AddMetadataField::Set(NAME.to_string());
    add.version = AddMetadataField::Set(Version::new(VERSION));
    add.licenses = AddMetadataField::Set(Licenses::new(LICENSE).context("the license is not an SPDX expression")?);
    add.source = AddMetadataField::Set(Source::new(&origin.source).with_context(|| format!("--source {:?} is not a URL", origin.source))?);
    if let Some(r) = &origin.revision {
        add.revision = AddMetadataField::Set(Revision::new(r.clone()));
    }
    add.to_wasm(TRANSFORM_COMPONENT).context("embedding the metadata")
}

/// Writes `<NAME>-<VERSION>.wasm`, `.wit` and `.wasm.sha256` into `dir`.
pub fn write(dir: &Path, origin: &Origin) -> Result<Written> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let wasm = component_with_metadata(origin)?;
    let base = format!("{NAME}-{VERSION}");
    let component = dir.join(format!("{base}.wasm"));
    let wit = dir.join(format!("{base}.wit"));
    let sha256 = dir.join(format!("{base}.wasm.sha256"));
    let digest = hex(&Sha256::digest(&wasm));
    std::fs::write(&component, &wasm).with_context(|| format!("writing {}", component.display()))?;
    std::fs::write(&wit, WIT).with_context(|| format!("writing {}", wit.display()))?;
    std::fs::write(&sha256, format!("{digest}  {base}.wasm\n")).with_context(|| format!("writing {}", sha256.display()))?;
    Ok(Written { component, wit, sha256, digest })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The repository's `origin` remote as a URL (a local path becomes a `file://` URL; a checkout without
/// one names itself) and its commit, when the artefact is built from a git checkout.
pub fn origin_from_git(repo: &Path) -> Option<Origin> {
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git").current_dir(repo).args(args).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()).filter(|s| !s.is_empty())
    };
    let top = git(&["rev-parse", "--show-toplevel"])?;
    let remote = git(&["remote", "get-url", "origin"]).unwrap_or(top);
    let source = if let Some(rest) = remote.strip_prefix("git@") {
        format!("https://{}", rest.replacen(':', "/", 1))
    } else if remote.contains("://") {
        remote
    } else {
        let path = std::fs::canonicalize(repo.join(&remote)).ok()?;
        format!("file://{}", path.display())
    };
    Some(Origin { source, revision: git(&["rev-parse", "HEAD"]) })
}
