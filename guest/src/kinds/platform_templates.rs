//! ResourceType / ClusterResourceType and ProjectType / ClusterProjectType (docs/entities.md; added since the 0.2.0 plugin, docs/compatibility.md): the
//! platform's templates for managed infrastructure and for projects, as custom kinds.

use super::NsCtx;
use crate::entity::{CLUSTER_NS, Entity, EntityBuilder};
use crate::json::{arr_at, set_str, str_at};
use crate::meta;
use crate::names::backstage_name;
use serde_json::Value;

/// Which of the four kinds, with its Backstage kind, tag and default description noun.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeKind {
    Resource,
    Project,
}

impl TypeKind {
    fn names(self, cluster: bool) -> (&'static str, &'static str, &'static str) {
        match (self, cluster) {
            (TypeKind::Resource, false) => ("ResourceType", "resource-type", "resource type"),
            (TypeKind::Resource, true) => ("ClusterResourceType", "cluster-resource-type", "cluster resource type"),
            (TypeKind::Project, false) => ("ProjectType", "project-type", "project type"),
            (TypeKind::Project, true) => ("ClusterProjectType", "cluster-project-type", "cluster project type"),
        }
    }
}

/// A (Cluster)ResourceType or (Cluster)ProjectType; `cx` is `None` for the cluster-scoped variant.
pub fn translate(t: &Value, kind: TypeKind, cx: Option<&NsCtx>, scope: &str) -> Result<Entity, String> {
    let name = meta::name(t)?;
    let (backstage_kind, tag, noun) = kind.names(cx.is_none());
    let ns = cx.map_or(CLUSTER_NS, |cx| cx.ns);
    let mut b = EntityBuilder::managed(backstage_kind, backstage_name(name), Some(ns))
        .title(meta::title_or_name(t, name))
        .description(Some(meta::description(t).map_or_else(|| format!("{name} {noun}"), str::to_string)))
        .tags(["openchoreo", tag, "platform-engineering"]);
    if cx.is_some() {
        b.annotations().put("openchoreo.io/namespace", ns);
    }
    b.annotations()
        .put("openchoreo.io/created-at", meta::created_at(t).unwrap_or(""))
        .put_opt("openchoreo.io/deletion-timestamp", meta::deletion_ts(t));
    if let Some(cx) = cx {
        b.spec().put("domain", cx.domain_ref());
    }
    if kind == TypeKind::Resource {
        // Output names only: values may be CEL over secrets, and consumers bind outputs by name.
        let outputs: Vec<&str> = arr_at(t, &["spec", "outputs"]).iter().filter_map(|o| set_str(o, &["name"])).collect();
        b.spec()
            .put("retainPolicy", set_str(t, &["spec", "retainPolicy"]).unwrap_or("Delete"))
            .put_opt("outputs", (!outputs.is_empty()).then_some(outputs));
    } else {
        let planes: Vec<&str> = arr_at(t, &["spec", "resources"])
            .iter()
            .map(|r| str_at(r, &["targetPlane"]).filter(|p| !p.is_empty()).unwrap_or("dataplane"))
            .fold(Vec::new(), |mut acc, p| {
                if !acc.contains(&p) {
                    acc.push(p);
                }
                acc
            });
        b.spec().put_opt("targetPlanes", (!planes.is_empty()).then_some(planes));
    }
    Ok(b.build(scope))
}
