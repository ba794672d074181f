//! The relations of many entity documents in one call (`mapping.relations-of-batch`): the documents
//! come in as one text with (start, length) pairs, the relations go out as one text with three
//! (start, length) pairs each. Refs repeat (an entity is the source of most of its relations and the
//! target of its neighbours'), so each distinct string is written once.

use crate::relations::{RelationSink, relations_of};
use rustc_hash::FxHashMap;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct RelationBatch {
    pub text: Vec<u8>,
    /// Six numbers per relation: source, type and target as (start, length) in `text`.
    pub spans: Vec<u32>,
}

#[derive(Default)]
struct Interner {
    batch: RelationBatch,
    /// Keys are refs and relation types; a fast hash, since every relation looks up three of them.
    seen: FxHashMap<String, (u32, u32)>,
}

impl Interner {
    fn push(&mut self, s: &str) {
        let (start, len) = match self.seen.get(s) {
            Some(&at) => at,
            None => {
                let at = (self.batch.text.len() as u32, s.len() as u32);
                self.batch.text.extend_from_slice(s.as_bytes());
                self.seen.insert(s.to_string(), at);
                at
            }
        };
        self.batch.spans.extend([start, len]);
    }
}

impl RelationSink for Interner {
    fn relation(&mut self, source: &str, rtype: &'static str, target: &str) {
        self.push(source);
        self.push(rtype);
        self.push(target);
    }
}

/// `documents` holds (start, length) pairs into `text`. An error names the document by index.
pub fn relations_of_batch(text: &[u8], documents: &[u32]) -> Result<RelationBatch, String> {
    if !documents.len().is_multiple_of(2) {
        return Err(format!("documents must hold (start, length) pairs, got {} numbers", documents.len()));
    }
    let mut out = Interner::default();
    for (i, pair) in documents.chunks_exact(2).enumerate() {
        let (start, len) = (pair[0] as usize, pair[1] as usize);
        let bytes = start
            .checked_add(len)
            .and_then(|end| text.get(start..end))
            .ok_or_else(|| format!("document {i}: bytes {start}+{len} are outside the text of {} bytes", text.len()))?;
        let doc = crate::relation_input::parse(bytes).map_err(|e| format!("document {i}: {e}"))?;
        relations_of(&doc, &mut out).map_err(|e| format!("document {i}: {e}"))?;
    }
    Ok(out.batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relations::relations;
    use serde_json::json;

    fn triples(b: &RelationBatch) -> Vec<(String, String, String)> {
        let s = |p: &[u32]| String::from_utf8(b.text[p[0] as usize..(p[0] + p[1]) as usize].to_vec()).unwrap();
        b.spans.chunks_exact(6).map(|c| (s(&c[0..2]), s(&c[2..4]), s(&c[4..6]))).collect()
    }

    #[test]
    fn the_batch_holds_what_relations_returns_for_each_document_with_each_string_written_once() {
        let docs = [
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "System", "metadata": {"name": "shop", "namespace": "acme"},
                "spec": {"owner": "group:default/team", "domain": "default/acme"}}),
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "api", "namespace": "acme"},
                "spec": {"owner": "group:default/team", "system": "shop", "type": "service", "lifecycle": "ready"}}),
        ];
        let mut text = Vec::new();
        let mut spans = Vec::new();
        for d in &docs {
            let s = d.to_string();
            spans.extend([text.len() as u32, s.len() as u32]);
            text.extend_from_slice(s.as_bytes());
        }
        let batch = relations_of_batch(&text, &spans).unwrap();
        let expected: Vec<(String, String, String)> =
            docs.iter().flat_map(|d| relations(d).unwrap()).map(|r| (r.source, r.rtype.to_string(), r.target)).collect();
        assert!(!expected.is_empty());
        assert_eq!(triples(&batch), expected);
        let text = String::from_utf8(batch.text).unwrap();
        assert_eq!(text.matches("group:default/team").count(), 1, "{text}");
    }

    #[test]
    fn a_bad_document_or_span_is_named_by_index() {
        let good = br#"{"kind":"System","metadata":{"name":"a"}}"#;
        let text = [&good[..], b"not json"].concat();
        let n = good.len() as u32;
        let err = relations_of_batch(&text, &[0, n, n, 8]).unwrap_err();
        assert!(err.starts_with("document 1:"), "{err}");
        let err = relations_of_batch(&text, &[0, 400]).unwrap_err();
        assert!(err.contains("document 0") && err.contains("outside the text"), "{err}");
        assert!(relations_of_batch(&text, &[1]).unwrap_err().contains("pairs"));
    }
}
