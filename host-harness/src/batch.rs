//! Reading the guest's entity batches (WIT `entity-batch`): one UTF-8 text, and nine numbers per
//! entity saying where its document, kind, namespace and name are in it and which scope it has. A span
//! that does not fit the text is the guest's fault and is reported as such, never a panic.

use crate::runtime::bindings::openchoreo::catalog::types::EntityBatch;
use crate::state::StoredEntity;
use anyhow::{Context, Result, anyhow};
use serde_json::value::RawValue;

/// One entity of a batch, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntityParts<'a> {
    pub kind: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
    pub scope: &'a str,
    pub json: &'a str,
}

/// The entities of a batch, copied out of it in order, as the host keeps them: each document checked
/// to be JSON here, as the batch is handed over, while the run is still waiting for the API rather than
/// all at once when it ends.
pub fn to_stored(batch: &EntityBatch) -> Result<Vec<StoredEntity>> {
    unpack(batch)?
        .into_iter()
        .map(|e| {
            let entity = RawValue::from_string(e.json.to_string())
                .with_context(|| format!("entity {}:{}/{} of a batch is not JSON", e.kind, e.namespace, e.name))?;
            Ok(StoredEntity {
                kind: e.kind.to_string(),
                namespace: e.namespace.to_string(),
                name: e.name.to_string(),
                scope: e.scope.to_string(),
                entity,
            })
        })
        .collect()
}

/// Entity documents as the relation export takes them: one text, a (start, length) pair per document.
#[derive(Debug)]
pub struct Documents {
    pub text: Vec<u8>,
    pub spans: Vec<u32>,
}

impl Documents {
    pub fn count(&self) -> usize {
        self.spans.len() / 2
    }
}

/// Numbers per entity in `entity-batch.spans`: (start, length) of document, kind, namespace, name; scope index.
const SPAN_NUMBERS: usize = 9;

/// The entities of a batch as its spans list them, nine numbers each.
fn entities(batch: &EntityBatch) -> Result<std::slice::ChunksExact<'_, u32>> {
    let n = batch.spans.len();
    if !n.is_multiple_of(SPAN_NUMBERS) {
        anyhow::bail!("the entity batch has {n} span numbers, not {SPAN_NUMBERS} per entity");
    }
    Ok(batch.spans.chunks_exact(SPAN_NUMBERS))
}

/// How many entities a batch holds (its spans checked by [`unpack`]).
pub fn count(batch: &EntityBatch) -> usize {
    batch.spans.len() / SPAN_NUMBERS
}

/// A batch's documents, its text moved and not copied. Its spans must have been checked ([`unpack`]).
pub fn into_documents(batch: EntityBatch) -> Documents {
    let spans = batch.spans.chunks_exact(SPAN_NUMBERS).flat_map(|e| [e[0], e[1]]).collect();
    Documents { text: batch.text, spans }
}

/// The entities of a batch, in order.
pub fn unpack(batch: &EntityBatch) -> Result<Vec<EntityParts<'_>>> {
    let text = std::str::from_utf8(&batch.text).context("the entity batch's text is not UTF-8")?;
    entities(batch)?
        .enumerate()
        .map(|(i, e)| {
            let part = |what: &str, at: usize| {
                let (start, len) = (e[at] as usize, e[at + 1] as usize);
                let end = start + len;
                text.get(start..end).ok_or_else(|| {
                    anyhow!(
                        "entity #{i} of a batch: its {what} span {start}..{end} is outside the text ({} bytes) or splits a character",
                        text.len()
                    )
                })
            };
            let scope = batch
                .scopes
                .get(e[8] as usize)
                .ok_or_else(|| anyhow!("entity #{i} of a batch: scope #{} of {} does not exist", e[8], batch.scopes.len()))?;
            Ok(EntityParts {
                kind: part("kind", 2)?,
                namespace: part("namespace", 4)?,
                name: part("name", 6)?,
                scope,
                json: part("document", 0)?,
            })
        })
        .collect()
}

/// Bytes a batch hands over: its text, its scope names, and per entity four spans and a scope index.
pub fn byte_size(batch: &EntityBatch) -> u64 {
    (batch.text.len() + batch.scopes.iter().map(String::len).sum::<usize>() + batch.spans.len() * 4) as u64
}
