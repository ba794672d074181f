//! Entities as the catalog shows them: each with its `relations` (`[{type, targetRef}]`), computed
//! by the component's batched relation export a few megabytes of documents per call, written as a JSON array (one compact
//! document a line) or YAML documents. JSON documents are written as the component made them, with the
//! relations spliced in before their closing brace: nothing is parsed or re-serialised.

use crate::runtime::{Instance, RelationBatch, mapping_error_text};
use crate::state::StoredEntity;
use anyhow::{Context, Result, bail};
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::io::{BufWriter, Write};
use std::path::Path;

/// A string of one of the batches: (batch, start, length).
type Span = (u32, u32, u32);

/// Documents per call of the relation export, by size: the component holds one call's documents and
/// relations at a time, so its memory stays small whatever the installation's size.
pub const CALL_BYTES: usize = 8 << 20;

/// Relations by source ref; the strings stay in the batches' texts. A source's relations are sorted
/// (by type then target) and deduplicated when they are asked for: many sources are never asked for,
/// such as the default owner group, which is the source of an `ownerOf` for nearly every entity.
#[derive(Default)]
pub struct RelationIndex {
    /// Each batch's text, checked once: every span of it lies on character boundaries.
    texts: Vec<String>,
    /// For each batch, whether its text holds nothing JSON must escape (its strings are written as they are).
    plain: Vec<bool>,
    by_source: FxHashMap<String, Vec<(Span, Span)>>,
}

impl RelationIndex {
    fn str(&self, (batch, start, len): Span) -> &str {
        &self.texts[batch as usize][start as usize..(start + len) as usize]
    }

    /// Adds one batch of the component's relations, checking that every span lies in its text.
    pub fn add(&mut self, batch: RelationBatch) -> Result<()> {
        let RelationBatch { text, spans } = batch;
        let Ok(text) = String::from_utf8(text) else { bail!("the component returned relations that are not UTF-8") };
        let in_text = |p: &[u32]| (p[0] as usize).checked_add(p[1] as usize).is_some_and(|end| text.get(p[0] as usize..end).is_some());
        if spans.len() % 6 != 0 || !spans.chunks_exact(2).all(in_text) {
            bail!("the component returned a malformed relation batch");
        }
        let b = self.texts.len() as u32;
        for r in spans.chunks_exact(6) {
            let source = &text[r[0] as usize..(r[0] + r[1]) as usize];
            let relation = ((b, r[2], r[3]), (b, r[4], r[5]));
            match self.by_source.get_mut(source) {
                Some(list) => list.push(relation),
                None => {
                    self.by_source.insert(source.to_string(), vec![relation]);
                }
            }
        }
        self.plain.push(!text.bytes().any(needs_escape));
        self.texts.push(text);
        Ok(())
    }

    /// The relations whose source is `entity_ref`, sorted by type then target, without repeats.
    fn sorted(&self, entity_ref: &str) -> Vec<(Span, Span)> {
        let mut list = self.by_source.get(entity_ref).cloned().unwrap_or_default();
        let key = |(t, target): &(Span, Span)| (self.str(*t), self.str(*target));
        list.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
        list.dedup_by(|a, b| key(a) == key(b));
        list
    }

    /// The relations whose source is `entity_ref`, as (type, target), sorted by type then target.
    pub fn of(&self, entity_ref: &str) -> impl Iterator<Item = (&str, &str)> {
        self.sorted(entity_ref).into_iter().map(|(t, target)| (self.str(t), self.str(target)))
    }

    /// `[{"type":…,"targetRef":…},…]` for `entity_ref`, appended as JSON text.
    fn write_json(&self, entity_ref: &str, out: &mut Vec<u8>) {
        out.push(b'[');
        for (i, (t, target)) in self.sorted(entity_ref).into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(br#"{"type":"#);
            self.write_string(t, out);
            out.extend_from_slice(br#","targetRef":"#);
            self.write_string(target, out);
            out.push(b'}');
        }
        out.push(b']');
    }

    fn write_string(&self, span: Span, out: &mut Vec<u8>) {
        let s = self.str(span);
        if self.plain[span.0 as usize] {
            out.push(b'"');
            out.extend_from_slice(s.as_bytes());
            out.push(b'"');
        } else {
            json_string(s, out);
        }
    }
}

fn needs_escape(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// `s` as a JSON string. Relation types and refs are plain ASCII but for what the API named: only
/// those with a quote, a backslash or a control character go through the escaper.
fn json_string(s: &str, out: &mut Vec<u8>) {
    if s.bytes().any(needs_escape) {
        serde_json::to_writer(&mut *out, s).expect("writing to memory");
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// The relations of every entity, from the component's batched export, [`CALL_BYTES`] of documents a call.
pub fn relation_index(instance: &mut Instance, entities: &[StoredEntity]) -> Result<RelationIndex> {
    relation_index_in_calls(instance, entities, CALL_BYTES)
}

/// [`relation_index`] with up to `call_bytes` of documents a call (at least one document).
pub fn relation_index_in_calls(instance: &mut Instance, entities: &[StoredEntity], call_bytes: usize) -> Result<RelationIndex> {
    let mut index = RelationIndex::default();
    in_calls(entities.iter().map(|e| e.entity.get().as_bytes()), call_bytes, |text, documents| {
        relate(instance, &mut index, text, documents)
    })?;
    Ok(index)
}

/// Packs documents for the relation export: one text and (start, length) pairs, up to `call_bytes`
/// of documents a call (at least one), handed to `call` in order. `call` may take the buffers (the
/// relation worker sends them to its thread); they are cleared for the next call either way.
pub(crate) fn in_calls<'a>(
    documents: impl Iterator<Item = &'a [u8]>,
    call_bytes: usize,
    mut call: impl FnMut(&mut Vec<u8>, &mut Vec<u32>) -> Result<()>,
) -> Result<()> {
    let mut text = Vec::with_capacity(call_bytes.min(CALL_BYTES));
    let mut spans = Vec::new();
    for doc in documents {
        if !text.is_empty() && text.len() + doc.len() > call_bytes {
            call(&mut text, &mut spans)?;
            text.clear();
            spans.clear();
        }
        spans.extend([text.len() as u32, doc.len() as u32]);
        text.extend_from_slice(doc);
    }
    if spans.is_empty() { Ok(()) } else { call(&mut text, &mut spans) }
}

/// One call of the relation export, its relations added to `index`.
pub(crate) fn relate(instance: &mut Instance, index: &mut RelationIndex, text: &[u8], documents: &[u32]) -> Result<()> {
    let batch = instance
        .relations_of_batch(text, documents)?
        .map_err(|err| anyhow::anyhow!("relations of the run's entities: {}", mapping_error_text(&err)))?;
    index.add(batch)
}

/// One entity document, as the component wrote it, with `"relations":[…]` added as its last field.
pub fn document_json(e: &StoredEntity, index: &RelationIndex, out: &mut Vec<u8>) -> Result<()> {
    let doc = e.entity.get().trim_end();
    let Some(body) = doc.strip_suffix('}') else { bail!("entity {} is not a JSON object", e.entity_ref()) };
    out.extend_from_slice(body.as_bytes());
    out.extend_from_slice(if body.trim_end().ends_with('{') { br#""relations":"# } else { br#","relations":"# });
    index.write_json(&e.entity_ref(), out);
    out.push(b'}');
    Ok(())
}

/// One entity document with its relations, parsed (for callers that need the values).
pub fn document(e: &StoredEntity, index: &RelationIndex) -> Result<Value> {
    let mut text = Vec::with_capacity(e.entity.get().len() + 256);
    document_json(e, index, &mut text)?;
    Ok(serde_json::from_slice(&text)?)
}

/// Every entity with its relations, in memory (for callers that need the documents).
pub fn with_relations(instance: &mut Instance, entities: &[StoredEntity]) -> Result<Vec<Value>> {
    let index = relation_index(instance, entities)?;
    entities.iter().map(|e| document(e, &index)).collect()
}

fn is_yaml(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// Writes every entity with its relations: a JSON array, or YAML documents for `.yaml` / `.yml`.
pub fn write_entities(path: &Path, instance: &mut Instance, entities: &[StoredEntity]) -> Result<()> {
    let index = relation_index(instance, entities)?;
    write_with(path, entities, &index)
}

/// [`write_entities`] with the relations already computed (the CLI computes them while it syncs).
pub fn write_with(path: &Path, entities: &[StoredEntity], index: &RelationIndex) -> Result<()> {
    if is_yaml(path) {
        return write_docs(path, entities.iter().map(|e| document(e, index)));
    }
    replace_file(path, |w| {
        w.write_all(b"[")?;
        crate::parallel_format::in_order(
            entities,
            |i, e, out| {
                out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
                document_json(e, index, out)
            },
            |chunk| Ok(w.write_all(chunk)?),
        )?;
        w.write_all(b"\n]\n")?;
        Ok(())
    })
}

/// Writes through a temporary file renamed into place, so a reader never sees half a file.
fn replace_file(path: &Path, write: impl FnOnce(&mut BufWriter<std::fs::File>) -> Result<()>) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let file = std::fs::File::create(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
    // Large writes: an output is tens of megabytes, and 8 KiB a write costs thousands of system calls.
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let written = write(&mut w).and_then(|()| w.flush().map_err(Into::into));
    drop(w);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}

/// Writes documents as they come: a JSON array (one compact document a line), or YAML documents.
pub fn write_docs(path: &Path, docs: impl Iterator<Item = Result<Value>>) -> Result<()> {
    let yaml = is_yaml(path);
    replace_file(path, |w| {
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
                serde_json::to_writer(&mut *w, &doc)?;
            }
        }
        if !yaml {
            w.write_all(b"\n]\n")?;
        }
        Ok(())
    })
}

/// Writes documents already in memory.
pub fn write(path: &Path, docs: &[Value]) -> Result<()> {
    write_docs(path, docs.iter().cloned().map(Ok))
}

#[cfg(test)]
mod tests {
    use super::{RelationIndex, json_string};
    use crate::runtime::RelationBatch;

    /// A relation batch of (source, type, target) triples.
    fn batch(relations: &[(&str, &str, &str)]) -> RelationBatch {
        let (mut text, mut spans) = (String::new(), Vec::new());
        for part in relations.iter().flat_map(|(s, t, target)| [s, t, target]) {
            spans.extend([text.len() as u32, part.len() as u32]);
            text.push_str(part);
        }
        RelationBatch { text: text.into_bytes(), spans }
    }

    #[test]
    fn a_sources_relations_from_every_batch_come_sorted_without_repeats_and_escaped_where_needed() {
        let mut index = RelationIndex::default();
        index.add(batch(&[("component:a/x", "partOf", "system:a/p"), ("component:a/x", "dependsOn", "resource:a/db")])).unwrap();
        index.add(batch(&[("component:a/x", "partOf", "system:a/p"), ("component:a/x", "dependsOn", "api:a/say \"hi\"\n")])).unwrap();
        let of: Vec<(&str, &str)> = index.of("component:a/x").collect();
        assert_eq!(of, [("dependsOn", "api:a/say \"hi\"\n"), ("dependsOn", "resource:a/db"), ("partOf", "system:a/p")]);
        let mut out = Vec::new();
        index.write_json("component:a/x", &mut out);
        let written: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let expected: Vec<serde_json::Value> = of.iter().map(|(t, target)| serde_json::json!({ "type": t, "targetRef": target })).collect();
        assert_eq!(written, serde_json::Value::Array(expected));
        assert_eq!(index.of("component:a/none").count(), 0);
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for s in ["component:acme/orders", "", "a\"b", "back\\slash", "tab\tnew\nline\u{1}", "ünïcødé ✓", "</script>"] {
            let mut out = Vec::new();
            json_string(s, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }
}
