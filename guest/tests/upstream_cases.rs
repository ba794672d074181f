//! Cases taken from the test suites of the plugin we replace (its 1.2.0 provider, processor, translation,
//! helper, converter and event-delta suites), restated against this mapping. Where 1.2.0 and this
//! mapping deliberately differ, docs/compatibility.md says so and the case asserts our behaviour.

use openchoreo_catalog_guest::entity::Entity;
use openchoreo_catalog_guest::items::Items;
use openchoreo_catalog_guest::relations::relations;
use openchoreo_catalog_guest::scope::{CLUSTER_LISTS, Lists, NAMESPACE_LISTS, translate_cluster, translate_namespace};
use serde_json::{Value, json};

fn ns_lists(pairs: Vec<(&str, Vec<Value>)>) -> Lists {
    let mut l: Lists = NAMESPACE_LISTS.iter().map(|e| (e.to_string(), Ok(Items::new()))).collect();
    for (k, v) in pairs {
        l.insert(k.to_string(), Ok(Items::from(v)));
    }
    l
}

fn cluster_lists(pairs: Vec<(&str, Vec<Value>)>) -> Lists {
    let mut l: Lists = CLUSTER_LISTS.iter().map(|e| (e.to_string(), Ok(Items::new()))).collect();
    for (k, v) in pairs {
        l.insert(k.to_string(), Ok(Items::from(v)));
    }
    l
}

fn sync_ns(pairs: Vec<(&str, Vec<Value>)>) -> Vec<Entity> {
    let out = translate_namespace(&json!({"metadata": {"name": "test-ns"}}), &ns_lists(pairs), "test-owner").unwrap();
    assert!(out.stale.is_empty(), "{:?}", out.stale.iter().map(|s| &s.reason).collect::<Vec<_>>());
    out.entities
}

fn find<'a>(out: &'a [Entity], kind: &str, name: &str) -> &'a Entity {
    out.iter()
        .find(|e| e.kind == kind && e.name == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {:?}", out.iter().map(|e| format!("{}:{}", e.kind, e.name)).collect::<Vec<_>>()))
}

fn rels(e: &Entity) -> Vec<String> {
    relations(&e.doc()).unwrap().into_iter().map(|r| format!("{} {} {}", r.source, r.rtype, r.target)).collect()
}

fn project(annotations: Value) -> Value {
    json!({"metadata": {"name": "test-project", "annotations": annotations}, "spec": {"deploymentPipelineRef": {"name": "default"}}})
}

fn component(annotations: Value) -> Value {
    json!({"metadata": {"name": "api-service", "annotations": annotations},
        "spec": {"owner": {"projectName": "test-project"}, "componentType": {"kind": "ComponentType", "name": "deployment/service"}}})
}

fn workload(endpoints: Value) -> Value {
    json!({"metadata": {"name": "api-service-workload"},
        "spec": {"owner": {"projectName": "test-project", "componentName": "api-service"}, "endpoints": endpoints}})
}

// Provider suite: "empty namespace — creates only Domain entity".
#[test]
fn an_empty_namespace_gives_only_its_domain() {
    let out = sync_ns(vec![]);
    assert_eq!(out.iter().map(|e| format!("{}:{}", e.kind, e.name)).collect::<Vec<_>>(), vec!["Domain:test-ns"]);
}

// Provider suite: "endpoint type filtering".
#[test]
fn only_endpoints_with_an_api_schema_type_become_apis() {
    let endpoints = json!({
        "dashboard": {"type": "HTTP", "port": 3000, "visibility": ["external"]},
        "rest": {"type": "REST", "port": 8080, "schema": {"type": "REST", "content": "openapi: 3.0.0"}},
        "graph": {"type": "GraphQL", "port": 8081, "schema": {"type": "GraphQL", "content": "type Query { a: Int }"}},
        "rpc": {"type": "gRPC", "port": 9090, "schema": {"type": "gRPC", "content": "syntax = \"proto3\";"}}
    });
    let out = sync_ns(vec![
        ("projects", vec![project(json!({}))]),
        ("components", vec![component(json!({}))]),
        ("workloads", vec![workload(endpoints)]),
    ]);
    let mut apis: Vec<&str> = out.iter().filter(|e| e.kind == "API").map(|e| e.name.as_str()).collect();
    apis.sort_unstable();
    assert_eq!(apis, vec!["test-project-api-service-graph", "test-project-api-service-rest", "test-project-api-service-rpc"]);
    let provides = find(&out, "Component", "api-service").doc()["spec"]["providesApis"].clone();
    assert!(!provides.to_string().contains("dashboard"), "{provides}");
}

// Provider suite: "ownership annotation resolution".
#[test]
fn owners_resolve_component_then_project_then_default_and_blank_annotations_do_not_count() {
    let owner_of = |project_annotations: Value, component_annotations: Value| -> String {
        let out = sync_ns(vec![("projects", vec![project(project_annotations)]), ("components", vec![component(component_annotations)])]);
        find(&out, "Component", "api-service").doc()["spec"]["owner"].as_str().unwrap().to_string()
    };
    let team = |name: &str| json!({"backstage.io/owner": format!("group:default/{name}")});
    assert_eq!(owner_of(team("project-team"), team("component-team")), "group:default/component-team");
    assert_eq!(owner_of(team("project-team"), json!({})), "group:default/project-team");
    assert_eq!(owner_of(json!({}), json!({})), "group:default/test-owner");
    assert_eq!(owner_of(json!({"backstage.io/owner": "   "}), json!({"backstage.io/owner": ""})), "group:default/test-owner");
    let out = sync_ns(vec![("projects", vec![project(team("project-team"))])]);
    assert_eq!(find(&out, "System", "test-project").doc()["spec"]["owner"], "group:default/project-team");
}

// Provider suite: "pipeline deduplication".
#[test]
fn a_pipeline_shared_by_several_projects_is_one_entity() {
    let projects = ["p1", "p2", "p3"].map(|p| json!({"metadata": {"name": p}, "spec": {"deploymentPipelineRef": {"name": "default"}}}));
    let pipeline = json!({"metadata": {"name": "default"}, "spec": {"promotionPaths": [
        {"sourceEnvironmentRef": {"name": "development"}, "targetEnvironmentRefs": [{"name": "staging"}]}]}});
    let out = sync_ns(vec![("projects", projects.to_vec()), ("deploymentpipelines", vec![pipeline])]);
    assert_eq!(out.iter().filter(|e| e.kind == "DeploymentPipeline").count(), 1);
    for p in ["p1", "p2", "p3"] {
        assert!(rels(find(&out, "System", p)).contains(&format!("system:test-ns/{p} usesPipeline deploymentpipeline:test-ns/default")));
    }
}

// Translation suite: "translateComponentToEntity — spec.dependsOn" and helpers' resource dependencies.
#[test]
fn depends_on_follows_declared_order_and_is_absent_without_resource_dependencies() {
    let mut w = workload(json!({}));
    w["spec"]["dependencies"] = json!({"resources": [{"ref": "cache"}, {"ref": "db"}]});
    let out = sync_ns(vec![("projects", vec![project(json!({}))]), ("components", vec![component(json!({}))]), ("workloads", vec![w])]);
    assert_eq!(find(&out, "Component", "api-service").doc()["spec"]["dependsOn"], json!(["resource:test-ns/cache", "resource:test-ns/db"]));
    let out = sync_ns(vec![("projects", vec![project(json!({}))]), ("components", vec![component(json!({}))])]);
    assert!(find(&out, "Component", "api-service").doc()["spec"].get("dependsOn").is_none());
}

// Event-delta suite: "falls back to the openchoreo.dev/component label when spec.owner.componentName is missing".
#[test]
fn a_workload_without_an_owner_joins_its_component_by_openchoreo_labels() {
    let labelled = json!({"metadata": {"name": "wl-name", "labels": {"openchoreo.dev/component": "api-service", "openchoreo.dev/project": "test-project"}},
        "spec": {"endpoints": {"rest": {"type": "REST", "port": 8080, "schema": {"type": "REST", "content": "openapi: 3.0.0"}}}}});
    let out =
        sync_ns(vec![("projects", vec![project(json!({}))]), ("components", vec![component(json!({}))]), ("workloads", vec![labelled])]);
    let c = find(&out, "Component", "api-service").doc();
    assert_eq!(c["metadata"]["annotations"]["openchoreo.io/workload"], "wl-name");
    assert_eq!(c["spec"]["providesApis"], json!(["test-project-api-service-rest"]));
    // Neither owner nor label: the workload joins nothing and the component still maps.
    let orphan = json!({"metadata": {"name": "orphan"}, "spec": {"endpoints": {"rest": {"type": "REST", "port": 1}}}});
    let out =
        sync_ns(vec![("projects", vec![project(json!({}))]), ("components", vec![component(json!({}))]), ("workloads", vec![orphan])]);
    assert!(find(&out, "Component", "api-service").doc()["metadata"]["annotations"].get("openchoreo.io/workload").is_none());
}

// Processor suite: Environment hostedOn.
#[test]
fn an_environment_is_hosted_on_its_data_plane_namespaced_or_cluster() {
    let envs = vec![
        json!({"metadata": {"name": "dev"}, "spec": {"dataPlaneRef": {"kind": "DataPlane", "name": "default"}}}),
        json!({"metadata": {"name": "prod"}, "spec": {"dataPlaneRef": {"kind": "ClusterDataPlane", "name": "shared"}, "isProduction": true}}),
    ];
    let out = sync_ns(vec![("environments", envs)]);
    let dev = rels(find(&out, "Environment", "dev"));
    assert!(dev.contains(&"environment:test-ns/dev hostedOn dataplane:test-ns/default".to_string()), "{dev:?}");
    assert!(dev.contains(&"environment:test-ns/dev partOf domain:default/test-ns".to_string()), "{dev:?}");
    let prod = rels(find(&out, "Environment", "prod"));
    assert!(prod.contains(&"environment:test-ns/prod hostedOn clusterdataplane:openchoreo-cluster/shared".to_string()), "{prod:?}");
    assert_eq!(find(&out, "Environment", "prod").doc()["spec"]["type"], "production");
}

// Processor suite: ComponentEntityProcessor instanceOf.
#[test]
fn a_component_is_an_instance_of_its_component_type_namespaced_or_cluster() {
    let mut cluster = component(json!({}));
    cluster["metadata"]["name"] = json!("web");
    cluster["spec"]["componentType"] = json!({"kind": "ClusterComponentType", "name": "deployment/web-app"});
    let out = sync_ns(vec![("projects", vec![project(json!({}))]), ("components", vec![component(json!({})), cluster])]);
    assert!(
        rels(find(&out, "Component", "api-service"))
            .contains(&"component:test-ns/api-service instanceOf componenttype:test-ns/service".to_string())
    );
    assert!(
        rels(find(&out, "Component", "web"))
            .contains(&"component:test-ns/web instanceOf clustercomponenttype:openchoreo-cluster/web-app".to_string())
    );
}

// Processor suite: (Cluster)ComponentType usesWorkflow, domain only for the namespaced one.
#[test]
fn component_types_use_their_allowed_workflows_and_only_namespaced_ones_join_the_domain() {
    let ct = json!({"metadata": {"name": "service"}, "spec": {"workloadType": "deployment",
        "allowedWorkflows": [{"kind": "Workflow", "name": "docker"}, {"kind": "ClusterWorkflow", "name": "buildpacks"}]}});
    let out = sync_ns(vec![("componenttypes", vec![ct])]);
    let r = rels(find(&out, "ComponentType", "service"));
    assert!(r.contains(&"componenttype:test-ns/service partOf domain:default/test-ns".to_string()), "{r:?}");
    assert!(r.contains(&"componenttype:test-ns/service usesWorkflow workflow:test-ns/docker".to_string()), "{r:?}");
    assert!(r.contains(&"componenttype:test-ns/service usesWorkflow clusterworkflow:openchoreo-cluster/buildpacks".to_string()), "{r:?}");
    let cct = json!({"metadata": {"name": "web-app"}, "spec": {"workloadType": "deployment", "allowedWorkflows": [{"kind": "ClusterWorkflow", "name": "buildpacks"}]}});
    let out = translate_cluster(&cluster_lists(vec![("clustercomponenttypes", vec![cct])]), "");
    let r = rels(find(&out.entities, "ClusterComponentType", "web-app"));
    assert!(!r.iter().any(|r| r.contains(" partOf ")), "{r:?}");
    assert!(
        r.contains(
            &"clustercomponenttype:openchoreo-cluster/web-app usesWorkflow clusterworkflow:openchoreo-cluster/buildpacks".to_string()
        ),
        "{r:?}"
    );
}

// Processor suite: ClusterDataplane observedBy ClusterObservabilityPlane; the cluster types carry no relations.
#[test]
fn cluster_planes_and_types_relate_as_the_plugin_relates_them() {
    let out = translate_cluster(
        &cluster_lists(vec![
            (
                "clusterdataplanes",
                vec![
                    json!({"metadata": {"name": "shared"}, "spec": {"observabilityPlaneRef": {"kind": "ClusterObservabilityPlane", "name": "obs"}}}),
                ],
            ),
            ("clusterobservabilityplanes", vec![json!({"metadata": {"name": "obs"}})]),
            ("clusterresourcetypes", vec![json!({"metadata": {"name": "postgres"}})]),
            ("clusterprojecttypes", vec![json!({"metadata": {"name": "default"}})]),
            ("clustertraits", vec![json!({"metadata": {"name": "ingress"}})]),
        ]),
        "",
    );
    let dp = rels(find(&out.entities, "ClusterDataplane", "shared"));
    assert!(
        dp.contains(&"clusterdataplane:openchoreo-cluster/shared observedBy clusterobservabilityplane:openchoreo-cluster/obs".to_string()),
        "{dp:?}"
    );
    for (kind, name) in [
        ("ClusterObservabilityPlane", "obs"),
        ("ClusterResourceType", "postgres"),
        ("ClusterProjectType", "default"),
        ("ClusterTraitType", "ingress"),
    ] {
        assert_eq!(rels(find(&out.entities, kind, name)), Vec::<String>::new(), "{kind}");
    }
}

// Translation suite: (Cluster)ResourceType defaults and the deletion timestamp.
#[test]
fn resource_types_default_their_retain_policy_title_and_description() {
    let out = translate_cluster(&cluster_lists(vec![("clusterresourcetypes", vec![json!({"metadata": {"name": "postgres"}})])]), "");
    let doc = find(&out.entities, "ClusterResourceType", "postgres").doc();
    assert_eq!(doc["spec"]["retainPolicy"], "Delete");
    assert_eq!(doc["metadata"]["title"], "postgres");
    assert_eq!(doc["metadata"]["description"], "postgres cluster resource type");
    assert!(doc["metadata"]["annotations"].get("openchoreo.io/deletion-timestamp").is_none());
    let deleting = json!({"metadata": {"name": "mysql", "deletionTimestamp": "2026-12-01T00:00:00Z"}});
    let out = sync_ns(vec![("resourcetypes", vec![deleting])]);
    let doc = find(&out, "ResourceType", "mysql").doc();
    assert_eq!(doc["metadata"]["annotations"]["openchoreo.io/deletion-timestamp"], "2026-12-01T00:00:00Z");
    assert_eq!(doc["spec"]["domain"], "default/test-ns");
}

// Translation suite: translateResourceToEntity.
#[test]
fn resources_record_their_type_kind_and_omit_what_they_do_not_have() {
    let r = |name: &str, extra: Value| {
        let mut v = json!({"metadata": {"name": name}, "spec": {"owner": {"projectName": "test-project"}, "type": {"kind": "ClusterResourceType", "name": "postgres"}}});
        if let Value::Object(m) = extra {
            for (k, val) in m {
                v["spec"][k] = val;
            }
        }
        v
    };
    let out = sync_ns(vec![
        ("projects", vec![project(json!({}))]),
        (
            "resources",
            vec![
                r("plain", json!({})),
                r("empty-params", json!({"parameters": {}})),
                r("with-params", json!({"parameters": {"size": "small"}})),
            ],
        ),
    ]);
    let plain = find(&out, "Resource", "plain").doc();
    assert_eq!(plain["metadata"]["annotations"]["openchoreo.io/resource-type-kind"], "ClusterResourceType");
    assert!(plain["metadata"]["annotations"].get("openchoreo.io/resource-uid").is_none());
    assert_eq!(plain["metadata"]["description"], "plain resource");
    assert_eq!(plain["spec"]["system"], "test-project");
    assert!(plain["spec"].get("parameters").is_none());
    assert!(find(&out, "Resource", "empty-params").doc()["spec"].get("parameters").is_none());
    assert_eq!(find(&out, "Resource", "with-params").doc()["spec"]["parameters"], json!({"size": "small"}));
}

// Translation and processor suites: notification channels.
#[test]
fn notification_channels_carry_their_own_config_only_and_the_environment_notifies_them() {
    let email = json!({"metadata": {"name": "mail"}, "spec": {"environment": "dev", "type": "email",
        "emailConfig": {"from": "a@example.com", "to": ["b@example.com"], "smtp": {"host": "smtp", "port": 25}, "template": {"subject": "s", "body": "b"}}}});
    let hook = json!({"metadata": {"name": "hook"}, "spec": {"environment": "dev", "type": "webhook", "webhookConfig": {"url": "https://h.example.com/x"}}});
    let out = sync_ns(vec![("observabilityalertsnotificationchannels", vec![email, hook])]);
    let mail = find(&out, "ObservabilityAlertsNotificationChannel", "mail").doc();
    assert_eq!(mail["metadata"]["tags"], json!(["openchoreo", "notification-channel", "email"]));
    assert!(mail["spec"].get("webhookConfig").is_none());
    assert_eq!(mail["spec"]["emailConfig"]["smtp"], json!({"host": "smtp", "port": 25}));
    let hook_doc = find(&out, "ObservabilityAlertsNotificationChannel", "hook").doc();
    assert!(hook_doc["spec"].get("emailConfig").is_none());
    assert_eq!(hook_doc["spec"]["webhookConfig"], json!({"url": "https://h.example.com"}));
    let r = rels(find(&out, "ObservabilityAlertsNotificationChannel", "hook"));
    assert!(r.contains(&"environment:test-ns/dev notifies observabilityalertsnotificationchannel:test-ns/hook".to_string()), "{r:?}");
    assert!(r.contains(&"observabilityalertsnotificationchannel:test-ns/hook notifiedBy environment:test-ns/dev".to_string()), "{r:?}");
}

// Converter suite: "should still have 3 sections when CTD has no allowedWorkflows", "allowedTraits passthrough".
#[test]
fn a_component_template_has_three_sections_without_allowed_workflows_or_traits() {
    let ct = json!({"metadata": {"name": "worker"}, "spec": {"workloadType": "deployment"}});
    let mut lists = ns_lists(vec![("componenttypes", vec![ct])]);
    lists.insert("componenttypes/worker/schema".into(), Ok(Items::from(vec![json!({"type": "object", "additionalProperties": true})])));
    let out = translate_namespace(&json!({"metadata": {"name": "test-ns"}}), &lists, "").unwrap();
    let t = find(&out.entities, "Template", "template-worker").doc();
    let sections: Vec<&str> = t["spec"]["parameters"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert_eq!(sections, vec!["Component Metadata", "Build & Deploy", "Worker Details"]);
    let options = &t["spec"]["parameters"][2]["properties"]["workloadDetails"]["ui:options"];
    assert!(options.get("allowedTraits").is_none());
    assert_eq!(options["ctdSchema"], json!({"type": "object", "additionalProperties": true}));
    assert_eq!(
        t["spec"]["parameters"][1]["properties"]["buildAndDeploy"]["properties"]["workflow_name"]["ui:options"]["allowedWorkflows"],
        json!([])
    );
}
