//! `sync --events-listen` as users run it: OpenChoreo's events POSTed over HTTP change the output within
//! seconds while the full sync is an hour away, a burst costs at most two re-fetches of its namespace,
//! and malformed events or unknown kinds are refused with the reason.

use host_harness::fixture::{Dataset, FixtureApi, post, spawn_events_listener};
use std::process::Command;
use std::time::{Duration, Instant};

const DROPPED_API: &str = "url-shortener-snip-analytics-service-http";

fn api_names(output: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(output).unwrap_or_default();
    let docs: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap_or_default();
    docs.iter().filter(|d| d["kind"] == "API").filter_map(|d| d["metadata"]["name"].as_str().map(str::to_string)).collect()
}

#[test]
fn events_change_the_output_within_seconds_and_a_burst_costs_two_re_fetches() {
    let api = FixtureApi::start(Dataset::sample(), None, Duration::ZERO).unwrap();
    let scratch = tempfile::Builder::new().prefix("openchoreo-events-cli-").tempdir().unwrap();
    let dir = scratch.path();
    let (cfg, output) = (dir.join("app-config.yaml"), dir.join("entities.json"));
    std::fs::write(
        &cfg,
        format!(
            "openchoreo:\n  baseUrl: {}/api/v1\n  schedule:\n    frequency: 3600\n  features:\n    auth:\n      enabled: false\n",
            api.base_url
        ),
    )
    .unwrap();
    let (_child, addr) = spawn_events_listener(
        Command::new(env!("CARGO_BIN_EXE_openchoreo-catalog"))
            .env("OPENCHOREO_LOG", "info")
            .args(["sync", "--events-listen", "127.0.0.1:0", "--config"])
            .arg(&cfg)
            .arg("--output")
            .arg(&output),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while !api_names(&output).contains(&DROPPED_API.to_string()) {
        assert!(Instant::now() < deadline, "the first full sync wrote its output");
        std::thread::sleep(Duration::from_millis(50));
    }

    // Malformed events and unknown kinds are refused with the reason, and change nothing.
    let (status, body) = post(&addr, "/api/events/http/openchoreo", "{not json");
    assert_eq!(status, 400);
    assert!(body.contains("the event is not JSON"), "{body}");
    let (status, body) =
        post(&addr, "/api/events/http/openchoreo", r#"{"kind":"ReleaseBinding","name":"x","namespace":"default","action":"updated"}"#);
    assert_eq!(status, 400);
    assert!(body.contains("unsupported kind ReleaseBinding"), "{body}");
    assert_eq!(post(&addr, "/elsewhere", "{}").0, 404);

    api.update(|d| {
        let workloads = d.namespaced.get_mut("default").unwrap().get_mut("workloads").unwrap();
        let w = workloads.iter_mut().find(|w| w["metadata"]["name"] == "snip-analytics-service").unwrap();
        w["spec"]["endpoints"] = serde_json::json!({});
    });
    api.clear_requests();
    let event = r#"{"kind":"Workload","name":"snip-analytics-service","namespace":"default","action":"updated"}"#;
    let sent = Instant::now();
    for _ in 0..50 {
        let (status, body) = post(&addr, "/api/events/http/openchoreo", event);
        assert_eq!((status, body.as_str()), (202, r#"{"scopes":["ns/default/*"]}"#));
    }
    while api_names(&output).contains(&DROPPED_API.to_string()) {
        assert!(sent.elapsed() < Duration::from_secs(10), "the removed endpoint's API left the output within seconds");
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!("50 events: output changed {:?} after the first", sent.elapsed());
    std::thread::sleep(host_harness::coalesce::QUIET + Duration::from_secs(1));
    let paths: Vec<String> = api.requests().into_iter().map(|r| r.path).collect();
    let refetches = paths.iter().filter(|p| *p == "/api/v1/namespaces/default/components").count();
    assert_eq!(refetches, 2, "a leading and a trailing re-fetch for the whole burst: {paths:?}");
    assert!(paths.iter().all(|p| p.starts_with("/api/v1/namespaces/default")), "only that namespace: {paths:?}");
}
