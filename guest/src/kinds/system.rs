//! Project → System (docs/entities.md, System). The System always lives in the loop namespace (docs/compatibility.md W18).

use super::NsCtx;
use crate::entity::{Entity, EntityBuilder};
use crate::json::{Json, at, set_str, trimmed};
use crate::meta;
use crate::names::backstage_name;
use crate::refs::EntityRef;
use serde_json::Value;

/// A `backstage.io/owner` annotation, trimmed, when it is a well-formed entity ref (a malformed one
/// would get the entity rejected by the catalog; the next owner in line applies instead).
pub fn owner_annotation<J: Json>(r: &J) -> Option<&str> {
    owner_annotation_value(meta::annotation(r, meta::OWNER_ANNOTATION))
}

/// The `backstage.io/owner` annotation's value when it is a valid owner reference.
pub fn owner_annotation_value(value: Option<&str>) -> Option<&str> {
    trimmed(value).filter(|o| EntityRef::parse(o, "group", "default").is_ok())
}

/// The project's owner annotation.
pub fn project_owner<J: Json>(project: &J) -> Option<&str> {
    owner_annotation(project)
}

/// `spec.type` as (name, kind). The API defaults the kind to the namespaced ProjectType.
fn project_type(p: &Value) -> Option<(&str, &str)> {
    let t = at(p, &["spec", "type"])?;
    Some((set_str(t, &["name"])?, set_str(t, &["kind"]).unwrap_or("ProjectType")))
}

pub fn translate(p: &Value, cx: &NsCtx, scope: &str) -> Result<Entity, String> {
    let name = meta::name(p)?;
    let ptype = project_type(p);
    let mut b = EntityBuilder::managed("System", backstage_name(name), Some(cx.ns))
        .title(meta::title_or_name(p, name))
        .description(Some(meta::description(p).unwrap_or(name)))
        .tags(["openchoreo", "project"]);
    b.annotations()
        .put("openchoreo.io/project-id", name)
        .put_opt("openchoreo.io/project-uid", meta::uid(p))
        .put("openchoreo.io/namespace", cx.ns)
        .put_opt("openchoreo.io/project-type", ptype.map(|t| t.0))
        .put_opt("openchoreo.io/project-type-kind", ptype.map(|t| t.1))
        .put_opt("openchoreo.io/deletion-timestamp", meta::deletion_ts(p));
    b.spec()
        .put("owner", project_owner(p).unwrap_or(cx.owner))
        .put("domain", cx.domain_ref())
        // The System side of the pipeline link (as newer OpenChoreo plugins do; docs/compatibility.md).
        .put_opt("deploymentPipelineRef", set_str(p, &["spec", "deploymentPipelineRef", "name"]).map(backstage_name));
    Ok(b.build(scope))
}
