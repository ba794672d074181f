//! The mapping entry points on any JSON installation shaped like `host-harness/fixtures/sample-api.json`
//! (`namespaces`, `namespaced.<ns>.<endpoint>`, `cluster.<endpoint>`), every list and schema taken
//! from the input. Must never panic, and every entity must pass Backstage's rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openchoreo_catalog_fuzz::{check_entities, check_packing, check_scanner, entity_parts};
use openchoreo_catalog_guest::items::Items;
use openchoreo_catalog_guest::resource;
use openchoreo_catalog_guest::scope::{
    CLUSTER_LISTS, CLUSTER_TEMPLATE_SOURCES, Lists, NAMESPACE_LISTS, TEMPLATE_SOURCES, translate_cluster, translate_namespace,
};
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::HashMap;

/// A list as the host hands it over: the input's own JSON text (escapes, duplicate keys and all),
/// missing is an empty list, anything but an array a failure. A namespace's components and workloads
/// go in unchecked, as the component's `translate-scope` hands them over, to be checked while parsed.
/// Every list text is also read by the scanner and by `serde_json`, which must agree.
fn list(endpoint: &str, raw: Option<&RawValue>) -> Result<Items, String> {
    if let Some(raw) = raw {
        check_scanner(raw.get());
    }
    match raw {
        None => Ok(Items::new()),
        Some(raw) if matches!(endpoint, "components" | "workloads") => Ok(Items::unchecked(raw.get().to_string())),
        Some(raw) => Items::from_json_array(raw.get()),
    }
}

/// An object's members as raw text; anything else reads as empty.
type RawMap<'a> = HashMap<&'a str, &'a RawValue>;

fn raw_map(raw: Option<&RawValue>) -> RawMap<'_> {
    raw.and_then(|r| serde_json::from_str(r.get()).ok()).unwrap_or_default()
}

/// `<endpoint>/<name>/schema` for each listed type: the type's own parameter schema.
fn add_schemas(lists: &mut Lists, sources: &[(&str, &str, openchoreo_catalog_guest::kinds::template::Family)]) {
    for (endpoint, _, _) in sources {
        let Some(Ok(types)) = lists.get(*endpoint) else { continue };
        let schemas: Vec<(String, Value)> = types
            .values()
            .iter()
            .filter_map(|t| {
                let name = t.pointer("/metadata/name")?.as_str()?;
                Some((format!("{endpoint}/{name}/schema"), t.pointer("/spec/parameters/openAPIV3Schema").cloned().unwrap_or(Value::Null)))
            })
            .collect();
        // A type naming a hand-authored Template gets its own text as that Template (JSON is YAML):
        // the stamping meets whatever the input holds.
        let templates: Vec<(String, Value)> = types
            .values()
            .iter()
            .filter_map(|t| {
                let name = t.pointer("/metadata/name")?.as_str()?;
                Some((
                    format!("{endpoint}/{name}/template"),
                    serde_json::json!({ "url": "https://templates.example/t.yaml", "text": t.to_string() }),
                ))
            })
            .collect();
        for (key, schema) in schemas {
            lists.insert(key, Ok(vec![schema].into()));
        }
        for (key, entry) in templates {
            lists.insert(key, Ok(vec![entry].into()));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The whole input too, valid JSON or not: the scanner must decline whatever serde_json refuses.
    check_scanner(text);
    let Ok(doc) = serde_json::from_str::<Value>(text) else { return };
    let top: RawMap = serde_json::from_str(text).unwrap_or_default();
    let namespaced = raw_map(top.get("namespaced").copied());
    let cluster_lists = raw_map(top.get("cluster").copied());
    let owner = doc.get("defaultOwner").and_then(Value::as_str).unwrap_or("");
    for ns in doc.get("namespaces").and_then(Value::as_array).into_iter().flatten().take(4) {
        let name = ns.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
        let source = doc.get("namespaced").and_then(|n| n.get(name));
        let ns_lists = raw_map(namespaced.get(name).copied());
        let mut lists: Lists = NAMESPACE_LISTS.iter().map(|ep| (ep.to_string(), list(ep, ns_lists.get(ep).copied()))).collect();
        add_schemas(&mut lists, &TEMPLATE_SOURCES);
        if let Ok(out) = translate_namespace(ns, &lists, owner) {
            check_entities(out.entities.iter().map(entity_parts));
            check_packing(&out.entities);
        }
        // Each item alone, through the single-resource entry point.
        for (ep, kind) in [
            ("resources", "Resource"),
            ("projects", "Project"),
            ("observabilityalertsnotificationchannels", "ObservabilityAlertsNotificationChannel"),
        ] {
            for item in source.and_then(|s| s.get(ep)).and_then(Value::as_array).into_iter().flatten().take(4) {
                if let Ok(out) = resource::translate(kind, Some("acme"), item.clone(), source.cloned()) {
                    check_entities(out.entities.iter().map(entity_parts));
                }
            }
        }
    }
    let mut lists: Lists = CLUSTER_LISTS.iter().map(|ep| (ep.to_string(), list("", cluster_lists.get(ep).copied()))).collect();
    add_schemas(&mut lists, &CLUSTER_TEMPLATE_SOURCES);
    let out = translate_cluster(&lists, owner);
    check_entities(out.entities.iter().map(entity_parts));
    check_packing(&out.entities);
});
