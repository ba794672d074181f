//! Scaffolder Templates from (Cluster)ComponentTypes (docs/entities.md, Template), one scope per template.

use openchoreo_catalog_guest::items::Items;
use openchoreo_catalog_guest::names::is_valid_name;
use openchoreo_catalog_guest::scope::{CLUSTER_LISTS, Lists, NAMESPACE_LISTS, scope_of, translate_cluster, translate_namespace};
use serde_json::{Value, json};

fn ns_lists(cts: Vec<Value>, schemas: &[(&str, Result<Value, String>)]) -> Lists {
    let mut l: Lists = NAMESPACE_LISTS.iter().map(|e| (e.to_string(), Ok(Items::new()))).collect();
    l.insert("componenttypes".into(), Ok(cts.into()));
    for (name, s) in schemas {
        l.insert(format!("componenttypes/{name}/schema"), s.clone().map(|v| Items::from(vec![v])));
    }
    l
}

fn service() -> Value {
    json!({"metadata": {"name": "service", "annotations": {"openchoreo.dev/display-name": "Backend Service"}},
        "spec": {"workloadType": "deployment", "allowedWorkflows": [{"kind": "ClusterWorkflow", "name": "dockerfile-builder"}, {"name": "custom"}],
            "allowedTraits": [{"kind": "Trait", "name": "autoscaler"}]}})
}

fn template(out: &[openchoreo_catalog_guest::entity::Entity], name: &str) -> Value {
    out.iter().find(|e| e.kind == "Template" && e.name == name).unwrap_or_else(|| panic!("no template {name}")).doc()
}

#[test]
fn namespaced_template_matches_the_spec() {
    let schema = json!({"type": "object", "properties": {"replicas": {"type": "integer", "default": 1}}});
    let out =
        translate_namespace(&json!({"metadata": {"name": "acme"}}), &ns_lists(vec![service()], &[("service", Ok(schema.clone()))]), "")
            .unwrap();
    let t = template(&out.entities, "template-service");
    assert_eq!(t["apiVersion"], "scaffolder.backstage.io/v1beta3");
    assert_eq!(t["metadata"]["namespace"], "acme");
    assert_eq!(t["metadata"]["title"], "Backend Service");
    assert_eq!(t["metadata"]["description"], "Create a Backend Service component");
    assert!(t["metadata"].get("tags").is_none() && t["metadata"].get("labels").is_none());
    let a = &t["metadata"]["annotations"];
    assert_eq!(
        (a["openchoreo.io/ctd-name"].as_str(), a["openchoreo.io/ctd-generated"].as_str(), a["openchoreo.io/workload-type"].as_str()),
        (Some("service"), Some("true"), Some("deployment"))
    );
    assert_eq!(a["openchoreo.io/ctd-display-name"], "Backend Service");
    assert!(a.get("openchoreo.io/ctd-kind").is_none());
    assert_eq!(a["backstage.io/managed-by-location"], "provider:OpenChoreoEntityProvider");
    let spec = &t["spec"];
    assert_eq!((spec["owner"].as_str(), spec["type"].as_str()), (Some("group:default/openchoreo-users"), Some("Component")));
    assert_eq!(spec["parameters"].as_array().unwrap().len(), 3);
    assert_eq!(spec["parameters"][0]["properties"]["project_namespace"]["ui:options"]["defaultNamespace"], "acme");
    // 1.2.0: every branch's fields under one `buildAndDeploy` object that the frontend's field owns.
    let section = &spec["parameters"][1];
    assert_eq!(section["title"], "Build & Deploy");
    assert_eq!(section["required"], json!(["buildAndDeploy"]));
    let bd = &section["properties"]["buildAndDeploy"];
    assert_eq!(bd["ui:field"], "BuildAndDeployField");
    assert_eq!(bd["required"], json!(["deploymentSource"]));
    let fields: Vec<&str> = bd["properties"].as_object().unwrap().keys().map(String::as_str).collect();
    for f in [
        "deploymentSource",
        "workflow_name",
        "git_source",
        "workflow_parameters",
        "containerImage",
        "autoDeploy",
        "ciPlatform",
        "ciIdentifier",
    ] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    assert!(section.get("dependencies").is_none(), "no oneOf branches");
    let build = &bd["properties"]["workflow_name"]["ui:options"];
    assert_eq!(
        build["allowedWorkflows"],
        json!([{"kind": "ClusterWorkflow", "name": "dockerfile-builder"}, {"kind": "Workflow", "name": "custom"}])
    );
    assert_eq!(build["ctdKind"], "ComponentType");
    let details = &spec["parameters"][2];
    assert_eq!(details["title"], "Backend Service Details");
    assert_eq!(details["properties"]["workloadDetails"]["ui:options"]["ctdSchema"], schema);
    assert_eq!(details["properties"]["workloadDetails"]["ui:options"]["allowedTraits"], json!([{"kind": "Trait", "name": "autoscaler"}]));
    assert_eq!(spec["steps"][0]["input"]["componentType"], "service");
    assert_eq!(spec["steps"][0]["input"]["component_type_kind"], "ComponentType");
    assert_eq!(spec["steps"][0]["input"]["componentName"], "${{ parameters.component_name }}");
    let input = &spec["steps"][0]["input"];
    assert_eq!(input["deploymentSource"], "${{ parameters.buildAndDeploy.deploymentSource }}");
    assert_eq!(input["repo_url"], "${{ parameters.buildAndDeploy.git_source.repo_url }}");
    assert_eq!(input["workflow"], "${{ parameters.buildAndDeploy.workflow_name }}");
    assert_eq!(input["ciIdentifier"], "${{ parameters.buildAndDeploy.ciIdentifier }}");
    assert_eq!(input["workloadDetails"], "${{ parameters.workloadDetails }}");
    assert_eq!(
        spec["output"]["links"][0]["entityRef"],
        "component:${{ steps['create-component'].output.namespaceName }}/${{ steps['create-component'].output.componentName }}"
    );
    assert_eq!(scope_of(&t).unwrap(), "ns/acme/templates/service");
}

#[test]
fn cluster_template_names_workflows_only_and_defaults_to_cluster_kinds() {
    let mut lists: Lists = CLUSTER_LISTS.iter().map(|e| (e.to_string(), Ok(Items::new()))).collect();
    let long = "w".repeat(60);
    lists.insert("clustercomponenttypes".into(), Ok(Items::from(vec![
        json!({"metadata": {"name": "web-app"}, "spec": {"allowedWorkflows": [{"kind": "ClusterWorkflow", "name": "dockerfile-builder"}], "allowedTraits": [{"name": "ingress"}]}}),
        json!({"metadata": {"name": long}, "spec": {}}),
    ])));
    lists.insert("clustercomponenttypes/web-app/schema".into(), Ok(Items::from(vec![json!({"type": "object", "properties": {}})])));
    lists.insert(format!("clustercomponenttypes/{long}/schema"), Ok(Items::from(vec![json!({"type": "object"})])));
    let out = translate_cluster(&lists, "platform-team");
    let t = template(&out.entities, "template-web-app");
    assert_eq!(t["metadata"]["namespace"], "openchoreo-cluster");
    assert_eq!(t["metadata"]["title"], "Web App");
    assert_eq!(t["metadata"]["annotations"]["openchoreo.io/ctd-kind"], "ClusterComponentType");
    assert_eq!(t["spec"]["owner"], "group:default/platform-team");
    assert_eq!(t["spec"]["parameters"][0]["properties"]["project_namespace"]["ui:options"]["defaultNamespace"], "");
    let build = &t["spec"]["parameters"][1]["properties"]["buildAndDeploy"]["properties"]["workflow_name"]["ui:options"];
    assert_eq!(build["allowedWorkflows"], json!([{"kind": "ClusterWorkflow", "name": "dockerfile-builder"}]));
    assert_eq!(
        t["spec"]["parameters"][2]["properties"]["workloadDetails"]["ui:options"]["allowedTraits"],
        json!([{"kind": "ClusterTrait", "name": "ingress"}])
    );
    let long_t = out.entities.iter().find(|e| e.kind == "Template" && e.name != "template-web-app").unwrap();
    assert!(is_valid_name(&long_t.name) && long_t.name.len() <= 63, "W5: {}", long_t.name);
    assert_eq!(scope_of(&long_t.doc()).unwrap(), format!("cluster/templates/{long}"));
}

#[test]
fn a_failed_schema_keeps_only_that_template_an_empty_one_still_makes_one_and_a_non_object_none() {
    let other = json!({"metadata": {"name": "worker"}, "spec": {}});
    let empty = json!({"metadata": {"name": "empty"}, "spec": {}});
    let null = json!({"metadata": {"name": "null"}, "spec": {}});
    let lists = ns_lists(
        vec![service(), other, empty, null],
        &[
            ("service", Err("Failed to fetch schema for ComponentType service in namespace acme: 503 Service Unavailable - busy".into())),
            ("worker", Ok(json!({"type": "object"}))),
            ("empty", Ok(json!({}))),
            ("null", Ok(Value::Null)),
        ],
    );
    let out = translate_namespace(&json!({"metadata": {"name": "acme"}}), &lists, "").unwrap();
    let templates: Vec<&str> = out.entities.iter().filter(|e| e.kind == "Template").map(|e| e.name.as_str()).collect();
    assert_eq!(templates, vec!["template-worker", "template-empty"], "1.2.0 makes a template for a type without parameters");
    assert_eq!(out.stale.iter().map(|s| s.scope.as_str()).collect::<Vec<_>>(), vec!["ns/acme/templates/service"]);
    assert_eq!(out.entities.iter().filter(|e| e.kind == "ComponentType").count(), 4, "the ComponentType entities are all there");
}

#[test]
fn unlisted_component_types_make_all_their_templates_stale() {
    let mut lists = ns_lists(vec![], &[]);
    lists.insert("componenttypes".into(), Err("Failed to fetch componenttypes for namespace acme: 500".into()));
    let out = translate_namespace(&json!({"metadata": {"name": "acme"}}), &lists, "").unwrap();
    let stale: Vec<&str> = out.stale.iter().map(|s| s.scope.as_str()).collect();
    assert_eq!(stale, vec!["ns/acme/componenttypes", "ns/acme/templates/*"]);
}

#[test]
fn a_pathologically_deep_schema_skips_its_template_with_a_reason() {
    // 100 levels passes the JSON parser and stops at the mapping's own limit; 400 stops at the parser's.
    for (levels, reason, location) in
        [(50, "deeper than 64", "acme/Template/service"), (200, "recursion limit exceeded", "acme/componenttypes/service/schema/#0")]
    {
        let mut deep = json!("leaf");
        for _ in 0..levels {
            deep = json!({ "properties": { "p": deep } });
        }
        let lists = ns_lists(vec![service()], &[("service", Ok(deep))]);
        let out = translate_namespace(&json!({"metadata": {"name": "acme"}}), &lists, "").unwrap();
        assert!(out.entities.iter().all(|e| e.kind != "Template"));
        assert!(out.entities.iter().any(|e| e.kind == "ComponentType"), "the type itself is still there");
        assert_eq!(out.skipped.len(), 1);
        assert!(out.skipped[0].message.contains(reason), "{:?}", out.skipped);
        assert_eq!(out.skipped[0].location, location);
    }
}
