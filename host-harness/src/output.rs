//! Entities as the catalog shows them: each with its `relations` (`[{type, targetRef}]`), computed
//! by the component's relation export, written as a JSON array or YAML documents. Documents are
//! written one at a time, so memory holds the relation index, not a second copy of every entity.

use crate::runtime::{Instance, mapping_error_text};
use crate::state::StoredEntity;
use anyhow::{Context, Result};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::io::{BufWriter, Write};
use std::path::Path;

/// Relations by source ref, each set sorted by type then target.
pub type RelationIndex = HashMap<String, BTreeSet<(String, String)>>;

pub fn relation_index(instance: &mut Instance, entities: &[StoredEntity]) -> Result<RelationIndex> {
    let mut by_source: RelationIndex = HashMap::new();
    for e in entities {
        let rels = instance
            .relations(e.entity.get())?
            .map_err(|err| anyhow::anyhow!("relations of {}: {}", e.entity_ref(), mapping_error_text(&err)))?;
        for r in rels {
            by_source.entry(r.source).or_default().insert((r.type_, r.target));
        }
    }
    Ok(by_source)
}

/// One entity document with the relations whose source it is.
pub fn document(e: &StoredEntity, index: &RelationIndex) -> Result<Value> {
    let mut doc: Value = serde_json::from_str(e.entity.get())?;
    let rels: Vec<Value> =
        index.get(&e.entity_ref()).into_iter().flatten().map(|(t, target)| json!({ "type": t, "targetRef": target })).collect();
    doc["relations"] = Value::Array(rels);
    Ok(doc)
}

/// Every entity with its relations, in memory (for callers that need the documents).
pub fn with_relations(instance: &mut Instance, entities: &[StoredEntity]) -> Result<Vec<Value>> {
    let index = relation_index(instance, entities)?;
    entities.iter().map(|e| document(e, &index)).collect()
}

/// Writes every entity with its relations: a JSON array, or YAML documents for `.yaml` / `.yml`.
pub fn write_entities(path: &Path, instance: &mut Instance, entities: &[StoredEntity]) -> Result<()> {
    let index = relation_index(instance, entities)?;
    write_docs(path, entities.iter().map(|e| document(e, &index)))
}

/// Writes documents as they come, through a temporary file renamed into place.
pub fn write_docs(path: &Path, docs: impl Iterator<Item = Result<Value>>) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let yaml = matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let file = std::fs::File::create(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
    let mut w = BufWriter::new(file);
    if !yaml {
        w.write_all(b"[")?;
    }
    for (i, doc) in docs.enumerate() {
        let doc = doc?;
        if yaml {
            w.write_all(b"---\n")?;
            w.write_all(serde_norway::to_string(&doc)?.as_bytes())?;
        } else {
            w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer_pretty(&mut w, &doc)?;
        }
    }
    if !yaml {
        w.write_all(b"\n]\n")?;
    }
    w.flush()?;
    drop(w);
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}

/// Writes documents already in memory.
pub fn write(path: &Path, docs: &[Value]) -> Result<()> {
    write_docs(path, docs.iter().cloned().map(Ok))
}
