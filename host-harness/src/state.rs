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
    /// The OpenChoreo API (`openchoreo.baseUrl`, normalised) whose entities these are. Files written
    /// before it was recorded have none and are accepted.
    #[serde(default, rename = "baseUrl", skip_serializing_if = "Option::is_none")]
    base_url: Option<String>,
    entities: Vec<StoredEntity>,
}

const VERSION: u32 = 1;

/// The last-known-good entities of the installation at `base_url`; a state file of another
/// installation is refused, since its entities would stand in for this one's stale scopes.
pub fn load(path: &Path, base_url: &str) -> Result<Option<Vec<StoredEntity>>> {
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
    if let Some(theirs) = state.base_url.as_deref().filter(|theirs| *theirs != base_url) {
        bail!(
            "state file {} holds the entities of the OpenChoreo API at {theirs}, not of {base_url} (openchoreo.baseUrl); \
             give each installation its own --state file",
            path.display()
        );
    }
    Ok(Some(state.entities))
}

/// Writes to a temporary file and renames it, so a crash never leaves a half-written state.
pub fn save(path: &Path, base_url: &str, entities: &[StoredEntity]) -> Result<()> {
    let state = StateFile { version: VERSION, base_url: Some(base_url.to_string()), entities: entities.to_vec() };
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, serde_json::to_vec(&state)?).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}
