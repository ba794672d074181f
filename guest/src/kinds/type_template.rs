//! (Cluster)ResourceType and (Cluster)ProjectType + their `/schema` → scaffolder `Template`s
//! (docs/entities.md, Template: resource and project templates). The type's parameter schema is
//! embedded as plain JSON Schema, so the form renders with the stock scaffolder fields; the steps call
//! OpenChoreo's scaffolder actions `openchoreo:resource:create` and `openchoreo:project:create`.

use super::template::{Family, MAX_SCHEMA_DEPTH, Source, format_title, template_scope};
use crate::entity::{CLUSTER_NS, Entity, EntityBuilder, SCAFFOLDER_V1BETA3};
use crate::json::depth_exceeds;
use crate::meta;
use crate::names::backstage_name;
use serde_json::{Value, json};

fn parameters_section(title: &str, schema: &Value) -> Value {
    let mut params = schema.clone();
    if let Some(o) = params.as_object_mut() {
        o.entry("title").or_insert_with(|| json!("Parameters"));
    }
    json!({ "title": format!("{title} Parameters"), "properties": { "parameters": params } })
}

/// A "Create <Title> Resource" or "Create <Title> Project" template.
pub fn translate(t: &Value, schema: &Value, family: Family, source: &Source, owner: &str) -> Result<Entity, String> {
    let name = meta::name(t)?;
    if depth_exceeds(schema, MAX_SCHEMA_DEPTH) {
        return Err(format!("schema nests deeper than {MAX_SCHEMA_DEPTH} levels"));
    }
    let display = meta::annotation(t, meta::DISPLAY_NAME).filter(|s| !s.is_empty());
    let title = display.map_or_else(|| format_title(name), str::to_string);
    let cluster = matches!(source, Source::Cluster);
    let (template_ns, ui_ns) = match source {
        Source::Namespaced(ns) => (*ns, *ns),
        Source::Cluster => (CLUSTER_NS, ""),
    };
    let (noun, prefix, type_kind, entity_kind) = match family {
        Family::Resource => ("Resource", "resource-template", if cluster { "ClusterResourceType" } else { "ResourceType" }, "resource"),
        Family::Project => ("Project", "project-template", if cluster { "ClusterProjectType" } else { "ProjectType" }, "system"),
        Family::Component => return Err("component types use the component template".into()),
    };
    let mut b = EntityBuilder::bare(SCAFFOLDER_V1BETA3, "Template", backstage_name(&format!("{prefix}-{name}")), Some(template_ns))
        .title(display.map_or_else(|| format!("{title} {noun}"), str::to_string))
        .description(Some(meta::description(t).map_or_else(|| format!("Create a {title} {}", noun.to_lowercase()), str::to_string)));
    b.annotations()
        .put(family.source_annotation(), name)
        .put("openchoreo.io/template-source-kind", type_kind)
        .put_opt("openchoreo.io/template-source-display-name", display);
    let (metadata, step, output_name) = match family {
        Family::Resource => (
            json!({
                "title": "Resource Metadata",
                "required": ["project_namespace", "resource_name"],
                "properties": {
                    "project_namespace": {
                        "title": "Project & Namespace", "type": "object", "ui:field": "ProjectNamespaceField",
                        "ui:options": { "defaultNamespace": ui_ns },
                        "properties": { "project_name": { "type": "string" }, "namespace_name": { "type": "string" } },
                        "required": ["project_name", "namespace_name"]
                    },
                    "resource_name": { "title": "Resource Name", "type": "string", "description": "Unique name for the resource",
                        "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63 },
                    "displayName": { "title": "Display Name", "type": "string" },
                    "description": { "title": "Description", "type": "string" }
                }
            }),
            json!({
                "id": "create", "name": "Create OpenChoreo Resource", "action": "openchoreo:resource:create",
                "input": {
                    "namespaceName": "${{ parameters.project_namespace.namespace_name }}",
                    "projectName": "${{ parameters.project_namespace.project_name }}",
                    "resourceName": "${{ parameters.resource_name }}",
                    "displayName": "${{ parameters.displayName }}",
                    "description": "${{ parameters.description }}",
                    "resourceType": name,
                    "resourceTypeKind": type_kind,
                    "parameters": "${{ parameters.parameters }}"
                }
            }),
            "resourceName",
        ),
        _ => (
            json!({
                "title": "Project Metadata",
                "required": ["namespace_name", "project_name"],
                "properties": {
                    "namespace_name": { "title": "Namespace", "type": "string", "default": ui_ns },
                    "project_name": { "title": "Project Name", "type": "string", "description": "Unique name for the project",
                        "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63 },
                    "displayName": { "title": "Display Name", "type": "string" },
                    "description": { "title": "Description", "type": "string" },
                    "deploymentPipeline": { "title": "Deployment Pipeline", "type": "string", "default": "default" }
                }
            }),
            json!({
                "id": "create", "name": "Create OpenChoreo Project", "action": "openchoreo:project:create",
                "input": {
                    "namespaceName": "${{ parameters.namespace_name }}",
                    "projectName": "${{ parameters.project_name }}",
                    "displayName": "${{ parameters.displayName }}",
                    "description": "${{ parameters.description }}",
                    "deploymentPipeline": "${{ parameters.deploymentPipeline }}",
                    "projectType": name,
                    "projectTypeKind": type_kind,
                    "parameters": "${{ parameters.parameters }}"
                }
            }),
            "projectName",
        ),
    };
    b.spec()
        .put("owner", owner)
        .put("type", noun)
        .put("EXPERIMENTAL_formDecorators", json!([{ "id": "openchoreo:inject-user-token" }]))
        .put("parameters", json!([metadata, parameters_section(&title, schema)]))
        .put("steps", json!([step]))
        .put(
            "output",
            json!({ "links": [{ "title": format!("View {noun}"), "icon": format!("kind:{entity_kind}"),
                "entityRef": format!("{entity_kind}:${{{{ steps['create'].output.namespaceName }}}}/${{{{ steps['create'].output.{output_name} }}}}") }] }),
        );
    Ok(b.build(&template_scope(source, family, name)))
}
