//! `docs/entities.md` keeps up with what the component emits: every annotation, label, spec field and
//! relation that the golden output of the sample installation carries is named, in backticks, in the
//! section of its kind (or in "Common rules").

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `## Heading` → section text. A heading names its kinds separated by commas; "and their Cluster
/// variants" adds `Cluster<kind>` for each.
fn sections_by_kind(doc: &str) -> (BTreeMap<String, String>, String) {
    let mut by_kind = BTreeMap::new();
    let mut common = String::new();
    for part in doc.split("\n## ").skip(1) {
        let (heading, body) = part.split_once('\n').unwrap_or((part, ""));
        if heading == "Common rules" {
            common = body.to_string();
            continue;
        }
        let cluster_variants = heading.contains("and their Cluster variants");
        for kind in heading.replace(" and their Cluster variants", "").split(", ").map(str::trim) {
            by_kind.insert(kind.to_string(), body.to_string());
            if cluster_variants {
                by_kind.insert(format!("Cluster{kind}"), body.to_string());
            }
        }
    }
    (by_kind, common)
}

fn keys(v: &Value) -> impl Iterator<Item = &String> {
    v.as_object().into_iter().flat_map(|o| o.keys())
}

#[test]
fn every_field_and_relation_of_the_sample_output_is_named_in_its_kinds_section() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let doc = std::fs::read_to_string(root.join("docs/entities.md")).unwrap();
    let golden: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(root.join("tests/snapshots/sample-entities.json")).unwrap()).unwrap();
    let (sections, common) = sections_by_kind(&doc);

    let mut missing = BTreeSet::new();
    for entity in &golden {
        let kind = entity["kind"].as_str().unwrap();
        let Some(section) = sections.get(kind) else {
            missing.insert(format!("{kind}: no section"));
            continue;
        };
        let named = |what: &str| section.contains(&format!("`{what}`")) || common.contains(&format!("`{what}`"));
        let meta = &entity["metadata"];
        let fields = keys(&meta["annotations"])
            .map(|k| ("annotation", k.as_str()))
            .chain(keys(&meta["labels"]).map(|k| ("label", k.as_str())))
            .chain(keys(&entity["spec"]).map(|k| ("spec field", k.as_str())))
            .chain(entity["relations"].as_array().into_iter().flatten().map(|r| ("relation", r["type"].as_str().unwrap())));
        for (what, name) in fields {
            if !named(name) {
                missing.insert(format!("{kind}: {what} `{name}`"));
            }
        }
    }
    assert!(missing.is_empty(), "docs/entities.md does not name:\n{}", missing.into_iter().collect::<Vec<_>>().join("\n"));
}

#[test]
fn every_kind_the_backstage_module_accepts_has_a_section() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let doc = std::fs::read_to_string(root.join("docs/entities.md")).unwrap();
    let processor = std::fs::read_to_string(root.join("packages/catalog-backend-module-openchoreo/src/processor.mjs")).unwrap();
    let list =
        processor.split("CUSTOM_KINDS = new Set([").nth(1).and_then(|s| s.split("])").next()).expect("CUSTOM_KINDS in processor.mjs");
    let kinds: Vec<&str> = list.split(',').map(|k| k.trim().trim_matches('\'')).filter(|k| !k.is_empty()).collect();
    assert!(kinds.len() > 10, "read {kinds:?}");
    let (sections, _) = sections_by_kind(&doc);
    let without: Vec<_> = kinds
        .iter()
        .chain(&["Domain", "System", "Component", "API", "Resource", "Template"])
        .filter(|k| !sections.contains_key(**k))
        .collect();
    assert!(without.is_empty(), "kinds without a section in docs/entities.md: {without:?}");
}
