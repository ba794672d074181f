//! OpenChoreo's change events (`{"kind","name","namespace","action"}`, POSTed by its control plane) to
//! the sync scopes they can affect. An event is a hint, never data: it only says where to look, and
//! the host re-fetches those scopes through `run-scopes`. A re-fetch unit is one namespace (every list
//! of it and its Domain) or the cluster lists, because a change to one resource can change entities
//! built from others (a project renamed moves its components, a workload changes its component's APIs).

use crate::entity::CLUSTER_NS;
use crate::scope::is_backstage_namespace;
use serde_json::Value;

/// The scope pattern that covers everything built from one namespace, its Domain included.
pub fn namespace_scopes(ns: &str) -> String {
    format!("ns/{ns}/*")
}

/// The scope pattern that covers everything built from the cluster lists.
pub const CLUSTER_SCOPES: &str = "cluster/*";

/// OpenChoreo kinds whose resources live in a namespace and feed this mapping.
const NAMESPACED_KINDS: [&str; 15] = [
    "Project",
    "Component",
    "Workload",
    "Environment",
    "DataPlane",
    "WorkflowPlane",
    "ObservabilityPlane",
    "DeploymentPipeline",
    "ComponentType",
    "Trait",
    "Workflow",
    "ResourceType",
    "ProjectType",
    "Resource",
    "ObservabilityAlertsNotificationChannel",
];

/// Cluster-scoped OpenChoreo kinds that feed this mapping.
const CLUSTER_KINDS: [&str; 8] = [
    "ClusterComponentType",
    "ClusterTrait",
    "ClusterWorkflow",
    "ClusterDataPlane",
    "ClusterObservabilityPlane",
    "ClusterWorkflowPlane",
    "ClusterResourceType",
    "ClusterProjectType",
];

const ACTIONS: [&str; 3] = ["created", "updated", "deleted"];

/// Why an event was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventRefused {
    /// A kind this mapping does not read (its name).
    UnknownKind(String),
    /// Not a JSON object, no kind, an action other than created, updated or deleted, or a namespace
    /// that is missing or not one this mapping syncs.
    Invalid(String),
}

/// The scope patterns an event can affect (`ns/<namespace>/*` or `cluster/*`), or why it is refused.
pub fn scopes_of_event(event_json: &str) -> Result<Vec<String>, EventRefused> {
    use EventRefused::Invalid;
    let event: Value = serde_json::from_str(event_json).map_err(|e| Invalid(format!("the event is not JSON: {e}")))?;
    let field = |k: &str| event.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let kind = field("kind").ok_or_else(|| Invalid("the event has no kind".into()))?;
    if let Some(action) = field("action")
        && !ACTIONS.iter().any(|a| a.eq_ignore_ascii_case(action))
    {
        return Err(Invalid(format!("the event's action {action:?} is not created, updated or deleted")));
    }
    let is = |names: &[&str]| names.iter().any(|k| k.eq_ignore_ascii_case(kind));
    if is(&CLUSTER_KINDS) {
        return Ok(vec![CLUSTER_SCOPES.to_string()]);
    }
    let namespace = if kind.eq_ignore_ascii_case("Namespace") {
        field("name").or(field("namespace")).ok_or_else(|| Invalid("a Namespace event has no name".into()))?
    } else if is(&NAMESPACED_KINDS) {
        field("namespace").ok_or_else(|| Invalid(format!("the {kind} event has no namespace")))?
    } else {
        return Err(EventRefused::UnknownKind(kind.to_string()));
    };
    if !is_backstage_namespace(namespace) || namespace == CLUSTER_NS {
        return Err(Invalid(format!("namespace {namespace:?} is not one this mapping syncs")));
    }
    Ok(vec![namespace_scopes(namespace)])
}

/// What a scope pattern asks to re-fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Namespace(String),
    Cluster,
}

/// Reads the patterns `scopes_of_event` makes; anything else is refused, naming it.
pub fn targets(scopes: &[String]) -> Result<Vec<Target>, String> {
    let mut out: Vec<Target> = Vec::new();
    for s in scopes {
        let target = if s == CLUSTER_SCOPES {
            Target::Cluster
        } else {
            match s.strip_prefix("ns/").and_then(|r| r.strip_suffix("/*")) {
                Some(ns) if is_backstage_namespace(ns) && ns != CLUSTER_NS => Target::Namespace(ns.to_string()),
                _ => return Err(format!("scope {s:?} is not `ns/<namespace>/*` or `{CLUSTER_SCOPES}`")),
            }
        };
        if !out.contains(&target) {
            out.push(target);
        }
    }
    Ok(out)
}
