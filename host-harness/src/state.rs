//! Entities as the host keeps them between runs, and the state file that carries them across
//! restarts (last-known-good for stale scopes).

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredEntity {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub scope: String,
    pub entity: Box<RawValue>,
}

impl StoredEntity {
    /// `kind:namespace/name` as Backstage stores refs.
    pub fn entity_ref(&self) -> String {
        format!("{}:{}/{}", self.kind.to_lowercase(), self.namespace.to_lowercase(), self.name)
    }
}

#[derive(Serialize, Deserialize)]
struct StateFile {
    version: u32,
    entities: Vec<StoredEntity>,
}

const VERSION: u32 = 1;

pub fn load(path: &Path) -> Result<Option<Vec<StoredEntity>>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading state file {}", path.display())),
    };
    let state: StateFile =
        serde_json::from_str(&text).with_context(|| format!("state file {} is not a valid state file", path.display()))?;
    if state.version != VERSION {
        bail!("state file {} has version {}, expected {VERSION}", path.display(), state.version);
    }
    Ok(Some(state.entities))
}

/// Writes to a temporary file and renames it, so a crash never leaves a half-written state.
pub fn save(path: &Path, entities: &[StoredEntity]) -> Result<()> {
    let state = StateFile { version: VERSION, entities: entities.to_vec() };
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, serde_json::to_vec(&state)?).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}
