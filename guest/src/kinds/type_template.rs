//! (Cluster)ResourceType and (Cluster)ProjectType → scaffolder `Template`s, shaped as the plugin's
//! 1.2.0 makes them (docs/entities.md, Template: resource and project templates): named
//! `template-resource-<type>` / `template-project-<type>`, annotated `openchoreo.io/rtd-*` /
//! `openchoreo.io/ptd-*` (the frontend lists them by those), the type's schema handed to the
//! frontend's `ResourceParametersField` / `ProjectParametersField`, and one step calling OpenChoreo's
//! `openchoreo:resource:create` / `openchoreo:project:create`. A resource type's schema comes from
//! its `/schema`; a project type's is the list item's own `spec.parameters.openAPIV3Schema`.

use super::template::{Family, MAX_SCHEMA_DEPTH, Source, format_title, template_scope};
use crate::entity::{CLUSTER_NS, Entity, EntityBuilder, SCAFFOLDER_V1BETA3};
use crate::json::depth_exceeds;
use crate::meta;
use crate::names::backstage_name;
use serde_json::{Map, Value, json};

/// What differs between the two families.
struct Shape {
    /// `Resource` / `Project`: the Template's `spec.type` and the nouns in its texts.
    noun: &'static str,
    name_prefix: &'static str,
    annotation_prefix: &'static str,
    type_kind: &'static str,
    step_id: &'static str,
    field: &'static str,
}

fn shape(family: Family, cluster: bool) -> Result<Shape, String> {
    Ok(match family {
        Family::Resource => Shape {
            noun: "Resource",
            name_prefix: "template-resource",
            annotation_prefix: "openchoreo.io/rtd",
            type_kind: if cluster { "ClusterResourceType" } else { "ResourceType" },
            step_id: "create-resource",
            field: "ResourceParametersField",
        },
        Family::Project => Shape {
            noun: "Project",
            name_prefix: "template-project",
            annotation_prefix: "openchoreo.io/ptd",
            type_kind: if cluster { "ClusterProjectType" } else { "ProjectType" },
            step_id: "create-project",
            field: "ProjectParametersField",
        },
        Family::Component => return Err("component types use the component template".into()),
    })
}

/// The "<Title> Details" page: the frontend renders the type's schema (`rtdSchema` / `ptdSchema`).
fn details_section(s: &Shape, type_name: &str, title: &str, schema: Option<&Value>) -> Value {
    let key = if s.noun == "Resource" { "rtd" } else { "ptd" };
    let mut options = Map::new();
    options.insert(format!("{key}Name"), json!(type_name));
    options.insert(format!("{key}Kind"), json!(s.type_kind));
    options.insert(format!("{key}DisplayName"), json!(title));
    if let Some(schema) = schema {
        options.insert(format!("{key}Schema"), schema.clone());
    }
    json!({
        "title": format!("{title} Details"),
        "properties": { "parameters": { "title": "Parameters", "type": "object", "ui:field": s.field, "ui:options": options } }
    })
}

fn resource_metadata_section(default_ns: &str) -> Value {
    json!({
        "title": "Resource Metadata",
        "required": ["project_namespace", "resource_name"],
        "properties": {
            "project_namespace": {
                "title": "Project & Namespace", "type": "object", "ui:field": "ProjectNamespaceField",
                "ui:options": { "defaultNamespace": default_ns },
                "properties": { "project_name": { "type": "string" }, "namespace_name": { "type": "string" } },
                "required": ["project_name", "namespace_name"]
            },
            "resource_name": {
                "title": "Resource Name", "type": "string",
                "description": "Unique name for your Resource (must be a valid Kubernetes name)",
                "ui:field": "ResourceNamePicker",
                "ui:options": { "catalogKind": "Resource", "resourceLabel": "Resource", "namespaceField": "project_namespace.namespace_name" }
            },
            "displayName": { "title": "Display Name", "type": "string", "description": "A human-readable display name for the Resource" },
            "description": { "title": "Description", "type": "string", "description": "Describe what this Resource is for" }
        }
    })
}

fn project_metadata_section(default_ns: Option<&str>) -> Value {
    let mut namespace = json!({
        "title": "Namespace", "type": "string", "description": "Namespace where the project will be created",
        "ui:field": "NamespaceEntityPicker"
    });
    if let Some(ns) = default_ns {
        namespace["default"] = json!(format!("domain:default/{ns}"));
    }
    json!({
        "title": "Project Metadata",
        "required": ["namespace_name", "project_name", "deployment_pipeline"],
        "properties": {
            "namespace_name": namespace,
            "project_name": {
                "title": "Project Name", "type": "string",
                "description": "Unique name for your project (must be a valid Kubernetes name)",
                "ui:field": "ResourceNamePicker",
                "ui:options": { "catalogKind": "System", "resourceLabel": "Project", "namespaceField": "namespace_name" }
            },
            "displayName": { "title": "Display Name", "type": "string", "description": "A human-readable display name for the Project" },
            "description": { "title": "Description", "type": "string", "description": "Describe what this Project is for" },
            "deployment_pipeline": {
                "title": "Deployment Pipeline", "type": "string", "description": "Deployment pipeline to associate with this project",
                "ui:field": "DeploymentPipelinePicker"
            },
            "auto_deploy": {
                "title": "Auto Deploy", "type": "boolean",
                "description": "Automatically deploys the project to all environments in the deployment pipeline once created",
                "default": true, "ui:field": "SwitchField",
                "ui:options": { "offWarning": "The project will not be deployed to any environment. You will need to deploy it manually from the project\u{2019}s Deploy tab before you can deploy components." }
            }
        }
    })
}

fn step(s: &Shape, type_name: &str) -> Value {
    let input = if s.noun == "Resource" {
        json!({
            "namespaceName": "${{ parameters.project_namespace.namespace_name }}",
            "projectName": "${{ parameters.project_namespace.project_name }}",
            "resourceName": "${{ parameters.resource_name }}",
            "displayName": "${{ parameters.displayName }}",
            "description": "${{ parameters.description }}",
            "typeKind": s.type_kind,
            "typeName": type_name,
            "parameters": "${{ parameters.parameters }}"
        })
    } else {
        json!({
            "namespaceName": "${{ parameters.namespace_name }}",
            "projectName": "${{ parameters.project_name }}",
            "displayName": "${{ parameters.displayName }}",
            "description": "${{ parameters.description }}",
            "deploymentPipeline": "${{ parameters.deployment_pipeline }}",
            "autoDeploy": "${{ parameters.auto_deploy }}",
            "typeKind": s.type_kind,
            "typeName": type_name,
            "parameters": "${{ parameters.parameters }}"
        })
    };
    json!({ "id": s.step_id, "name": format!("Create OpenChoreo {}", s.noun), "action": format!("openchoreo:{}:create", s.noun.to_lowercase()), "input": input })
}

fn output(s: &Shape) -> Value {
    if s.noun == "Resource" {
        return json!({ "links": [{ "title": "View Resource", "icon": "kind:resource",
            "entityRef": "resource:${{ steps['create-resource'].output.namespaceName }}/${{ steps['create-resource'].output.resourceName }}" }] });
    }
    json!({
        "links": [{ "title": "View Project", "icon": "kind:system",
            "entityRef": "system:${{ steps['create-project'].output.namespaceName }}/${{ steps['create-project'].output.projectName }}" }],
        "text": [{
            "if": "${{ steps['create-project'].output.autoDeployFailed }}",
            "icon": "warning",
            "content": "Auto Deploy could not create release binding(s) for **${{ steps['create-project'].output.failedEnvironments }}**. The project was created successfully, but it will not be deployed automatically \u{2014} deploy it manually from the project's **Deploy** tab."
        }]
    })
}

/// A "Create <Title> resource/project" template. `schema` is the type's parameter schema, if it has one.
pub fn translate(t: &Value, schema: Option<&Value>, family: Family, source: &Source, owner: &str) -> Result<Entity, String> {
    let name = meta::name(t)?;
    if schema.is_some_and(|s| depth_exceeds(s, MAX_SCHEMA_DEPTH)) {
        return Err(format!("schema nests deeper than {MAX_SCHEMA_DEPTH} levels"));
    }
    let cluster = matches!(source, Source::Cluster);
    let s = shape(family, cluster)?;
    let display = meta::annotation(t, meta::DISPLAY_NAME).filter(|d| !d.is_empty());
    let title = display.map_or_else(|| format_title(name), str::to_string);
    let template_ns = match source {
        Source::Namespaced(ns) => *ns,
        Source::Cluster => CLUSTER_NS,
    };
    let mut b =
        EntityBuilder::bare(SCAFFOLDER_V1BETA3, "Template", backstage_name(&format!("{}-{name}", s.name_prefix)), Some(template_ns))
            .title(title.clone())
            .description(Some(meta::description(t).map_or_else(|| format!("Create a {title} {}", s.noun.to_lowercase()), str::to_string)));
    let p = s.annotation_prefix;
    b.annotations()
        .put(&format!("{p}-name"), name)
        .put(&format!("{p}-generated"), "true")
        .put(&format!("{p}-kind"), s.type_kind)
        .put_opt(&format!("{p}-display-name"), display);
    let metadata = match (family, source) {
        (Family::Resource, Source::Namespaced(ns)) => resource_metadata_section(ns),
        (Family::Resource, Source::Cluster) => resource_metadata_section(""),
        (_, Source::Namespaced(ns)) => project_metadata_section(Some(ns)),
        (_, Source::Cluster) => project_metadata_section(None),
    };
    b.spec()
        .put("owner", owner)
        .put("type", s.noun)
        .put("EXPERIMENTAL_formDecorators", json!([{ "id": "openchoreo:inject-user-token" }]))
        .put("parameters", json!([metadata, details_section(&s, name, &title, schema)]))
        .put("steps", json!([step(&s, name)]))
        .put("output", output(&s));
    Ok(b.build(&template_scope(source, family, name)))
}
