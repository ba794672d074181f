//! The guest is sandboxed: a component that spins, hoards memory, panics, returns entities that do
//! not fit their batch or asks for another origin gets a failed run with the previous entities kept,
//! never a host crash or a request elsewhere.

use host_harness::app_config;
use host_harness::fixture::{Dataset, FixtureApi};
use host_harness::logging::Logger;
use host_harness::runner::{RunFailure, Syncer};
use host_harness::runtime::Runtime;
use host_harness::state::StoredEntity;
use serde_json::value::RawValue;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

const HOSTILE: &[u8] = include_bytes!(env!("HOSTILE_COMPONENT_PATH"));

fn hostile_runtime() -> Arc<Runtime> {
    static RT: OnceLock<Arc<Runtime>> = OnceLock::new();
    RT.get_or_init(|| Arc::new(Runtime::new(HOSTILE))).clone()
}

fn previous() -> Vec<StoredEntity> {
    vec![StoredEntity {
        kind: "Domain".into(),
        namespace: "default".into(),
        name: "kept".into(),
        scope: "namespaces".into(),
        entity: RawValue::from_string(r#"{"kind":"Domain","metadata":{"name":"kept"}}"#.into()).unwrap(),
    }]
}

fn hostile(mode: &str, api: &FixtureApi, logger: Logger) -> Syncer {
    let yaml = format!("openchoreo:\n  baseUrl: {}\n  mode: {mode}\n", api.base_url);
    let app = app_config::parse(&yaml, &|_| None).unwrap();
    let mut s = Syncer::new(hostile_runtime(), &app, logger, None).unwrap();
    s.seed(previous());
    s
}

fn kept(s: &Syncer) -> Vec<String> {
    s.last().unwrap().iter().map(StoredEntity::entity_ref).collect()
}

#[test]
fn a_guest_that_never_returns_is_interrupted_at_the_deadline() {
    let api = FixtureApi::start(Dataset::default(), None, Duration::ZERO).unwrap();
    let mut s = hostile("spin", &api, Logger::capture());
    let started = Instant::now();
    assert!(matches!(s.run_once(), Err(RunFailure::Timeout(1))));
    assert!(started.elapsed() < Duration::from_secs(5), "interrupted near the 1 s deadline, took {:?}", started.elapsed());
    assert_eq!(kept(&s), vec!["domain:default/kept"]);
}

#[test]
fn a_guest_that_hoards_memory_hits_the_cap_and_the_host_survives() {
    let api = FixtureApi::start(Dataset::default(), None, Duration::ZERO).unwrap();
    let mut s = hostile("hoard", &api, Logger::capture()).with_max_memory(32 << 20);
    let result = s.run_once();
    let Err(RunFailure::Trap(msg)) = &result else { panic!("expected a trap: {result:?}") };
    assert!(!msg.contains('\n') && !msg.contains("wasm backtrace"), "a trap is one line: {msg}");
    assert_eq!(kept(&s), vec!["domain:default/kept"]);
    // The host is fine and the next run starts from a fresh store.
    assert!(matches!(s.run_once(), Err(RunFailure::Trap(_))));
}

#[test]
fn a_guest_panic_is_a_failed_run_that_says_why() {
    let api = FixtureApi::start(Dataset::default(), None, Duration::ZERO).unwrap();
    let logger = Logger::capture();
    let mut s = hostile("panic", &api, logger.clone());
    let Err(RunFailure::Trap(msg)) = s.run_once() else { panic!("expected a trap") };
    assert!(msg.contains("deliberate panic in the hostile guest"), "the guest's stderr is in the failure: {msg}");
    assert!(!msg.contains('\n') && !msg.contains("wasm backtrace"), "a trap is one line: {msg}");
    assert_eq!(kept(&s), vec!["domain:default/kept"]);
}

#[test]
fn an_entity_batch_whose_spans_do_not_fit_is_a_failed_run_that_says_where() {
    let api = FixtureApi::start(Dataset::default(), None, Duration::ZERO).unwrap();
    for (mode, says) in [
        ("bad-spans", "entity #0 of a batch: its name span 15..915 is outside the text (19 bytes)"),
        ("ragged-spans", "the entity batch has 11 span numbers, not 9 per entity"),
    ] {
        let mut s = hostile(mode, &api, Logger::capture());
        let Err(RunFailure::Trap(msg)) = s.run_once() else { panic!("{mode}: expected a failed run") };
        assert!(msg.contains(says), "{mode}: {msg}");
        assert_eq!(kept(&s), vec!["domain:default/kept"], "{mode}");
    }
}

#[test]
fn an_emitted_document_that_is_not_json_is_a_failed_run_that_names_the_entity() {
    let api = FixtureApi::start(Dataset::default(), None, Duration::ZERO).unwrap();
    let mut s = hostile("bad-json", &api, Logger::capture());
    let Err(RunFailure::Trap(msg)) = s.run_once() else { panic!("expected a failed run") };
    assert!(msg.contains("entity System:default/shop of a batch is not JSON"), "{msg}");
    assert_eq!(kept(&s), vec!["domain:default/kept"]);
}

#[test]
fn a_guest_built_url_to_another_host_is_refused() {
    let api = FixtureApi::start(Dataset::default(), None, Duration::ZERO).unwrap();
    let mut s = hostile("exfiltrate", &api, Logger::capture());
    let outcome = s.run_once().expect("the guest returns what the host answered");
    assert_eq!(outcome.stale.len(), 4);
    for (path, answer) in &outcome.stale {
        assert!(answer.starts_with("Err(HttpError::Refused("), "{path}: {answer}");
    }
    assert!(api.requests().is_empty(), "nothing reached the network");
}

#[test]
fn a_relation_batch_whose_spans_do_not_fit_is_refused_not_indexed() {
    let mut pure = hostile_runtime().pure(Logger::capture()).unwrap();
    let Err(e) = host_harness::output::relation_index(&mut pure, &previous()) else { panic!("expected a refused batch") };
    assert!(e.to_string().contains("malformed relation batch"), "{e}");
}
