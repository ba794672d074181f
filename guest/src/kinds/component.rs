//! Components joined with their workloads → Component and API entities (MAPPING §3.3, §3.4).
//!
//! Components and workloads are listed once per namespace and joined on `spec.owner` (W3, W4),
//! dependencies without a project mean the consumer's project (W6), and API names are always valid
//! and unambiguous (W5): a name two endpoints would share is suffixed with a hash of each identity.

use super::NsCtx;
use super::component_input::{Component, Endpoint, EndpointDependency, Workload};
use super::system::{owner_annotation_value, project_owner};
use crate::diagnostic::Diagnostic;
use crate::entity::{Entity, EntityBuilder};
use crate::meta;
use crate::names::{backstage_name, backstage_name_ref, hashed_name, is_valid_name, lower_case};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;

/// (project, component, endpoint), borrowed from the input lists.
type ApiKey<'a> = (&'a str, &'a str, &'a str);

struct Joined<'a> {
    component: &'a Component<'a>,
    name: &'a str,
    project: &'a str,
    /// The first joined workload's name (by name order).
    workload: Option<&'a str>,
    /// Endpoints by name, first workload wins a clash; borrowed, never cloned.
    endpoints: Vec<(&'a str, &'a Endpoint<'a>)>,
    dependencies: Vec<&'a EndpointDependency<'a>>,
    /// Names of the OpenChoreo Resources the workloads consume (`dependencies.resources[].ref`).
    resources: Vec<&'a str>,
}

/// An endpoint that becomes an API entity: it has schema content, a port and a type.
struct ApiEndpoint<'a> {
    endpoint_name: &'a str,
    endpoint: &'a Endpoint<'a>,
    port: i64,
    /// `schema.type` when set, else `type`.
    display_type: &'a str,
}

fn has_schema(ep: &Endpoint) -> bool {
    ep.schema.content.get().is_some_and(|s| !s.trim().is_empty())
}

fn api_endpoint<'a>(ep_name: &'a str, ep: &'a Endpoint<'a>) -> Result<ApiEndpoint<'a>, String> {
    let port = ep.port.0.ok_or_else(|| format!("endpoint {ep_name}: port is missing or not an integer"))?;
    let display_type =
        ep.schema.kind.set().or_else(|| ep.kind.set()).ok_or_else(|| format!("endpoint {ep_name}: neither type nor schema.type is set"))?;
    Ok(ApiEndpoint { endpoint_name: ep_name, endpoint: ep, port, display_type })
}

fn join<'a>(components: &'a [Component<'a>], workloads: &'a [Workload<'a>], cx: &NsCtx, diags: &mut Vec<Diagnostic>) -> Vec<Joined<'a>> {
    let mut joined = Vec::with_capacity(components.len());
    let mut index: HashMap<(&str, &str), usize> = HashMap::with_capacity(components.len());
    // Name → (first index, how many projects have a component of that name).
    let mut by_name: HashMap<&str, (usize, usize)> = HashMap::with_capacity(components.len());
    for (i, c) in components.iter().enumerate() {
        let name = match c.metadata.name() {
            Ok(n) => n,
            Err(e) => {
                diags.push(Diagnostic::item(cx.ns, "Component", None, i, e));
                continue;
            }
        };
        let Some(project) = c.spec.owner.project_name.set() else {
            diags.push(Diagnostic::item(cx.ns, "Component", Some(name), i, "spec.owner.projectName is missing".into()));
            continue;
        };
        index.insert((project, name), joined.len());
        by_name.entry(name).or_insert((joined.len(), 0)).1 += 1;
        joined.push(Joined {
            component: c,
            name,
            project,
            workload: None,
            endpoints: Vec::new(),
            dependencies: Vec::new(),
            resources: Vec::new(),
        });
    }
    // Workloads in name order so that several workloads of one component merge deterministically.
    let mut sorted: Vec<(Option<&str>, &Workload)> = workloads.iter().map(|w| (w.metadata.name.get(), w)).collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, w) in sorted {
        let Some(comp) = w.spec.owner.component_name.set() else { continue };
        let target = match w.spec.owner.project_name.set() {
            Some(project) => index.get(&(project, comp)).copied(),
            None => by_name.get(comp).filter(|(_, count)| *count == 1).map(|(first, _)| *first),
        };
        let Some(j) = target.map(|t| &mut joined[t]) else { continue };
        if j.workload.is_none() {
            j.workload = w.metadata.name.set();
        }
        for (k, v) in &w.spec.endpoints.0 {
            if !j.endpoints.iter().any(|(name, _)| name == k) {
                j.endpoints.push((k, v));
            }
        }
        j.dependencies.extend(&w.spec.dependencies.endpoints.0);
        for r in w.spec.dependencies.resources.0.iter().filter_map(|r| r.reference.set()) {
            if !j.resources.contains(&r) {
                j.resources.push(r);
            }
        }
    }
    joined
}

/// Names every API of the namespace at once, so colliding concatenations are told apart.
fn api_names<'a>(valid: &[ApiKey<'a>]) -> HashMap<ApiKey<'a>, String> {
    let plains: Vec<String> = valid.iter().map(|(p, c, e)| [*p, "-", *c, "-", *e].concat()).collect();
    let mut plain_count: HashMap<&str, usize> = HashMap::with_capacity(valid.len());
    for plain in &plains {
        *plain_count.entry(plain).or_default() += 1;
    }
    let clashing: Vec<bool> = plains.iter().map(|p| plain_count[p.as_str()] > 1).collect();
    valid
        .iter()
        .zip(plains)
        .zip(clashing)
        .map(|((key @ (p, c, e), plain), clash)| {
            // As `name_with_identity`, but the identity is only formatted when a hash is needed.
            let name = if !clash && is_valid_name(&plain) { plain } else { hashed_name(&plain, &format!("{p}\u{0}{c}\u{0}{e}")) };
            (*key, name)
        })
        .collect()
}

fn api_name<'n, 'k>(names: &'n HashMap<ApiKey<'k>, String>, key: ApiKey<'k>) -> Option<&'n str> {
    names.get(&key).map(String::as_str)
}

pub fn translate<'a>(
    projects: &[Value],
    components: &'a [Component<'a>],
    workloads: &'a [Workload<'a>],
    cx: &NsCtx,
    scope: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Entity> {
    let project_by_name: HashMap<&str, &Value> = projects.iter().filter_map(|p| meta::name(p).ok().map(|n| (n, p))).collect();
    let joined = join(components, workloads, cx, diags);

    let mut valid: Vec<ApiKey> = Vec::new();
    let mut apis_of: Vec<Vec<ApiEndpoint>> = Vec::with_capacity(joined.len());
    for j in &joined {
        let mut apis = Vec::new();
        for &(ep_name, ep) in &j.endpoints {
            if !has_schema(ep) {
                continue;
            }
            match api_endpoint(ep_name, ep) {
                Ok(api) => {
                    valid.push((j.project, j.name, ep_name));
                    apis.push(api);
                }
                Err(e) => diags.push(Diagnostic::item(cx.ns, "Workload", Some(j.name), 0, e)),
            }
        }
        apis_of.push(apis);
    }
    // A component listed twice contributes its endpoints once.
    valid.sort_unstable();
    valid.dedup();
    let names = api_names(&valid);

    let mut out = Vec::with_capacity(joined.len() * 2);
    for (j, apis) in joined.iter().zip(apis_of) {
        let project = project_by_name.get(j.project).copied();
        let owner = owner_annotation_value(j.component.metadata.annotations.owner.get())
            .or_else(|| project.and_then(project_owner))
            .unwrap_or(cx.owner);
        let api_name = |p, c, e| api_name(&names, (p, c, e));
        let provides: Vec<&str> = apis.iter().filter_map(|a| api_name(j.project, j.name, a.endpoint_name)).collect();
        let mut consumes: Vec<&str> = Vec::new();
        for dep in &j.dependencies {
            let (Some(comp), Some(ep)) = (dep.component.set(), dep.name.set()) else { continue };
            let dep_project = dep.project.set().unwrap_or(j.project);
            if let Some(n) = api_name(dep_project, comp, ep)
                && !consumes.contains(&n)
            {
                consumes.push(n);
            }
        }
        out.push(component_entity(j, owner, provides, consumes, cx, scope));
        for api in &apis {
            if let Some(name) = api_name(j.project, j.name, api.endpoint_name) {
                out.push(api_entity(j, api, name.to_string(), owner, cx, scope));
            }
        }
    }
    out
}

fn component_entity(j: &Joined, owner: &str, provides: Vec<&str>, consumes: Vec<&str>, cx: &NsCtx, scope: &str) -> Entity {
    let c = j.component;
    let (ctype, ctype_kind) = c.spec.component_type.name_and_kind();
    let type_or_unknown = if ctype.is_empty() { "unknown" } else { ctype };
    let type_tag = type_or_unknown.replacen('/', "-", 1);
    let status = c.status.ready_text();
    let lifecycle = if status == "Ready" { "ready" } else { "not ready" };
    let repo = &c.spec.workflow.parameters.repository;
    let repo_url = repo.url.set();
    let depends_on: Vec<String> = j.resources.iter().map(|r| format!("resource:{}/{}", cx.ns, backstage_name_ref(r))).collect();
    let branch = repo.revision.branch.set();
    let mut b = EntityBuilder::managed("Component", backstage_name(j.name), Some(cx.ns))
        .title(c.metadata.title_or(j.name))
        .description(c.metadata.description())
        .tags(["openchoreo", "component", type_tag.as_str()]);
    b.annotations
        .put("openchoreo.io/component", j.name)
        .put_opt("openchoreo.io/component-uid", c.metadata.uid.set())
        .put_opt("openchoreo.io/component-type", (!ctype.is_empty()).then_some(ctype))
        .put_opt("openchoreo.io/component-type-kind", ctype_kind)
        .put("openchoreo.io/project", j.project)
        .put("openchoreo.io/namespace", cx.ns)
        .put_opt("openchoreo.io/created-at", c.metadata.creation_timestamp.set())
        .put("openchoreo.io/status", status)
        .put_opt("openchoreo.io/deletion-timestamp", c.metadata.deletion_timestamp.set())
        .put_opt("backstage.io/source-location", repo_url.map(|u| ["url:", u].concat()))
        .put_opt("openchoreo.io/branch", branch)
        .put_opt("openchoreo.io/workload", j.workload);
    b.spec
        .put("type", type_or_unknown)
        .put("lifecycle", lifecycle)
        .put("owner", owner)
        .put("system", backstage_name_ref(j.project))
        .put_opt("providesApis", (!provides.is_empty()).then_some(provides))
        .put_opt("consumesApis", (!consumes.is_empty()).then_some(consumes))
        .put_opt("dependsOn", (!depends_on.is_empty()).then_some(depends_on));
    b.build(scope)
}

fn api_entity(j: &Joined, api: &ApiEndpoint, name: String, owner: &str, cx: &NsCtx, scope: &str) -> Entity {
    let ep = api.endpoint;
    let schema_type = ep.schema.kind.set();
    let visibility: Vec<&str> = ep.visibility.0.iter().filter_map(|v| v.get()).collect();
    let lower_type = lower_case(api.display_type);
    let port = api.port.to_string();
    let mut b = EntityBuilder::managed("API", name, Some(cx.ns))
        .title([j.name, " ", api.endpoint_name, " API"].concat())
        .description(Some([api.display_type, " API for ", j.name, " on port ", &port].concat()))
        .tags(["openchoreo", "api", &lower_type]);
    b.annotations
        .put("openchoreo.io/component", j.name)
        .put("openchoreo.io/endpoint-name", api.endpoint_name)
        .put("openchoreo.io/endpoint-type", ep.kind.get().unwrap_or(""))
        .put("openchoreo.io/endpoint-port", port)
        .put("openchoreo.io/endpoint-visibility", visibility.join(","))
        .put("openchoreo.io/project", j.project)
        .put("openchoreo.io/namespace", cx.ns)
        .put_opt("openchoreo.io/workload", j.workload);
    b.spec
        .put("type", schema_type.map_or(Cow::Borrowed("openapi"), lower_case))
        .put("lifecycle", "production")
        .put("owner", owner)
        .put("system", backstage_name_ref(j.project))
        .put("definition", ep.schema.content.get().unwrap_or(""));
    b.build(scope)
}
