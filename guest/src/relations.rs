//! The relations Backstage and the OpenChoreo processors derive from an entity (docs/entities.md, relations per kind).
//! Each forward relation is paired with its inverse, as the processors emit both.

use crate::entity::CLUSTER_NS;
use crate::json::{arr_at, set_str, str_at};
use crate::refs::EntityRef;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Relation {
    pub source: String,
    pub rtype: &'static str,
    pub target: String,
}

struct Emitter<'a> {
    me: EntityRef,
    /// `me` as a ref string, made once: it is in every relation of the entity.
    me_text: String,
    doc: &'a Value,
    out: Vec<Relation>,
}

impl Emitter<'_> {
    fn pair(&mut self, forward: &'static str, inverse: &'static str, target: &EntityRef) {
        let (me, t) = (self.me_text.clone(), target.text());
        self.out.push(Relation { source: me.clone(), rtype: forward, target: t.clone() });
        self.out.push(Relation { source: t, rtype: inverse, target: me });
    }

    /// `target` relates to me (e.g. a System uses this pipeline).
    fn pair_from(&mut self, target: &EntityRef, forward: &'static str, inverse: &'static str) {
        let (me, t) = (self.me_text.clone(), target.text());
        self.out.push(Relation { source: t.clone(), rtype: forward, target: me.clone() });
        self.out.push(Relation { source: me, rtype: inverse, target: t });
    }

    fn spec_str(&self, key: &str) -> Option<&str> {
        set_str(self.doc, &["spec", key])
    }

    fn spec_list(&self, key: &str) -> Vec<String> {
        arr_at(self.doc, &["spec", key]).iter().filter_map(Value::as_str).map(str::to_string).collect()
    }

    fn annotation(&self, key: &str) -> Option<String> {
        str_at(self.doc, &["metadata", "annotations", key]).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
    }

    /// A ref from a spec field; a malformed one is skipped rather than failing the entity (docs/compatibility.md W7).
    fn spec_ref(&mut self, key: &str, default_kind: &str, forward: &'static str, inverse: &'static str) {
        let Some(v) = self.spec_str(key).map(str::to_string) else { return };
        let ns = self.me.namespace.clone();
        if let Ok(t) = EntityRef::parse(&v, default_kind, &ns) {
            self.pair(forward, inverse, &t);
        }
    }

    fn spec_refs(&mut self, key: &str, default_kind: &str, forward: &'static str, inverse: &'static str) {
        let ns = self.me.namespace.clone();
        for v in self.spec_list(key) {
            if let Ok(t) = EntityRef::parse(&v, default_kind, &ns) {
                self.pair(forward, inverse, &t);
            }
        }
    }

    fn owner(&mut self) {
        self.spec_ref("owner", "group", "ownedBy", "ownerOf");
    }

    fn domain(&mut self) {
        self.spec_ref("domain", "domain", "partOf", "hasPart");
    }

    fn system(&mut self) {
        self.spec_ref("system", "system", "partOf", "hasPart");
    }

    fn observed_by(&mut self, default_kind: &str, default_ns: &str) {
        let Some(v) = self.spec_str("observabilityPlaneRef").map(str::to_string) else { return };
        if let Ok(t) = EntityRef::parse(&v, default_kind, default_ns) {
            self.pair("observedBy", "observes", &t);
        }
    }

    fn uses_workflows(&mut self, default_kind: &str, cluster: bool) {
        for entry in arr_at(self.doc, &["spec", "allowedWorkflows"]).to_vec() {
            let (kind, name) = match &entry {
                Value::String(s) => (default_kind.to_string(), s.clone()),
                v => (set_str(v, &["kind"]).unwrap_or(default_kind).to_lowercase(), str_at(v, &["name"]).unwrap_or("").to_string()),
            };
            if name.is_empty() {
                continue;
            }
            let ns = if cluster || kind == "clusterworkflow" { CLUSTER_NS.to_string() } else { self.me.namespace.clone() };
            self.pair("usesWorkflow", "workflowUsedBy", &EntityRef::new(&kind, &ns, &name));
        }
    }
}

/// The relations of one entity, both directions.
pub fn relations(doc: &Value) -> Result<Vec<Relation>, String> {
    let kind = doc.get("kind").and_then(Value::as_str).ok_or("kind is missing")?;
    let name = set_str(doc, &["metadata", "name"]).ok_or("metadata.name is missing")?;
    let fallback_ns = if kind.starts_with("Cluster") { CLUSTER_NS } else { "default" };
    let ns = set_str(doc, &["metadata", "namespace"]).unwrap_or(fallback_ns);
    let me = EntityRef::new(kind, ns, name);
    let mut e = Emitter { me_text: me.text(), me, doc, out: Vec::new() };
    match kind {
        "Domain" | "Template" => e.owner(),
        "System" => {
            e.owner();
            e.domain();
            type_instance_of(&mut e, "openchoreo.io/project-type", "projecttype", "clusterprojecttype");
            if let Some(p) = e.spec_str("deploymentPipelineRef").map(str::to_string) {
                let target = EntityRef::new("deploymentpipeline", &e.me.namespace.clone(), &p);
                e.pair("usesPipeline", "pipelineUsedBy", &target);
            }
        }
        "API" => {
            e.owner();
            e.system();
        }
        "Component" => {
            e.owner();
            e.system();
            e.spec_refs("providesApis", "api", "providesApi", "apiProvidedBy");
            e.spec_refs("consumesApis", "api", "consumesApi", "apiConsumedBy");
            e.spec_refs("dependsOn", "component", "dependsOn", "dependencyOf");
            component_instance_of(&mut e);
        }
        "Environment" => {
            e.domain();
            if let Some(dp) = e.spec_str("dataPlaneRef").map(str::to_string) {
                let cluster =
                    e.annotation("openchoreo.io/data-plane-ref-kind").map(|k| k.to_lowercase()) == Some("clusterdataplane".to_string());
                let target = if cluster {
                    EntityRef::new("clusterdataplane", CLUSTER_NS, &dp)
                } else {
                    EntityRef::new("dataplane", &e.me.namespace.clone(), &dp)
                };
                e.pair("hostedOn", "hosts", &target);
            }
        }
        "Dataplane" | "WorkflowPlane" => {
            e.domain();
            let ns = e.me.namespace.clone();
            e.observed_by("observabilityplane", &ns);
        }
        "ObservabilityPlane" | "TraitType" => e.domain(),
        "DeploymentPipeline" => {
            e.domain();
            let system_ns = e.spec_str("namespaceName").unwrap_or("default").to_string();
            for p in e.spec_list("projectRefs") {
                e.pair_from(&EntityRef::new("system", &system_ns, &p), "usesPipeline", "pipelineUsedBy");
            }
            let mut seen: Vec<String> = Vec::new();
            for path in arr_at(doc, &["spec", "promotionPaths"]) {
                let source = str_at(path, &["sourceEnvironment"]).map(str::to_string);
                let targets = arr_at(path, &["targetEnvironments"]).iter().filter_map(|t| str_at(t, &["name"]).map(str::to_string));
                for env in source.into_iter().chain(targets) {
                    if env.is_empty() || seen.contains(&env) {
                        continue;
                    }
                    let target = EntityRef::new("environment", &e.me.namespace.clone(), &env);
                    e.pair("deploysTo", "deployedBy", &target);
                    seen.push(env);
                }
            }
        }
        "ComponentType" => {
            e.domain();
            e.uses_workflows("workflow", false);
        }
        "ClusterComponentType" => e.uses_workflows("clusterworkflow", true),
        "Workflow" => {
            e.domain();
            if let Some(plane) = e.annotation("openchoreo.io/workflow-plane-ref") {
                let kind = e.annotation("openchoreo.io/workflow-plane-ref-kind").unwrap_or("WorkflowPlane".into()).to_lowercase();
                let target = match kind.as_str() {
                    "clusterworkflowplane" => Some(EntityRef::new(&kind, CLUSTER_NS, &plane)),
                    "workflowplane" => Some(EntityRef::new(&kind, &e.me.namespace.clone(), &plane)),
                    _ => None,
                };
                if let Some(t) = target {
                    e.pair("buildsOn", "builds", &t);
                }
            }
        }
        "ClusterWorkflow" => {
            if let Some(plane) = e.annotation("openchoreo.io/workflow-plane-ref") {
                e.pair("buildsOn", "builds", &EntityRef::new("clusterworkflowplane", CLUSTER_NS, &plane));
            }
        }
        "ClusterDataplane" | "ClusterWorkflowPlane" => e.observed_by("clusterobservabilityplane", CLUSTER_NS),
        "Resource" => {
            e.owner();
            e.system();
            e.spec_refs("dependsOn", "resource", "dependsOn", "dependencyOf");
            type_instance_of(&mut e, "openchoreo.io/resource-type", "resourcetype", "clusterresourcetype");
        }
        "ResourceType" | "ProjectType" => e.domain(),
        "ObservabilityAlertsNotificationChannel" => {
            e.domain();
            // As the plugin: the Environment notifies the channel, the channel is notifiedBy the Environment.
            e.spec_ref("environment", "environment", "notifiedBy", "notifies");
        }
        "ClusterTraitType" | "ClusterObservabilityPlane" | "ClusterResourceType" | "ClusterProjectType" => {}
        other => return Err(format!("kind {other} is not produced by this mapping")),
    }
    Ok(e.out)
}

/// `instanceOf` the (Cluster)ResourceType or (Cluster)ProjectType named by `<annotation>` and
/// `<annotation>-kind` (the cluster variant lives in the cluster bucket).
fn type_instance_of(e: &mut Emitter, annotation: &str, kind: &str, cluster_kind: &str) {
    let Some(type_name) = e.annotation(annotation) else { return };
    let type_kind = e.annotation(&format!("{annotation}-kind")).unwrap_or_default().to_lowercase();
    let target = if type_kind == cluster_kind {
        EntityRef::new(cluster_kind, CLUSTER_NS, &crate::names::backstage_name(&type_name))
    } else {
        EntityRef::new(kind, &e.me.namespace.clone(), &crate::names::backstage_name(&type_name))
    };
    e.pair("instanceOf", "hasInstance", &target);
}

/// `instanceOf` from the component type: the part after the first `/` (docs/compatibility.md W8: `proxy/x` → `x`), in the
/// cluster bucket when the type kind is ClusterComponentType.
fn component_instance_of(e: &mut Emitter) {
    let Some(ctype) = e.annotation("openchoreo.io/component-type") else { return };
    let raw = ctype.split_once('/').map_or(ctype.as_str(), |(_, rest)| rest);
    if raw.is_empty() {
        return;
    }
    let type_name = crate::names::backstage_name(raw);
    let target = if e.annotation("openchoreo.io/component-type-kind").as_deref() == Some("ClusterComponentType") {
        EntityRef::new("clustercomponenttype", CLUSTER_NS, &type_name)
    } else {
        EntityRef::new("componenttype", &e.me.namespace.clone(), &type_name)
    };
    e.pair("instanceOf", "hasInstance", &target);
}
