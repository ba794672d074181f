//! Components joined with workloads: APIs, providesApis, consumesApis, owners, names (docs/entities.md, Component and API; W3–W6 in docs/compatibility.md).

use openchoreo_catalog_guest::diagnostic::Diagnostic;
use openchoreo_catalog_guest::entity::Entity;
use openchoreo_catalog_guest::kinds::component_input::{Component, Workload};
use openchoreo_catalog_guest::kinds::{NsCtx, component};
use openchoreo_catalog_guest::names::is_valid_name;
use serde::Deserialize;
use serde_json::{Value, json};

const OWNER: &str = "group:default/openchoreo-users";

fn run(projects: &[Value], components: &[Value], workloads: &[Value]) -> (Vec<Entity>, Vec<Diagnostic>) {
    let cx = NsCtx { ns: "acme", owner: OWNER };
    let mut diags = Vec::new();
    let components: Vec<Component> = components.iter().map(|c| Component::deserialize(c).unwrap()).collect();
    let workloads: Vec<Workload> = workloads.iter().map(|w| Workload::deserialize(w).unwrap()).collect();
    let out = component::translate(projects, &components, &workloads, &cx, "ns/acme/components", &mut diags);
    (out, diags)
}

fn find(es: &[Entity], kind: &str, name: &str) -> Value {
    es.iter()
        .find(|e| e.kind == kind && e.name == name)
        .unwrap_or_else(|| panic!("{kind} {name} not in {:?}", es.iter().map(|e| &e.name).collect::<Vec<_>>()))
        .doc()
}

fn shop() -> Value {
    json!({"metadata": {"name": "shop", "annotations": {"backstage.io/owner": "group:default/team-shop"}}})
}

fn orders() -> Value {
    json!({"metadata": {"name": "orders", "namespace": "acme", "uid": "c-1", "creationTimestamp": "2025-01-07T08:00:00Z",
            "annotations": {"openchoreo.dev/description": "Order service"}},
        "spec": {"owner": {"projectName": "shop"}, "componentType": {"kind": "ComponentType", "name": "deployment/service"},
            "workflow": {"kind": "ClusterWorkflow", "name": "dockerfile-builder",
                "parameters": {"repository": {"url": "https://github.com/acme/orders", "revision": {"branch": "main"}, "appPath": "."}}}},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]}})
}

fn orders_workload() -> Value {
    json!({"metadata": {"name": "orders-workload"}, "spec": {"owner": {"projectName": "shop", "componentName": "orders"},
        "endpoints": {
            "rest": {"type": "HTTP", "port": 8080, "visibility": ["project", "external"],
                "schema": {"type": "openapi", "content": "openapi: 3.0.0\ninfo: {title: Orders, version: '1'}\npaths: {}"}},
            "metrics": {"type": "HTTP", "port": 9090}}}})
}

fn web(deps: Value) -> (Value, Value) {
    (
        json!({"metadata": {"name": "web"}, "spec": {"owner": {"projectName": "shop"}, "componentType": "deployment/web-app"}}),
        json!({"metadata": {"name": "web-workload"}, "spec": {"owner": {"projectName": "shop", "componentName": "web"}, "dependencies": {"endpoints": deps}}}),
    )
}

#[test]
fn component_and_api_match_the_spec_example() {
    let (es, diags) = run(&[shop()], &[orders()], &[orders_workload()]);
    assert!(diags.is_empty(), "{diags:?}");
    let c = find(&es, "Component", "orders");
    assert_eq!(
        c["spec"],
        json!({"type": "deployment/service", "lifecycle": "ready", "owner": "group:default/team-shop",
        "system": "shop", "providesApis": ["shop-orders-rest"]})
    );
    assert_eq!(c["metadata"]["tags"], json!(["openchoreo", "component", "deployment-service"]));
    let a = &c["metadata"]["annotations"];
    assert_eq!(a["openchoreo.io/component-type-kind"], "ComponentType");
    assert_eq!(a["backstage.io/source-location"], "url:https://github.com/acme/orders");
    assert_eq!(a["openchoreo.io/branch"], "main");
    assert_eq!(a["openchoreo.io/workload"], "orders-workload", "openchoreo.io/workload on APIs (docs/entities.md, API)");
    assert_eq!(c["metadata"]["description"], "Order service");

    let api = find(&es, "API", "shop-orders-rest");
    assert_eq!(api["metadata"]["title"], "orders rest API");
    assert_eq!(api["metadata"]["description"], "openapi API for orders on port 8080");
    assert_eq!(api["metadata"]["annotations"]["openchoreo.io/endpoint-visibility"], "project,external");
    assert_eq!(api["metadata"]["annotations"]["openchoreo.io/endpoint-port"], "8080");
    assert_eq!(api["metadata"]["annotations"]["openchoreo.io/workload"], "orders-workload");
    assert_eq!(
        api["spec"],
        json!({"type": "openapi", "lifecycle": "production", "owner": "group:default/team-shop", "system": "shop",
        "definition": "openapi: 3.0.0\ninfo: {title: Orders, version: '1'}\npaths: {}"})
    );
    assert_eq!(es.iter().filter(|e| e.kind == "API").count(), 1, "the endpoint without a schema gives no API");
}

#[test]
fn dependencies_without_project_mean_the_consumers_project_and_are_deduplicated() {
    let (w, wl) = web(json!([
        {"project": "shop", "component": "orders", "name": "rest"},
        {"component": "orders", "name": "rest"},
        {"component": "orders", "name": "metrics"},
        {"component": "nobody", "name": "rest"}]));
    let (es, _) = run(&[shop()], &[orders(), w], &[orders_workload(), wl]);
    let web = find(&es, "Component", "web");
    assert_eq!(web["spec"]["consumesApis"], json!(["shop-orders-rest"]));
    assert_eq!(web["spec"]["type"], "deployment/web-app", "legacy string componentType");
    assert_eq!(web["spec"]["owner"], "group:default/team-shop", "the project's owner annotation applies");
    assert_eq!(web["spec"]["lifecycle"], "not ready");
}

#[test]
fn workloads_join_on_project_and_component_not_component_alone() {
    let a = json!({"metadata": {"name": "api"}, "spec": {"owner": {"projectName": "one"}}});
    let b = json!({"metadata": {"name": "api"}, "spec": {"owner": {"projectName": "two"}}});
    let schema = |port: u16| json!({"type": "HTTP", "port": port, "schema": {"content": "x"}});
    let wa = json!({"metadata": {"name": "w-a"}, "spec": {"owner": {"projectName": "one", "componentName": "api"}, "endpoints": {"a": schema(1)}}});
    let wb = json!({"metadata": {"name": "w-b"}, "spec": {"owner": {"projectName": "two", "componentName": "api"}, "endpoints": {"b": schema(2)}}});
    let (es, _) = run(&[], &[a, b], &[wb, wa]);
    let providers: Vec<(Value, Value)> = es
        .iter()
        .filter(|e| e.kind == "Component")
        .map(|e| (e.doc()["spec"]["system"].clone(), e.doc()["spec"]["providesApis"].clone()))
        .collect();
    assert_eq!(providers, vec![(json!("one"), json!(["one-api-a"])), (json!("two"), json!(["two-api-b"]))]);
}

#[test]
fn ambiguous_and_long_api_names_are_valid_distinct_and_consistent() {
    let ep = json!({"type": "HTTP", "port": 80, "schema": {"content": "x"}});
    let long = "c".repeat(60);
    let comps = [
        json!({"metadata": {"name": "c"}, "spec": {"owner": {"projectName": "a-b"}}}),
        json!({"metadata": {"name": "b-c"}, "spec": {"owner": {"projectName": "a"}}}),
        json!({"metadata": {"name": long}, "spec": {"owner": {"projectName": "p"}}}),
    ];
    let wls = [
        json!({"metadata": {"name": "1"}, "spec": {"owner": {"projectName": "a-b", "componentName": "c"}, "endpoints": {"ep": ep}}}),
        json!({"metadata": {"name": "2"}, "spec": {"owner": {"projectName": "a", "componentName": "b-c"}, "endpoints": {"ep": ep},
            "dependencies": {"endpoints": [{"project": "a-b", "component": "c", "name": "ep"}]}}}),
        json!({"metadata": {"name": "3"}, "spec": {"owner": {"projectName": "p", "componentName": long}, "endpoints": {"ep": ep}}}),
    ];
    let (es, _) = run(&[], &comps, &wls);
    let apis: Vec<&str> = es.iter().filter(|e| e.kind == "API").map(|e| e.name.as_str()).collect();
    assert_eq!(apis.len(), 3);
    assert!(apis.iter().all(|n| is_valid_name(n)), "{apis:?}");
    assert_ne!(apis[0], apis[1], "a-b + c and a + b-c must not collide");
    assert!(apis.iter().all(|n| *n != "a-b-c-ep"));
    let bc = find(&es, "Component", "b-c");
    let c = find(&es, "Component", "c");
    assert_eq!(bc["spec"]["consumesApis"][0], c["spec"]["providesApis"][0], "refs use the same shortened name");
}

#[test]
fn a_malformed_endpoint_is_skipped_alone_with_a_diagnostic() {
    let wl = json!({"metadata": {"name": "w"}, "spec": {"owner": {"projectName": "shop", "componentName": "orders"}, "endpoints": {
        "broken": {"type": "HTTP", "schema": {"content": "x"}},
        "good": {"type": "gRPC", "port": 5000, "schema": {"type": "grpc", "content": "syntax = \"proto3\";"}}}}});
    let (es, diags) = run(&[shop()], &[orders()], &[wl]);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].location, "acme/Workload/orders");
    assert!(diags[0].message.contains("endpoint broken: port"), "{}", diags[0].message);
    assert_eq!(find(&es, "Component", "orders")["spec"]["providesApis"], json!(["shop-orders-good"]));
    assert_eq!(find(&es, "API", "shop-orders-good")["spec"]["type"], "grpc");
}

#[test]
fn components_without_a_name_or_project_are_skipped_and_named() {
    let bad = [json!({"metadata": {}}), json!({"metadata": {"name": "loose"}, "spec": {}})];
    let (es, diags) = run(&[], &bad, &[]);
    assert!(es.is_empty());
    assert_eq!(diags.iter().map(|d| d.location.as_str()).collect::<Vec<_>>(), vec!["acme/Component/#0", "acme/Component/loose"]);
}

#[test]
fn api_tags_from_odd_schema_types_are_sanitised() {
    let wl = json!({"metadata": {"name": "w"}, "spec": {"owner": {"projectName": "shop", "componentName": "orders"}, "endpoints": {
        "rest": {"type": "HTTP", "port": 1, "schema": {"type": "OpenAPI 3.0", "content": "x"}}}}});
    let (es, _) = run(&[shop()], &[orders()], &[wl]);
    let api = find(&es, "API", "shop-orders-rest");
    assert_eq!(api["metadata"]["tags"], json!(["openchoreo", "api", "openapi-3-0"]));
    assert_eq!(api["spec"]["type"], "openapi 3.0");
}

#[test]
fn several_workloads_of_a_component_merge_in_name_order_and_one_without_a_project_needs_a_unique_name() {
    let comp = |name: &str, project: &str| json!({"metadata": {"name": name}, "spec": {"owner": {"projectName": project}}});
    let ep = |port: u16| json!({"type": "HTTP", "port": port, "schema": {"content": "x"}});
    let wl = |name: &str, project: Option<&str>, component: &str, endpoints: Value| {
        let mut owner = json!({"componentName": component});
        if let Some(p) = project {
            owner["projectName"] = json!(p);
        }
        json!({"metadata": {"name": name}, "spec": {"owner": owner, "endpoints": endpoints}})
    };
    let comps = [comp("api", "one"), comp("solo", "one"), comp("dup", "one"), comp("dup", "two")];
    let wls = [
        wl("w-z", Some("one"), "api", json!({"x": ep(1), "shared": ep(10)})),
        wl("w-solo", None, "solo", json!({"s": ep(3)})),
        wl("w-a", Some("one"), "api", json!({"shared": ep(20), "y": ep(2)})),
        wl("w-dup", None, "dup", json!({"d": ep(4)})),
    ];
    let (es, _) = run(&[], &comps, &wls);
    let api = find(&es, "Component", "api");
    assert_eq!(api["spec"]["providesApis"], json!(["one-api-shared", "one-api-y", "one-api-x"]), "w-a's endpoints first");
    assert_eq!(api["metadata"]["annotations"]["openchoreo.io/workload"], "w-a");
    assert_eq!(
        find(&es, "API", "one-api-shared")["metadata"]["annotations"]["openchoreo.io/endpoint-port"],
        "20",
        "the first workload wins"
    );
    assert_eq!(find(&es, "Component", "solo")["spec"]["providesApis"], json!(["one-solo-s"]));
    let dups: Vec<Value> = es.iter().filter(|e| e.name == "dup").map(|e| e.doc()["spec"]["providesApis"].clone()).collect();
    assert_eq!(dups, vec![Value::Null, Value::Null], "a component name in two projects is ambiguous without a project");
}
