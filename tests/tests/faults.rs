//! Nothing is lost on faults (docs/compatibility.md W1): for each fault, injected into the fixture API over real
//! HTTP, the entities of the affected scopes stay exactly as last synced, everything else updates,
//! and a run that cannot be trusted as a whole fails and changes nothing.

use host_harness::fixture::{Dataset, Fault, FaultKind, FixtureApi, Idp};
use host_harness::logging::{Level, Logger};
use host_harness::runner::{RunFailure, Syncer};
use host_harness::state::StoredEntity;
use integration_tests::{CLIENT_SECRET, fixture_auth, sample_api, syncer};
use serde_json::json;
use std::time::Duration;

fn snapshot(es: &[StoredEntity]) -> Vec<(String, String)> {
    let mut v: Vec<_> = es.iter().map(|e| (e.entity_ref(), e.entity.get().to_string())).collect();
    v.sort();
    v
}

fn status(status: u16, body: &str) -> FaultKind {
    FaultKind::Status { status, body: body.into(), retry_after: None }
}

/// A clean first run, then the fault, then a second run.
fn after_fault(
    path: &str,
    kind: FaultKind,
    times: Option<u32>,
) -> (FixtureApi, Syncer, std::sync::Arc<Vec<StoredEntity>>, Result<host_harness::runner::RunOutcome, RunFailure>) {
    let api = sample_api();
    let mut s = syncer(&api, "", Logger::capture(), None);
    let clean = s.run_once().expect("clean run");
    assert!(clean.stale.is_empty(), "the clean run must be clean: {:?}", clean.stale);
    let first = clean.entities;
    api.add_fault(Fault { path: path.into(), kind, times });
    let second = s.run_once();
    (api, s, first, second)
}

fn stale_scopes(o: &host_harness::runner::RunOutcome) -> Vec<&str> {
    o.stale.iter().map(|(s, _)| s.as_str()).collect()
}

#[test]
fn a_transient_503_is_retried_and_nothing_goes_stale() {
    let (api, _, first, second) = after_fault("/api/v1/namespaces/default/projects", status(503, r#"{"error":"busy"}"#), Some(2));
    let o = second.unwrap();
    assert!(o.stale.is_empty(), "{:?}", o.stale);
    assert_eq!(snapshot(&o.entities), snapshot(&first));
    let tries = api.requests().iter().filter(|r| r.path == "/api/v1/namespaces/default/projects").count();
    assert_eq!(tries, 1 + 3, "one in the clean run, then the 503, 503 and a success");
}

#[test]
fn a_429_honours_retry_after() {
    let kind = FaultKind::Status { status: 429, body: "{}".into(), retry_after: Some(1) };
    let started = std::time::Instant::now();
    let (_, _, first, second) = after_fault("/api/v1/clustertraits", kind, Some(1));
    let o = second.unwrap();
    assert!(o.stale.is_empty());
    assert_eq!(snapshot(&o.entities), snapshot(&first));
    assert!(started.elapsed() >= Duration::from_millis(100), "waited for Retry-After (capped by max_backoff in tests)");
}

#[test]
fn a_persistent_5xx_keeps_the_scope_and_reports_it() {
    let (_, _, first, second) = after_fault(
        "/api/v1/namespaces/default/projects",
        status(500, r#"{"error":"Internal server error","code":"INTERNAL_ERROR"}"#),
        None,
    );
    let o = second.unwrap();
    assert_eq!(
        stale_scopes(&o),
        vec!["ns/default/projects", "ns/default/components", "ns/default/deploymentpipelines", "ns/default/resources"]
    );
    assert_eq!(o.stale[0].1, "Failed to fetch projects for namespace default: 500 Internal Server Error - Internal server error");
    assert_eq!(snapshot(&o.entities), snapshot(&first), "the exact previous entity set");
}

#[test]
fn every_bad_response_shape_keeps_the_scope() {
    let cases = [
        ("/api/v1/namespaces/default/environments", FaultKind::Hang(Duration::from_millis(3000)), "ns/default/environments", "timed out"),
        ("/api/v1/namespaces/default/components", FaultKind::CutBody, "ns/default/components", "connection failed"),
        ("/api/v1/clustertraits", FaultKind::BadJson, "cluster/traits", "invalid JSON"),
        (
            "/api/v1/namespaces/default/traits",
            FaultKind::NotUtf8,
            "ns/default/traits",
            "the response body is not UTF-8 (an invalid byte at offset 34)",
        ),
        ("/api/v1/namespaces/default/workloads", FaultKind::WrongShape, "ns/default/components", "expected an object with an items array"),
    ];
    for (path, kind, scope, reason) in cases {
        let (_, _, first, second) = after_fault(path, kind.clone(), None);
        let o = second.unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(stale_scopes(&o), vec![scope], "{path}");
        assert!(o.stale[0].1.contains(reason), "{path}: {}", o.stale[0].1);
        let (now, before) = (snapshot(&o.entities), snapshot(&first));
        let only_now: Vec<&String> = now.iter().filter(|e| !before.contains(e)).map(|e| &e.0).collect();
        let only_before: Vec<&String> = before.iter().filter(|e| !now.contains(e)).map(|e| &e.0).collect();
        assert!(only_now.is_empty() && only_before.is_empty(), "{path}: new {only_now:?}, lost {only_before:?}");
    }
}

#[test]
fn a_token_revoked_mid_run_is_refreshed_once() {
    let (api, _, first, second) = after_fault("/api/v1/namespaces/default/projects", FaultKind::RevokeTokens, Some(1));
    let o = second.unwrap();
    assert!(o.stale.is_empty(), "{:?}", o.stale);
    assert_eq!(snapshot(&o.entities), snapshot(&first));
    assert_eq!(api.token_requests(), 2);
}

#[test]
fn a_403_on_one_namespace_leaves_the_others_updating() {
    let api = sample_api();
    api.update(|d| {
        d.namespaces.push(json!({"metadata": {"name": "team-b"}, "status": {"phase": "Active"}}));
        let lists = d.namespaced.entry("team-b".into()).or_default();
        lists.insert("projects".into(), vec![json!({"metadata": {"name": "billing"}})]);
        lists.insert("components".into(), vec![json!({"metadata": {"name": "invoices"}, "spec": {"owner": {"projectName": "billing"}}})]);
    });
    let mut s = syncer(&api, "", Logger::capture(), None);
    let first = s.run_once().unwrap().entities;
    api.add_fault(Fault {
        path: "/api/v1/namespaces/team-b/components".into(),
        kind: status(403, r#"{"error":"forbidden","code":"FORBIDDEN"}"#),
        times: None,
    });
    api.update(|d| {
        d.namespaced.get_mut("default").unwrap().get_mut("projects").unwrap()[0]["metadata"]["annotations"]["openchoreo.dev/display-name"] =
            json!("Renamed")
    });
    let o = s.run_once().unwrap();
    assert_eq!(stale_scopes(&o), vec!["ns/team-b/components"]);
    assert!(o.stale[0].1.contains("403 Forbidden - forbidden"));
    let invoices = |es: &[StoredEntity]| es.iter().find(|e| e.name == "invoices").map(|e| e.entity.get().to_string());
    assert_eq!(invoices(&o.entities), invoices(&first), "team-b's component is kept");
    assert!(o.entities.iter().any(|e| e.kind == "System" && e.entity.get().contains("\"title\":\"Renamed\"")), "default still updates");
}

#[test]
fn namespace_list_failure_fails_the_run_and_keeps_everything() {
    let (_, s, first, second) = after_fault("/api/v1/namespaces", status(502, "bad gateway"), None);
    let Err(RunFailure::Sync(msg)) = second else { panic!("expected a failed run") };
    assert_eq!(msg, "Failed to fetch namespaces: 502 Bad Gateway - bad gateway");
    assert_eq!(snapshot(s.last().unwrap()), snapshot(&first));
}

#[test]
fn a_token_error_never_quotes_the_client_secret_and_a_redirect_is_not_followed() {
    let api = sample_api();
    api.set_idp(Idp::EchoForm);
    let log = Logger::capture();
    let mut s = syncer(&api, "", log.clone(), None);
    let Err(RunFailure::Sync(msg)) = s.run_once() else { panic!("expected a failed run") };
    assert!(msg.contains("400 Bad Request") && msg.contains("not quoted"), "{msg}");
    assert!(!msg.contains(CLIENT_SECRET), "{msg}");
    assert!(log.lines().iter().all(|(_, line)| !line.contains(CLIENT_SECRET)));

    let api = sample_api();
    api.set_idp(Idp::Redirect);
    let mut s = syncer(&api, "", Logger::capture(), None);
    let Err(RunFailure::Sync(msg)) = s.run_once() else { panic!("expected a failed run") };
    assert!(msg.contains("307 redirect") && msg.contains("openchoreo.auth.tokenUrl"), "{msg}");
    assert_eq!(api.token_requests(), 1, "the redirect is not followed");
    assert!(api.requests().is_empty());
}

#[test]
fn identity_provider_down_or_garbage_fails_the_run_clearly() {
    for (mode, expect) in [(Idp::Down, "503 Service Unavailable"), (Idp::Garbage, "invalid token response")] {
        let api = sample_api();
        api.set_idp(mode);
        let mut s = syncer(&api, "", Logger::capture(), None);
        let Err(RunFailure::Sync(msg)) = s.run_once() else { panic!("expected a failed run for {mode:?}") };
        assert!(msg.starts_with("Failed to get a service token") && msg.contains(expect), "{mode:?}: {msg}");
        assert!(api.requests().is_empty(), "no API request goes out without a token");
    }
}

#[test]
fn identity_provider_down_when_a_refresh_is_needed_keeps_everything() {
    let api = sample_api();
    let mut s = syncer(&api, "", Logger::capture(), None);
    let first = s.run_once().unwrap().entities;
    api.set_idp(Idp::Down);
    api.add_fault(Fault { path: "/api/v1/namespaces".into(), kind: FaultKind::RevokeTokens, times: Some(1) });
    let Err(RunFailure::Sync(msg)) = s.run_once() else { panic!("expected a failed run") };
    assert!(msg.contains("401 Unauthorized") && msg.contains("token refresh failed"), "{msg}");
    assert_eq!(snapshot(s.last().unwrap()), snapshot(&first));
}

#[test]
fn connection_refused_fails_the_run() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let yaml = format!("openchoreo:\n  baseUrl: http://127.0.0.1:{port}\n  features:\n    auth:\n      enabled: false\n");
    let app = host_harness::app_config::parse(&yaml, &|_| None).unwrap();
    let mut s = Syncer::new(integration_tests::runtime(), &app, Logger::capture(), None)
        .unwrap()
        .with_http_settings(integration_tests::fast_http());
    let Err(RunFailure::Sync(msg)) = s.run_once() else { panic!("expected a failed run") };
    assert!(msg.starts_with("Failed to fetch namespaces: connection failed"), "{msg}");
}

#[test]
fn a_run_past_schedule_timeout_is_interrupted_and_keeps_everything() {
    let api = FixtureApi::start(Dataset::sample(), Some(fixture_auth()), Duration::ZERO).unwrap();
    let first = syncer(&api, "", Logger::capture(), None).run_once().unwrap().entities;
    let mut s = syncer(&api, "  schedule:\n    timeout: 1\n", Logger::capture(), None).with_http_settings(
        host_harness::http_client::HttpSettings { request_timeout: Duration::from_secs(5), ..integration_tests::fast_http() },
    );
    s.seed(first.clone());
    api.add_fault(Fault {
        path: "/api/v1/namespaces/default/traits".into(),
        kind: FaultKind::Hang(Duration::from_millis(2500)),
        times: None,
    });
    let result = s.run_once();
    assert!(matches!(result, Err(RunFailure::Timeout(1))), "{result:?}");
    assert_eq!(snapshot(s.last().unwrap()), snapshot(&first));
}

#[test]
fn an_oversized_response_fails_its_list_clearly_and_keeps_the_scope() {
    let api = sample_api();
    let mut s = syncer(&api, "", Logger::capture(), None);
    let first = s.run_once().unwrap().entities;
    // The sample's largest list is the cluster workflows (about 24.9 KB of compact JSON); the next is 24.3 KB.
    let mut s = s.with_http_settings(host_harness::http_client::HttpSettings { max_body: 24_600, ..integration_tests::fast_http() });
    let o = s.run_once().unwrap();
    assert_eq!(stale_scopes(&o), vec!["cluster/workflows"]);
    assert!(o.stale[0].1.contains("response larger than 24600 bytes"), "{}", o.stale[0].1);
    assert_eq!(snapshot(&o.entities), snapshot(&first));
}

#[test]
fn lists_an_older_api_does_not_serve_are_empty_not_stale_and_said_once_per_process() {
    let api = sample_api();
    let logger = Logger::capture();
    let mut s = syncer(&api, "", logger.clone(), None);
    let first = s.run_once().unwrap().entities;
    assert!(first.iter().any(|e| e.scope == "ns/default/observabilityalertsnotificationchannels"), "the sample has notification channels");
    for path in ["/api/v1/namespaces/default/observabilityalertsnotificationchannels", "/api/v1/clusterresourcetypes"] {
        api.add_fault(Fault { path: path.into(), kind: status(404, "404 page not found\n"), times: None });
    }
    let second = s.run_once().unwrap();
    let third = s.run_once().unwrap();
    assert!(second.stale.is_empty() && third.stale.is_empty(), "{:?}", second.stale);
    assert!(!second.entities.iter().any(|e| e.scope == "ns/default/observabilityalertsnotificationchannels"), "nothing is synced for it");
    let unaffected: Vec<_> = first.iter().filter(|e| e.kind == "Component").map(|e| e.entity_ref()).collect();
    assert!(unaffected.iter().all(|r| second.entities.iter().any(|e| &e.entity_ref() == r)));
    let notices: Vec<(Level, String)> =
        logger.lines().into_iter().filter(|(_, m)| m.starts_with("The OpenChoreo API does not serve")).collect();
    assert_eq!(notices.iter().filter(|(l, _)| *l == Level::Info).count(), 2, "once per list and process: {notices:?}");
    assert_eq!(notices.iter().filter(|(l, _)| *l == Level::Debug).count(), 2, "the third run repeats them at debug");
    assert!(!logger.lines().iter().any(|(l, m)| *l >= Level::Warn && m.contains("Keeping the last good")), "{:?}", logger.lines());
}

#[test]
fn an_error_message_from_the_api_cannot_forge_log_lines_or_reach_the_terminal() {
    let logger = Logger::capture();
    let api = sample_api();
    let mut s = syncer(&api, "", logger.clone(), None);
    s.run_once().unwrap();
    let body = r#"{"message":"down\r\nerror Synced 0 entities \u001b[2J\u001b]0;pwned\u0007 \u202e"}"#;
    api.add_fault(Fault { path: "/api/v1/namespaces/default/environments".into(), kind: status(500, body), times: None });
    let o = s.run_once().unwrap();
    assert!(o.stale[0].1.contains(r"down\r\nerror Synced 0 entities \u{1b}[2J\u{1b}]0;pwned\u{7} \u{202e}"), "{}", o.stale[0].1);
    let lines = logger.lines();
    assert!(lines.iter().any(|(_, m)| m.contains("Keeping the last good entities of ns/default/environments")));
    for (_, line) in &lines {
        assert!(!line.chars().any(|c| c.is_control() || c == '\u{202e}'), "raw control character in {line:?}");
    }

    api.add_fault(Fault { path: "/api/v1/namespaces".into(), kind: status(500, body), times: None });
    let Err(RunFailure::Sync(message)) = s.run_once() else { panic!("the namespace list failed") };
    assert!(message.contains(r"down\r\nerror Synced") && !message.chars().any(char::is_control), "{message}");
}

/// `schedule.timeout` bounds everything a run waits for: a request in flight, a body that arrives a
/// byte at a time, a token endpoint that takes the request and never answers. The run ends within a
/// second of the timeout, fails, and the previous entities stay.
#[test]
fn the_run_deadline_ends_a_hung_request_a_slow_drip_body_and_a_hanging_token_endpoint() {
    let api = sample_api();
    let first = syncer(&api, "", Logger::capture(), None).run_once().unwrap().entities;
    let only_the_deadline =
        host_harness::http_client::HttpSettings { request_timeout: Duration::from_secs(120), ..integration_tests::fast_http() };
    let hung = "/api/v1/namespaces/default/traits";
    type Inject = Box<dyn Fn(&FixtureApi)>;
    let cases: [(&str, Inject); 3] = [
        (
            "a hung request",
            Box::new(|api| api.add_fault(Fault { path: hung.into(), kind: FaultKind::Hang(Duration::from_secs(60)), times: None })),
        ),
        (
            "a slow-drip body",
            Box::new(|api| api.add_fault(Fault { path: hung.into(), kind: FaultKind::Drip(Duration::from_millis(400)), times: None })),
        ),
        ("a hanging token endpoint", Box::new(|api| api.set_idp(Idp::Hang))),
    ];
    for (what, fault) in cases {
        api.clear_faults();
        api.set_idp(Idp::Up);
        let mut s = syncer(&api, "  schedule:\n    timeout: 2\n", Logger::capture(), None).with_http_settings(only_the_deadline.clone());
        s.seed(first.clone());
        fault(&api);
        let started = std::time::Instant::now();
        let result = s.run_once();
        let took = started.elapsed();
        assert!(took < Duration::from_secs(3), "{what}: the run took {took:?}, more than a second past its 2 s timeout");
        assert!(result.is_err(), "{what}: a run that reached its deadline must fail: {result:?}");
        assert_eq!(snapshot(s.last().unwrap()), snapshot(&first), "{what}: the previous entities stay");
    }
    api.set_idp(Idp::Up);
}

#[test]
fn cursors_that_go_round_fail_their_list_alone_once_a_cursor_comes_back() {
    let (api, _, first, second) = after_fault("/api/v1/namespaces/default/traits", FaultKind::CursorCycle, None);
    let o = second.unwrap();
    assert_eq!(stale_scopes(&o), vec!["ns/default/traits"]);
    assert!(o.stale[0].1.contains(r#"the API returned cursor "cycle-a" a second time"#), "{}", o.stale[0].1);
    assert_eq!(snapshot(&o.entities), snapshot(&first));
    let pages = api.requests().iter().filter(|r| r.path == "/api/v1/namespaces/default/traits").count();
    assert_eq!(pages, 1 + 4, "one in the clean run, then none, a, b, c before a comes back");
}
