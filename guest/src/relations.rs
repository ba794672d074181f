//! The relations Backstage and the OpenChoreo processors derive from an entity (docs/entities.md, relations per kind).
//! Each forward relation is paired with its inverse, as the processors emit both.

use crate::entity::CLUSTER_NS;
use crate::json::trimmed;
use crate::lenient::Str;
use crate::refs::EntityRef;
use crate::relation_input::{Annotations, RelationDoc, Spec, WorkflowEntry};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Relation {
    pub source: String,
    pub rtype: &'static str,
    pub target: String,
}

/// Where an entity's relations go, one at a time, as (source ref, type, target ref).
pub trait RelationSink {
    fn relation(&mut self, source: &str, rtype: &'static str, target: &str);
}

impl RelationSink for Vec<Relation> {
    fn relation(&mut self, source: &str, rtype: &'static str, target: &str) {
        self.push(Relation { source: source.to_string(), rtype, target: target.to_string() });
    }
}

struct Emitter<'o> {
    me: EntityRef,
    /// `me` as a ref string, made once: it is in every relation of the entity.
    me_text: String,
    out: &'o mut dyn RelationSink,
}

impl Emitter<'_> {
    fn pair(&mut self, forward: &'static str, inverse: &'static str, target: &EntityRef) {
        let t = target.text();
        self.out.relation(&self.me_text, forward, &t);
        self.out.relation(&t, inverse, &self.me_text);
    }

    /// `target` relates to me (e.g. a System uses this pipeline).
    fn pair_from(&mut self, target: &EntityRef, forward: &'static str, inverse: &'static str) {
        let t = target.text();
        self.out.relation(&t, forward, &self.me_text);
        self.out.relation(&self.me_text, inverse, &t);
    }

    /// A ref from a spec field; a malformed one is skipped rather than failing the entity (docs/compatibility.md W7).
    fn spec_ref(&mut self, value: &Str, default_kind: &str, forward: &'static str, inverse: &'static str) {
        let Some(v) = value.set() else { return };
        if let Ok(t) = EntityRef::parse(v, default_kind, &self.me.namespace) {
            self.pair(forward, inverse, &t);
        }
    }

    fn owner(&mut self, spec: &Spec) {
        self.spec_ref(&spec.owner, "group", "ownedBy", "ownerOf");
    }

    fn domain(&mut self, spec: &Spec) {
        self.spec_ref(&spec.domain, "domain", "partOf", "hasPart");
    }

    fn system(&mut self, spec: &Spec) {
        self.spec_ref(&spec.system, "system", "partOf", "hasPart");
    }

    fn spec_refs(&mut self, values: &[Str], default_kind: &str, forward: &'static str, inverse: &'static str) {
        for v in values.iter().filter_map(Str::get) {
            if let Ok(t) = EntityRef::parse(v, default_kind, &self.me.namespace) {
                self.pair(forward, inverse, &t);
            }
        }
    }

    fn observed_by(&mut self, plane: &Str, default_kind: &str, default_ns: &str) {
        let Some(v) = plane.set() else { return };
        if let Ok(t) = EntityRef::parse(v, default_kind, default_ns) {
            self.pair("observedBy", "observes", &t);
        }
    }

    fn uses_workflows(&mut self, entries: &[WorkflowEntry], default_kind: &str, cluster: bool) {
        for entry in entries {
            let (kind, name) = match entry {
                WorkflowEntry::Name(s) => (default_kind.to_string(), s.as_ref()),
                WorkflowEntry::Ref(r) => (r.kind.set().unwrap_or(default_kind).to_lowercase(), r.name.get().unwrap_or("")),
            };
            if name.is_empty() {
                continue;
            }
            let ns = if cluster || kind == "clusterworkflow" { CLUSTER_NS.to_string() } else { self.me.namespace.clone() };
            self.pair("usesWorkflow", "workflowUsedBy", &EntityRef::new(&kind, &ns, name));
        }
    }
}

/// The relations of one entity document, both directions.
pub fn relations(doc: &Value) -> Result<Vec<Relation>, String> {
    let doc = RelationDoc::deserialize(doc).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    relations_of(&doc, &mut out)?;
    Ok(out)
}

/// The relations of one entity, both directions, into `out`. An error (no kind or name, a kind this
/// mapping does not produce) comes before any relation.
pub fn relations_of(doc: &RelationDoc, out: &mut dyn RelationSink) -> Result<(), String> {
    let kind = doc.kind.get().ok_or("kind is missing")?;
    let name = doc.metadata.name.set().ok_or("metadata.name is missing")?;
    let fallback_ns = if kind.starts_with("Cluster") { CLUSTER_NS } else { "default" };
    let ns = doc.metadata.namespace.set().unwrap_or(fallback_ns);
    let me = EntityRef::new(kind, ns, name);
    let mut e = Emitter { me_text: me.text(), me, out };
    let spec = &doc.spec;
    let annotations = &doc.metadata.annotations;
    match kind {
        "Domain" | "Template" => e.owner(spec),
        "System" => {
            e.owner(spec);
            e.domain(spec);
            type_instance_of(&mut e, &annotations.project_type, &annotations.project_type_kind, "projecttype", "clusterprojecttype");
            if let Some(p) = spec.deployment_pipeline_ref.set() {
                let target = EntityRef::new("deploymentpipeline", &e.me.namespace, p);
                e.pair("usesPipeline", "pipelineUsedBy", &target);
            }
        }
        "API" => {
            e.owner(spec);
            e.system(spec);
        }
        "Component" => {
            e.owner(spec);
            e.system(spec);
            e.spec_refs(&spec.provides_apis.0, "api", "providesApi", "apiProvidedBy");
            e.spec_refs(&spec.consumes_apis.0, "api", "consumesApi", "apiConsumedBy");
            e.spec_refs(&spec.depends_on.0, "component", "dependsOn", "dependencyOf");
            component_instance_of(&mut e, annotations);
        }
        "Environment" => {
            e.domain(spec);
            if let Some(dp) = spec.data_plane_ref.set() {
                let cluster = trimmed(annotations.data_plane_ref_kind.get()).is_some_and(|k| k.to_lowercase() == "clusterdataplane");
                let target = if cluster {
                    EntityRef::new("clusterdataplane", CLUSTER_NS, dp)
                } else {
                    EntityRef::new("dataplane", &e.me.namespace, dp)
                };
                e.pair("hostedOn", "hosts", &target);
            }
        }
        "Dataplane" | "WorkflowPlane" => {
            e.domain(spec);
            let ns = e.me.namespace.clone();
            e.observed_by(&spec.observability_plane_ref, "observabilityplane", &ns);
        }
        "ObservabilityPlane" | "TraitType" | "ResourceType" | "ProjectType" => e.domain(spec),
        "DeploymentPipeline" => {
            e.domain(spec);
            let system_ns = spec.namespace_name.set().unwrap_or("default");
            for p in spec.project_refs.0.iter().filter_map(Str::get) {
                e.pair_from(&EntityRef::new("system", system_ns, p), "usesPipeline", "pipelineUsedBy");
            }
            let mut seen: Vec<&str> = Vec::new();
            for path in &spec.promotion_paths.0 {
                let targets = path.target_environments.0.iter().filter_map(|t| t.name.get());
                for env in path.source_environment.get().into_iter().chain(targets) {
                    if env.is_empty() || seen.contains(&env) {
                        continue;
                    }
                    let target = EntityRef::new("environment", &e.me.namespace, env);
                    e.pair("deploysTo", "deployedBy", &target);
                    seen.push(env);
                }
            }
        }
        "ComponentType" => {
            e.domain(spec);
            e.uses_workflows(&spec.allowed_workflows.0, "workflow", false);
        }
        "ClusterComponentType" => e.uses_workflows(&spec.allowed_workflows.0, "clusterworkflow", true),
        "Workflow" => {
            e.domain(spec);
            if let Some(plane) = trimmed(annotations.workflow_plane_ref.get()) {
                let kind = trimmed(annotations.workflow_plane_ref_kind.get()).unwrap_or("WorkflowPlane").to_lowercase();
                let target = match kind.as_str() {
                    "clusterworkflowplane" => Some(EntityRef::new(&kind, CLUSTER_NS, plane)),
                    "workflowplane" => Some(EntityRef::new(&kind, &e.me.namespace, plane)),
                    _ => None,
                };
                if let Some(t) = target {
                    e.pair("buildsOn", "builds", &t);
                }
            }
        }
        "ClusterWorkflow" => {
            if let Some(plane) = trimmed(annotations.workflow_plane_ref.get()) {
                e.pair("buildsOn", "builds", &EntityRef::new("clusterworkflowplane", CLUSTER_NS, plane));
            }
        }
        "ClusterDataplane" | "ClusterWorkflowPlane" => {
            e.observed_by(&spec.observability_plane_ref, "clusterobservabilityplane", CLUSTER_NS)
        }
        "Resource" => {
            e.owner(spec);
            e.system(spec);
            e.spec_refs(&spec.depends_on.0, "resource", "dependsOn", "dependencyOf");
            type_instance_of(&mut e, &annotations.resource_type, &annotations.resource_type_kind, "resourcetype", "clusterresourcetype");
        }
        "ObservabilityAlertsNotificationChannel" => {
            e.domain(spec);
            // As the plugin: the Environment notifies the channel, the channel is notifiedBy the Environment.
            e.spec_ref(&spec.environment, "environment", "notifiedBy", "notifies");
        }
        "ClusterTraitType" | "ClusterObservabilityPlane" | "ClusterResourceType" | "ClusterProjectType" => {}
        other => return Err(format!("kind {other} is not produced by this mapping")),
    }
    Ok(())
}

/// `instanceOf` the (Cluster)ResourceType or (Cluster)ProjectType named by an annotation and its
/// `-kind` annotation (the cluster variant lives in the cluster bucket).
fn type_instance_of(e: &mut Emitter, type_name: &Str, type_kind: &Str, kind: &str, cluster_kind: &str) {
    let Some(type_name) = trimmed(type_name.get()) else { return };
    let type_kind = trimmed(type_kind.get()).unwrap_or_default().to_lowercase();
    let target = if type_kind == cluster_kind {
        EntityRef::new(cluster_kind, CLUSTER_NS, &crate::names::backstage_name(type_name))
    } else {
        EntityRef::new(kind, &e.me.namespace, &crate::names::backstage_name(type_name))
    };
    e.pair("instanceOf", "hasInstance", &target);
}

/// `instanceOf` from the component type: the part after the first `/` (docs/compatibility.md W8: `proxy/x` → `x`), in the
/// cluster bucket when the type kind is ClusterComponentType.
fn component_instance_of(e: &mut Emitter, annotations: &Annotations) {
    let Some(ctype) = trimmed(annotations.component_type.get()) else { return };
    let raw = ctype.split_once('/').map_or(ctype, |(_, rest)| rest);
    if raw.is_empty() {
        return;
    }
    let type_name = crate::names::backstage_name(raw);
    let target = if trimmed(annotations.component_type_kind.get()) == Some("ClusterComponentType") {
        EntityRef::new("clustercomponenttype", CLUSTER_NS, &type_name)
    } else {
        EntityRef::new("componenttype", &e.me.namespace, &type_name)
    };
    e.pair("instanceOf", "hasInstance", &target);
}
