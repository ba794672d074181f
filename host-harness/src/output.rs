//! Entities as the catalog shows them: each with its `relations` (`[{type, targetRef}]`), computed
//! by the component's relation export, written as a JSON array or YAML documents.

use crate::runtime::{Instance, mapping_error_text};
use crate::state::StoredEntity;
use anyhow::{Context, Result};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// Every entity with the relations whose source it is, sorted by type then target.
pub fn with_relations(instance: &mut Instance, entities: &[StoredEntity]) -> Result<Vec<Value>> {
    let mut by_source: HashMap<String, BTreeSet<(String, String)>> = HashMap::new();
    for e in entities {
        let rels = instance
            .relations(e.entity.get())?
            .map_err(|err| anyhow::anyhow!("relations of {}: {}", e.entity_ref(), mapping_error_text(&err)))?;
        for r in rels {
            by_source.entry(r.source).or_default().insert((r.type_, r.target));
        }
    }
    entities
        .iter()
        .map(|e| {
            let mut doc: Value = serde_json::from_str(e.entity.get())?;
            let rels: Vec<Value> = by_source
                .get(&e.entity_ref())
                .into_iter()
                .flatten()
                .map(|(t, target)| json!({ "type": t, "targetRef": target }))
                .collect();
            doc["relations"] = Value::Array(rels);
            Ok(doc)
        })
        .collect()
}

/// JSON array, or YAML documents when the file name ends in `.yaml` / `.yml`.
pub fn write(path: &Path, docs: &[Value]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let yaml = matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
    let text = if yaml {
        let mut s = String::new();
        for d in docs {
            s.push_str("---\n");
            s.push_str(&serde_norway::to_string(d)?);
        }
        s
    } else {
        serde_json::to_string_pretty(docs)? + "\n"
    };
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}
