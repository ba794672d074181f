//! OpenChoreo Resource (a managed-infrastructure instance) → Backstage's built-in `Resource` kind
//! (docs/entities.md; added since the 0.2.0 plugin, docs/compatibility.md), part of its project's System, an instance of its (Cluster)ResourceType.

use super::NsCtx;
use super::system::{owner_annotation, project_owner};
use super::template::MAX_SCHEMA_DEPTH;
use crate::entity::{Entity, EntityBuilder};
use crate::json::{at, depth_exceeds, set_str};
use crate::meta;
use crate::names::backstage_name;
use serde_json::Value;

pub const DEFAULT_TYPE_KIND: &str = "ResourceType";

/// `spec.type` as (name, kind); a bare string names a namespaced ResourceType.
fn resource_type(r: &Value) -> Option<(&str, &str)> {
    match at(r, &["spec", "type"])? {
        Value::String(s) if !s.is_empty() => Some((s.as_str(), DEFAULT_TYPE_KIND)),
        v @ Value::Object(_) => Some((set_str(v, &["name"])?, set_str(v, &["kind"]).unwrap_or(DEFAULT_TYPE_KIND))),
        _ => None,
    }
}

pub fn translate(r: &Value, projects: &[Value], cx: &NsCtx, scope: &str) -> Result<Entity, String> {
    let name = meta::name(r)?;
    let project = set_str(r, &["spec", "owner", "projectName"]).ok_or("spec.owner.projectName is missing")?;
    let (type_name, type_kind) = resource_type(r).ok_or("spec.type.name is missing")?;
    if type_kind != "ResourceType" && type_kind != "ClusterResourceType" {
        return Err(format!("spec.type.kind {type_kind:?} is neither ResourceType nor ClusterResourceType"));
    }
    let project_resource = projects.iter().find(|p| meta::name(*p).ok() == Some(project));
    let owner = owner_annotation(r).or_else(|| project_resource.and_then(project_owner)).unwrap_or(cx.owner);
    let status = meta::ready_text(r);
    let mut b = EntityBuilder::managed("Resource", backstage_name(name), Some(cx.ns))
        .title(meta::title_or_name(r, name))
        .description(Some(meta::description(r).map_or_else(|| format!("{name} resource"), str::to_string)))
        .tags(["openchoreo", "resource", type_name]);
    b.annotations()
        .put("openchoreo.io/resource", name)
        .put_opt("openchoreo.io/resource-uid", meta::uid(r))
        .put("openchoreo.io/resource-type", type_name)
        .put("openchoreo.io/resource-type-kind", type_kind)
        .put("openchoreo.io/project", project)
        .put("openchoreo.io/namespace", cx.ns)
        .put_opt("openchoreo.io/created-at", meta::created_at(r))
        .put("openchoreo.io/status", status)
        .put_opt("openchoreo.io/deletion-timestamp", meta::deletion_ts(r));
    b.spec().put("type", type_name).put("owner", owner).put("system", backstage_name(project));
    // The instance's parameters as the developer set them (the plugin copies them too). Nesting past
    // MAX_SCHEMA_DEPTH is left out: entity JSON must stay readable by every parser.
    if let Some(params) = at(r, &["spec", "parameters"]).filter(|p| p.as_object().is_some_and(|o| !o.is_empty()))
        && !depth_exceeds(params, MAX_SCHEMA_DEPTH)
    {
        b.spec().put("parameters", params);
    }
    Ok(b.build(scope))
}
