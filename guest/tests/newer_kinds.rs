//! The kinds OpenChoreo grew after the plugin's target version (docs/entities.md; added since the 0.2.0 plugin, docs/compatibility.md): (Cluster)ResourceType,
//! (Cluster)ProjectType and their Templates, Resource instances, alert notification channels, and the
//! relations that tie them to Systems, Components and Environments.

use openchoreo_catalog_guest::entity::Entity;
use openchoreo_catalog_guest::items::Items;
use openchoreo_catalog_guest::relations::relations;
use openchoreo_catalog_guest::resource::{self, ResourceError};
use openchoreo_catalog_guest::scope::{CLUSTER_LISTS, Lists, NAMESPACE_LISTS, scope_of, translate_cluster, translate_namespace};
use serde_json::{Value, json};

fn ns_lists(pairs: Vec<(&str, Result<Vec<Value>, String>)>) -> Lists {
    let mut l: Lists = NAMESPACE_LISTS.iter().map(|e| (e.to_string(), Ok(Items::new()))).collect();
    for (k, v) in pairs {
        l.insert(k.to_string(), v.map(Items::from));
    }
    l
}

fn cluster_lists(pairs: Vec<(&str, Result<Vec<Value>, String>)>) -> Lists {
    let mut l: Lists = CLUSTER_LISTS.iter().map(|e| (e.to_string(), Ok(Items::new()))).collect();
    for (k, v) in pairs {
        l.insert(k.to_string(), v.map(Items::from));
    }
    l
}

fn acme() -> Value {
    json!({"metadata": {"name": "acme"}})
}

fn one<'a>(out: &'a [Entity], kind: &str, name: &str) -> &'a Entity {
    out.iter().find(|e| e.kind == kind && e.name == name).unwrap_or_else(|| panic!("no {kind} {name} in {:?}", names(out)))
}

fn names(out: &[Entity]) -> Vec<String> {
    out.iter().map(|e| format!("{}:{}/{}", e.kind, e.namespace, e.name)).collect()
}

fn rels(e: &Entity) -> Vec<(String, String, String)> {
    relations(&e.doc()).unwrap().into_iter().map(|r| (r.source, r.rtype.to_string(), r.target)).collect()
}

fn has_rel(e: &Entity, source: &str, rtype: &str, target: &str) -> bool {
    rels(e).contains(&(source.to_string(), rtype.to_string(), target.to_string()))
}

fn postgres() -> Value {
    json!({"metadata": {"name": "postgres", "creationTimestamp": "2026-11-01T09:00:00Z",
            "annotations": {"openchoreo.dev/description": "In-cluster PostgreSQL"}},
        "spec": {"parameters": {"openAPIV3Schema": {"type": "object", "properties": {"database": {"type": "string", "default": "appdb"}}}},
            "retainPolicy": "Retain",
            "outputs": [{"name": "host", "value": "${metadata.name}"}, {"name": "password", "secretKeyRef": {"name": "creds", "key": "password"}}],
            "resources": [{"id": "claim", "template": {"kind": "StatefulSet"}}]}})
}

#[test]
fn cluster_resource_type_is_a_custom_kind_with_output_names_only() {
    let out = translate_cluster(&cluster_lists(vec![("clusterresourcetypes", Ok(vec![postgres()]))]), "");
    let e = one(&out.entities, "ClusterResourceType", "postgres");
    assert_eq!(e.scope, "cluster/resourcetypes");
    assert_eq!(
        e.doc(),
        json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "ClusterResourceType",
            "metadata": {"name": "postgres", "namespace": "openchoreo-cluster", "title": "postgres", "description": "In-cluster PostgreSQL",
                "tags": ["openchoreo", "cluster-resource-type", "platform-engineering"],
                "annotations": {"backstage.io/managed-by-location": "provider:OpenChoreoEntityProvider",
                    "backstage.io/managed-by-origin-location": "provider:OpenChoreoEntityProvider",
                    "openchoreo.io/created-at": "2026-11-01T09:00:00Z"},
                "labels": {"openchoreo.io/managed": "true"}},
            "spec": {"retainPolicy": "Retain", "outputs": ["host", "password"]}
        })
    );
    assert!(!e.json.contains("secretKeyRef") && !e.json.contains("${metadata.name}"), "output values are not copied");
    assert!(rels(e).is_empty());
}

#[test]
fn namespaced_resource_and_project_types_belong_to_the_domain() {
    let lists = ns_lists(vec![
        ("resourcetypes", Ok(vec![json!({"metadata": {"name": "mysql"}, "spec": {"resources": [{"id": "x", "template": {}}]}})])),
        (
            "projecttypes",
            Ok(vec![json!({"metadata": {"name": "team-space"},
                "spec": {"resources": [{"id": "a", "template": {}}, {"id": "b", "targetPlane": "observabilityplane", "template": {}}]}})]),
        ),
    ]);
    let out = translate_namespace(&acme(), &lists, "").unwrap();
    let rt = one(&out.entities, "ResourceType", "mysql");
    assert_eq!(rt.scope, "ns/acme/resourcetypes");
    let doc = rt.doc();
    assert_eq!(doc["spec"], json!({"domain": "default/acme", "retainPolicy": "Delete"}));
    assert_eq!(doc["metadata"]["description"], "mysql resource type");
    assert_eq!(doc["metadata"]["annotations"]["openchoreo.io/namespace"], "acme");
    assert!(has_rel(rt, "resourcetype:acme/mysql", "partOf", "domain:default/acme"));
    let pt = one(&out.entities, "ProjectType", "team-space");
    assert_eq!(pt.scope, "ns/acme/projecttypes");
    assert_eq!(pt.doc()["spec"], json!({"domain": "default/acme", "targetPlanes": ["dataplane", "observabilityplane"]}));
    assert_eq!(pt.doc()["metadata"]["tags"], json!(["openchoreo", "project-type", "platform-engineering"]));
}

#[test]
fn a_project_is_an_instance_of_its_project_type() {
    let projects = vec![
        json!({"metadata": {"name": "shop"}, "spec": {"type": {"kind": "ClusterProjectType", "name": "default"}}}),
        json!({"metadata": {"name": "lab"}, "spec": {"type": {"name": "team-space"}}}),
        json!({"metadata": {"name": "old"}}),
    ];
    let out = translate_namespace(&acme(), &ns_lists(vec![("projects", Ok(projects))]), "").unwrap();
    let shop = one(&out.entities, "System", "shop");
    assert_eq!(shop.doc()["metadata"]["annotations"]["openchoreo.io/project-type"], "default");
    assert_eq!(shop.doc()["metadata"]["annotations"]["openchoreo.io/project-type-kind"], "ClusterProjectType");
    assert!(has_rel(shop, "system:acme/shop", "instanceOf", "clusterprojecttype:openchoreo-cluster/default"));
    assert!(has_rel(shop, "clusterprojecttype:openchoreo-cluster/default", "hasInstance", "system:acme/shop"));
    let lab = one(&out.entities, "System", "lab");
    assert_eq!(lab.doc()["metadata"]["annotations"]["openchoreo.io/project-type-kind"], "ProjectType", "the API's default kind");
    assert!(has_rel(lab, "system:acme/lab", "instanceOf", "projecttype:acme/team-space"));
    let old = one(&out.entities, "System", "old");
    assert!(old.doc()["metadata"]["annotations"].get("openchoreo.io/project-type").is_none());
    assert!(!rels(old).iter().any(|r| r.1 == "instanceOf"));
}

fn shop_project() -> Value {
    json!({"metadata": {"name": "shop", "annotations": {"backstage.io/owner": "group:default/shop-team"}}})
}

#[test]
fn a_resource_becomes_a_backstage_resource_in_its_system() {
    let resources = vec![
        json!({"metadata": {"name": "orders-db", "uid": "u-1", "annotations": {"openchoreo.dev/display-name": "Orders DB"}},
            "spec": {"owner": {"projectName": "shop"}, "type": {"kind": "ClusterResourceType", "name": "postgres"}, "parameters": {"database": "orders"}},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}}),
        json!({"metadata": {"name": "cache"}, "spec": {"owner": {"projectName": "shop"}, "type": {"name": "valkey"}}}),
    ];
    let lists = ns_lists(vec![("projects", Ok(vec![shop_project()])), ("resources", Ok(resources))]);
    let out = translate_namespace(&acme(), &lists, "").unwrap();
    let db = one(&out.entities, "Resource", "orders-db");
    assert_eq!(db.scope, "ns/acme/resources");
    assert_eq!(
        db.doc(),
        json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Resource",
            "metadata": {"name": "orders-db", "namespace": "acme", "title": "Orders DB", "description": "orders-db resource",
                "tags": ["openchoreo", "resource", "postgres"],
                "annotations": {"backstage.io/managed-by-location": "provider:OpenChoreoEntityProvider",
                    "backstage.io/managed-by-origin-location": "provider:OpenChoreoEntityProvider",
                    "openchoreo.io/resource": "orders-db", "openchoreo.io/resource-uid": "u-1",
                    "openchoreo.io/resource-type": "postgres", "openchoreo.io/resource-type-kind": "ClusterResourceType",
                    "openchoreo.io/project": "shop", "openchoreo.io/namespace": "acme", "openchoreo.io/status": "Ready"},
                "labels": {"openchoreo.io/managed": "true"}},
            "spec": {"type": "postgres", "owner": "group:default/shop-team", "system": "shop", "parameters": {"database": "orders"}}
        })
    );
    assert!(has_rel(db, "resource:acme/orders-db", "instanceOf", "clusterresourcetype:openchoreo-cluster/postgres"));
    assert!(has_rel(db, "resource:acme/orders-db", "partOf", "system:acme/shop"));
    assert!(has_rel(db, "resource:acme/orders-db", "ownedBy", "group:default/shop-team"));
    let cache = one(&out.entities, "Resource", "cache");
    assert!(has_rel(cache, "resource:acme/cache", "instanceOf", "resourcetype:acme/valkey"));
    assert_eq!(cache.doc()["metadata"]["annotations"]["openchoreo.io/status"], "Not Ready");
    assert!(cache.doc()["spec"].get("parameters").is_none(), "no parameters, no key");
}

#[test]
fn resource_parameters_nesting_past_the_depth_limit_are_left_out() {
    let mut deep = json!("leaf");
    for _ in 0..70 {
        deep = json!({ "a": deep });
    }
    let resources =
        vec![json!({"metadata": {"name": "deep"}, "spec": {"owner": {"projectName": "shop"}, "type": "mysql", "parameters": deep}})];
    let out = translate_namespace(&acme(), &ns_lists(vec![("resources", Ok(resources))]), "").unwrap();
    let e = one(&out.entities, "Resource", "deep");
    assert!(e.doc()["spec"].get("parameters").is_none());
}

#[test]
fn a_malformed_resource_is_skipped_naming_the_field_and_the_rest_still_map() {
    let resources = vec![
        json!({"metadata": {"name": "no-type"}, "spec": {"owner": {"projectName": "shop"}}}),
        json!({"metadata": {"name": "odd-kind"}, "spec": {"owner": {"projectName": "shop"}, "type": {"kind": "Trait", "name": "x"}}}),
        json!({"metadata": {"name": "no-project"}, "spec": {"type": {"name": "x"}}}),
        json!({"metadata": {"name": "fine"}, "spec": {"owner": {"projectName": "shop"}, "type": "mysql"}}),
    ];
    let out = translate_namespace(&acme(), &ns_lists(vec![("resources", Ok(resources))]), "").unwrap();
    assert_eq!(out.entities.iter().filter(|e| e.kind == "Resource").map(|e| e.name.as_str()).collect::<Vec<_>>(), vec!["fine"]);
    let messages: Vec<String> = out.skipped.iter().map(|d| format!("{}: {}", d.location, d.message)).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages[0].contains("no-type") && messages[0].contains("spec.type.name is missing"), "{messages:?}");
    assert!(messages[1].contains("odd-kind") && messages[1].contains("\"Trait\""), "{messages:?}");
    assert!(messages[2].contains("no-project") && messages[2].contains("spec.owner.projectName"), "{messages:?}");
}

#[test]
fn resources_go_stale_with_projects_since_they_inherit_the_project_owner() {
    let lists = ns_lists(vec![("projects", Err("503".into())), ("resources", Ok(vec![]))]);
    let out = translate_namespace(&acme(), &lists, "").unwrap();
    assert!(out.stale.iter().any(|s| s.scope == "ns/acme/resources"));
    let lists = ns_lists(vec![("resources", Err("Failed to fetch resources for namespace acme: 500".into()))]);
    let out = translate_namespace(&acme(), &lists, "").unwrap();
    let stale: Vec<&str> = out.stale.iter().map(|s| s.scope.as_str()).collect();
    assert_eq!(stale, vec!["ns/acme/resources"], "only the resources scope");
}

#[test]
fn workload_resource_dependencies_become_component_depends_on() {
    let components =
        vec![json!({"metadata": {"name": "api"}, "spec": {"owner": {"projectName": "shop"}, "componentType": "deployment/service"}})];
    let workloads = vec![json!({"metadata": {"name": "api-wl"}, "spec": {"owner": {"projectName": "shop", "componentName": "api"},
        "dependencies": {"resources": [{"ref": "orders-db", "envBindings": {"host": "DB_HOST"}}, {"ref": "cache"}, {"ref": "orders-db"}, {"envBindings": {}}]}}})];
    let lists = ns_lists(vec![("projects", Ok(vec![shop_project()])), ("components", Ok(components)), ("workloads", Ok(workloads))]);
    let out = translate_namespace(&acme(), &lists, "").unwrap();
    let api = one(&out.entities, "Component", "api");
    assert_eq!(api.doc()["spec"]["dependsOn"], json!(["resource:acme/orders-db", "resource:acme/cache"]));
    assert!(has_rel(api, "component:acme/api", "dependsOn", "resource:acme/orders-db"));
    assert!(has_rel(api, "resource:acme/orders-db", "dependencyOf", "component:acme/api"));
}

#[test]
fn an_environment_notifies_its_alert_channels_and_no_secret_is_copied() {
    let channels = vec![
        json!({"metadata": {"name": "webhook-dev"}, "spec": {"environment": "development", "type": "webhook",
            "webhookConfig": {"url": "https://user:pw@hooks.example.com/services/T000/B000/s3cr3t?token=t0k",
                "headers": {"X-API-Key": {"value": "k3y"}, "Authorization": {"valueFrom": {"secretKeyRef": {"name": "hook-auth", "key": "bearer"}}}},
                "payloadTemplate": "{\"text\": \"${alert.name}\"}"}}}),
        json!({"metadata": {"name": "mail-prod"}, "spec": {"environment": "production", "type": "email", "isEnvDefault": true,
            "emailConfig": {"from": "alerts@example.com", "to": ["ops@example.com"],
                "smtp": {"host": "smtp.example.com", "port": 587, "tls": {"insecureSkipVerify": false},
                    "auth": {"username": {"secretKeyRef": {"name": "smtp", "key": "user"}}, "password": {"value": "hunter2"}}},
                "template": {"subject": "[${alert.severity}]", "body": "y"}}}}),
        json!({"metadata": {"name": "broken"}, "spec": {"type": "email"}}),
    ];
    let out = translate_namespace(&acme(), &ns_lists(vec![("observabilityalertsnotificationchannels", Ok(channels))]), "").unwrap();
    let hook = one(&out.entities, "ObservabilityAlertsNotificationChannel", "webhook-dev");
    assert_eq!(hook.scope, "ns/acme/observabilityalertsnotificationchannels");
    assert_eq!(
        hook.doc()["spec"],
        json!({"type": "webhook", "domain": "default/acme", "environment": "development", "isEnvDefault": false,
            "webhookOrigin": "https://hooks.example.com",
            "webhookConfig": {"url": "https://hooks.example.com",
                "headers": {"X-API-Key": {}, "Authorization": {"valueFrom": {"secretKeyRef": {"name": "hook-auth", "key": "bearer"}}}},
                "payloadTemplate": "{\"text\": \"${alert.name}\"}"}})
    );
    assert_eq!(hook.doc()["metadata"]["description"], "webhook alert notifications for development");
    // The plugin's direction (1.2.0): the Environment notifies the channel.
    assert!(has_rel(hook, "environment:acme/development", "notifies", "observabilityalertsnotificationchannel:acme/webhook-dev"));
    assert!(has_rel(hook, "observabilityalertsnotificationchannel:acme/webhook-dev", "notifiedBy", "environment:acme/development"));
    assert!(!rels(hook).iter().any(|r| r.0.starts_with("observabilityalertsnotificationchannel") && r.1 == "notifies"));
    let mail = one(&out.entities, "ObservabilityAlertsNotificationChannel", "mail-prod");
    assert_eq!(mail.doc()["spec"]["isEnvDefault"], true);
    assert_eq!(mail.doc()["spec"]["emailTo"], json!(["ops@example.com"]));
    assert_eq!(
        mail.doc()["spec"]["emailConfig"],
        json!({"from": "alerts@example.com", "to": ["ops@example.com"],
            "smtp": {"host": "smtp.example.com", "port": 587, "auth": {"username": {"secretKeyRef": {"name": "smtp", "key": "user"}}},
                "tls": {"insecureSkipVerify": false}},
            "template": {"subject": "[${alert.severity}]", "body": "y"}})
    );
    for e in &out.entities {
        for secret in ["s3cr3t", "t0k", "user:pw", "k3y", "hunter2"] {
            assert!(!e.json.contains(secret), "{secret} leaked into {}", e.json);
        }
    }
    assert!(out.skipped.iter().any(|d| d.location.contains("broken") && d.message.contains("spec.environment is missing")));
}

fn schema() -> Value {
    json!({"type": "object", "properties": {"database": {"type": "string", "default": "appdb"}}})
}

#[test]
fn resource_and_project_types_get_create_templates() {
    let lists = cluster_lists(vec![
        ("clusterresourcetypes", Ok(vec![postgres()])),
        ("clusterresourcetypes/postgres/schema", Ok(vec![schema()])),
        ("clusterprojecttypes", Ok(vec![json!({"metadata": {"name": "default"}})])),
    ]);
    let out = translate_cluster(&lists, "platform");
    let t = one(&out.entities, "Template", "template-resource-postgres");
    assert_eq!(t.scope, "cluster/resource-templates/postgres");
    assert_eq!(scope_of(&t.doc()).as_deref(), Ok("cluster/resource-templates/postgres"));
    let doc = t.doc();
    assert_eq!(doc["apiVersion"], "scaffolder.backstage.io/v1beta3");
    assert_eq!(doc["metadata"]["namespace"], "openchoreo-cluster");
    assert_eq!(doc["metadata"]["title"], "Postgres", "the formatted name, as the plugin titles it");
    assert_eq!(doc["metadata"]["description"], "In-cluster PostgreSQL");
    assert_eq!(
        doc["metadata"]["annotations"],
        json!({"backstage.io/managed-by-location": "provider:OpenChoreoEntityProvider",
            "backstage.io/managed-by-origin-location": "provider:OpenChoreoEntityProvider",
            "openchoreo.io/rtd-name": "postgres", "openchoreo.io/rtd-generated": "true", "openchoreo.io/rtd-kind": "ClusterResourceType"})
    );
    assert_eq!(doc["spec"]["owner"], "group:default/platform");
    assert_eq!(doc["spec"]["type"], "Resource");
    let meta = &doc["spec"]["parameters"][0];
    assert_eq!(meta["title"], "Resource Metadata");
    assert_eq!(meta["required"], json!(["project_namespace", "resource_name"]));
    assert_eq!(meta["properties"]["project_namespace"]["ui:options"]["defaultNamespace"], "", "a cluster type names no namespace");
    assert_eq!(meta["properties"]["resource_name"]["ui:field"], "ResourceNamePicker");
    let details = &doc["spec"]["parameters"][1];
    assert_eq!(details["title"], "Postgres Details");
    assert_eq!(
        details["properties"]["parameters"],
        json!({"title": "Parameters", "type": "object", "ui:field": "ResourceParametersField",
            "ui:options": {"rtdName": "postgres", "rtdKind": "ClusterResourceType", "rtdDisplayName": "Postgres", "rtdSchema": schema()}})
    );
    let step = &doc["spec"]["steps"][0];
    assert_eq!((step["id"].as_str(), step["action"].as_str()), (Some("create-resource"), Some("openchoreo:resource:create")));
    assert_eq!(
        (step["input"]["typeName"].as_str(), step["input"]["typeKind"].as_str(), step["input"]["resourceName"].as_str()),
        (Some("postgres"), Some("ClusterResourceType"), Some("${{ parameters.resource_name }}"))
    );
    assert_eq!(
        doc["spec"]["output"]["links"][0]["entityRef"],
        "resource:${{ steps['create-resource'].output.namespaceName }}/${{ steps['create-resource'].output.resourceName }}"
    );
    // A project type without a schema still gets its template, and no /schema is needed for it.
    let p = one(&out.entities, "Template", "template-project-default");
    assert_eq!(p.scope, "cluster/project-templates/default");
    let pdoc = p.doc();
    assert_eq!(pdoc["metadata"]["annotations"]["openchoreo.io/ptd-kind"], "ClusterProjectType");
    assert!(pdoc["spec"]["parameters"][0]["properties"]["namespace_name"].get("default").is_none(), "any namespace");
    assert!(pdoc["spec"]["parameters"][1]["properties"]["parameters"]["ui:options"].get("ptdSchema").is_none());
}

#[test]
fn a_failed_type_schema_keeps_only_that_template_and_a_failed_type_list_keeps_them_all() {
    let lists = ns_lists(vec![
        ("resourcetypes", Ok(vec![json!({"metadata": {"name": "mysql"}}), json!({"metadata": {"name": "kafka"}})])),
        ("resourcetypes/mysql/schema", Ok(vec![schema()])),
        ("resourcetypes/kafka/schema", Err("Failed to fetch schema for ResourceType kafka in namespace acme: 503".into())),
        ("projecttypes", Err("Failed to fetch projecttypes for namespace acme: 500".into())),
    ]);
    let out = translate_namespace(&acme(), &lists, "").unwrap();
    let mysql = one(&out.entities, "Template", "template-resource-mysql");
    assert_eq!(mysql.scope, "ns/acme/resource-templates/mysql");
    assert_eq!(mysql.doc()["spec"]["parameters"][0]["properties"]["project_namespace"]["ui:options"]["defaultNamespace"], "acme");
    let stale: Vec<(&str, &str)> = out.stale.iter().map(|s| (s.scope.as_str(), s.reason.as_str())).collect();
    assert!(
        stale.contains(&("ns/acme/resource-templates/kafka", "Failed to fetch schema for ResourceType kafka in namespace acme: 503")),
        "{stale:?}"
    );
    assert!(stale.contains(&("ns/acme/projecttypes", "Failed to fetch projecttypes for namespace acme: 500")), "{stale:?}");
    assert!(stale.contains(&("ns/acme/project-templates/*", "Failed to fetch projecttypes for namespace acme: 500")), "{stale:?}");
    assert!(!stale.iter().any(|s| s.0.starts_with("ns/acme/templates")), "component templates are untouched: {stale:?}");
}

#[test]
fn project_templates_create_projects_of_their_type() {
    let lists = ns_lists(vec![(
        "projecttypes",
        Ok(vec![json!({"metadata": {"name": "team-space", "annotations": {"openchoreo.dev/display-name": "Team Space"}},
                "spec": {"parameters": {"openAPIV3Schema": {"type": "object", "properties": {"budget": {"type": "integer"}}}}}})]),
    )]);
    let out = translate_namespace(&acme(), &lists, "").unwrap();
    let t = one(&out.entities, "Template", "template-project-team-space");
    assert_eq!(t.scope, "ns/acme/project-templates/team-space");
    assert_eq!(scope_of(&t.doc()).as_deref(), Ok("ns/acme/project-templates/team-space"));
    let doc = t.doc();
    assert_eq!(doc["metadata"]["title"], "Team Space", "the display name as is");
    assert_eq!(doc["metadata"]["description"], "Create a Team Space project");
    assert_eq!(doc["metadata"]["annotations"]["openchoreo.io/ptd-name"], "team-space");
    assert_eq!(doc["metadata"]["annotations"]["openchoreo.io/ptd-generated"], "true");
    assert_eq!(doc["metadata"]["annotations"]["openchoreo.io/ptd-kind"], "ProjectType");
    assert_eq!(doc["metadata"]["annotations"]["openchoreo.io/ptd-display-name"], "Team Space");
    assert_eq!(doc["spec"]["type"], "Project");
    let step = &doc["spec"]["steps"][0];
    assert_eq!((step["id"].as_str(), step["action"].as_str()), (Some("create-project"), Some("openchoreo:project:create")));
    assert_eq!((step["input"]["typeKind"].as_str(), step["input"]["typeName"].as_str()), (Some("ProjectType"), Some("team-space")));
    assert_eq!(step["input"]["autoDeploy"], "${{ parameters.auto_deploy }}");
    let meta = &doc["spec"]["parameters"][0];
    assert_eq!(meta["required"], json!(["namespace_name", "project_name", "deployment_pipeline"]));
    assert_eq!(meta["properties"]["namespace_name"]["default"], "domain:default/acme");
    assert_eq!(meta["properties"]["auto_deploy"]["default"], true);
    assert_eq!(
        doc["spec"]["parameters"][1]["properties"]["parameters"]["ui:options"]["ptdSchema"],
        json!({"type": "object", "properties": {"budget": {"type": "integer"}}}),
        "the list item's own schema"
    );
    assert_eq!(doc["spec"]["output"]["text"][0]["if"], "${{ steps['create-project'].output.autoDeployFailed }}");
    assert!(has_rel(t, "template:acme/template-project-team-space", "ownedBy", "group:default/openchoreo-users"));
}

#[test]
fn single_resources_of_the_new_kinds_translate_alone() {
    let context = json!({"project": shop_project()});
    let r = json!({"metadata": {"name": "orders-db"}, "spec": {"owner": {"projectName": "shop"}, "type": {"name": "mysql"}}});
    let out = resource::translate("Resource", Some("acme"), r, Some(context)).ok().unwrap();
    assert_eq!(names(&out.entities), vec!["Resource:acme/orders-db"]);
    assert_eq!(out.entities[0].doc()["spec"]["owner"], "group:default/shop-team");
    let out = resource::translate("ClusterProjectType", None, json!({"metadata": {"name": "default"}}), None).ok().unwrap();
    assert_eq!(
        names(&out.entities),
        vec!["ClusterProjectType:openchoreo-cluster/default", "Template:openchoreo-cluster/template-project-default"],
        "a project type carries its own schema, so its Template comes with it"
    );
    let channel = json!({"metadata": {"name": "c"}, "spec": {"environment": "dev", "type": "email"}});
    let out = resource::translate("ObservabilityAlertsNotificationChannel", Some("acme"), channel, None).ok().unwrap();
    assert_eq!(names(&out.entities), vec!["ObservabilityAlertsNotificationChannel:acme/c"]);
    assert!(matches!(resource::translate("ResourceType", None, json!({"metadata": {"name": "x"}}), None), Err(ResourceError::Invalid(_))));
}

#[test]
fn every_new_kind_round_trips_through_scope_of() {
    for (kind, ns, scope) in [
        ("ResourceType", "acme", "ns/acme/resourcetypes"),
        ("ProjectType", "acme", "ns/acme/projecttypes"),
        ("Resource", "acme", "ns/acme/resources"),
        ("ObservabilityAlertsNotificationChannel", "acme", "ns/acme/observabilityalertsnotificationchannels"),
        ("ClusterResourceType", "openchoreo-cluster", "cluster/resourcetypes"),
        ("ClusterProjectType", "openchoreo-cluster", "cluster/projecttypes"),
    ] {
        let doc = json!({"kind": kind, "metadata": {"name": "x", "namespace": ns}});
        assert_eq!(scope_of(&doc).as_deref(), Ok(scope), "{kind}");
    }
}
