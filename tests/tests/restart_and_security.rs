//! Last-known-good survives a restart through the state file; secrets stay in the host; the guest
//! reaches only the configured origin.

use host_harness::fixture::{Fault, FaultKind};
use host_harness::http_client::{HttpClient, HttpSettings};
use host_harness::logging::Logger;
use host_harness::output;
use host_harness::runtime::bindings::openchoreo::catalog::http::{HttpError, Request};
use integration_tests::{CLIENT_SECRET, app_config_yaml, runtime, sample_api, scratch_dir, syncer};
use std::time::{Duration, Instant};

#[test]
fn last_known_good_survives_a_restart_through_the_state_file() {
    let api = sample_api();
    let scratch = scratch_dir("restart");
    let dir = scratch.path();
    let state = dir.join("state.json");
    let first = syncer(&api, "", Logger::capture(), Some(state.clone())).run_once().unwrap();
    let components = |es: &[host_harness::state::StoredEntity]| es.iter().filter(|e| e.kind == "Component").count();
    assert_eq!(components(&first.entities), 5);

    // A new process: same state file, and the components list now fails.
    api.add_fault(Fault {
        path: "/api/v1/namespaces/default/components".into(),
        kind: FaultKind::Status { status: 503, body: "{}".into(), retry_after: None },
        times: None,
    });
    let mut restarted = syncer(&api, "", Logger::capture(), Some(state.clone()));
    let second = restarted.run_once().unwrap();
    assert_eq!(second.stale.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(), vec!["ns/default/components"]);
    assert_eq!(components(&second.entities), 5, "kept from the state file");
    assert_eq!(second.entities.len(), first.entities.len());
    assert!(!second.changed, "nothing changed, so the run logs one debug line");

    let reloaded = host_harness::state::load(&state, &api.base_url).unwrap().unwrap();
    assert_eq!(reloaded.len(), first.entities.len(), "the state file still holds everything");
}

#[test]
fn a_corrupt_state_file_is_a_clear_startup_error() {
    let api = sample_api();
    let scratch = scratch_dir("corrupt-state");
    let dir = scratch.path();
    let state = dir.join("state.json");
    std::fs::write(&state, "{ not json").unwrap();
    let app = host_harness::app_config::parse(&integration_tests::app_config_yaml(&api, ""), &|_| None).unwrap();
    let err = host_harness::runner::Syncer::new(runtime(), &app, Logger::capture(), Some(state.clone())).err().unwrap();
    assert!(format!("{err:#}").contains("is not a valid state file"), "{err:#}");
}

#[test]
fn secrets_and_tokens_never_reach_logs_output_or_state() {
    let api = sample_api();
    let scratch = scratch_dir("secrets");
    let dir = scratch.path();
    let logger = Logger::capture();
    let mut s = syncer(&api, "", logger.clone(), Some(dir.join("state.json")));
    api.add_fault(Fault {
        path: "/api/v1/namespaces/default/traits".into(),
        kind: FaultKind::Status { status: 500, body: r#"{"error":"boom"}"#.into(), retry_after: None },
        times: None,
    });
    let outcome = s.run_once().unwrap();
    let mut pure = runtime().pure(logger.clone()).unwrap();
    let docs = output::with_relations(&mut pure, &outcome.entities).unwrap();
    output::write(&dir.join("out.yaml"), &docs).unwrap();

    let tokens: Vec<String> =
        api.requests().iter().filter_map(|r| r.authorization.clone()).map(|a| a.trim_start_matches("Bearer ").to_string()).collect();
    assert!(!tokens.is_empty());
    let logs: String = logger.lines().iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("\n");
    assert!(logs.contains("boom"), "the warning names the API's message");
    let files = [std::fs::read_to_string(dir.join("state.json")).unwrap(), std::fs::read_to_string(dir.join("out.yaml")).unwrap(), logs];
    for text in &files {
        assert!(!text.contains(CLIENT_SECRET));
        for t in &tokens {
            assert!(!text.contains(t.as_str()));
        }
    }
    let guest_config =
        host_harness::app_config::parse(&integration_tests::app_config_yaml(&api, ""), &|_| None).unwrap().guest_section.to_string();
    assert!(!guest_config.contains(CLIENT_SECRET), "the guest sees a redacted secret");
}

#[test]
fn the_http_import_refuses_anything_but_api_paths_on_the_configured_origin() {
    let api = sample_api();
    let client = HttpClient::new(&api.base_url, HttpSettings::default(), None);
    let deadline = Instant::now() + Duration::from_secs(5);
    let bad = [
        "http://127.0.0.1:1/api/v1/namespaces",
        "//127.0.0.2/api/v1/namespaces",
        "/api/v1/../../etc/passwd",
        "/api/v1/namespaces@evil.example",
        "/api/v1/namespaces?x=1",
        "/metrics",
        "api/v1/namespaces",
    ];
    let reqs: Vec<Request> = bad.iter().map(|p| Request { path: p.to_string(), query: vec![] }).collect();
    for (path, r) in bad.iter().zip(client.send_batch(reqs, deadline)) {
        assert!(matches!(r, Err(HttpError::Refused(_))), "{path}: {r:?}");
    }
    assert!(api.requests().is_empty(), "nothing was sent");
    let ok = client.send_batch(vec![Request { path: "/api/v1/namespaces".into(), query: vec![] }], deadline);
    assert_eq!(ok[0].as_ref().map(|r| r.status).ok(), Some(401), "a real API path goes out (and needs a token)");
}

#[test]
fn the_pure_mapping_instance_has_no_network() {
    let mut pure = runtime().pure(Logger::capture()).unwrap();
    let out = pure.translate_resource("Namespace", None, r#"{"metadata":{"name":"acme"}}"#, None).unwrap().unwrap();
    let entities = host_harness::batch::unpack(&out).unwrap();
    assert_eq!(entities.iter().map(|e| (e.kind, e.name)).collect::<Vec<_>>(), [("Domain", "acme")]);
}

#[test]
fn two_processes_cannot_sync_the_same_state_at_once() {
    let api = sample_api();
    let scratch = scratch_dir("lock");
    let dir = scratch.path();
    let state = dir.join("state.json");
    let mut s = syncer(&api, "", Logger::capture(), Some(state.clone()));
    // A live holder (this process stands in for the other one).
    std::fs::write(dir.join("state.json.lock"), std::process::id().to_string()).unwrap();
    let Err(host_harness::runner::RunFailure::Busy(msg)) = s.run_once() else { panic!("expected the run to be skipped") };
    assert!(msg.contains("holds") && msg.contains("state.json.lock"), "{msg}");
    assert!(api.requests().is_empty(), "a skipped run sends nothing");
    // A holder that is gone: the lock is taken over, and released after the run.
    std::fs::write(dir.join("state.json.lock"), "4000000").unwrap();
    s.run_once().expect("stale lock taken over");
    assert!(!dir.join("state.json.lock").exists());
}

#[test]
fn the_lock_is_never_the_state_file_and_state_files_of_two_formats_do_not_share_one() {
    let api = sample_api();
    let scratch = scratch_dir("lock-names");
    let dir = scratch.path();
    // `--state x.lock`: the lock is x.lock.lock, so the state survives the run.
    let state = dir.join("x.lock");
    syncer(&api, "", Logger::capture(), Some(state.clone())).run_once().unwrap();
    assert!(state.exists(), "the state file is kept");
    assert!(!dir.join("x.lock.lock").exists(), "the lock is released");
    // x.json and x.yaml are two state files with two locks: holding one does not block the other.
    std::fs::write(dir.join("x.json.lock"), std::process::id().to_string()).unwrap();
    syncer(&api, "", Logger::capture(), Some(dir.join("x.yaml"))).run_once().expect("x.yaml has its own lock");
}

#[test]
fn a_state_directory_that_cannot_hold_the_lock_says_so() {
    let api = sample_api();
    let scratch = scratch_dir("no-such-dir");
    let state = scratch.path().join("missing/state.json");
    let mut s = syncer(&api, "", Logger::capture(), Some(state));
    let Err(host_harness::runner::RunFailure::State(msg)) = s.run_once() else { panic!("expected a state failure") };
    assert!(msg.contains("cannot create the lock file") && msg.contains("missing/state.json.lock") && !msg.contains("pid"), "{msg}");
}

#[test]
fn a_state_file_of_another_installation_is_refused() {
    let api = sample_api();
    let scratch = scratch_dir("other-installation");
    let dir = scratch.path();
    let state = dir.join("state.json");
    syncer(&api, "", Logger::capture(), Some(state.clone())).run_once().unwrap();
    let other = sample_api();
    let app = host_harness::app_config::parse(&app_config_yaml(&other, ""), &|_| None).unwrap();
    let Err(e) = host_harness::runner::Syncer::new(runtime(), &app, Logger::capture(), Some(state)) else {
        panic!("a state file of another baseUrl must be refused")
    };
    let msg = format!("{e:#}");
    assert!(msg.contains(&api.base_url) && msg.contains(&other.base_url) && msg.contains("own --state file"), "{msg}");
}
