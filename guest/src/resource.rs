//! One resource with its context → its entities, by running the scope translation on a snapshot
//! that holds just that resource, so single-resource and whole-scope results can never differ.

use crate::entity::Entity;
use crate::items::Items;
use crate::scope::{self, Lists, ScopeOutput};
use serde_json::{Value, json};

/// The list a kind is read from, and whether it is cluster-scoped.
fn endpoint_of(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        "Environment" => ("environments", false),
        "DataPlane" => ("dataplanes", false),
        "WorkflowPlane" => ("workflowplanes", false),
        "ObservabilityPlane" => ("observabilityplanes", false),
        "Project" => ("projects", false),
        "DeploymentPipeline" => ("deploymentpipelines", false),
        "Component" => ("components", false),
        "ComponentType" => ("componenttypes", false),
        "Trait" => ("traits", false),
        "Workflow" => ("workflows", false),
        "ResourceType" => ("resourcetypes", false),
        "ProjectType" => ("projecttypes", false),
        "Resource" => ("resources", false),
        "ObservabilityAlertsNotificationChannel" => ("observabilityalertsnotificationchannels", false),
        "ClusterResourceType" => ("clusterresourcetypes", true),
        "ClusterProjectType" => ("clusterprojecttypes", true),
        "ClusterComponentType" => ("clustercomponenttypes", true),
        "ClusterTrait" => ("clustertraits", true),
        "ClusterWorkflow" => ("clusterworkflows", true),
        "ClusterDataPlane" => ("clusterdataplanes", true),
        "ClusterObservabilityPlane" => ("clusterobservabilityplanes", true),
        "ClusterWorkflowPlane" => ("clusterworkflowplanes", true),
        _ => return None,
    })
}

/// The context lists a kind reads: `project`/`projects` and `workload`/`workloads`.
fn context_list(context: &Value, one: &str, many: &str) -> Vec<Value> {
    let mut v: Vec<Value> = context.get(many).and_then(Value::as_array).cloned().unwrap_or_default();
    if let Some(x) = context.get(one).filter(|x| x.is_object()) {
        v.insert(0, x.clone());
    }
    v
}

pub enum ResourceError {
    Invalid(String),
    Unsupported(String),
}

pub fn translate(kind: &str, namespace: Option<&str>, resource: Value, context: Option<Value>) -> Result<ScopeOutput, ResourceError> {
    let context = context.unwrap_or_else(|| json!({}));
    if !context.is_object() {
        return Err(ResourceError::Invalid("context must be a JSON object".into()));
    }
    let owner = context.get("defaultOwner").and_then(Value::as_str).unwrap_or("").to_string();
    if kind == "Namespace" {
        let out = scope::translate_namespace(&resource, &Lists::new(), &owner).map_err(ResourceError::Invalid)?;
        return Ok(keep(out, |e| e.kind == "Domain"));
    }
    let (endpoint, cluster) = endpoint_of(kind).ok_or_else(|| ResourceError::Unsupported(kind.to_string()))?;
    let mut lists: Lists = Lists::new();
    let empty = |lists: &mut Lists, eps: &[&str]| {
        for ep in eps {
            lists.insert(ep.to_string(), Ok(Items::new()));
        }
    };
    if cluster {
        empty(&mut lists, &scope::CLUSTER_LISTS);
        lists.insert(endpoint.to_string(), Ok(Items::from(vec![resource])));
        let out = scope::translate_cluster(&lists, &owner);
        return Ok(keep(out, |_| true));
    }
    let ns = namespace.ok_or_else(|| ResourceError::Invalid(format!("{kind} is namespaced: give --namespace")))?;
    empty(&mut lists, &scope::NAMESPACE_LISTS);
    let mut projects = context_list(&context, "project", "projects");
    lists.insert("workloads".into(), Ok(context_list(&context, "workload", "workloads").into()));
    let family_scope = scope::ns_scope(ns, endpoint);
    if endpoint == "projects" {
        // The project itself first, so its own annotations decide its owner.
        projects.insert(0, resource);
    } else {
        lists.insert(endpoint.to_string(), Ok(vec![resource].into()));
    }
    lists.insert("projects".into(), Ok(projects.into()));
    let ns_resource = json!({ "metadata": { "name": ns } });
    let out = scope::translate_namespace(&ns_resource, &lists, &owner).map_err(ResourceError::Invalid)?;
    let mut out = keep(out, |e| e.scope == family_scope);
    if endpoint == "projects" {
        out.entities.truncate(1);
    }
    Ok(out)
}

fn keep(mut out: ScopeOutput, f: impl Fn(&Entity) -> bool) -> ScopeOutput {
    out.entities.retain(f);
    out
}
