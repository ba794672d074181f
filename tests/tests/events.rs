//! Runs over named scopes (what an OpenChoreo change event asks for), against the fixture API over
//! real HTTP: only that namespace's lists are fetched, and the result is an exact delta.

use host_harness::fixture::{Fault, FaultKind};
use host_harness::logging::Logger;
use host_harness::state::StoredEntity;
use integration_tests::{sample_api, syncer};

const DEFAULT_NS: &str = "ns/default/*";
const DROPPED_API: &str = "api:default/url-shortener-snip-analytics-service-http";

fn refs(es: &[StoredEntity]) -> Vec<String> {
    let mut v: Vec<String> = es.iter().map(StoredEntity::entity_ref).collect();
    v.sort();
    v
}

#[test]
fn a_re_fetch_of_one_namespace_removes_an_endpoint_s_api_and_touches_nothing_else() {
    let api = sample_api();
    let mut s = syncer(&api, "", Logger::capture(), None);
    let first = s.run_once().unwrap().entities;
    assert!(refs(&first).contains(&DROPPED_API.to_string()));
    api.update(|d| {
        let workloads = d.namespaced.get_mut("default").unwrap().get_mut("workloads").unwrap();
        let w = workloads.iter_mut().find(|w| w["metadata"]["name"] == "snip-analytics-service").unwrap();
        w["spec"]["endpoints"] = serde_json::json!({});
    });
    api.clear_requests();
    let o = s.run_scopes(&[DEFAULT_NS.to_string()]).unwrap();
    let delta = o.delta.clone().unwrap();
    assert_eq!(delta.removed, vec![DROPPED_API.to_string()]);
    assert!(delta.upserted.iter().all(|r| r.contains(":default/")), "only the namespace's own entities change: {:?}", delta.upserted);
    let paths: Vec<String> = api.requests().into_iter().map(|r| r.path).collect();
    assert!(paths.iter().all(|p| p.starts_with("/api/v1/namespaces/default")), "{paths:?}");
    let mut expected: Vec<String> = refs(&first).into_iter().filter(|r| r != DROPPED_API).collect();
    expected.sort();
    assert_eq!(refs(&o.entities), expected, "everything else stays, cluster entities included");
}

#[test]
fn a_failed_re_fetch_changes_nothing_in_its_scope() {
    let api = sample_api();
    let mut s = syncer(&api, "", Logger::capture(), None);
    let first = s.run_once().unwrap().entities;
    api.update(|d| {
        d.namespaced.get_mut("default").unwrap().get_mut("workloads").unwrap().clear();
    });
    api.add_fault(Fault {
        path: "/api/v1/namespaces/default/workloads".into(),
        kind: FaultKind::Status { status: 500, body: r#"{"message":"boom"}"#.into(), retry_after: None },
        times: None,
    });
    let o = s.run_scopes(&[DEFAULT_NS.to_string()]).unwrap();
    assert_eq!(o.stale.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(), vec!["ns/default/components"]);
    assert!(o.delta.as_ref().unwrap().removed.is_empty(), "{:?}", o.delta);
    assert_eq!(refs(&o.entities), refs(&first));
}

#[test]
fn a_deleted_namespace_takes_its_entities_and_its_domain_with_it_and_the_cluster_stays() {
    let api = sample_api();
    let mut s = syncer(&api, "", Logger::capture(), None);
    let first = s.run_once().unwrap().entities;
    api.update(|d| d.namespaces.clear());
    let o = s.run_scopes(&[DEFAULT_NS.to_string()]).unwrap();
    let removed = &o.delta.as_ref().unwrap().removed;
    assert!(removed.contains(&"domain:default/default".to_string()), "{removed:?}");
    let cluster: Vec<String> = refs(&first).into_iter().filter(|r| r.contains(":openchoreo-cluster/")).collect();
    assert!(!cluster.is_empty());
    assert_eq!(refs(&o.entities), cluster, "only the cluster's entities are left");
}

#[test]
fn a_scope_pattern_the_component_does_not_know_fails_the_run_and_keeps_everything() {
    let api = sample_api();
    let mut s = syncer(&api, "", Logger::capture(), None);
    let first = s.run_once().unwrap().entities;
    let err = s.run_scopes(&["ns/default/components".to_string()]).unwrap_err();
    assert!(err.to_string().contains(r#"scope "ns/default/components" is not `ns/<namespace>/*` or `cluster/*`"#), "{err}");
    assert_eq!(refs(s.last().unwrap()), refs(&first));
}
