//! A hand-authored scaffolder Template that a (Cluster)ComponentType names with
//! `scaffolder.openchoreo.dev/backstage-template-url` (docs/entities.md, Template): the host reads the
//! URL; this takes the text, finds its `kind: Template` document and stamps it as the type's Template.
//! The authored title, description and spec are kept as written.

use super::template::{Family, Source, template_scope};
use crate::entity::{CLUSTER_NS, Entity, Located, MAX_ENTITY_BYTES, SCAFFOLDER_V1BETA3};
use crate::json::{set_str, str_at};
use crate::meta;
use crate::names::backstage_name;
use crate::scope::is_backstage_namespace;
use serde::Deserialize;
use serde_json::{Map, Value};

pub const TEMPLATE_URL: &str = "scaffolder.openchoreo.dev/backstage-template-url";

/// The largest template text taken: a Template is a few kilobytes; this bounds what a wrong URL
/// (a release archive, a log) costs before it is refused.
pub const MAX_TEMPLATE_BYTES: usize = 1024 * 1024;

/// The URL a type names for its Template, when it names one.
pub fn url_of(component_type: &Value) -> Option<&str> {
    meta::annotation(component_type, TEMPLATE_URL).map(str::trim).filter(|u| !u.is_empty())
}

/// The Template of `component_type` from the text read at `url`, stamped as the type's; or why not.
pub fn stamp(text: &str, url: &str, component_type: &Value, source: &Source, scope: &str) -> Result<Entity, String> {
    let name = meta::name(component_type)?;
    if text.len() > MAX_TEMPLATE_BYTES {
        return Err(format!("the template at {url} is {} bytes, over the {MAX_TEMPLATE_BYTES} taken", text.len()));
    }
    let mut doc = template_document(text).map_err(|e| format!("the template at {url}: {e}"))?;
    let (namespace, cluster) = match source {
        Source::Namespaced(ns) => (*ns, false),
        Source::Cluster => (CLUSTER_NS, true),
    };
    let entity_name = backstage_name(&format!("template-{name}"));
    let metadata = doc.get_mut("metadata").and_then(Value::as_object_mut).expect("checked by template_document");
    metadata.insert("name".into(), Value::String(entity_name.clone()));
    metadata.insert("namespace".into(), Value::String(namespace.to_string()));
    let annotations = metadata.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(annotations) = annotations else {
        return Err(format!("the template at {url}: metadata.annotations is not a mapping"));
    };
    let location = format!("url:{url}");
    let mut put = |k: &str, v: &str| annotations.insert(k.to_string(), Value::String(v.to_string()));
    put("openchoreo.io/ctd-name", name);
    put("openchoreo.io/ctd-generated", "false");
    put(TEMPLATE_URL, url);
    // Relative `fetch:template` paths (`./skeleton`) resolve against the managed-by location.
    put("backstage.io/managed-by-location", &location);
    put("backstage.io/managed-by-origin-location", &location);
    if let Some(w) = set_str(component_type, &["spec", "workloadType"]) {
        put("openchoreo.io/workload-type", w);
    }
    if cluster {
        put("openchoreo.io/ctd-kind", "ClusterComponentType");
    }
    if let Some(display) = meta::annotation(component_type, meta::DISPLAY_NAME).filter(|d| !d.is_empty()) {
        put("openchoreo.io/ctd-display-name", display);
    }
    // What the catalog would reject (an authored annotation key with spaces, a tag in capitals) is
    // refused here, with the reason, so the last good copy stays instead.
    crate::validate::entity(&doc).map_err(|e| format!("the template at {url}: {e}"))?;
    let json = serde_json::to_string(&doc).expect("a JSON tree serializes");
    if json.len() > MAX_ENTITY_BYTES {
        return Err(format!("the template at {url} makes an entity of {} bytes, over the {MAX_ENTITY_BYTES} emitted", json.len()));
    }
    Ok(Entity {
        kind: "Template",
        namespace: namespace.to_string(),
        name: entity_name,
        scope: scope.to_string(),
        json,
        located: Located::default(),
    })
}

/// [`stamp`] for a type in `namespace` (none for a cluster type), in the scope the sync gives it (WIT
/// `mapping.stamp-template`).
pub fn stamp_for(namespace: Option<&str>, component_type: &Value, url: &str, text: &str) -> Result<Entity, String> {
    let source = match namespace {
        Some(ns) if !is_backstage_namespace(ns) || ns == CLUSTER_NS => {
            return Err(format!("namespace {ns:?} is not a valid Backstage namespace for a component type"));
        }
        Some(ns) => Source::Namespaced(ns),
        None => Source::Cluster,
    };
    let scope = template_scope(&source, Family::Component, meta::name(component_type)?);
    stamp(text, url, component_type, &source, &scope)
}

/// The first `kind: Template` document of a (multi-document) YAML text, checked against what
/// Backstage's Template validator requires; JSON is YAML, so a JSON text is taken too.
fn template_document(text: &str) -> Result<Value, String> {
    let mut seen = Vec::new();
    for (i, document) in serde_norway::Deserializer::from_str(text).enumerate() {
        let doc = Value::deserialize(document).map_err(|e| format!("document {} is not valid YAML: {e}", i + 1))?;
        if doc.is_null() {
            continue; // an empty document (`---` at the end, or no text at all)
        }
        let kind = str_at(&doc, &["kind"]).unwrap_or("(none)").to_string();
        if kind == "Template" {
            return checked(doc);
        }
        seen.push(kind);
    }
    Err(if seen.is_empty() {
        "it is empty: no kind: Template document".to_string()
    } else {
        format!("no kind: Template document (kinds found: {})", seen.join(", "))
    })
}

fn checked(doc: Value) -> Result<Value, String> {
    match str_at(&doc, &["apiVersion"]) {
        Some(SCAFFOLDER_V1BETA3) => {}
        other => return Err(format!("apiVersion is {}, not {SCAFFOLDER_V1BETA3}", other.map_or("missing".into(), |v| format!("{v:?}")))),
    }
    if !doc.get("metadata").is_some_and(Value::is_object) {
        return Err("it has no metadata mapping".into());
    }
    let spec = doc.get("spec").filter(|s| s.is_object()).ok_or("it has no spec mapping")?;
    if str_at(spec, &["type"]).is_none_or(str::is_empty) {
        return Err("spec.type is missing or empty".into());
    }
    if !spec.get("steps").is_some_and(Value::is_array) {
        return Err("spec.steps is missing or not a list".into());
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const URL: &str = "https://git.example.com/platform/templates/raw/main/service/template.yaml";
    const AUTHORED: &str = "apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: my-service
  title: Service with our golden path
  annotations:
    example.com/team: platform
spec:
  owner: group:default/platform
  type: service
  parameters:
    - title: Name
      properties:
        name: { type: string }
  steps:
    - id: fetch
      action: fetch:template
      input:
        url: ./skeleton
";

    fn ct(name: &str, annotations: Value) -> Value {
        json!({ "metadata": { "name": name, "annotations": annotations }, "spec": { "workloadType": "deployment" } })
    }

    #[test]
    fn a_namespaced_type_gets_the_authored_template_under_its_own_name_and_location() {
        let t = ct("service", json!({ TEMPLATE_URL: URL, "openchoreo.dev/display-name": "Service" }));
        let e = stamp(AUTHORED, URL, &t, &Source::Namespaced("acme"), "ns/acme/templates/service").unwrap();
        assert_eq!(
            (e.kind, e.namespace.as_str(), e.name.as_str(), e.scope.as_str()),
            ("Template", "acme", "template-service", "ns/acme/templates/service")
        );
        let doc = e.doc();
        assert_eq!(doc["metadata"]["title"], "Service with our golden path", "the authored title is kept");
        assert_eq!(doc["spec"]["steps"][0]["input"]["url"], "./skeleton", "relative paths are kept");
        assert_eq!(doc["spec"]["owner"], "group:default/platform");
        assert_eq!(
            doc["metadata"]["annotations"],
            json!({
                "example.com/team": "platform",
                "openchoreo.io/ctd-name": "service",
                "openchoreo.io/ctd-generated": "false",
                TEMPLATE_URL: URL,
                "backstage.io/managed-by-location": format!("url:{URL}"),
                "backstage.io/managed-by-origin-location": format!("url:{URL}"),
                "openchoreo.io/workload-type": "deployment",
                "openchoreo.io/ctd-display-name": "Service",
            })
        );
    }

    #[test]
    fn a_cluster_type_gets_the_cluster_namespace_and_kind_and_no_display_name_when_unset() {
        let e = stamp(AUTHORED, URL, &ct("worker", json!({ TEMPLATE_URL: URL })), &Source::Cluster, "cluster/templates/worker").unwrap();
        let doc = e.doc();
        assert_eq!(doc["metadata"]["namespace"], CLUSTER_NS);
        assert_eq!(doc["metadata"]["name"], "template-worker");
        assert_eq!(doc["metadata"]["annotations"]["openchoreo.io/ctd-kind"], "ClusterComponentType");
        assert!(doc["metadata"]["annotations"].get("openchoreo.io/ctd-display-name").is_none());
    }

    #[test]
    fn the_template_document_is_found_among_several_and_json_is_taken() {
        let multi = format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{ name: x }}\n---\n{AUTHORED}---\nkind: Location\n");
        let e = stamp(&multi, URL, &ct("service", json!({})), &Source::Namespaced("acme"), "s").unwrap();
        assert_eq!(e.doc()["spec"]["type"], "service");
        let as_json = serde_json::to_string(&template_document(AUTHORED).unwrap()).unwrap();
        assert_eq!(stamp(&as_json, URL, &ct("service", json!({})), &Source::Namespaced("acme"), "s").unwrap().doc(), e.doc());
    }

    #[test]
    fn what_is_not_a_valid_template_is_refused_naming_the_url_and_why() {
        let t = ct("service", json!({}));
        let refused = |text: &str| stamp(text, URL, &t, &Source::Namespaced("acme"), "s").unwrap_err();
        assert_eq!(
            refused("kind: Component\nmetadata: {name: a}\n---\nkind: API\n"),
            format!("the template at {URL}: no kind: Template document (kinds found: Component, API)")
        );
        assert_eq!(refused(""), format!("the template at {URL}: it is empty: no kind: Template document"));
        assert!(
            refused("kind: Template\n  bad: [indent").contains("document 1 is not valid YAML"),
            "{}",
            refused("kind: Template\n  bad: [indent")
        );
        assert!(
            refused(&AUTHORED.replace("scaffolder.backstage.io/v1beta3", "backstage.io/v1alpha1"))
                .ends_with("apiVersion is \"backstage.io/v1alpha1\", not scaffolder.backstage.io/v1beta3")
        );
        assert!(refused(&AUTHORED.replace("  type: service\n", "")).ends_with("spec.type is missing or empty"));
        assert!(refused(&AUTHORED.replace("  steps:", "  notSteps:")).ends_with("spec.steps is missing or not a list"));
        assert!(
            refused(&AUTHORED.replace("  annotations:\n    example.com/team: platform\n", "  annotations: [a]\n"))
                .ends_with("metadata.annotations is not a mapping")
        );
        // Aliases that expand without bound (a "billion laughs" text) are refused, not expanded.
        let mut laughs = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let refs = vec![format!("*l{}", i - 1); 9].join(", ");
            laughs.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
        }
        assert!(refused(&laughs).contains("document 1 is not valid YAML"), "{}", refused(&laughs));
        assert!(refused(&AUTHORED.replace("example.com/team", "not a key")).ends_with("invalid annotation not a key=\"platform\""));
        assert!(refused(&AUTHORED.replace("  title:", "  tags: [Not A Tag]\n  title:")).contains("invalid tag"));
        let huge = format!("{AUTHORED}# {}\n", "x".repeat(MAX_TEMPLATE_BYTES));
        assert!(refused(&huge).contains("over the 1048576 taken"));
    }
}
