//! Components joined with their workloads → Component and API entities (MAPPING §3.3, §3.4).
//!
//! Components and workloads are listed once per namespace and joined on `spec.owner` (W3, W4),
//! dependencies without a project mean the consumer's project (W6), and API names are always valid
//! and unambiguous (W5): a name two endpoints would share is suffixed with a hash of each identity.

use super::NsCtx;
use super::system::{owner_annotation, project_owner};
use crate::diagnostic::Diagnostic;
use crate::entity::{Entity, EntityBuilder};
use crate::json::{Json, arr_at, at, set_str, str_at};
use crate::meta;
use crate::names::{backstage_name, hashed_name, is_valid_name};
use crate::node::Node;
use serde_json::Value;
use std::collections::HashMap;

/// (project, component, endpoint), borrowed from the input lists.
type ApiKey<'a> = (&'a str, &'a str, &'a str);

struct Joined<'a> {
    component: &'a Node<'a>,
    name: &'a str,
    project: &'a str,
    /// The first joined workload's name (by name order).
    workload: Option<&'a str>,
    /// Endpoints by name, first workload wins a clash; borrowed, never cloned.
    endpoints: Vec<(&'a str, &'a Node<'a>)>,
    dependencies: Vec<&'a Node<'a>>,
    /// Names of the OpenChoreo Resources the workloads consume (`dependencies.resources[].ref`).
    resources: Vec<&'a str>,
}

/// An endpoint that becomes an API entity: it has schema content, a port and a type.
struct ApiEndpoint<'a> {
    endpoint_name: &'a str,
    endpoint: &'a Node<'a>,
    port: i64,
    /// `schema.type` when set, else `type`.
    display_type: &'a str,
}

fn component_type<'a>(c: &'a Node) -> (&'a str, Option<&'a str>) {
    match at(c, &["spec", "componentType"]) {
        Some(Node::String(s)) => (s, None),
        Some(v @ Node::Object(_)) => (str_at(v, &["name"]).unwrap_or(""), set_str(v, &["kind"])),
        _ => ("", None),
    }
}

fn has_schema(ep: &Node) -> bool {
    str_at(ep, &["schema", "content"]).is_some_and(|s| !s.trim().is_empty())
}

fn api_endpoint<'a>(ep_name: &'a str, ep: &'a Node<'a>) -> Result<ApiEndpoint<'a>, String> {
    let port = at(ep, &["port"]).and_then(Json::int).ok_or_else(|| format!("endpoint {ep_name}: port is missing or not an integer"))?;
    let display_type = set_str(ep, &["schema", "type"])
        .or_else(|| set_str(ep, &["type"]))
        .ok_or_else(|| format!("endpoint {ep_name}: neither type nor schema.type is set"))?;
    Ok(ApiEndpoint { endpoint_name: ep_name, endpoint: ep, port, display_type })
}

fn join<'a>(components: &'a [Node<'a>], workloads: &'a [Node<'a>], cx: &NsCtx, diags: &mut Vec<Diagnostic>) -> Vec<Joined<'a>> {
    let mut joined = Vec::with_capacity(components.len());
    let mut index: HashMap<(&str, &str), usize> = HashMap::with_capacity(components.len());
    // Name → (first index, how many projects have a component of that name).
    let mut by_name: HashMap<&str, (usize, usize)> = HashMap::with_capacity(components.len());
    for (i, c) in components.iter().enumerate() {
        let name = match meta::name(c) {
            Ok(n) => n,
            Err(e) => {
                diags.push(Diagnostic::item(cx.ns, "Component", None, i, e));
                continue;
            }
        };
        let Some(project) = set_str(c, &["spec", "owner", "projectName"]) else {
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
    let mut sorted: Vec<(Option<&str>, &Node)> = workloads.iter().map(|w| (str_at(w, &["metadata", "name"]), w)).collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, w) in sorted {
        let Some(comp) = set_str(w, &["spec", "owner", "componentName"]) else { continue };
        let target = match set_str(w, &["spec", "owner", "projectName"]) {
            Some(project) => index.get(&(project, comp)).copied(),
            None => by_name.get(comp).filter(|(_, count)| *count == 1).map(|(first, _)| *first),
        };
        let Some(j) = target.map(|t| &mut joined[t]) else { continue };
        if j.workload.is_none() {
            j.workload = set_str(w, &["metadata", "name"]);
        }
        if let Some(eps) = at(w, &["spec", "endpoints"]) {
            for (k, v) in eps.entries() {
                if !j.endpoints.iter().any(|(name, _)| *name == k) {
                    j.endpoints.push((k, v));
                }
            }
        }
        j.dependencies.extend(arr_at(w, &["spec", "dependencies", "endpoints"]));
        for r in arr_at(w, &["spec", "dependencies", "resources"]).iter().filter_map(|r| set_str(r, &["ref"])) {
            if !j.resources.contains(&r) {
                j.resources.push(r);
            }
        }
    }
    joined
}

/// Names every API of the namespace at once, so colliding concatenations are told apart.
fn api_names<'a>(valid: &[ApiKey<'a>]) -> HashMap<ApiKey<'a>, String> {
    let plains: Vec<String> = valid.iter().map(|(p, c, e)| format!("{p}-{c}-{e}")).collect();
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
    components: &'a [Node<'a>],
    workloads: &'a [Node<'a>],
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
        let owner = owner_annotation(j.component).or_else(|| project.and_then(project_owner)).unwrap_or(cx.owner);
        let api_name = |p, c, e| api_name(&names, (p, c, e));
        let provides: Vec<&str> = apis.iter().filter_map(|a| api_name(j.project, j.name, a.endpoint_name)).collect();
        let mut consumes: Vec<&str> = Vec::new();
        for dep in &j.dependencies {
            let (Some(comp), Some(ep)) = (set_str(*dep, &["component"]), set_str(*dep, &["name"])) else { continue };
            let dep_project = set_str(*dep, &["project"]).unwrap_or(j.project);
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
    let (ctype, ctype_kind) = component_type(c);
    let type_or_unknown = if ctype.is_empty() { "unknown" } else { ctype };
    let type_tag = type_or_unknown.replacen('/', "-", 1);
    let status = meta::ready_text(c);
    let lifecycle = if status == "Ready" { "ready" } else { "not ready" };
    let repo = at(c, &["spec", "workflow", "parameters", "repository"]);
    let repo_url = repo.and_then(|r| set_str(r, &["url"]));
    let depends_on: Vec<String> = j.resources.iter().map(|r| format!("resource:{}/{}", cx.ns, backstage_name(r))).collect();
    let branch = repo.and_then(|r| set_str(r, &["revision", "branch"]));
    let mut b = EntityBuilder::managed("Component", backstage_name(j.name), Some(cx.ns))
        .title(meta::title_or_name(c, j.name))
        .description(meta::description(c))
        .tags(["openchoreo", "component", type_tag.as_str()]);
    b.annotations
        .put("openchoreo.io/component", j.name)
        .put_opt("openchoreo.io/component-uid", meta::uid(c))
        .put_opt("openchoreo.io/component-type", (!ctype.is_empty()).then_some(ctype))
        .put_opt("openchoreo.io/component-type-kind", ctype_kind)
        .put("openchoreo.io/project", j.project)
        .put("openchoreo.io/namespace", cx.ns)
        .put_opt("openchoreo.io/created-at", meta::created_at(c))
        .put("openchoreo.io/status", status)
        .put_opt("openchoreo.io/deletion-timestamp", meta::deletion_ts(c))
        .put_opt("backstage.io/source-location", repo_url.map(|u| format!("url:{u}")))
        .put_opt("openchoreo.io/branch", branch)
        .put_opt("openchoreo.io/workload", j.workload);
    b.spec
        .put("type", type_or_unknown)
        .put("lifecycle", lifecycle)
        .put("owner", owner)
        .put("system", backstage_name(j.project))
        .put_opt("providesApis", (!provides.is_empty()).then_some(provides))
        .put_opt("consumesApis", (!consumes.is_empty()).then_some(consumes))
        .put_opt("dependsOn", (!depends_on.is_empty()).then_some(depends_on));
    b.build(scope)
}

fn api_entity(j: &Joined, api: &ApiEndpoint, name: String, owner: &str, cx: &NsCtx, scope: &str) -> Entity {
    let ep = api.endpoint;
    let schema_type = set_str(ep, &["schema", "type"]);
    let visibility: Vec<&str> = arr_at(ep, &["visibility"]).iter().filter_map(Json::string).collect();
    let lower_type = api.display_type.to_lowercase();
    let mut b = EntityBuilder::managed("API", name, Some(cx.ns))
        .title(format!("{} {} API", j.name, api.endpoint_name))
        .description(Some(format!("{} API for {} on port {}", api.display_type, j.name, api.port)))
        .tags(["openchoreo", "api", lower_type.as_str()]);
    b.annotations
        .put("openchoreo.io/component", j.name)
        .put("openchoreo.io/endpoint-name", api.endpoint_name)
        .put("openchoreo.io/endpoint-type", str_at(ep, &["type"]).unwrap_or(""))
        .put("openchoreo.io/endpoint-port", api.port.to_string())
        .put("openchoreo.io/endpoint-visibility", visibility.join(","))
        .put("openchoreo.io/project", j.project)
        .put("openchoreo.io/namespace", cx.ns)
        .put_opt("openchoreo.io/workload", j.workload);
    b.spec
        .put("type", schema_type.map_or_else(|| "openapi".to_string(), str::to_lowercase))
        .put("lifecycle", "production")
        .put("owner", owner)
        .put("system", backstage_name(j.project))
        .put("definition", str_at(ep, &["schema", "content"]).unwrap_or(""));
    b.build(scope)
}
