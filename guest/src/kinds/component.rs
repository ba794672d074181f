//! Components joined with their workloads → Component and API entities (docs/entities.md, Component, API).
//!
//! Components and workloads are listed once per namespace and joined on `spec.owner` (docs/compatibility.md W3, W4),
//! dependencies without a project mean the consumer's project (docs/compatibility.md W6), and API names are always valid
//! and unambiguous (docs/compatibility.md W5): a name two endpoints would share is suffixed with a hash of each identity.

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
    !ep.schema.content.is_blank()
}

fn api_endpoint<'a>(ep_name: &'a str, ep: &'a Endpoint<'a>) -> Result<ApiEndpoint<'a>, String> {
    let port = ep.port.0.ok_or_else(|| format!("endpoint {ep_name}: port is missing or not an integer"))?;
    let display_type =
        ep.schema.kind.set().or_else(|| ep.kind.set()).ok_or_else(|| format!("endpoint {ep_name}: neither type nor schema.type is set"))?;
    Ok(ApiEndpoint { endpoint_name: ep_name, endpoint: ep, port, display_type })
}

/// Components with their workloads merged in, and where each (project, component) landed.
struct Join<'a> {
    joined: Vec<Joined<'a>>,
    /// (project, name) → the joined component that receives its workloads (the last listed).
    index: HashMap<(&'a str, &'a str), usize>,
}

fn join<'a>(components: &'a [Component<'a>], workloads: &'a [Workload<'a>], cx: &NsCtx, diags: &mut Vec<Diagnostic>) -> Join<'a> {
    let mut joined = Vec::with_capacity(components.len());
    let mut index: HashMap<(&str, &str), usize> = HashMap::with_capacity(components.len());
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
    // A workload without a project joins the one component of its name, if there is just one.
    // Built only when such a workload comes along: OpenChoreo sets both names on workloads.
    let mut by_name: Option<HashMap<&str, (usize, usize)>> = None;
    let mut unique_by_name = |comp: &str| -> Option<usize> {
        let by_name = by_name.get_or_insert_with(|| {
            let mut counts: HashMap<&str, (usize, usize)> = HashMap::with_capacity(joined.len());
            for (t, j) in joined.iter().enumerate() {
                counts.entry(j.name).or_insert((t, 0)).1 += 1;
            }
            counts
        });
        by_name.get(comp).filter(|(_, count)| *count == 1).map(|(first, _)| *first)
    };
    let mut targeted: Vec<(usize, Option<&str>, &Workload)> = Vec::with_capacity(workloads.len());
    for w in workloads {
        // `spec.owner` names the component; OpenChoreo's owner labels stand in where it is missing.
        let labels = &w.metadata.labels;
        let Some(comp) = w.spec.owner.component_name.set().or_else(|| labels.component_name.set()) else { continue };
        let project = w.spec.owner.project_name.set().or_else(|| labels.project_name.set());
        let target = match project {
            Some(project) => index.get(&(project, comp)).copied(),
            None => unique_by_name(comp),
        };
        if let Some(t) = target {
            targeted.push((t, w.metadata.name.get(), w));
        }
    }
    // Several workloads of one component merge in name order, deterministically. Sorting by target
    // first keeps the usual case (one workload each, listed in component order) nearly free.
    targeted.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    for (t, _, w) in targeted {
        let j = &mut joined[t];
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
    Join { joined, index }
}

/// Names every API of the namespace at once (`apis_of[j][k]` → `names[j][k]`), so that colliding
/// concatenations are told apart: a `project-component-endpoint` two APIs would share, or one that
/// is not a valid name, is suffixed with a hash of the API's identity.
fn api_names(joined: &[Joined], apis_of: &[Vec<ApiEndpoint>]) -> Vec<Vec<String>> {
    let mut plains: Vec<Vec<String>> = Vec::with_capacity(joined.len());
    for (j, apis) in joined.iter().zip(apis_of) {
        plains.push(apis.iter().map(|a| [j.project, "-", j.name, "-", a.endpoint_name].concat()).collect());
    }
    // Each plain name's slot: the component that first made it, and whether another one did too
    // (within one component, one plain name is one endpoint). One map lookup per API.
    let mut slot_of: HashMap<&str, usize> = HashMap::new();
    let mut slots: Vec<(usize, bool)> = Vec::new();
    let mut api_slots: Vec<usize> = Vec::new();
    for (t, (j, names)) in joined.iter().zip(&plains).enumerate() {
        for plain in names {
            let slot = *slot_of.entry(plain.as_str()).or_insert_with(|| {
                slots.push((t, false));
                slots.len() - 1
            });
            let (first, shared) = &mut slots[slot];
            let maker = &joined[*first];
            *shared |= (maker.project, maker.name) != (j.project, j.name);
            api_slots.push(slot);
        }
    }
    let mut api_slots = api_slots.into_iter();
    joined
        .iter()
        .zip(apis_of)
        .zip(plains)
        .map(|((j, apis), plains)| {
            apis.iter()
                .zip(plains)
                .map(|(api, plain)| {
                    let shared = slots[api_slots.next().expect("one slot per API")].1;
                    if !shared && is_valid_name(&plain) {
                        plain
                    } else {
                        hashed_name(&plain, &format!("{}\u{0}{}\u{0}{}", j.project, j.name, api.endpoint_name))
                    }
                })
                .collect()
        })
        .collect()
}

pub fn translate<'a>(
    projects: &[Value],
    components: &'a [Component<'a>],
    workloads: &'a [Workload<'a>],
    cx: &NsCtx,
    scope: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Entity> {
    // Each project's owner annotation, resolved once for all of its components.
    let project_owners: HashMap<&str, Option<&str>> =
        projects.iter().filter_map(|p| meta::name(p).ok().map(|n| (n, project_owner(p)))).collect();
    let Join { joined, index } = join(components, workloads, cx, diags);

    let mut apis_of: Vec<Vec<ApiEndpoint>> = Vec::with_capacity(joined.len());
    for j in &joined {
        let mut apis = Vec::new();
        for &(ep_name, ep) in &j.endpoints {
            if !has_schema(ep) {
                continue;
            }
            match api_endpoint(ep_name, ep) {
                Ok(api) => apis.push(api),
                Err(e) => diags.push(Diagnostic::item(cx.ns, "Workload", Some(j.name), 0, e)),
            }
        }
        apis_of.push(apis);
    }
    let names = api_names(&joined, &apis_of);
    // The API a dependency names: its component's, found by (project, component), then by endpoint.
    let api_name = |project: &str, component: &str, endpoint: &str| -> Option<&str> {
        let t = *index.get(&(project, component))?;
        let k = apis_of[t].iter().position(|a| a.endpoint_name == endpoint)?;
        Some(names[t][k].as_str())
    };

    let mut out = Vec::with_capacity(joined.len() * 2);
    let mut last_project: Option<(&str, Option<&str>)> = None;
    for (t, (j, apis)) in joined.iter().zip(&apis_of).enumerate() {
        let project_owner = match last_project {
            Some((name, owner)) if name == j.project => owner,
            _ => {
                let owner = project_owners.get(j.project).copied().flatten();
                last_project = Some((j.project, owner));
                owner
            }
        };
        let owner = owner_annotation_value(j.component.metadata.annotations.owner.get()).or(project_owner).unwrap_or(cx.owner);
        let provides: Vec<&str> = names[t].iter().map(String::as_str).collect();
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
        for (api, name) in apis.iter().zip(&names[t]) {
            out.push(api_entity(j, api, name.clone(), owner, cx, scope));
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
    b.annotations()
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
    b.spec()
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
    b.annotations()
        .put("openchoreo.io/component", j.name)
        .put("openchoreo.io/endpoint-name", api.endpoint_name)
        .put("openchoreo.io/endpoint-type", ep.kind.get().unwrap_or(""))
        .put("openchoreo.io/endpoint-port", port)
        .put("openchoreo.io/endpoint-visibility", visibility.join(","))
        .put("openchoreo.io/project", j.project)
        .put("openchoreo.io/namespace", cx.ns)
        .put_opt("openchoreo.io/workload", j.workload);
    b.spec()
        .put("type", schema_type.map_or(Cow::Borrowed("openapi"), lower_case))
        .put("lifecycle", "production")
        .put("owner", owner)
        .put("system", backstage_name_ref(j.project))
        .put("definition", &ep.schema.content);
    b.build(scope)
}
