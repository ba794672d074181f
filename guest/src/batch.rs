//! Entities packed for the component boundary (WIT `entity-batch`): every document in one text, and
//! for each entity the spans of its document, kind, namespace and name, plus its scope's index.
//!
//! Kind, name and namespace are spans into the entity's own document wherever the builder wrote them
//! verbatim, so they cost nothing extra; anything else is appended to the text once.

use crate::entity::Entity;
use std::collections::HashMap;

/// A byte range of [`Batch::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub len: u32,
}

impl Span {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

/// Numbers per entity in [`Batch::flat_spans`].
pub const SPAN_NUMBERS: usize = 9;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackedEntity {
    pub document: Span,
    pub kind: Span,
    pub namespace: Span,
    pub name: Span,
    pub scope: u32,
}

#[derive(Debug, Default)]
pub struct Batch {
    pub text: Vec<u8>,
    pub scopes: Vec<String>,
    pub entities: Vec<PackedEntity>,
    scope_index: HashMap<String, u32>,
}

impl Batch {
    pub fn pack(entities: Vec<Entity>) -> Self {
        let bytes: usize = entities.iter().map(text_bytes).sum();
        let mut batch = Batch { text: Vec::with_capacity(bytes), entities: Vec::with_capacity(entities.len()), ..Self::default() };
        for e in entities {
            batch.push(e);
        }
        batch
    }

    fn push(&mut self, e: Entity) {
        let start = self.text.len();
        self.text.extend_from_slice(e.json.as_bytes());
        let document = span(start, e.json.len());
        let located = e.located;
        let kind = self.locate(start, located.kind, e.kind);
        let name = self.locate(start, located.name, &e.name);
        let namespace = self.locate(start, located.namespace, &e.namespace);
        let scope = self.scope(e.scope);
        self.entities.push(PackedEntity { document, kind, namespace, name, scope });
    }

    /// The span of `value`: inside the document when the builder wrote it there verbatim, else
    /// appended to the text.
    fn locate(&mut self, doc_start: usize, at: Option<u32>, value: &str) -> Span {
        match at {
            Some(at) => span(doc_start + at as usize, value.len()),
            None => {
                let start = self.text.len();
                self.text.extend_from_slice(value.as_bytes());
                span(start, value.len())
            }
        }
    }

    fn scope(&mut self, scope: String) -> u32 {
        if self.scopes.last() == Some(&scope) {
            return (self.scopes.len() - 1) as u32;
        }
        if let Some(&i) = self.scope_index.get(&scope) {
            return i;
        }
        let i = self.scopes.len() as u32;
        self.scope_index.insert(scope.clone(), i);
        self.scopes.push(scope);
        i
    }

    /// The spans as WIT `entity-batch.spans` carries them: per entity, the (start, length) of its
    /// document, kind, namespace and name, then its scope index.
    pub fn flat_spans(&self) -> Vec<u32> {
        let mut spans = Vec::with_capacity(self.entities.len() * SPAN_NUMBERS);
        for e in &self.entities {
            for s in [e.document, e.kind, e.namespace, e.name] {
                spans.extend([s.start, s.len]);
            }
            spans.push(e.scope);
        }
        spans
    }

    /// The entities back, as (kind, namespace, name, scope, document): what a host reads.
    pub fn unpack(&self) -> Vec<[&str; 5]> {
        let text = |s: Span| std::str::from_utf8(&self.text[s.range()]).expect("spans are on character boundaries");
        self.entities
            .iter()
            .map(|e| [text(e.kind), text(e.namespace), text(e.name), self.scopes[e.scope as usize].as_str(), text(e.document)])
            .collect()
    }
}

/// The bytes an entity adds to the text: its document, and the values not found in it.
fn text_bytes(e: &Entity) -> usize {
    let outside = |at: Option<u32>, value: &str| if at.is_some() { 0 } else { value.len() };
    e.json.len() + outside(e.located.kind, e.kind) + outside(e.located.name, &e.name) + outside(e.located.namespace, &e.namespace)
}

/// Batches stay well under 4 GiB: the guest's memory is capped at 768 MiB.
fn span(start: usize, len: usize) -> Span {
    Span { start: u32::try_from(start).expect("batch text under 4 GiB"), len: u32::try_from(len).expect("batch text under 4 GiB") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::EntityBuilder;

    fn entity(kind: &'static str, name: &str, namespace: Option<&str>, scope: &str) -> Entity {
        EntityBuilder::managed(kind, name.to_string(), namespace).title("Ünïcödé \"quoted\" title").build(scope)
    }

    #[test]
    fn unpacking_gives_back_every_entity_in_order() {
        let entities = vec![
            entity("Domain", "acme", None, "ns/acme"),
            entity("System", "shop", Some("acme"), "ns/acme/projects"),
            entity("Component", "cart", Some("acme"), "ns/acme/components"),
            entity("Component", "till", Some("acme"), "ns/acme/components"),
            entity("System", "blog", Some("acme"), "ns/acme/projects"),
        ];
        let expected: Vec<[String; 5]> =
            entities.iter().map(|e| [e.kind, &e.namespace, &e.name, &e.scope, &e.json].map(str::to_string)).collect();
        let batch = Batch::pack(entities);
        assert_eq!(batch.unpack(), expected.iter().map(|e| e.each_ref().map(String::as_str)).collect::<Vec<_>>());
        assert_eq!(batch.scopes, ["ns/acme", "ns/acme/projects", "ns/acme/components"], "each scope once");
    }

    #[test]
    fn flat_spans_are_nine_numbers_an_entity_in_wit_order() {
        let batch = Batch::pack(vec![entity("Domain", "acme", None, "a"), entity("System", "shop", Some("acme"), "b")]);
        let spans = batch.flat_spans();
        assert_eq!(spans.len(), 2 * SPAN_NUMBERS);
        for (e, numbers) in batch.entities.iter().zip(spans.chunks(SPAN_NUMBERS)) {
            let [d, k, ns, n] = [e.document, e.kind, e.namespace, e.name];
            assert_eq!(numbers, [d.start, d.len, k.start, k.len, ns.start, ns.len, n.start, n.len, e.scope]);
        }
        assert_eq!(spans[SPAN_NUMBERS + 8], 1, "the second entity's scope index");
    }

    #[test]
    fn names_written_verbatim_are_spans_into_their_document() {
        let batch = Batch::pack(vec![entity("System", "shop", Some("acme"), "s")]);
        let e = batch.entities[0];
        let inside = |s: Span| s.start >= e.document.start && s.start + s.len <= e.document.start + e.document.len;
        assert!(inside(e.kind) && inside(e.name) && inside(e.namespace), "{e:?}");
        assert_eq!(batch.text.len(), e.document.len as usize, "nothing appended");
        assert_eq!(batch.text.capacity(), batch.text.len(), "sized exactly");
    }

    #[test]
    fn a_value_not_in_the_document_is_appended() {
        let domain = entity("Domain", "acme", None, "s");
        let mut unlocated = entity("System", "shop", Some("acme"), "s");
        unlocated.located = Default::default();
        let batch = Batch::pack(vec![domain, unlocated]);
        let [domain, system] = [0, 1].map(|i| batch.unpack()[i]);
        assert_eq!(domain[1], "default", "an unset namespace reads as default");
        assert_eq!(&system[..3], &["System", "acme", "shop"]);
        assert!(batch.entities[1].name.start >= batch.entities[1].document.start + batch.entities[1].document.len);
        assert_eq!(batch.text.capacity(), batch.text.len(), "sized exactly, appended values included");
    }
}
