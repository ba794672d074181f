//! Pagination over real HTTP with latency (docs/compatibility.md W2, W3): every list sends limit=100 and follows the cursor;
//! the request count depends on pages, not on the number of projects or components.

use host_harness::fixture::{Dataset, FixtureApi};
use host_harness::logging::Logger;
use host_harness::runner::Syncer;
use integration_tests::{fast_http, runtime};
use serde_json::json;
use std::time::Duration;

#[test]
fn long_lists_are_paged_with_limit_and_cursor() {
    let mut data = Dataset { namespaces: vec![json!({"metadata": {"name": "big"}})], ..Dataset::default() };
    let lists = data.namespaced.entry("big".into()).or_default();
    lists.insert("projects".into(), (0..30).map(|p| json!({"metadata": {"name": format!("p{p}")}})).collect());
    lists.insert(
        "components".into(),
        (0..250)
            .map(|c| json!({"metadata": {"name": format!("c{c}")}, "spec": {"owner": {"projectName": format!("p{}", c % 30)}}}))
            .collect(),
    );
    lists.insert("workflowplanes".into(), (0..45).map(|w| json!({"metadata": {"name": format!("wp{w}")}})).collect());
    let api = FixtureApi::start(data, None, Duration::from_millis(2)).unwrap();
    let yaml = format!("openchoreo:\n  baseUrl: {}\n  features:\n    auth:\n      enabled: false\n", api.base_url);
    let app = host_harness::app_config::parse(&yaml, &|_| None).unwrap();
    let mut s = Syncer::new(runtime(), &app, Logger::capture(), None).unwrap().with_http_settings(fast_http());
    let outcome = s.run_once().unwrap();
    assert!(outcome.stale.is_empty(), "{:?}", outcome.stale);
    assert_eq!(outcome.entities.iter().filter(|e| e.kind == "Component").count(), 250);
    assert_eq!(outcome.entities.iter().filter(|e| e.kind == "WorkflowPlane").count(), 45, "past the server's default page of 20");

    let seen = api.requests();
    assert!(seen.iter().all(|r| r.query.iter().any(|(k, v)| k == "limit" && v == "100")), "every request carries limit=100");
    let cursors: Vec<Option<String>> = seen
        .iter()
        .filter(|r| r.path == "/api/v1/namespaces/big/components")
        .map(|r| r.query.iter().find(|(k, _)| k == "cursor").map(|(_, v)| v.clone()))
        .collect();
    assert_eq!(cursors, vec![None, Some("off-100".into()), Some("off-200".into())]);
    assert_eq!(seen.len(), 1 + 15 + 8 + 2, "two further component pages; 30 projects and 250 components cost nothing more");
    assert_eq!(outcome.requests as usize, seen.len());
}

#[test]
fn a_list_of_ten_to_the_five_items_is_synced_completely_through_a_thousand_pages() {
    let mut data = Dataset { namespaces: vec![json!({"metadata": {"name": "huge"}})], ..Dataset::default() };
    let lists = data.namespaced.entry("huge".into()).or_default();
    lists.insert("projects".into(), vec![json!({"metadata": {"name": "p"}})]);
    lists.insert(
        "components".into(),
        (0..100_000).map(|c| json!({"metadata": {"name": format!("c{c}")}, "spec": {"owner": {"projectName": "p"}}})).collect(),
    );
    let api = FixtureApi::start(data, None, Duration::ZERO).unwrap();
    let yaml = format!("openchoreo:\n  baseUrl: {}\n  features:\n    auth:\n      enabled: false\n", api.base_url);
    let app = host_harness::app_config::parse(&yaml, &|_| None).unwrap();
    let mut s = Syncer::new(runtime(), &app, Logger::capture(), None).unwrap().with_http_settings(fast_http());
    let outcome = s.run_once().unwrap();
    assert!(outcome.stale.is_empty() && outcome.skipped.is_empty(), "{:?} {:?}", outcome.stale, outcome.skipped);
    assert_eq!(outcome.entities.iter().filter(|e| e.kind == "Component").count(), 100_000);
    assert_eq!(outcome.requests as usize, 1 + 15 + 8 + 999, "999 further pages of 100");
}

#[test]
fn connections_are_kept_open_and_reused_across_batches_and_runs() {
    let api = FixtureApi::start(Dataset::sample(), None, Duration::from_millis(2)).unwrap();
    let yaml = format!("openchoreo:\n  baseUrl: {}\n  features:\n    auth:\n      enabled: false\n", api.base_url);
    let app = host_harness::app_config::parse(&yaml, &|_| None).unwrap();
    let settings = fast_http();
    let mut s = Syncer::new(runtime(), &app, Logger::capture(), None).unwrap().with_http_settings(settings.clone());
    for _ in 0..3 {
        s.run_once().unwrap();
    }
    let requests = api.requests().len();
    assert!(requests > 3 * 2 * settings.concurrency, "runs of several full batches ({requests} requests)");
    // One connection per request in flight at most, whatever the number of batches and runs (a pool
    // that kept fewer idle connections than requests in flight would open new ones every batch).
    assert!(
        api.connections() <= settings.concurrency as u64,
        "{} connections for {requests} requests at {} in flight",
        api.connections(),
        settings.concurrency
    );
}
