//! The sample installation (OpenChoreo getting-started defaults + url-shortener) synced through the
//! component over real HTTP with OAuth2, compared with the accepted output. `BLESS=1` rewrites it.

use host_harness::logging::Logger;
use host_harness::output;
use integration_tests::{runtime, sample_api, syncer};
use serde_json::Value;
use std::path::Path;

#[test]
fn sample_installation_matches_the_golden_output() {
    let api = sample_api();
    let mut s = syncer(&api, "", Logger::capture(), None);
    let outcome = s.run_once().expect("sync succeeds");
    assert!(outcome.stale.is_empty() && outcome.skipped.is_empty(), "{:?} {:?}", outcome.stale, outcome.skipped);
    assert_eq!(
        outcome.requests,
        1 + 15 + 8 + 4 + 3,
        "1 + 15·N + 8 for one namespace, plus one /schema per (Cluster)ComponentType (4) and (Cluster)ResourceType (3); a project type carries its schema"
    );
    let mut pure = runtime().pure(Logger::capture()).unwrap();
    let docs = output::with_relations(&mut pure, &outcome.entities).unwrap();
    let actual = serde_json::to_string_pretty(&docs).unwrap() + "\n";

    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/sample-entities.json");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&golden, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).expect("golden file exists (run with BLESS=1 to create it)");
    let (a, e): (Value, Value) = (serde_json::from_str(&actual).unwrap(), serde_json::from_str(&expected).unwrap());
    if a != e {
        let changed: Vec<String> = a
            .as_array()
            .unwrap()
            .iter()
            .zip(e.as_array().unwrap())
            .filter(|(x, y)| x != y)
            .map(|(x, _)| format!("{}/{}", x["kind"], x["metadata"]["name"]))
            .take(10)
            .collect();
        panic!("output differs from {} (first differing entities: {changed:?}); review and re-run with BLESS=1", golden.display());
    }
}

#[test]
fn relations_promised_by_the_user_doc_are_present() {
    let api = sample_api();
    let outcome = syncer(&api, "", Logger::capture(), None).run_once().unwrap();
    let mut pure = runtime().pure(Logger::capture()).unwrap();
    let docs = output::with_relations(&mut pure, &outcome.entities).unwrap();
    let has = |kind: &str, name: &str, rel: &str, target: &str| {
        docs.iter().any(|d| {
            d["kind"] == kind
                && d["metadata"]["name"] == name
                && d["relations"].as_array().unwrap().iter().any(|r| r["type"] == rel && r["targetRef"] == target)
        })
    };
    assert!(has("DeploymentPipeline", "default", "deploysTo", "environment:default/production"));
    assert!(has("Environment", "production", "hostedOn", "clusterdataplane:openchoreo-cluster/default"));
    assert!(has("System", "url-shortener", "usesPipeline", "deploymentpipeline:default/default"));
    assert!(has("Component", "snip-frontend", "instanceOf", "clustercomponenttype:openchoreo-cluster/web-application"));
    assert!(has("ClusterDataplane", "default", "observedBy", "clusterobservabilityplane:openchoreo-cluster/default"));
    assert!(has("ClusterWorkflow", "dockerfile-builder", "buildsOn", "clusterworkflowplane:openchoreo-cluster/default"));
    assert!(has("System", "url-shortener", "instanceOf", "clusterprojecttype:openchoreo-cluster/default"));
    assert!(has("Resource", "snip-analytics-db", "instanceOf", "clusterresourcetype:openchoreo-cluster/postgres"));
    assert!(has("Resource", "snip-analytics-db", "partOf", "system:default/url-shortener"));
    assert!(has("Component", "snip-analytics-service", "dependsOn", "resource:default/snip-analytics-db"));
    assert!(has(
        "ObservabilityAlertsNotificationChannel",
        "webhook-notification-channel-development",
        "notifiedBy",
        "environment:default/development"
    ));
    assert!(has(
        "Environment",
        "development",
        "notifies",
        "observabilityalertsnotificationchannel:default/webhook-notification-channel-development"
    ));
    assert!(has("ClusterComponentType", "service", "usesWorkflow", "clusterworkflow:openchoreo-cluster/dockerfile-builder"));
    assert!(has("Component", "snip-frontend", "consumesApi", "api:default/url-shortener-snip-api-service-http"));
    assert!(has("Domain", "default", "hasPart", "system:default/url-shortener"));
}

#[test]
fn each_response_and_each_entity_crosses_the_component_boundary_once() {
    let api = sample_api();
    let outcome = syncer(&api, "", Logger::capture(), None).run_once().unwrap();
    let into = outcome.boundary.to_guest;
    // In: the response bodies once, plus the small configuration document.
    assert!(into >= outcome.bytes_received && into - outcome.bytes_received < 4096, "{into} in for {} received", outcome.bytes_received);
    // Out: every entity document once, plus request paths, scopes and log lines; a second copy of
    // the entities (say, emitted and also returned) would double it.
    let documents: u64 = outcome.entities.iter().map(|e| e.entity.get().len() as u64).sum();
    let out = outcome.boundary.from_guest;
    assert!(out >= documents && out < documents + documents / 4 + 8192, "{out} out for {documents} bytes of entity documents");
}

#[test]
fn relations_are_the_same_whatever_the_number_of_calls() {
    let api = sample_api();
    let outcome = syncer(&api, "", Logger::capture(), None).run_once().unwrap();
    let mut pure = runtime().pure(Logger::capture()).unwrap();
    let one_call = output::relation_index(&mut pure, &outcome.entities).unwrap();
    let one_each = output::relation_index_in_calls(&mut pure, &outcome.entities, 1).unwrap();
    let mut total = 0;
    for e in outcome.entities.iter() {
        let r = e.entity_ref();
        let a: Vec<_> = one_call.of(&r).collect();
        assert_eq!(a, one_each.of(&r).collect::<Vec<_>>(), "{r}");
        total += a.len();
    }
    assert!(total > outcome.entities.len(), "the sample has relations ({total})");
}
