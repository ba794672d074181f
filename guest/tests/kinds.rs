//! Every mapping rule against worked examples of each kind (docs/entities.md), compared as whole documents.

use openchoreo_catalog_guest::kinds::planes::{self, Plane};
use openchoreo_catalog_guest::kinds::{NsCtx, domain, environment, pipeline, platform_types, system};
use serde_json::{Value, json};

const OWNER: &str = "group:default/openchoreo-users";
const MB: (&str, &str) = ("backstage.io/managed-by-location", "provider:OpenChoreoEntityProvider");

fn cx() -> NsCtx<'static> {
    NsCtx { ns: "acme", owner: OWNER }
}

fn with_mb(mut annotations: Value) -> Value {
    let mut m = serde_json::Map::new();
    m.insert(MB.0.into(), json!(MB.1));
    m.insert("backstage.io/managed-by-origin-location".into(), json!(MB.1));
    m.extend(annotations.as_object_mut().unwrap().clone());
    Value::Object(m)
}

#[test]
fn namespace_becomes_domain() {
    let ns = json!({"metadata": {"name": "acme", "uid": "0b6f", "creationTimestamp": "2025-01-06T10:00:00Z",
        "annotations": {"openchoreo.dev/display-name": "ACME Corp", "openchoreo.dev/description": "ACME tenant"}},
        "status": {"phase": "Active"}});
    let e = domain::translate(&ns, OWNER).unwrap();
    assert_eq!(
        e.doc(),
        json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Domain",
        "metadata": {"name": "acme", "title": "ACME Corp", "description": "ACME tenant",
            "tags": ["openchoreo", "namespace", "domain"],
            "annotations": with_mb(json!({"openchoreo.io/namespace": "acme", "openchoreo.io/created-at": "2025-01-06T10:00:00Z", "openchoreo.io/status": "Active"})),
            "labels": {"openchoreo.io/managed": "true"}},
        "spec": {"owner": OWNER}})
    );
    assert_eq!((e.namespace.as_str(), e.scope.as_str()), ("default", "ns/acme/namespace"));
}

#[test]
fn project_becomes_system_with_owner_annotation() {
    let p = json!({"metadata": {"name": "shop", "namespace": "acme", "uid": "p-123", "creationTimestamp": "2025-01-06T10:00:00Z",
        "annotations": {"openchoreo.dev/display-name": "Online Shop", "backstage.io/owner": " group:default/team-shop "}},
        "spec": {"deploymentPipelineRef": {"kind": "DeploymentPipeline", "name": "default"}}});
    let e = system::translate(&p, &cx(), "s").unwrap();
    assert_eq!(
        e.doc(),
        json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "System",
        "metadata": {"name": "shop", "namespace": "acme", "title": "Online Shop", "description": "shop",
            "tags": ["openchoreo", "project"],
            "annotations": with_mb(json!({"openchoreo.io/project-id": "shop", "openchoreo.io/project-uid": "p-123", "openchoreo.io/namespace": "acme"})),
            "labels": {"openchoreo.io/managed": "true"}},
        "spec": {"owner": "group:default/team-shop", "domain": "default/acme", "deploymentPipelineRef": "default"}})
    );
}

#[test]
fn system_namespace_is_always_the_loop_namespace() {
    let p = json!({"metadata": {"name": "shop", "namespace": ""}});
    assert_eq!(system::translate(&p, &cx(), "s").unwrap().doc()["metadata"]["namespace"], "acme");
}

#[test]
fn environment_with_gateway_projection() {
    let env = json!({"metadata": {"name": "production", "namespace": "acme", "uid": "e-9", "creationTimestamp": "2025-01-06T10:00:00Z",
        "annotations": {"openchoreo.dev/display-name": "Production"}},
        "spec": {"dataPlaneRef": {"kind": "ClusterDataPlane", "name": "shared"}, "isProduction": true,
            "gateway": {"ingress": {
                "external": {"name": "gw-ext", "namespace": "openchoreo-data-plane",
                    "http": {"listenerName": "http", "host": "prod.acme.example", "port": 80}, "https": {"port": 443, "host": "prod.acme.example"}},
                "internal": {"name": "gw-int", "namespace": "openchoreo-data-plane", "http": {"port": 8080}}}, "egress": {}}},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]}});
    let e = environment::translate(&env, &cx(), "s").unwrap();
    assert_eq!(
        e.doc(),
        json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Environment",
        "metadata": {"name": "production", "namespace": "acme", "title": "Production", "description": "production environment",
            "tags": ["openchoreo", "environment", "production"],
            "annotations": with_mb(json!({
                "openchoreo.io/environment": "production", "openchoreo.io/namespace": "acme", "openchoreo.io/environment-uid": "e-9",
                "openchoreo.io/created-at": "2025-01-06T10:00:00Z", "openchoreo.io/status": "Ready",
                "openchoreo.io/data-plane-ref": "shared", "openchoreo.io/data-plane-ref-kind": "ClusterDataPlane",
                "openchoreo.io/dns-prefix": "prod.acme.example", "openchoreo.io/is-production": "true"})),
            "labels": {"openchoreo.io/managed": "true", "openchoreo.io/environment-type": "production"}},
        "spec": {"type": "production", "domain": "default/acme", "isProduction": true, "dataPlaneRef": "shared", "dnsPrefix": "prod.acme.example",
            "gateway": {"ingress": {
                "external": {"name": "gw-ext", "namespace": "openchoreo-data-plane",
                    "http": {"host": "prod.acme.example", "port": 80}, "https": {"host": "prod.acme.example", "port": 443}},
                "internal": {"name": "gw-int", "namespace": "openchoreo-data-plane", "http": {"port": 8080}}}}}})
    );
}

#[test]
fn environment_with_null_is_production_is_non_production_without_the_flag() {
    let env = json!({"metadata": {"name": "dev"}, "spec": {"isProduction": null}});
    let e = environment::translate(&env, &cx(), "s").unwrap();
    assert_eq!(e.doc()["spec"]["type"], "non-production");
    assert!(e.doc()["spec"].get("isProduction").is_none());
    assert!(e.doc()["metadata"]["labels"].get("openchoreo.io/environment-type").is_none());
    assert_eq!(e.doc()["metadata"]["description"], "dev environment");
}

#[test]
fn dataplane_with_agent_and_normalised_observability_ref() {
    let dp = json!({"metadata": {"name": "default", "namespace": "acme", "creationTimestamp": "2025-01-06T10:00:00Z"},
        "spec": {"planeID": "prod-cluster",
            "gateway": {"ingress": {"external": {"name": "gw", "namespace": "dp", "https": {"host": "apps.acme.example", "port": 443}}}},
            "observabilityPlaneRef": {"kind": "ObservabilityPlane", "name": "default"}},
        "status": {"conditions": [{"type": "Created", "status": "True"}],
            "agentConnection": {"connected": true, "connectedAgents": 1, "lastConnectedTime": "2025-01-08T09:00:00Z"}}});
    let e = planes::translate_namespaced(&dp, Plane::Data, &cx(), "s").unwrap();
    assert_eq!(
        e.doc(),
        json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Dataplane",
        "metadata": {"name": "default", "namespace": "acme", "title": "default", "description": "default dataplane",
            "tags": ["openchoreo", "dataplane", "infrastructure"],
            "annotations": with_mb(json!({"openchoreo.io/namespace": "acme", "openchoreo.io/created-at": "2025-01-06T10:00:00Z",
                "openchoreo.io/status": "Ready", "openchoreo.io/observability-plane-ref": "acme/default",
                "openchoreo.io/agent-connected": "true", "openchoreo.io/agent-connected-count": "1",
                "openchoreo.io/agent-last-connected": "2025-01-08T09:00:00Z"})),
            "labels": {"openchoreo.io/managed": "true", "openchoreo.io/dataplane": "true"}},
        "spec": {"domain": "default/acme",
            "gateway": {"ingress": {"external": {"name": "gw", "namespace": "dp", "https": {"host": "apps.acme.example", "port": 443}}}},
            "observabilityPlaneRef": "acme/default"}})
    );
}

#[test]
fn cluster_observability_ref_on_a_namespaced_plane_keeps_its_kind() {
    let wp = json!({"metadata": {"name": "ci"}, "spec": {"observabilityPlaneRef": {"kind": "ClusterObservabilityPlane", "name": "shared"}},
        "status": {"agentConnection": {"connected": false}}});
    let e = planes::translate_namespaced(&wp, Plane::Workflow, &cx(), "s").unwrap();
    assert_eq!(e.doc()["spec"]["observabilityPlaneRef"], "clusterobservabilityplane:openchoreo-cluster/shared");
    assert_eq!(e.doc()["metadata"]["annotations"]["openchoreo.io/status"], "Not Ready");
    assert_eq!(e.doc()["metadata"]["annotations"]["openchoreo.io/agent-connected-count"], "0");
    assert_eq!(e.doc()["metadata"]["annotations"]["openchoreo.io/created-at"], "");
}

#[test]
fn cluster_dataplane_uses_the_raw_observability_name() {
    let dp = json!({"metadata": {"name": "shared", "creationTimestamp": "2025-01-05T09:00:00Z", "annotations": {"openchoreo.dev/display-name": "Shared Data Plane"}},
        "spec": {"planeID": "us-west-prod",
            "gateway": {"ingress": {"external": {"name": "gw", "namespace": "openchoreo-data-plane", "http": {"host": "apps.example.com", "port": 80}}}},
            "observabilityPlaneRef": {"kind": "ClusterObservabilityPlane", "name": "default"}},
        "status": {"conditions": [{"type": "Created", "status": "True"}]}});
    let e = planes::translate_cluster(&dp, Plane::Data, "s").unwrap();
    assert_eq!(
        e.doc(),
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": "ClusterDataplane",
        "metadata": {"name": "shared", "namespace": "openchoreo-cluster", "title": "Shared Data Plane", "description": "shared cluster data plane",
            "tags": ["openchoreo", "cluster-dataplane", "infrastructure"],
            "annotations": with_mb(json!({"openchoreo.io/created-at": "2025-01-05T09:00:00Z", "openchoreo.io/status": "Ready", "openchoreo.io/observability-plane-ref": "default"})),
            "labels": {"openchoreo.io/managed": "true", "openchoreo.io/cluster-dataplane": "true"}},
        "spec": {"gateway": {"ingress": {"external": {"name": "gw", "namespace": "openchoreo-data-plane", "http": {"host": "apps.example.com", "port": 80}}}},
            "observabilityPlaneRef": "default"}})
    );
}

#[test]
fn cluster_observability_plane_has_observer_url_and_no_agent_annotations() {
    let op = json!({"metadata": {"name": "default", "creationTimestamp": "2025-01-05T09:00:00Z"},
        "spec": {"observerURL": "http://observer:8080"}});
    let e = planes::translate_cluster(&op, Plane::Observability, "s").unwrap();
    let a = &e.doc()["metadata"]["annotations"];
    assert_eq!(a["openchoreo.io/status"], "Not Ready");
    assert_eq!(a["openchoreo.io/observer-url"], "http://observer:8080");
    assert!(a.get("openchoreo.io/agent-connected").is_none());
    assert_eq!(e.doc()["spec"], json!({"observerURL": "http://observer:8080"}));
}

#[test]
fn pipeline_attaches_referencing_projects_in_order() {
    let p = json!({"metadata": {"name": "default", "namespace": "acme", "creationTimestamp": "2025-01-06T10:00:00Z"},
        "spec": {"promotionPaths": [
            {"sourceEnvironmentRef": {"kind": "Environment", "name": "development"}, "targetEnvironmentRefs": [{"name": "staging"}]},
            {"sourceEnvironmentRef": {"name": "staging"}, "targetEnvironmentRefs": [{"name": "production", "requiresApproval": true}]}]},
        "status": {"conditions": [{"type": "Available", "status": "True"}]}});
    let projects = vec![
        json!({"metadata": {"name": "shop"}, "spec": {"deploymentPipelineRef": {"name": "default"}}}),
        json!({"metadata": {"name": "other"}, "spec": {"deploymentPipelineRef": {"name": "fast"}}}),
        json!({"metadata": {"name": "billing"}, "spec": {"deploymentPipelineRef": {"kind": "DeploymentPipeline", "name": "default"}}}),
    ];
    let e = pipeline::translate(&p, &projects, &cx(), "s").unwrap();
    assert_eq!(
        e.doc()["spec"],
        json!({"projectRefs": ["shop", "billing"], "namespaceName": "acme", "domain": "default/acme",
        "promotionPaths": [
            {"sourceEnvironment": "development", "targetEnvironments": [{"name": "staging"}]},
            {"sourceEnvironment": "staging", "targetEnvironments": [{"name": "production", "requiresApproval": true}]}]})
    );
    assert_eq!(e.doc()["metadata"]["description"], "Deployment pipeline for shop");
    assert_eq!(e.doc()["metadata"]["annotations"]["openchoreo.io/project"], "shop");
    assert_eq!(
        e.doc()["metadata"]["annotations"]["openchoreo.io/status"],
        "Not Ready",
        "checks Ready, as the plugin does (docs/compatibility.md, W9)"
    );
    let lone = pipeline::translate(&p, &[], &cx(), "s").unwrap();
    assert_eq!(lone.doc()["metadata"]["description"], "Deployment pipeline");
    assert_eq!(lone.doc()["spec"]["projectRefs"], json!([]));
}

#[test]
fn component_type_normalises_allowed_refs() {
    let ct = json!({"metadata": {"name": "service", "namespace": "acme", "creationTimestamp": "2025-01-06T10:00:00Z",
            "annotations": {"openchoreo.dev/display-name": "Backend Service"}},
        "spec": {"workloadType": "deployment",
            "allowedWorkflows": [{"kind": "ClusterWorkflow", "name": "dockerfile-builder"}, {"kind": "Workflow", "name": "custom-build"}, "ClusterWorkflow:a:b", "plain", null, {"name": ""}],
            "allowedTraits": [{"kind": "Trait", "name": "autoscaler"}, {"kind": "ClusterTrait", "name": "ingress"}, {"name": "nokind"}]}});
    let e = platform_types::component_type(&ct, &cx(), "s").unwrap();
    assert_eq!(
        e.doc()["spec"],
        json!({"domain": "default/acme", "workloadType": "deployment",
        "allowedWorkflows": [{"kind": "ClusterWorkflow", "name": "dockerfile-builder"}, {"kind": "Workflow", "name": "custom-build"},
            {"kind": "ClusterWorkflow", "name": "a:b"}, {"kind": "Workflow", "name": "plain"}],
        "allowedTraits": [{"kind": "Trait", "name": "autoscaler"}, {"kind": "ClusterTrait", "name": "ingress"}, {"kind": "Trait", "name": "nokind"}]})
    );
    assert_eq!(e.doc()["metadata"]["tags"], json!(["openchoreo", "component-type", "deployment", "platform-engineering"]));
    assert_eq!(e.doc()["metadata"]["title"], "Backend Service");
}

#[test]
fn cluster_component_type_defaults_workload_type_to_deployment() {
    let ct = json!({"metadata": {"name": "web-app"}, "spec": {"allowedTraits": [{"name": "ingress"}]}});
    let e = platform_types::cluster_component_type(&ct, "s").unwrap();
    assert_eq!(e.doc()["spec"], json!({"workloadType": "deployment", "allowedTraits": [{"kind": "ClusterTrait", "name": "ingress"}]}));
    assert_eq!(e.doc()["metadata"]["description"], "web-app cluster component type");
    assert_eq!(e.doc()["metadata"]["tags"], json!(["openchoreo", "cluster-component-type", "platform-engineering"]));
}

#[test]
fn traits_have_domain_or_empty_spec() {
    let t = json!({"metadata": {"name": "autoscaler", "annotations": {"openchoreo.dev/description": "HPA trait"}}});
    let e = platform_types::trait_type(&t, &cx(), "s").unwrap();
    assert_eq!(e.doc()["spec"], json!({"domain": "default/acme"}));
    assert_eq!(e.doc()["metadata"]["description"], "HPA trait");
    let c = platform_types::cluster_trait_type(&json!({"metadata": {"name": "ingress"}}), "s").unwrap();
    assert_eq!(c.doc()["spec"], json!({}));
    assert_eq!(c.doc()["metadata"]["description"], "ingress cluster trait");
}

fn dockerfile_builder() -> Value {
    json!({"metadata": {"name": "dockerfile-builder", "creationTimestamp": "2025-01-06T10:00:00Z",
            "labels": {"openchoreo.dev/workflow-type": "component"},
            "annotations": {"openchoreo.dev/description": "Build with a provided Dockerfile"}},
        "spec": {"workflowPlaneRef": {"kind": "ClusterWorkflowPlane", "name": "default"}, "ttlAfterCompletion": "1d",
            "parameters": {"openAPIV3Schema": {"type": "object", "properties": {
                "repository": {"type": "object", "properties": {
                    "url": {"type": "string", "x-openchoreo-component-parameter-repository-url": true},
                    "secretRef": {"type": "string", "x-openchoreo-component-parameter-repository-secret-ref": true},
                    "revision": {"type": "object", "properties": {
                        "branch": {"type": "string", "x-openchoreo-component-parameter-repository-branch": true},
                        "commit": {"type": "string", "x-openchoreo-component-parameter-repository-commit": true}}},
                    "appPath": {"type": "string", "x-openchoreo-component-parameter-repository-app-path": true}}},
                "docker": {"type": "object", "properties": {"context": {"type": "string"}}}}}},
            "runTemplate": {}}})
}

#[test]
fn cluster_workflow_with_parameter_mapping() {
    let e = platform_types::workflow(&dockerfile_builder(), None, "s").unwrap();
    assert_eq!(
        e.doc(),
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": "ClusterWorkflow",
        "metadata": {"name": "dockerfile-builder", "namespace": "openchoreo-cluster", "title": "dockerfile-builder",
            "description": "Build with a provided Dockerfile", "tags": ["openchoreo", "cluster-workflow", "platform-engineering"],
            "annotations": with_mb(json!({"openchoreo.io/created-at": "2025-01-06T10:00:00Z",
                "openchoreo.dev/component-workflow-parameters": "repoUrl: parameters.repository.url\nsecretRef: parameters.repository.secretRef\nbranch: parameters.repository.revision.branch\ncommit: parameters.repository.revision.commit\nappPath: parameters.repository.appPath",
                "openchoreo.io/workflow-plane-ref": "default", "openchoreo.io/workflow-plane-ref-kind": "ClusterWorkflowPlane"})),
            "labels": {"openchoreo.io/managed": "true"}},
        "spec": {"type": "CI", "workflowPlaneRef": "default", "workflowPlaneRefKind": "ClusterWorkflowPlane", "ttlAfterCompletion": "1d"}})
    );
}

#[test]
fn namespaced_workflow_defaults_plane_kind_and_type() {
    let wf = json!({"metadata": {"name": "custom"}, "spec": {"workflowPlaneRef": {"name": "ci"}}});
    let e = platform_types::workflow(&wf, Some(&cx()), "s").unwrap();
    assert_eq!(
        e.doc()["spec"],
        json!({"domain": "default/acme", "type": "Generic", "workflowPlaneRef": "ci", "workflowPlaneRefKind": "WorkflowPlane"})
    );
    assert_eq!(e.doc()["metadata"]["annotations"]["openchoreo.io/namespace"], "acme");
    assert!(e.doc()["metadata"]["annotations"].get("openchoreo.dev/component-workflow-parameters").is_none());
}

#[test]
fn a_resource_without_a_name_is_an_error_naming_the_field() {
    let err = domain::translate(&json!({"metadata": {}}), OWNER).unwrap_err();
    assert!(err.contains("metadata.name"), "{err}");
}
