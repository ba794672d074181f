//! Deterministic synthetic OpenChoreo installations for benchmarks: namespaces × projects ×
//! components, each component with a workload (an HTTP endpoint with an OpenAPI schema, a metrics
//! endpoint without one, and dependencies on two neighbours), plus per-namespace platform resources.

use crate::fixture::Dataset;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub namespaces: usize,
    pub projects_per_namespace: usize,
    pub components_per_project: usize,
}

impl Shape {
    /// About `components` components, spread as a platform team would: 10 namespaces, 20 projects each.
    pub fn with_components(components: usize) -> Self {
        let namespaces = 10;
        let projects_per_namespace = 20;
        Self { namespaces, projects_per_namespace, components_per_project: components.div_ceil(namespaces * projects_per_namespace).max(1) }
    }

    pub fn components(&self) -> usize {
        self.namespaces * self.projects_per_namespace * self.components_per_project
    }
}

const SCHEMA: &str = "openapi: 3.0.3\ninfo:\n  title: synthetic\n  version: 1.0.0\npaths:\n  /items:\n    get:\n      responses:\n        \"200\":\n          description: OK\n";

fn meta(name: &str, ns: Option<&str>) -> Value {
    let mut m =
        json!({ "name": name, "uid": format!("uid-{}-{name}", ns.unwrap_or("cluster")), "creationTimestamp": "2026-11-01T09:00:00Z" });
    if let Some(ns) = ns {
        m["namespace"] = json!(ns);
    }
    m
}

fn ready() -> Value {
    json!({ "conditions": [{ "type": "Ready", "status": "True", "reason": "Reconciled", "lastTransitionTime": "2026-11-01T09:00:00Z" }] })
}

pub fn generate(shape: Shape) -> Dataset {
    let mut data = Dataset::default();
    for n in 0..shape.namespaces {
        let ns = format!("ns-{n:03}");
        data.namespaces.push(json!({ "metadata": meta(&ns, None), "status": { "phase": "Active" } }));
        let lists = data.namespaced.entry(ns.clone()).or_default();
        let envs = ["development", "staging", "production"];
        lists.insert("environments".into(), envs.iter().map(|e| json!({ "metadata": meta(e, Some(&ns)),
            "spec": { "dataPlaneRef": { "kind": "ClusterDataPlane", "name": "default" }, "isProduction": *e == "production" }, "status": ready() })).collect());
        lists.insert(
            "deploymentpipelines".into(),
            vec![json!({ "metadata": meta("default", Some(&ns)), "spec": { "promotionPaths": [
            { "sourceEnvironmentRef": { "name": "development" }, "targetEnvironmentRefs": [{ "name": "staging" }] },
            { "sourceEnvironmentRef": { "name": "staging" }, "targetEnvironmentRefs": [{ "name": "production" }] }] } })],
        );
        let mut projects = Vec::new();
        let mut components = Vec::new();
        let mut workloads = Vec::new();
        for p in 0..shape.projects_per_namespace {
            let project = format!("project-{p:03}");
            projects.push(json!({ "metadata": meta(&project, Some(&ns)), "spec": { "deploymentPipelineRef": { "name": "default" } }, "status": ready() }));
            for c in 0..shape.components_per_project {
                let comp = format!("svc-{p:03}-{c:04}");
                components.push(json!({ "metadata": meta(&comp, Some(&ns)), "spec": {
                    "owner": { "projectName": project },
                    "componentType": { "kind": "ClusterComponentType", "name": "deployment/service" },
                    "workflow": { "kind": "ClusterWorkflow", "name": "dockerfile-builder",
                        "parameters": { "repository": { "url": format!("https://git.example.com/{ns}/{comp}"), "revision": { "branch": "main" } } } } },
                    "status": ready() }));
                let dep = |k: usize| json!({ "component": format!("svc-{p:03}-{:04}", (c + k) % shape.components_per_project), "name": "http", "visibility": "project" });
                workloads.push(json!({ "metadata": meta(&format!("{comp}-workload"), Some(&ns)), "spec": {
                    "owner": { "projectName": project, "componentName": comp },
                    "container": { "image": format!("registry.example.com/{comp}:1.0.0") },
                    "endpoints": {
                        "http": { "type": "HTTP", "port": 8080, "visibility": ["project"], "schema": { "type": "openapi", "content": SCHEMA } },
                        "metrics": { "type": "HTTP", "port": 9090 } },
                    "dependencies": { "endpoints": [dep(1), dep(2)] } } }));
            }
        }
        lists.insert("projects".into(), projects);
        lists.insert("components".into(), components);
        lists.insert("workloads".into(), workloads);
    }
    data.cluster.insert("clusterdataplanes".into(), vec![json!({ "metadata": meta("default", None), "spec": {} })]);
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_deterministic_and_sized() {
        let s = Shape::with_components(1000);
        assert_eq!(s.components(), 1000);
        let a = generate(s);
        let b = generate(s);
        assert_eq!(serde_json::to_string(&a.namespaced).unwrap(), serde_json::to_string(&b.namespaced).unwrap());
        assert_eq!(a.namespaced["ns-000"]["workloads"].len(), 100);
    }
}
