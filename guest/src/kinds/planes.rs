//! DataPlane, WorkflowPlane, ObservabilityPlane and their Cluster variants (docs/entities.md, planes).

use super::NsCtx;
use super::environment::gateway_projection;
use crate::entity::{CLUSTER_NS, Entity, EntityBuilder};
use crate::json::{at, set_str};
use crate::meta;
use crate::names::backstage_name;
use serde_json::Value;

/// Which plane a translation is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plane {
    Data,
    Workflow,
    Observability,
}

impl Plane {
    fn namespaced(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Plane::Data => ("Dataplane", "dataplane", "dataplane"),
            Plane::Workflow => ("WorkflowPlane", "workflowplane", "workflow plane"),
            Plane::Observability => ("ObservabilityPlane", "observabilityplane", "observability plane"),
        }
    }
    fn cluster(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Plane::Data => ("ClusterDataplane", "cluster-dataplane", "cluster data plane"),
            Plane::Workflow => ("ClusterWorkflowPlane", "cluster-workflowplane", "cluster workflow plane"),
            Plane::Observability => ("ClusterObservabilityPlane", "cluster-observabilityplane", "cluster observability plane"),
        }
    }
}

/// The observability ref of a namespaced plane. The kind is carried through (docs/compatibility.md W7): a
/// ClusterObservabilityPlane becomes a full ref into `openchoreo-cluster`; a namespaced one keeps
/// the original `<NS>/<name>` form.
pub fn namespaced_observability_ref(plane: &Value, ns: &str) -> String {
    let r = at(plane, &["spec", "observabilityPlaneRef"]);
    let (kind, name) = match r {
        Some(Value::String(s)) => (None, s.as_str()),
        Some(v @ Value::Object(_)) => (set_str(v, &["kind"]), set_str(v, &["name"]).unwrap_or("")),
        _ => (None, ""),
    };
    if name.is_empty() {
        String::new()
    } else if kind == Some("ClusterObservabilityPlane") {
        format!("clusterobservabilityplane:{CLUSTER_NS}/{}", backstage_name(name))
    } else if name.contains('/') {
        name.to_string()
    } else {
        format!("{ns}/{}", backstage_name(name))
    }
}

fn agent_annotations(b: &mut EntityBuilder, plane: &Value) {
    let Some(agent) = at(plane, &["status", "agentConnection"]).filter(|v| v.is_object()) else { return };
    let connected = at(agent, &["connected"]).and_then(Value::as_bool).unwrap_or(false);
    let count = at(agent, &["connectedAgents"]).and_then(Value::as_i64).unwrap_or(0);
    b.annotations()
        .put("openchoreo.io/agent-connected", connected.to_string())
        .put("openchoreo.io/agent-connected-count", count.to_string())
        .put_opt("openchoreo.io/agent-last-connected", set_str(agent, &["lastConnectedTime"]));
}

pub fn translate_namespaced(p: &Value, plane: Plane, cx: &NsCtx, scope: &str) -> Result<Entity, String> {
    let name = meta::name(p)?;
    let (kind, tag, noun) = plane.namespaced();
    let mut b = EntityBuilder::managed(kind, backstage_name(name), Some(cx.ns))
        .title(meta::title_or_name(p, name))
        .description(Some(meta::description(p).map_or_else(|| format!("{name} {noun}"), str::to_string)))
        .tags(["openchoreo", tag, "infrastructure"])
        .label(&format!("openchoreo.io/{tag}"), "true");
    b.annotations()
        .put("openchoreo.io/namespace", cx.ns)
        .put("openchoreo.io/created-at", meta::created_at(p).unwrap_or(""))
        .put("openchoreo.io/status", meta::created_text(p));
    let obs_ref = (plane != Plane::Observability).then(|| namespaced_observability_ref(p, cx.ns));
    if let Some(r) = &obs_ref {
        b.annotations().put("openchoreo.io/observability-plane-ref", r.as_str());
    }
    let observer = set_str(p, &["spec", "observerURL"]);
    if plane == Plane::Observability {
        b.annotations().put_opt("openchoreo.io/observer-url", observer);
    }
    agent_annotations(&mut b, p);
    b.annotations().put_opt("openchoreo.io/deletion-timestamp", meta::deletion_ts(p));
    b.spec().put("domain", cx.domain_ref());
    match plane {
        Plane::Data => {
            b.spec().put_opt("gateway", gateway_projection(at(p, &["spec", "gateway"])));
            b.spec().put_opt("observabilityPlaneRef", obs_ref);
        }
        Plane::Workflow => {
            b.spec().put_opt("observabilityPlaneRef", obs_ref);
        }
        Plane::Observability => {
            b.spec().put_opt("observerURL", observer);
        }
    }
    Ok(b.build(scope))
}

pub fn translate_cluster(p: &Value, plane: Plane, scope: &str) -> Result<Entity, String> {
    let name = meta::name(p)?;
    let (kind, tag, noun) = plane.cluster();
    let mut b = EntityBuilder::managed(kind, backstage_name(name), Some(CLUSTER_NS))
        .title(meta::title_or_name(p, name))
        .description(Some(meta::description(p).map_or_else(|| format!("{name} {noun}"), str::to_string)))
        .tags(["openchoreo", tag, "infrastructure"])
        .label(&format!("openchoreo.io/{tag}"), "true");
    b.annotations().put("openchoreo.io/created-at", meta::created_at(p).unwrap_or("")).put("openchoreo.io/status", meta::created_text(p));
    let obs_ref = set_str(p, &["spec", "observabilityPlaneRef", "name"]).map(backstage_name);
    let observer = set_str(p, &["spec", "observerURL"]);
    if plane == Plane::Observability {
        b.annotations().put_opt("openchoreo.io/observer-url", observer);
    } else {
        b.annotations().put_opt("openchoreo.io/observability-plane-ref", obs_ref.clone());
    }
    agent_annotations(&mut b, p);
    b.annotations().put_opt("openchoreo.io/deletion-timestamp", meta::deletion_ts(p));
    match plane {
        Plane::Data => {
            b.spec().put_opt("gateway", gateway_projection(at(p, &["spec", "gateway"])));
            b.spec().put_opt("observabilityPlaneRef", obs_ref);
        }
        Plane::Workflow => {
            b.spec().put_opt("observabilityPlaneRef", obs_ref);
        }
        Plane::Observability => {
            b.spec().put_opt("observerURL", observer);
        }
    }
    Ok(b.build(scope))
}
