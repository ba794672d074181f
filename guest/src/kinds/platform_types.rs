//! ComponentType, Trait, Workflow and their Cluster variants (docs/entities.md, ComponentType, TraitType, Workflow).

use super::NsCtx;
use crate::entity::{CLUSTER_NS, Entity, EntityBuilder};
use crate::json::{at, obj_at, set_str, str_at};
use crate::meta;
use crate::names::backstage_name;
use serde_json::{Value, json};

/// Normalises `allowedWorkflows` / `allowedTraits` entries to `{kind, name}` (docs/entities.md, ComponentType).
/// `None` when the list is absent, so the key is omitted.
pub fn normalize_refs(list: Option<&Value>, default_kind: &str, known_kinds: &[&str]) -> Option<Value> {
    let items = list?.as_array()?;
    let out = items
        .iter()
        .filter_map(|entry| {
            let (kind, name) = match entry {
                Value::String(s) => match s.split_once(':') {
                    Some((k, rest)) if known_kinds.contains(&k) => (k.to_string(), rest.to_string()),
                    _ => (default_kind.to_string(), s.clone()),
                },
                Value::Object(_) => {
                    (set_str(entry, &["kind"]).unwrap_or(default_kind).to_string(), str_at(entry, &["name"]).unwrap_or("").to_string())
                }
                _ => return None,
            };
            (!name.is_empty()).then(|| json!({ "kind": kind, "name": name }))
        })
        .collect();
    Some(Value::Array(out))
}

const WORKFLOW_KINDS: &[&str] = &["ComponentWorkflow", "Workflow", "ClusterWorkflow"];
const TRAIT_KINDS: &[&str] = &["Trait", "ClusterTrait"];

pub fn component_type(ct: &Value, cx: &NsCtx, scope: &str) -> Result<Entity, String> {
    let name = meta::name(ct)?;
    let workload = set_str(ct, &["spec", "workloadType"]);
    let mut tags = vec!["openchoreo", "component-type"];
    tags.extend(workload);
    tags.push("platform-engineering");
    let mut b = EntityBuilder::managed("ComponentType", backstage_name(name), Some(cx.ns))
        .title(meta::title_or_name(ct, name))
        .description(Some(meta::description(ct).map_or_else(|| format!("{name} component type"), str::to_string)))
        .tags(tags);
    b.annotations()
        .put("openchoreo.io/namespace", cx.ns)
        .put("openchoreo.io/created-at", meta::created_at(ct).unwrap_or(""))
        .put_opt("openchoreo.io/deletion-timestamp", meta::deletion_ts(ct));
    b.spec()
        .put("domain", cx.domain_ref())
        .put_opt("workloadType", workload)
        .put_opt("allowedWorkflows", normalize_refs(at(ct, &["spec", "allowedWorkflows"]), "Workflow", WORKFLOW_KINDS))
        .put_opt("allowedTraits", normalize_refs(at(ct, &["spec", "allowedTraits"]), "Trait", TRAIT_KINDS));
    Ok(b.build(scope))
}

pub fn cluster_component_type(ct: &Value, scope: &str) -> Result<Entity, String> {
    let name = meta::name(ct)?;
    let workload = set_str(ct, &["spec", "workloadType"]);
    let mut tags = vec!["openchoreo", "cluster-component-type"];
    tags.extend(workload);
    tags.push("platform-engineering");
    let mut b = EntityBuilder::managed("ClusterComponentType", backstage_name(name), Some(CLUSTER_NS))
        .title(meta::title_or_name(ct, name))
        .description(Some(meta::description(ct).map_or_else(|| format!("{name} cluster component type"), str::to_string)))
        .tags(tags);
    b.annotations()
        .put("openchoreo.io/created-at", meta::created_at(ct).unwrap_or(""))
        .put_opt("openchoreo.io/deletion-timestamp", meta::deletion_ts(ct));
    b.spec()
        .put("workloadType", workload.unwrap_or("deployment"))
        .put_opt("allowedWorkflows", normalize_refs(at(ct, &["spec", "allowedWorkflows"]), "ClusterWorkflow", WORKFLOW_KINDS))
        .put_opt("allowedTraits", normalize_refs(at(ct, &["spec", "allowedTraits"]), "ClusterTrait", TRAIT_KINDS));
    Ok(b.build(scope))
}

pub fn trait_type(t: &Value, cx: &NsCtx, scope: &str) -> Result<Entity, String> {
    let name = meta::name(t)?;
    let mut b = EntityBuilder::managed("TraitType", backstage_name(name), Some(cx.ns))
        .title(meta::title_or_name(t, name))
        .description(Some(meta::description(t).map_or_else(|| format!("{name} trait"), str::to_string)))
        .tags(["openchoreo", "trait-type", "platform-engineering"]);
    b.annotations()
        .put("openchoreo.io/namespace", cx.ns)
        .put("openchoreo.io/created-at", meta::created_at(t).unwrap_or(""))
        .put_opt("openchoreo.io/deletion-timestamp", meta::deletion_ts(t));
    b.spec().put("domain", cx.domain_ref());
    Ok(b.build(scope))
}

pub fn cluster_trait_type(t: &Value, scope: &str) -> Result<Entity, String> {
    let name = meta::name(t)?;
    let mut b = EntityBuilder::managed("ClusterTraitType", backstage_name(name), Some(CLUSTER_NS))
        .title(meta::title_or_name(t, name))
        .description(Some(meta::description(t).map_or_else(|| format!("{name} cluster trait"), str::to_string)))
        .tags(["openchoreo", "cluster-trait-type", "platform-engineering"]);
    b.annotations()
        .put("openchoreo.io/created-at", meta::created_at(t).unwrap_or(""))
        .put_opt("openchoreo.io/deletion-timestamp", meta::deletion_ts(t));
    Ok(b.build(scope))
}

const REPO_EXTENSIONS: [(&str, &str); 5] = [
    ("x-openchoreo-component-parameter-repository-url", "repoUrl"),
    ("x-openchoreo-component-parameter-repository-branch", "branch"),
    ("x-openchoreo-component-parameter-repository-commit", "commit"),
    ("x-openchoreo-component-parameter-repository-app-path", "appPath"),
    ("x-openchoreo-component-parameter-repository-secret-ref", "secretRef"),
];

/// Walks the workflow's parameter schema for the repository extensions (docs/entities.md, Workflow).
/// Returns `"<key>: <path>"` lines in first-insertion order, or `None` when there are none.
pub fn workflow_parameter_mapping(wf: &Value) -> Option<String> {
    let section = at(wf, &["spec", "parameters"])
        .filter(|v| v.is_object())
        .or_else(|| at(wf, &["spec", "schema", "parameters"]).filter(|v| v.is_object()))?;
    let schema =
        at(section, &["openAPIV3Schema"]).filter(|v| v.is_object()).or_else(|| at(section, &["ocSchema"]).filter(|v| v.is_object()))?;
    let mut mapping: Vec<(&'static str, String)> = Vec::new();
    walk_properties(schema, "parameters", &mut mapping, 0);
    if mapping.is_empty() {
        return None;
    }
    Some(mapping.iter().map(|(k, p)| format!("{k}: {p}")).collect::<Vec<_>>().join("\n"))
}

/// Deep schemas are cut off here rather than recursing without bound on hostile input.
const MAX_SCHEMA_DEPTH: usize = 64;

fn walk_properties(schema: &Value, prefix: &str, mapping: &mut Vec<(&'static str, String)>, depth: usize) {
    let Some(props) = obj_at(schema, &["properties"]) else { return };
    if depth >= MAX_SCHEMA_DEPTH {
        return;
    }
    for (prop, def) in props {
        if !def.is_object() {
            continue;
        }
        let path = format!("{prefix}.{prop}");
        for (ext, key) in REPO_EXTENSIONS {
            if def.get(ext) == Some(&Value::Bool(true)) {
                match mapping.iter_mut().find(|(k, _)| *k == key) {
                    Some(entry) => entry.1 = path.clone(),
                    None => mapping.push((key, path.clone())),
                }
            }
        }
        walk_properties(def, &path, mapping, depth + 1);
    }
}

/// Workflow (namespaced, `cx` set) or ClusterWorkflow (`cx` is `None`).
pub fn workflow(wf: &Value, cx: Option<&NsCtx>, scope: &str) -> Result<Entity, String> {
    let name = meta::name(wf)?;
    let (kind, ns, noun, tag, default_plane_kind) = match cx {
        Some(cx) => ("Workflow", cx.ns, "workflow", "workflow", "WorkflowPlane"),
        None => ("ClusterWorkflow", CLUSTER_NS, "cluster workflow", "cluster-workflow", "ClusterWorkflowPlane"),
    };
    let wf_type = if str_at(wf, &["metadata", "labels", "openchoreo.dev/workflow-type"]) == Some("component") { "CI" } else { "Generic" };
    let plane_name = set_str(wf, &["spec", "workflowPlaneRef", "name"]);
    let plane_kind = set_str(wf, &["spec", "workflowPlaneRef", "kind"]);
    let mut b = EntityBuilder::managed(kind, backstage_name(name), Some(ns))
        .title(meta::title_or_name(wf, name))
        .description(Some(meta::description(wf).map_or_else(|| format!("{name} {noun}"), str::to_string)))
        .tags(["openchoreo", tag, "platform-engineering"]);
    if cx.is_some() {
        b.annotations().put("openchoreo.io/namespace", ns);
    }
    b.annotations()
        .put("openchoreo.io/created-at", meta::created_at(wf).unwrap_or(""))
        .put_opt("openchoreo.dev/component-workflow-parameters", workflow_parameter_mapping(wf))
        .put_opt("openchoreo.io/deletion-timestamp", meta::deletion_ts(wf))
        .put_opt("openchoreo.io/workflow-plane-ref", plane_name)
        .put_opt("openchoreo.io/workflow-plane-ref-kind", plane_kind);
    if let Some(cx) = cx {
        b.spec().put("domain", cx.domain_ref());
    }
    b.spec()
        .put("type", wf_type)
        .put_opt("workflowPlaneRef", plane_name)
        .put_opt("workflowPlaneRefKind", plane_name.map(|_| plane_kind.unwrap_or(default_plane_kind)))
        .put_opt("ttlAfterCompletion", set_str(wf, &["spec", "ttlAfterCompletion"]));
    Ok(b.build(scope))
}
