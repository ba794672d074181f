//! Namespace → Domain (docs/entities.md, Domain).

use crate::entity::{Entity, EntityBuilder};
use crate::json::set_str;
use crate::meta;
use crate::names::backstage_name;
use serde_json::Value;

/// A Domain's scope: its namespace's own (`ns/<namespace>/namespace`), so that a re-fetch of one
/// namespace covers its Domain too.
pub fn scope(namespace: &str) -> String {
    format!("ns/{namespace}/namespace")
}

pub fn translate(ns: &Value, owner: &str) -> Result<Entity, String> {
    let name = meta::name(ns)?;
    let mut b = EntityBuilder::managed("Domain", backstage_name(name), None)
        .title(meta::title_or_name(ns, name))
        .description(Some(meta::description(ns).unwrap_or(name)))
        .tags(["openchoreo", "namespace", "domain"]);
    b.annotations()
        .put("openchoreo.io/namespace", name)
        .put_opt("openchoreo.io/created-at", meta::created_at(ns))
        .put_opt("openchoreo.io/status", set_str(ns, &["status", "phase"]));
    b.spec().put("owner", owner);
    Ok(b.build(&scope(name)))
}
