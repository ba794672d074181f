//! One scope's lists → that scope's complete entity set, split into sub-scopes that go stale alone.
//!
//! A sub-scope (e.g. `ns/acme/components`) depends on the lists it is built from. When any of them
//! failed, the sub-scope is reported stale and emits nothing: the host keeps its last-known-good
//! entities (docs/compatibility.md W1). Everything else in the scope still updates.

use crate::diagnostic::{Diagnostic, Stale};
use crate::entity::{CLUSTER_NS, Entity, MAX_ENTITY_BYTES};
use crate::items::{BadItem, Items};
use crate::json::str_at;
use crate::kinds::component_input::{Component, Workload};
use crate::kinds::planes::Plane;
use crate::kinds::platform_templates::{self, TypeKind};
use crate::kinds::remote_template;
use crate::kinds::template::{self, Family, Source, template_scope};
use crate::kinds::{
    NsCtx, alert_channel, component, domain, environment, owner_ref, pipeline, planes, platform_types, resource_instance, system,
    type_template,
};
use crate::meta;
use serde_json::Value;
use std::collections::HashMap;

/// The endpoints listed for each namespace, in request order.
pub const NAMESPACE_LISTS: [&str; 15] = [
    "environments",
    "dataplanes",
    "workflowplanes",
    "observabilityplanes",
    "projects",
    "deploymentpipelines",
    "components",
    "workloads",
    "componenttypes",
    "traits",
    "workflows",
    "resourcetypes",
    "projecttypes",
    "resources",
    "observabilityalertsnotificationchannels",
];

/// The cluster-scoped endpoints.
pub const CLUSTER_LISTS: [&str; 8] = [
    "clustercomponenttypes",
    "clustertraits",
    "clusterworkflows",
    "clusterdataplanes",
    "clusterobservabilityplanes",
    "clusterworkflowplanes",
    "clusterresourcetypes",
    "clusterprojecttypes",
];

/// The lists whose items each have a `/schema` that a Template is generated from: endpoint, the
/// OpenChoreo kind (for messages) and the family of the Template. Namespaced, then cluster.
pub const TEMPLATE_SOURCES: [(&str, &str, Family); 3] = [
    ("componenttypes", "ComponentType", Family::Component),
    ("resourcetypes", "ResourceType", Family::Resource),
    ("projecttypes", "ProjectType", Family::Project),
];
pub const CLUSTER_TEMPLATE_SOURCES: [(&str, &str, Family); 3] = [
    ("clustercomponenttypes", "ClusterComponentType", Family::Component),
    ("clusterresourcetypes", "ClusterResourceType", Family::Resource),
    ("clusterprojecttypes", "ClusterProjectType", Family::Project),
];

/// Which scope a snapshot holds.
pub enum ScopeRef<'a> {
    Namespace(&'a Value),
    Cluster,
}

/// The lists of one scope: items, or the reason the list failed. A missing list counts as failed.
pub type Lists = HashMap<String, Result<Items, String>>;

/// A scope's lists parsed once, each into what its translations read: components and workloads,
/// nearly all of an installation's items, into [`crate::kinds::component_input`] types; the rest into trees.
struct Parsed<'a> {
    values: HashMap<&'a str, Result<Vec<Value>, String>>,
    components: Option<Result<Vec<Component<'a>>, String>>,
    workloads: Option<Result<Vec<Workload<'a>>, String>>,
    /// The first list (by endpoint) whose unchecked text turned out not to be a JSON array.
    invalid: Option<String>,
}

impl<'a> Parsed<'a> {
    fn new(lists: &'a Lists, ns: &str, skipped: &mut Vec<Diagnostic>) -> Self {
        let mut parsed = Parsed { values: HashMap::with_capacity(lists.len()), components: None, workloads: None, invalid: None };
        let mut invalid: Vec<String> = Vec::new();
        for (endpoint, list) in lists {
            let endpoint = endpoint.as_str();
            match endpoint {
                "components" => parsed.components = Some(read(list, Items::try_scan, ns, endpoint, skipped, &mut invalid)),
                "workloads" => parsed.workloads = Some(read(list, Items::try_scan, ns, endpoint, skipped, &mut invalid)),
                _ => {
                    parsed.values.insert(endpoint, read(list, Items::try_parse, ns, endpoint, skipped, &mut invalid));
                }
            }
        }
        parsed.invalid = invalid.into_iter().min();
        parsed
    }
}

/// One list's items; an item that cannot be read is skipped with a diagnostic naming its position.
/// A text that is not a JSON array is noted in `invalid` as `<endpoint>: <why>`.
fn read<'a, T>(
    list: &'a Result<Items, String>,
    parse: impl FnOnce(&'a Items) -> Result<(Vec<T>, Vec<BadItem>), String>,
    ns: &str,
    endpoint: &str,
    skipped: &mut Vec<Diagnostic>,
    invalid: &mut Vec<String>,
) -> Result<Vec<T>, String> {
    let items = list.as_ref().map_err(Clone::clone)?;
    let (good, bad) = parse(items).map_err(|why| {
        invalid.push(format!("{endpoint}: {why}"));
        format!("invalid JSON: {why}")
    })?;
    skipped.extend(bad.into_iter().map(|b| Diagnostic::item(ns, endpoint, None, b.index, b.message)));
    Ok(good)
}

fn typed<'a, T>(list: &'a Option<Result<Vec<T>, String>>, endpoint: &str) -> Result<&'a [T], String> {
    match list {
        Some(Ok(items)) => Ok(items),
        Some(Err(reason)) => Err(reason.clone()),
        None => Err(format!("list {endpoint} was not fetched")),
    }
}

/// The named lists of one map, or the reason the first unusable one failed.
fn lookup<'a, T, const N: usize>(map: &'a HashMap<&str, Result<Vec<T>, String>>, endpoints: [&str; N]) -> Result<[&'a [T]; N], String> {
    let mut got: [&[T]; N] = [&[]; N];
    for (slot, ep) in got.iter_mut().zip(endpoints) {
        match map.get(ep) {
            Some(Ok(items)) => *slot = items.as_slice(),
            Some(Err(reason)) => return Err(reason.clone()),
            None => return Err(format!("list {ep} was not fetched")),
        }
    }
    Ok(got)
}

#[derive(Debug, Default)]
pub struct ScopeOutput {
    pub entities: Vec<Entity>,
    pub stale: Vec<Stale>,
    pub skipped: Vec<Diagnostic>,
}

/// `^[a-z0-9]+(?:-[a-z0-9]+)*$`, at most 63 characters (OpenChoreo namespaces are DNS labels, so
/// anything else is refused rather than emitted into a namespace the catalog rejects).
pub fn is_backstage_namespace(ns: &str) -> bool {
    ns.len() <= 63 && ns.split('-').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

pub fn ns_scope(ns: &str, family: &str) -> String {
    format!("ns/{ns}/{family}")
}

pub fn cluster_scope(family: &str) -> String {
    format!("cluster/{family}")
}

struct Builder<'a> {
    lists: &'a Parsed<'a>,
    out: ScopeOutput,
}

impl<'a> Builder<'a> {
    /// The lists a family needs, or `None` after recording the family as stale.
    fn need<const N: usize>(&mut self, scope: &str, endpoints: [&str; N]) -> Option<[&'a [Value]; N]> {
        let lists = self.lists;
        lookup(&lists.values, endpoints).map_or_else(|reason| self.stale(scope, reason), Some)
    }

    /// Components and workloads, read as [`component_input`] types.
    fn need_components(&mut self, scope: &str) -> Option<(&'a [Component<'a>], &'a [Workload<'a>])> {
        let lists = self.lists;
        let got = typed(&lists.components, "components").and_then(|c| Ok((c, typed(&lists.workloads, "workloads")?)));
        got.map_or_else(|reason| self.stale(scope, reason), Some)
    }

    /// Skips every entity over [`MAX_ENTITY_BYTES`] with a warning naming it and its size.
    fn finish(mut self, ns: &str) -> ScopeOutput {
        let (fit, oversized): (Vec<Entity>, Vec<Entity>) =
            std::mem::take(&mut self.out.entities).into_iter().partition(|e| e.json.len() <= MAX_ENTITY_BYTES);
        self.out.entities = fit;
        for e in oversized {
            let message = format!(
                "the {} entity would be {} bytes, over the {} MiB limit (a huge string or list in the resource)",
                e.kind,
                e.json.len(),
                MAX_ENTITY_BYTES >> 20
            );
            self.out.skipped.push(Diagnostic::item(ns, e.kind, Some(&e.name), 0, message));
        }
        self.out
    }

    fn stale<T>(&mut self, scope: &str, reason: String) -> Option<T> {
        self.out.stale.push(Stale { scope: scope.to_string(), reason });
        None
    }

    /// Templates for the listed types, with their schema: a component or resource type's `/schema` (list
    /// entry `<endpoint>/<name>/schema`), a project type's own. Each template is its own scope: a failed schema keeps only that one. When the type list itself
    /// failed, every template of the family is kept (`…/<family>/*`).
    fn templates(&mut self, endpoint: &str, family: Family, source: &Source, owner: &str) {
        let types = match self.lists.values.get(endpoint) {
            Some(Ok(items)) => items.as_slice(),
            failed => {
                let reason = match failed {
                    Some(Err(reason)) => reason.clone(),
                    _ => format!("list {endpoint} was not fetched"),
                };
                self.stale::<()>(&format!("{}*", template_scope(source, family, "")), reason);
                return;
            }
        };
        let ns = match source {
            Source::Namespaced(ns) => *ns,
            Source::Cluster => "cluster",
        };
        for (i, ct) in types.iter().enumerate() {
            let Ok(name) = meta::name(ct) else { continue };
            if family == Family::Component
                && let Some(url) = remote_template::url_of(ct)
            {
                self.remote_template(endpoint, ct, name, url, source, ns, i);
                continue;
            }
            // Any object, even an empty one (a type without parameters), is a schema, as the plugin's 1.2.0
            // takes it; anything else is none. A project type carries its own; the others come from `/schema`.
            let schema = if family.fetches_schema() {
                match self.lists.values.get(format!("{endpoint}/{name}/schema").as_str()) {
                    None => continue,
                    Some(Err(reason)) => {
                        self.stale::<()>(&template_scope(source, family, name), reason.clone());
                        continue;
                    }
                    Some(Ok(fetched)) => match fetched.first().filter(|s| s.is_object()) {
                        Some(schema) => Some(schema),
                        None => continue,
                    },
                }
            } else {
                ct.pointer("/spec/parameters/openAPIV3Schema").filter(|s| s.is_object())
            };
            let translated = match (family, schema) {
                (Family::Component, Some(schema)) => template::translate(ct, schema, source, owner),
                (Family::Component, None) => continue,
                _ => type_template::translate(ct, schema, family, source, owner),
            };
            match translated {
                Ok(e) => self.out.entities.push(e),
                Err(message) => self.out.skipped.push(Diagnostic::item(ns, "Template", Some(name), i, message)),
            }
        }
    }

    /// The hand-authored Template a component type names, as the host read it: a failed read or a text
    /// that is not a valid Template keeps the last good copy (its scope goes stale); a URL the host may
    /// not read, or did not, gives no Template and a diagnostic.
    #[allow(clippy::too_many_arguments)]
    fn remote_template(&mut self, endpoint: &str, ct: &Value, name: &str, url: &str, source: &Source, ns: &str, i: usize) {
        let scope = template_scope(source, Family::Component, name);
        let entry = match self.lists.values.get(format!("{endpoint}/{name}/template").as_str()) {
            Some(Ok(entry)) => entry.first(),
            Some(Err(reason)) => {
                self.stale::<()>(&scope, reason.clone());
                return;
            }
            None => None,
        };
        let text = entry.and_then(|e| str_at(e, &["text"]));
        let result = match (text, entry.and_then(|e| str_at(e, &["notAllowed"]))) {
            (Some(text), _) => remote_template::stamp(text, url, ct, source, &scope),
            (None, Some(why)) => Err(format!("its template at {url} was not read: {why}")),
            (None, None) => Err(format!("its template at {url} was not read (no list entry {endpoint}/{name}/template)")),
        };
        match result {
            Ok(e) => self.out.entities.push(e),
            Err(reason) if text.is_some() => {
                self.stale::<()>(&scope, reason);
            }
            Err(message) => self.out.skipped.push(Diagnostic::item(ns, "Template", Some(name), i, message)),
        }
    }

    /// Translates each item on its own; a failing item is skipped with a diagnostic.
    fn each(&mut self, items: &[Value], ns: &str, kind: &str, mut f: impl FnMut(&Value) -> Result<Entity, String>) {
        for (i, item) in items.iter().enumerate() {
            match f(item) {
                Ok(e) => self.out.entities.push(e),
                Err(message) => {
                    let name = meta::name(item).ok();
                    self.out.skipped.push(Diagnostic::item(ns, kind, name, i, message));
                }
            }
        }
    }
}

pub fn translate_namespace(ns_resource: &Value, lists: &Lists, default_owner: &str) -> Result<ScopeOutput, String> {
    let ns = meta::name(ns_resource).map_err(|e| format!("Namespace: {e}"))?;
    if ns == CLUSTER_NS {
        return Err(format!("namespace name {CLUSTER_NS} is reserved for cluster-scoped entities"));
    }
    if !is_backstage_namespace(ns) {
        return Err(format!("namespace {ns:?} is not a valid Backstage namespace (lower-case letters, digits and dashes, at most 63)"));
    }
    let owner = owner_ref(default_owner);
    let cx = NsCtx { ns, owner: &owner };
    let mut out = ScopeOutput::default();
    let parsed = Parsed::new(lists, ns, &mut out.skipped);
    if let Some(invalid) = parsed.invalid {
        return Err(invalid);
    }
    let mut b = Builder { lists: &parsed, out };
    b.out.entities.push(domain::translate(ns_resource, &owner)?);

    let planes = [
        ("environments", None),
        ("dataplanes", Some(Plane::Data)),
        ("workflowplanes", Some(Plane::Workflow)),
        ("observabilityplanes", Some(Plane::Observability)),
    ];
    for (family, plane) in planes {
        let scope = ns_scope(ns, family);
        if let Some([items]) = b.need(&scope, [family]) {
            match plane {
                None => b.each(items, ns, "Environment", |r| environment::translate(r, &cx, &scope)),
                Some(p) => b.each(items, ns, family, |r| planes::translate_namespaced(r, p, &cx, &scope)),
            }
        }
    }
    let scope = ns_scope(ns, "projects");
    if let Some([projects]) = b.need(&scope, ["projects"]) {
        b.each(projects, ns, "Project", |r| system::translate(r, &cx, &scope));
    }
    let scope = ns_scope(ns, "components");
    if let Some([projects]) = b.need(&scope, ["projects"])
        && let Some((components, workloads)) = b.need_components(&scope)
    {
        let mut diags = Vec::new();
        let entities = component::translate(projects, components, workloads, &cx, &scope, &mut diags);
        b.out.entities.extend(entities);
        b.out.skipped.extend(diags);
    }
    let scope = ns_scope(ns, "deploymentpipelines");
    if let Some([pipelines, projects]) = b.need(&scope, ["deploymentpipelines", "projects"]) {
        b.each(pipelines, ns, "DeploymentPipeline", |r| pipeline::translate(r, projects, &cx, &scope));
    }
    let scope = ns_scope(ns, "componenttypes");
    if let Some([items]) = b.need(&scope, ["componenttypes"]) {
        b.each(items, ns, "ComponentType", |r| platform_types::component_type(r, &cx, &scope));
    }
    let scope = ns_scope(ns, "traits");
    if let Some([items]) = b.need(&scope, ["traits"]) {
        b.each(items, ns, "Trait", |r| platform_types::trait_type(r, &cx, &scope));
    }
    let scope = ns_scope(ns, "workflows");
    if let Some([items]) = b.need(&scope, ["workflows"]) {
        b.each(items, ns, "Workflow", |r| platform_types::workflow(r, Some(&cx), &scope));
    }
    for (endpoint, kind, label) in
        [("resourcetypes", TypeKind::Resource, "ResourceType"), ("projecttypes", TypeKind::Project, "ProjectType")]
    {
        let scope = ns_scope(ns, endpoint);
        if let Some([items]) = b.need(&scope, [endpoint]) {
            b.each(items, ns, label, |r| platform_templates::translate(r, kind, Some(&cx), &scope));
        }
    }
    let scope = ns_scope(ns, "resources");
    if let Some([resources, projects]) = b.need(&scope, ["resources", "projects"]) {
        b.each(resources, ns, "Resource", |r| resource_instance::translate(r, projects, &cx, &scope));
    }
    let scope = ns_scope(ns, "observabilityalertsnotificationchannels");
    if let Some([items]) = b.need(&scope, ["observabilityalertsnotificationchannels"]) {
        b.each(items, ns, "ObservabilityAlertsNotificationChannel", |r| alert_channel::translate(r, &cx, &scope));
    }
    for (endpoint, _, family) in TEMPLATE_SOURCES {
        b.templates(endpoint, family, &Source::Namespaced(ns), &owner);
    }
    Ok(b.finish(ns))
}

pub fn translate_cluster(lists: &Lists, default_owner: &str) -> ScopeOutput {
    let c = "cluster";
    let mut out = ScopeOutput::default();
    let parsed = Parsed::new(lists, c, &mut out.skipped);
    let mut b = Builder { lists: &parsed, out };
    let scope = cluster_scope("componenttypes");
    if let Some([items]) = b.need(&scope, ["clustercomponenttypes"]) {
        b.each(items, c, "ClusterComponentType", |r| platform_types::cluster_component_type(r, &scope));
    }
    let scope = cluster_scope("traits");
    if let Some([items]) = b.need(&scope, ["clustertraits"]) {
        b.each(items, c, "ClusterTrait", |r| platform_types::cluster_trait_type(r, &scope));
    }
    let scope = cluster_scope("workflows");
    if let Some([items]) = b.need(&scope, ["clusterworkflows"]) {
        b.each(items, c, "ClusterWorkflow", |r| platform_types::workflow(r, None, &scope));
    }
    let cluster_planes = [
        ("dataplanes", "clusterdataplanes", Plane::Data),
        ("observabilityplanes", "clusterobservabilityplanes", Plane::Observability),
        ("workflowplanes", "clusterworkflowplanes", Plane::Workflow),
    ];
    for (family, endpoint, plane) in cluster_planes {
        let scope = cluster_scope(family);
        if let Some([items]) = b.need(&scope, [endpoint]) {
            b.each(items, c, endpoint, |r| planes::translate_cluster(r, plane, &scope));
        }
    }
    let cluster_types = [
        ("resourcetypes", "clusterresourcetypes", TypeKind::Resource, "ClusterResourceType"),
        ("projecttypes", "clusterprojecttypes", TypeKind::Project, "ClusterProjectType"),
    ];
    for (family, endpoint, kind, label) in cluster_types {
        let scope = cluster_scope(family);
        if let Some([items]) = b.need(&scope, [endpoint]) {
            b.each(items, c, label, |r| platform_templates::translate(r, kind, None, &scope));
        }
    }
    let owner = owner_ref(default_owner);
    for (endpoint, _, family) in CLUSTER_TEMPLATE_SOURCES {
        b.templates(endpoint, family, &Source::Cluster, &owner);
    }
    b.finish(c)
}

/// The scope of an entity this mapping produced, from its kind and namespace alone, so a host can
/// recover it for entities read back from a catalog.
pub fn scope_of(doc: &Value) -> Result<String, String> {
    let kind = doc.get("kind").and_then(Value::as_str).ok_or("kind is missing")?;
    let ns = doc.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("default");
    let family = match kind {
        "Domain" => {
            return doc
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .map(domain::scope)
                .ok_or_else(|| "metadata.name is missing".into());
        }
        "ClusterComponentType" => return Ok(cluster_scope("componenttypes")),
        "ClusterTraitType" => return Ok(cluster_scope("traits")),
        "ClusterWorkflow" => return Ok(cluster_scope("workflows")),
        "ClusterDataplane" => return Ok(cluster_scope("dataplanes")),
        "ClusterObservabilityPlane" => return Ok(cluster_scope("observabilityplanes")),
        "ClusterWorkflowPlane" => return Ok(cluster_scope("workflowplanes")),
        "ClusterResourceType" => return Ok(cluster_scope("resourcetypes")),
        "ClusterProjectType" => return Ok(cluster_scope("projecttypes")),
        "Environment" => "environments",
        "Dataplane" => "dataplanes",
        "WorkflowPlane" => "workflowplanes",
        "ObservabilityPlane" => "observabilityplanes",
        "System" => "projects",
        "Component" | "API" => "components",
        "DeploymentPipeline" => "deploymentpipelines",
        "ComponentType" => "componenttypes",
        "TraitType" => "traits",
        "Workflow" => "workflows",
        "ResourceType" => "resourcetypes",
        "ProjectType" => "projecttypes",
        "Resource" => "resources",
        "ObservabilityAlertsNotificationChannel" => "observabilityalertsnotificationchannels",
        "Template" => {
            let annotations = doc.pointer("/metadata/annotations");
            let (family, type_name) = Family::ALL
                .iter()
                .find_map(|f| annotations.and_then(|a| a.get(f.source_annotation())).and_then(Value::as_str).map(|n| (*f, n)))
                .ok_or("Template without openchoreo.io/ctd-name, rtd-name or ptd-name")?;
            let source = if ns == CLUSTER_NS { Source::Cluster } else { Source::Namespaced(ns) };
            return Ok(template_scope(&source, family, type_name));
        }
        other => return Err(format!("kind {other} is not produced by this mapping")),
    };
    Ok(ns_scope(ns, family))
}
