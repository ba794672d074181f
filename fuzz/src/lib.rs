//! What every fuzz target asserts about the mapping's output, whatever the input.

use openchoreo_catalog_guest::batch::{Batch, SPAN_NUMBERS};
use openchoreo_catalog_guest::entity::Entity;
use openchoreo_catalog_guest::kinds::component_input::{Component, Workload};
use openchoreo_catalog_guest::relation_input::{self, RelationDoc};
use openchoreo_catalog_guest::relations::relations;
use openchoreo_catalog_guest::scan::{Scan, Scanner};
use openchoreo_catalog_guest::scope::scope_of;
use openchoreo_catalog_guest::validate;
use serde::Deserialize;
use std::fmt::Debug;

/// Every entity is one Backstage accepts, its scope can be recovered from the document alone, and
/// every relation it implies is a full ref.
pub fn check_entities<'a>(entities: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) {
    for (kind, scope, json) in entities {
        let doc: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{kind}: emitted JSON does not parse: {e}"));
        if let Err(msg) = validate::entity(&doc) {
            panic!("{kind}: {msg}\n{json}");
        }
        assert_eq!(scope_of(&doc).as_deref(), Ok(scope), "scope_of disagrees with the emitted scope of {json}");
        let lean = relation_input::parse(json.as_bytes()).unwrap_or_else(|e| panic!("lean parse of {json}: {e}"));
        assert_eq!(lean, RelationDoc::deserialize(&doc).unwrap(), "the lean parse reads {json} otherwise than its tree");
        for r in relations(&doc).unwrap_or_else(|e| panic!("relations of {json}: {e}")) {
            assert!(validate::is_full_ref(&r.source) && validate::is_full_ref(&r.target), "malformed ref in {r:?}");
        }
    }
}

pub fn entity_parts(e: &Entity) -> (&str, &str, &str) {
    (e.kind, e.scope.as_str(), e.json.as_str())
}

/// Packed for the component boundary, the entities read back exactly as they were.
pub fn check_packing(entities: &[Entity]) {
    let batch = Batch::pack(entities.to_vec());
    let expected: Vec<[&str; 5]> = entities.iter().map(|e| [e.kind, &e.namespace, &e.name, &e.scope, &e.json]).collect();
    assert_eq!(batch.unpack(), expected);
    // And as the boundary carries them: nine numbers an entity.
    let read = |start: u32, len: u32| {
        std::str::from_utf8(&batch.text[start as usize..(start + len) as usize]).expect("spans on character boundaries")
    };
    let spans = batch.flat_spans();
    let flat: Vec<[&str; 5]> = spans
        .chunks_exact(SPAN_NUMBERS)
        .map(|s| [read(s[2], s[3]), read(s[4], s[5]), read(s[6], s[7]), batch.scopes[s[8] as usize].as_str(), read(s[0], s[1])])
        .collect();
    assert_eq!(flat, expected);
}

/// Where the scanner reads a list, `serde_json` reads the same items; it never reads a text
/// `serde_json` refuses.
pub fn check_scanner(text: &str) {
    scanned_as_parsed::<Component>(text);
    scanned_as_parsed::<Workload>(text);
}

fn scanned_as_parsed<'a, T: Scan<'a> + Deserialize<'a> + PartialEq + Debug>(text: &'a str) {
    if let Ok(scanned) = Scanner::items::<T>(text) {
        let parsed: Vec<T> = serde_json::from_str(text).unwrap_or_else(|e| panic!("scanned what serde_json refuses ({e}): {text}"));
        assert_eq!(scanned, parsed, "{text}");
    }
}
