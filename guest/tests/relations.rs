//! Relations per kind (docs/entities.md), with the fixes W7 and W8 (docs/compatibility.md).

use openchoreo_catalog_guest::relations::relations;
use serde_json::{Value, json};

fn rels(doc: Value) -> Vec<(String, String, String)> {
    relations(&doc).unwrap().into_iter().map(|r| (r.source, r.rtype.to_string(), r.target)).collect()
}

fn has(rs: &[(String, String, String)], s: &str, t: &str, target: &str) -> bool {
    rs.iter().any(|(a, b, c)| a == s && b == t && c == target)
}

#[test]
fn component_relations_in_both_directions() {
    let rs = rels(json!({"kind": "Component", "metadata": {"name": "orders", "namespace": "acme",
            "annotations": {"openchoreo.io/component-type": "proxy/edge", "openchoreo.io/component-type-kind": "ComponentType"}},
        "spec": {"owner": "team-a", "system": "shop", "providesApis": ["shop-orders-rest"], "consumesApis": ["x"]}}));
    assert!(has(&rs, "component:acme/orders", "ownedBy", "group:acme/team-a"));
    assert!(has(&rs, "group:acme/team-a", "ownerOf", "component:acme/orders"));
    assert!(has(&rs, "component:acme/orders", "partOf", "system:acme/shop"));
    assert!(has(&rs, "system:acme/shop", "hasPart", "component:acme/orders"));
    assert!(has(&rs, "api:acme/shop-orders-rest", "apiProvidedBy", "component:acme/orders"));
    assert!(has(&rs, "component:acme/orders", "consumesApi", "api:acme/x"));
    assert!(has(&rs, "component:acme/orders", "instanceOf", "componenttype:acme/edge"), "W8: proxy/ is split too");
    assert!(has(&rs, "componenttype:acme/edge", "hasInstance", "component:acme/orders"));
}

#[test]
fn cluster_component_type_instance() {
    let rs = rels(json!({"kind": "Component", "metadata": {"name": "c", "namespace": "default",
        "annotations": {"openchoreo.io/component-type": "deployment/service", "openchoreo.io/component-type-kind": "ClusterComponentType"}}, "spec": {}}));
    assert!(has(&rs, "component:default/c", "instanceOf", "clustercomponenttype:openchoreo-cluster/service"));
}

#[test]
fn environment_is_hosted_on_its_data_plane_kind() {
    let env = |kind: &str| {
        json!({"kind": "Environment", "metadata": {"name": "prod", "namespace": "acme",
        "annotations": {"openchoreo.io/data-plane-ref-kind": kind}}, "spec": {"domain": "default/acme", "dataPlaneRef": "shared"}})
    };
    let rs = rels(env(" ClusterDataPlane "));
    assert!(has(&rs, "environment:acme/prod", "hostedOn", "clusterdataplane:openchoreo-cluster/shared"));
    assert!(has(&rs, "clusterdataplane:openchoreo-cluster/shared", "hosts", "environment:acme/prod"));
    assert!(has(&rs, "environment:acme/prod", "partOf", "domain:default/acme"));
    assert!(has(&rels(env("DataPlane")), "environment:acme/prod", "hostedOn", "dataplane:acme/shared"));
}

#[test]
fn planes_are_observed_by_the_right_kind() {
    let dp = |r: &str| json!({"kind": "Dataplane", "metadata": {"name": "dp", "namespace": "acme"}, "spec": {"domain": "default/acme", "observabilityPlaneRef": r}});
    assert!(has(&rels(dp("acme/default")), "dataplane:acme/dp", "observedBy", "observabilityplane:acme/default"));
    let w7 = rels(dp("clusterobservabilityplane:openchoreo-cluster/shared"));
    assert!(has(&w7, "dataplane:acme/dp", "observedBy", "clusterobservabilityplane:openchoreo-cluster/shared"));
    assert!(has(&w7, "clusterobservabilityplane:openchoreo-cluster/shared", "observes", "dataplane:acme/dp"));
    assert_eq!(rels(dp("")).len(), 2, "an empty ref gives only the domain pair");
    let c = rels(
        json!({"kind": "ClusterWorkflowPlane", "metadata": {"name": "default", "namespace": "openchoreo-cluster"}, "spec": {"observabilityPlaneRef": "default"}}),
    );
    assert!(has(
        &c,
        "clusterworkflowplane:openchoreo-cluster/default",
        "observedBy",
        "clusterobservabilityplane:openchoreo-cluster/default"
    ));
}

#[test]
fn pipeline_deploys_to_each_environment_once_and_is_used_by_projects() {
    let rs = rels(json!({"kind": "DeploymentPipeline", "metadata": {"name": "default", "namespace": "acme"},
        "spec": {"projectRefs": ["shop"], "namespaceName": "acme", "domain": "default/acme", "promotionPaths": [
            {"sourceEnvironment": "development", "targetEnvironments": [{"name": "staging"}]},
            {"sourceEnvironment": "staging", "targetEnvironments": [{"name": "production"}, {"name": ""}]}]}}));
    let deploys: Vec<&str> = rs.iter().filter(|r| r.1 == "deploysTo").map(|r| r.2.as_str()).collect();
    assert_eq!(deploys, vec!["environment:acme/development", "environment:acme/staging", "environment:acme/production"]);
    assert!(has(&rs, "system:acme/shop", "usesPipeline", "deploymentpipeline:acme/default"));
    assert!(has(&rs, "deploymentpipeline:acme/default", "pipelineUsedBy", "system:acme/shop"));
    assert!(has(&rs, "environment:acme/production", "deployedBy", "deploymentpipeline:acme/default"));
}

#[test]
fn workflows_build_on_planes_and_types_use_workflows() {
    let ct = rels(json!({"kind": "ComponentType", "metadata": {"name": "service", "namespace": "acme"}, "spec": {"domain": "default/acme",
        "allowedWorkflows": [{"kind": "ClusterWorkflow", "name": "dockerfile-builder"}, {"kind": "Workflow", "name": "custom-build"}]}}));
    assert!(has(&ct, "componenttype:acme/service", "usesWorkflow", "clusterworkflow:openchoreo-cluster/dockerfile-builder"));
    assert!(has(&ct, "componenttype:acme/service", "usesWorkflow", "workflow:acme/custom-build"));
    let cwf = rels(json!({"kind": "ClusterWorkflow", "metadata": {"name": "dockerfile-builder", "namespace": "openchoreo-cluster",
        "annotations": {"openchoreo.io/workflow-plane-ref": "default"}}, "spec": {}}));
    assert!(has(
        &cwf,
        "clusterworkflow:openchoreo-cluster/dockerfile-builder",
        "buildsOn",
        "clusterworkflowplane:openchoreo-cluster/default"
    ));
    let wf = |kind: &str| {
        rels(json!({"kind": "Workflow", "metadata": {"name": "w", "namespace": "acme",
        "annotations": {"openchoreo.io/workflow-plane-ref": "ci", "openchoreo.io/workflow-plane-ref-kind": kind}}, "spec": {}}))
    };
    assert!(has(&wf("WorkflowPlane"), "workflow:acme/w", "buildsOn", "workflowplane:acme/ci"));
    assert!(has(&wf("ClusterWorkflowPlane"), "workflow:acme/w", "buildsOn", "clusterworkflowplane:openchoreo-cluster/ci"));
    assert!(wf("Unknown").iter().all(|r| r.1 != "buildsOn"));
}

#[test]
fn owners_and_domains_of_standard_kinds() {
    let rs = rels(
        json!({"kind": "System", "metadata": {"name": "shop", "namespace": "acme"}, "spec": {"owner": "group:default/team-shop", "domain": "default/acme"}}),
    );
    assert!(has(&rs, "system:acme/shop", "ownedBy", "group:default/team-shop"));
    assert!(has(&rs, "domain:default/acme", "hasPart", "system:acme/shop"));
    let with_pipeline = rels(
        json!({"kind": "System", "metadata": {"name": "shop", "namespace": "acme"}, "spec": {"owner": "x", "domain": "default/acme", "deploymentPipelineRef": "fast"}}),
    );
    assert!(
        has(&with_pipeline, "system:acme/shop", "usesPipeline", "deploymentpipeline:acme/fast"),
        "System-side pipeline link (docs/entities.md; added since the 0.2.0 plugin, docs/compatibility.md)"
    );
    assert!(has(&with_pipeline, "deploymentpipeline:acme/fast", "pipelineUsedBy", "system:acme/shop"));
    let d = rels(json!({"kind": "Domain", "metadata": {"name": "acme"}, "spec": {"owner": "group:default/x"}}));
    assert!(has(&d, "domain:default/acme", "ownedBy", "group:default/x"));
}

#[test]
fn unknown_kinds_are_an_error() {
    assert!(relations(&json!({"kind": "Nope", "metadata": {"name": "x"}})).is_err());
}
