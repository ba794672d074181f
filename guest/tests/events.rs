//! OpenChoreo change events → the scopes to re-fetch, and a run over those scopes alone.

use openchoreo_catalog_guest::events::{EventRefused, scopes_of_event, targets};
use openchoreo_catalog_guest::sync::config::Config;
use openchoreo_catalog_guest::sync::run_scopes;
use openchoreo_catalog_guest::sync::transport::{HttpError, Level, Request, Response, TokenError, TokenState, Transport};
use serde_json::{Value, json};
use std::collections::HashMap;

fn event(kind: &str, name: &str, namespace: Option<&str>) -> String {
    let mut e = json!({"kind": kind, "name": name, "action": "updated"});
    if let Some(ns) = namespace {
        e["namespace"] = json!(ns);
    }
    e.to_string()
}

#[test]
fn every_namespaced_kind_re_fetches_its_namespace() {
    for kind in [
        "Project",
        "Component",
        "Workload",
        "Environment",
        "DataPlane",
        "WorkflowPlane",
        "ObservabilityPlane",
        "DeploymentPipeline",
        "ComponentType",
        "Trait",
        "Workflow",
        "ResourceType",
        "ProjectType",
        "Resource",
        "ObservabilityAlertsNotificationChannel",
    ] {
        assert_eq!(scopes_of_event(&event(kind, "x", Some("acme"))), Ok(vec!["ns/acme/*".to_string()]), "{kind}");
        assert_eq!(
            scopes_of_event(&event(&kind.to_lowercase(), "x", Some("acme"))),
            Ok(vec!["ns/acme/*".to_string()]),
            "{kind} as a topic names it"
        );
    }
}

#[test]
fn cluster_kinds_re_fetch_the_cluster_lists_and_a_namespace_event_its_namespace() {
    for kind in [
        "ClusterComponentType",
        "ClusterTrait",
        "ClusterWorkflow",
        "ClusterDataPlane",
        "ClusterObservabilityPlane",
        "ClusterWorkflowPlane",
        "ClusterResourceType",
        "ClusterProjectType",
    ] {
        assert_eq!(scopes_of_event(&event(kind, "x", None)), Ok(vec!["cluster/*".to_string()]), "{kind}");
    }
    assert_eq!(scopes_of_event(&event("Namespace", "acme", None)), Ok(vec!["ns/acme/*".to_string()]));
    let deleted = r#"{"kind":"Namespace","name":"team-b","action":"deleted"}"#;
    assert_eq!(scopes_of_event(deleted), Ok(vec!["ns/team-b/*".to_string()]));
}

#[test]
fn malformed_events_and_unknown_kinds_are_refused_with_the_reason() {
    let refused = |e: &str| scopes_of_event(e).unwrap_err();
    assert_eq!(refused(&event("ReleaseBinding", "x", Some("acme"))), EventRefused::UnknownKind("ReleaseBinding".into()));
    for (body, reason) in [
        ("not json", "the event is not JSON"),
        ("[]", "the event has no kind"),
        (r#"{"kind":"Component","name":"x"}"#, "the Component event has no namespace"),
        (r#"{"kind":"Component","name":"x","namespace":"Bad_NS"}"#, r#"namespace "Bad_NS" is not one this mapping syncs"#),
        (r#"{"kind":"Component","name":"x","namespace":"openchoreo-cluster"}"#, "is not one this mapping syncs"),
        (
            r#"{"kind":"Component","name":"x","namespace":"a","action":"exploded"}"#,
            r#"action "exploded" is not created, updated or deleted"#,
        ),
    ] {
        let EventRefused::Invalid(message) = refused(body) else { panic!("{body}: expected invalid input") };
        assert!(message.contains(reason), "{body}: {message}");
    }
    assert!(targets(&["ns/acme/components".to_string()]).is_err(), "run-scopes takes only the patterns events make");
}

/// Serves one namespace (`acme`, with two components) and a second (`other`); answers per path.
#[derive(Default)]
struct Api {
    answers: HashMap<String, (u16, Value)>,
    sent: Vec<String>,
}

impl Api {
    fn installation() -> Self {
        let mut api = Api::default();
        let ns = |n: &str| json!({"metadata": {"name": n}});
        api.answers.insert("/api/v1/namespaces".into(), (200, json!({"items": [ns("acme"), ns("other")]})));
        for n in ["acme", "other"] {
            api.answers.insert(format!("/api/v1/namespaces/{n}"), (200, ns(n)));
            api.answers.insert(format!("/api/v1/namespaces/{n}/projects"), (200, json!({"items": [ns("shop")]})));
            let components = json!({"items": [
                {"metadata": {"name": "web"}, "spec": {"owner": {"projectName": "shop"}}},
                {"metadata": {"name": "api"}, "spec": {"owner": {"projectName": "shop"}}}]});
            api.answers.insert(format!("/api/v1/namespaces/{n}/components"), (200, components));
        }
        api
    }
}

impl Transport for Api {
    fn send_batch(&mut self, requests: &[Request]) -> Vec<Result<Response, HttpError>> {
        requests
            .iter()
            .map(|r| {
                self.sent.push(r.path.clone());
                let (status, body) = self.answers.get(&r.path).cloned().unwrap_or((200, json!({"items": []})));
                Ok(Response { status, body: body.to_string() })
            })
            .collect()
    }
    fn ensure_token(&mut self, _: bool) -> Result<TokenState, TokenError> {
        Ok(TokenState::Disabled)
    }
    fn log(&mut self, _: Level, _: &str) {}
}

fn cfg() -> Config {
    Config {
        base_url: "http://x".into(),
        default_owner: "openchoreo-users".into(),
        frequency_seconds: 30,
        timeout_seconds: 120,
        auth_enabled: false,
    }
}

#[test]
fn a_run_over_one_namespace_fetches_only_its_lists_and_speaks_for_it_alone() {
    let mut api = Api::installation();
    let scoped = run_scopes(&cfg(), &mut api, &["ns/acme/*".to_string()]).unwrap();
    assert_eq!(scoped.covered, vec!["ns/acme/*"]);
    assert!(api.sent.iter().all(|p| p.starts_with("/api/v1/namespaces/acme")), "{:?}", api.sent);
    assert_eq!(api.sent.iter().filter(|p| *p == "/api/v1/namespaces/acme").count(), 1, "its own resource, for the Domain");
    let refs: Vec<String> = scoped.report.entities.iter().map(|e| format!("{}:{}/{}", e.kind, e.namespace, e.name)).collect();
    assert!(refs.contains(&"Domain:default/acme".to_string()) && refs.contains(&"Component:acme/web".to_string()), "{refs:?}");
    assert!(scoped.report.entities.iter().all(|e| e.scope.starts_with("ns/acme/")), "every entity is within what it covers");
}

#[test]
fn a_namespace_that_is_gone_is_covered_with_nothing_and_one_that_fails_is_stale() {
    let mut api = Api::installation();
    api.answers.insert("/api/v1/namespaces/acme".into(), (404, json!({"error": "namespace acme not found"})));
    api.answers.insert("/api/v1/namespaces/other".into(), (503, json!({"message": "etcd unavailable"})));
    let scoped = run_scopes(&cfg(), &mut api, &["ns/acme/*".to_string(), "ns/other/*".to_string(), "cluster/*".to_string()]).unwrap();
    assert_eq!(scoped.covered, vec!["ns/acme/*", "cluster/*"]);
    assert_eq!(scoped.report.stale.len(), 1);
    assert_eq!(scoped.report.stale[0].scope, "ns/other/*");
    assert!(scoped.report.stale[0].reason.contains("503 Service Unavailable - etcd unavailable"), "{}", scoped.report.stale[0].reason);
    assert!(!scoped.report.entities.iter().any(|e| e.scope.starts_with("ns/")), "nothing for a namespace that is gone or failed");
    assert!(!api.sent.iter().any(|p| p.starts_with("/api/v1/namespaces/acme/") || p.starts_with("/api/v1/namespaces/other/")));
    assert!(api.sent.iter().any(|p| p == "/api/v1/clustertraits"), "the cluster lists are fetched");
}
