//! (Cluster)ComponentType + its `/schema` → scaffolder `Template` (docs/entities.md, Template). The `${{ … }}` text
//! is literal scaffolder templating.

use crate::entity::{CLUSTER_NS, Entity, EntityBuilder, SCAFFOLDER_V1BETA3};
use crate::json::{at, depth_exceeds, set_str, str_at};
use crate::meta;
use crate::names::backstage_name;
use serde_json::{Value, json};

/// Which component type a template is generated from.
pub enum Source<'a> {
    /// A namespaced ComponentType in this OpenChoreo namespace.
    Namespaced(&'a str),
    Cluster,
}

/// `web-service` → `Web Service`: split on `-`, upper-case each piece's first character.
pub fn format_title(s: &str) -> String {
    s.split('-')
        .map(|p| {
            let mut c = p.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a generated template creates, which decides its scope family and its source annotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Component,
    Resource,
    Project,
}

impl Family {
    pub const ALL: [Family; 3] = [Family::Component, Family::Resource, Family::Project];

    fn segment(self) -> &'static str {
        match self {
            Family::Component => "templates",
            Family::Resource => "resource-templates",
            Family::Project => "project-templates",
        }
    }

    /// Whether the template needs the type's `/schema`: a project type's list item carries its
    /// schema itself (as the plugin reads it), so its template needs no further request.
    pub fn fetches_schema(self) -> bool {
        !matches!(self, Family::Project)
    }

    /// The annotation naming the type a template was generated from.
    pub fn source_annotation(self) -> &'static str {
        match self {
            Family::Component => "openchoreo.io/ctd-name",
            Family::Resource => "openchoreo.io/rtd-name",
            Family::Project => "openchoreo.io/ptd-name",
        }
    }
}

pub fn template_scope(source: &Source, family: Family, type_name: &str) -> String {
    let segment = family.segment();
    match source {
        Source::Namespaced(ns) => format!("ns/{ns}/{segment}/{type_name}"),
        Source::Cluster => format!("cluster/{segment}/{type_name}"),
    }
}

fn workflow_choices(allowed: Option<&Value>, default_kind: &str) -> Value {
    let list = allowed.and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    Value::Array(
        list.iter()
            .filter_map(|e| match e {
                Value::String(s) if !s.is_empty() => Some(json!({ "kind": default_kind, "name": s })),
                Value::Object(_) => {
                    set_str(e, &["name"]).map(|n| json!({ "kind": set_str(e, &["kind"]).unwrap_or(default_kind), "name": n }))
                }
                _ => None,
            })
            .collect(),
    )
}

/// Deeper schemas are refused: entity JSON must stay readable by every JSON parser (most stop at 128).
pub const MAX_SCHEMA_DEPTH: usize = 64;

pub fn translate(ct: &Value, schema: &Value, source: &Source, owner: &str) -> Result<Entity, String> {
    let name = meta::name(ct)?;
    if depth_exceeds(schema, MAX_SCHEMA_DEPTH) {
        return Err(format!("schema nests deeper than {MAX_SCHEMA_DEPTH} levels"));
    }
    let display = meta::annotation(ct, meta::DISPLAY_NAME).filter(|s| !s.is_empty());
    let title = display.map_or_else(|| format_title(name), str::to_string);
    let workload_type = set_str(ct, &["spec", "workloadType"]).unwrap_or("deployment");
    let (ctd_kind, template_ns, ui_ns, default_workflow_kind) = match source {
        Source::Namespaced(ns) => ("ComponentType", *ns, *ns, "Workflow"),
        Source::Cluster => ("ClusterComponentType", CLUSTER_NS, "", "ClusterWorkflow"),
    };
    let allowed_workflows: Option<Value> = match source {
        Source::Namespaced(_) => at(ct, &["spec", "allowedWorkflows"]).filter(|v| v.is_array()).cloned(),
        Source::Cluster => at(ct, &["spec", "allowedWorkflows"])
            .and_then(Value::as_array)
            .map(|l| Value::Array(l.iter().filter_map(|e| str_at(e, &["name"]).map(|n| json!(n))).collect())),
    };
    let allowed_traits: Option<Value> = match source {
        Source::Namespaced(_) => at(ct, &["spec", "allowedTraits"]).filter(|v| v.is_array()).cloned(),
        Source::Cluster => at(ct, &["spec", "allowedTraits"]).and_then(Value::as_array).map(|l| {
            Value::Array(l.iter().filter_map(|e| str_at(e, &["name"]).map(|n| json!({ "kind": "ClusterTrait", "name": n }))).collect())
        }),
    };
    let wf = workflow_choices(allowed_workflows.as_ref(), default_workflow_kind);

    let mut b = EntityBuilder::bare(SCAFFOLDER_V1BETA3, "Template", backstage_name(&format!("template-{name}")), Some(template_ns))
        .title(title.clone())
        .description(Some(meta::description(ct).map_or_else(|| format!("Create a {title} component"), str::to_string)));
    b.annotations().put("openchoreo.io/ctd-name", name).put("openchoreo.io/ctd-generated", "true");
    if matches!(source, Source::Cluster) {
        b.annotations().put("openchoreo.io/ctd-kind", "ClusterComponentType");
    }
    b.annotations().put("openchoreo.io/workload-type", workload_type).put_opt("openchoreo.io/ctd-display-name", display);

    let mut workload_options =
        json!({ "namespaceName": ui_ns, "workloadType": workload_type, "ctdSchema": schema, "ctdDisplayName": title });
    if let Some(t) = allowed_traits {
        workload_options["allowedTraits"] = t;
    }
    b.spec()
        .put("owner", owner)
        .put("type", "Component")
        .put("EXPERIMENTAL_formDecorators", json!([{ "id": "openchoreo:inject-user-token" }]))
        .put("parameters", json!([metadata_section(ui_ns), build_section(ui_ns, ctd_kind, wf), {
            "title": format!("{title} Details"),
            "properties": { "workloadDetails": { "title": "Workload Details", "type": "object", "ui:field": "WorkloadDetailsField", "ui:options": workload_options } }
        }]))
        .put("steps", json!([{
            "id": "create-component",
            "name": "Create OpenChoreo Component",
            "action": "openchoreo:component:create",
            "input": {
                "namespaceName": "${{ parameters.project_namespace.namespace_name }}",
                "projectName": "${{ parameters.project_namespace.project_name }}",
                "componentName": "${{ parameters.component_name }}",
                "displayName": "${{ parameters.displayName }}",
                "description": "${{ parameters.description }}",
                "componentType": name,
                "component_type_workload_type": workload_type,
                "component_type_kind": ctd_kind,
                "workloadDetails": "${{ parameters.workloadDetails }}",
                "deploymentSource": "${{ parameters.buildAndDeploy.deploymentSource }}",
                "autoDeploy": "${{ parameters.buildAndDeploy.autoDeploy }}",
                "containerImage": "${{ parameters.buildAndDeploy.containerImage }}",
                "repo_url": "${{ parameters.buildAndDeploy.git_source.repo_url }}",
                "branch": "${{ parameters.buildAndDeploy.git_source.branch }}",
                "component_path": "${{ parameters.buildAndDeploy.git_source.component_path }}",
                "gitSecretRef": "${{ parameters.buildAndDeploy.git_source.git_secret_ref }}",
                "workflow": "${{ parameters.buildAndDeploy.workflow_name }}",
                "workflow_parameters": "${{ parameters.buildAndDeploy.workflow_parameters }}",
                "ciPlatform": "${{ parameters.buildAndDeploy.ciPlatform }}",
                "ciIdentifier": "${{ parameters.buildAndDeploy.ciIdentifier }}"
            }
        }]))
        .put("output", json!({ "links": [{ "title": "View Component", "icon": "kind:component",
            "entityRef": "component:${{ steps['create-component'].output.namespaceName }}/${{ steps['create-component'].output.componentName }}" }] }));
    Ok(b.build(&template_scope(source, Family::Component, name)))
}

fn metadata_section(ui_ns: &str) -> Value {
    json!({
        "title": "Component Metadata",
        "required": ["project_namespace", "component_name"],
        "properties": {
            "project_namespace": {
                "title": "Project & Namespace", "type": "object",
                "ui:field": "ProjectNamespaceField",
                "ui:options": { "defaultNamespace": ui_ns },
                "properties": { "project_name": { "type": "string" }, "namespace_name": { "type": "string" } },
                "required": ["project_name", "namespace_name"]
            },
            "component_name": { "title": "Component Name", "type": "string", "description": "Unique name for your component", "ui:field": "ComponentNamePicker" },
            "displayName": { "title": "Display Name", "type": "string", "description": "Human-readable display name" },
            "description": { "title": "Description", "type": "string", "description": "Brief description of what this component does" }
        }
    })
}

/// Build & Deploy: one `buildAndDeploy` object owned by the frontend's `BuildAndDeployField`, which
/// shows the fields of the chosen deployment source and replaces the whole object when it changes.
fn build_section(ui_ns: &str, ctd_kind: &str, wf: Value) -> Value {
    json!({
        "title": "Build & Deploy",
        "required": ["buildAndDeploy"],
        "properties": {
            "buildAndDeploy": {
                "type": "object",
                "ui:field": "BuildAndDeployField",
                "required": ["deploymentSource"],
                "properties": {
                    "deploymentSource": { "title": "Deployment Source", "type": "string", "description": "Choose how to deploy your component",
                        "enum": ["build-from-source", "deploy-from-image", "external-ci"], "ui:field": "DeploymentSourcePicker" },
                    "workflow_name": { "title": "Build Workflow", "type": "object", "description": "Select the build workflow to use for this component",
                        "properties": { "kind": { "title": "Workflow Kind", "type": "string" }, "name": { "title": "Workflow Name", "type": "string" } },
                        "required": ["kind", "name"], "ui:field": "BuildWorkflowPicker",
                        "ui:options": { "namespaceName": ui_ns, "ctdKind": ctd_kind, "allowedWorkflows": wf } },
                    "git_source": { "title": "Source Repository", "type": "object", "ui:field": "GitSourceField", "ui:options": { "namespaceName": ui_ns },
                        "properties": { "repo_url": { "type": "string" }, "branch": { "type": "string" }, "component_path": { "type": "string" }, "git_secret_ref": { "type": "string" } } },
                    "workflow_parameters": { "title": "Workflow Parameters", "type": "object", "ui:field": "BuildWorkflowParameters",
                        "ui:options": { "namespaceName": ui_ns, "ctdKind": ctd_kind } },
                    "containerImage": { "title": "Container Image", "type": "string", "description": "Full image reference (e.g., ghcr.io/org/app:v1.0.0 or nginx:latest)", "ui:field": "ContainerImageField" },
                    "autoDeploy": { "title": "Auto Deploy", "description": "Automatically deploys the component to the first target environment once built",
                        "type": "boolean", "default": false, "ui:field": "SwitchField" },
                    "ciPlatform": { "title": "CI Platform (Optional)", "type": "string",
                        "description": "Select your CI platform to enable build visibility in Backstage. You can configure this later via the annotation editor.",
                        "enum": ["none", "jenkins", "github-actions", "gitlab-ci"],
                        "enumNames": ["Skip - I'll configure this later", "Jenkins", "GitHub Actions", "GitLab CI"], "default": "none" },
                    "ciIdentifier": { "title": "CI Job / Project Identifier", "type": "string",
                        "description": "Identifier for the external CI job (e.g., Jenkins job path, GitHub repo slug, or GitLab project ID)." }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_formatted_like_the_plugin() {
        assert_eq!(format_title("web-service"), "Web Service");
        assert_eq!(format_title("go_api"), "Go_api");
    }
}
