//! DeploymentPipeline → DeploymentPipeline, with the projects that reference it (docs/entities.md, DeploymentPipeline).

use super::NsCtx;
use crate::entity::{Entity, EntityBuilder, Fields};
use crate::json::{arr_at, at, scalar, str_at};
use crate::meta;
use crate::names::backstage_name;
use serde_json::Value;

/// Projects (in list order) whose `spec.deploymentPipelineRef.name` is `pipeline`.
pub fn referencing_projects<'a>(pipeline: &str, projects: &'a [Value]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for p in projects {
        if str_at(p, &["spec", "deploymentPipelineRef", "name"]) == Some(pipeline)
            && let Ok(n) = meta::name(p)
            && !out.contains(&n)
        {
            out.push(n);
        }
    }
    out
}

fn env_ref_name(r: Option<&Value>) -> String {
    match r {
        Some(Value::String(s)) => s.clone(),
        Some(v) => str_at(v, &["name"]).unwrap_or("").to_string(),
        None => String::new(),
    }
}

fn promotion_paths(p: &Value) -> Value {
    let paths = arr_at(p, &["spec", "promotionPaths"])
        .iter()
        .map(|path| {
            let targets: Vec<Value> = arr_at(path, &["targetEnvironmentRefs"])
                .iter()
                .map(|t| {
                    let mut f = Fields::default();
                    f.put("name", env_ref_name(Some(t)));
                    f.put_opt("requiresApproval", scalar(at(t, &["requiresApproval"])).cloned());
                    f.put_opt("isManualApprovalRequired", scalar(at(t, &["isManualApprovalRequired"])).cloned());
                    f.into_value()
                })
                .collect();
            let mut f = Fields::default();
            f.put("sourceEnvironment", env_ref_name(at(path, &["sourceEnvironmentRef"])));
            f.put("targetEnvironments", targets);
            f.into_value()
        })
        .collect::<Vec<_>>();
    Value::Array(paths)
}

pub fn translate(p: &Value, projects: &[Value], cx: &NsCtx, scope: &str) -> Result<Entity, String> {
    let name = meta::name(p)?;
    let refs = referencing_projects(name, projects);
    let first = refs.first().copied();
    let description = meta::description(p).map(str::to_string).unwrap_or_else(|| match first {
        Some(project) => format!("Deployment pipeline for {project}"),
        None => "Deployment pipeline".to_string(),
    });
    let mut b = EntityBuilder::managed("DeploymentPipeline", backstage_name(name), Some(cx.ns))
        .title(meta::title_or_name(p, name))
        .description(Some(description))
        .tags(["openchoreo", "deployment-pipeline", "platform-engineering"])
        .label("openchoreo.io/deployment-pipeline", "true");
    b.annotations()
        .put("openchoreo.io/namespace", cx.ns)
        .put_opt("openchoreo.io/project", first)
        .put_opt("openchoreo.io/created-at", meta::created_at(p))
        .put("openchoreo.io/status", meta::ready_text(p))
        .put_opt("openchoreo.io/deletion-timestamp", meta::deletion_ts(p));
    b.spec()
        .put("projectRefs", refs.iter().map(|r| backstage_name(r)).collect::<Vec<_>>())
        .put("namespaceName", cx.ns)
        .put("domain", cx.domain_ref())
        .put("promotionPaths", promotion_paths(p));
    Ok(b.build(scope))
}
