//! The CLI's output relations computed while the sync runs (host-harness/src/relation_worker.rs):
//! they must be exactly the relations computed after the run, also when some entities come from
//! last-known-good (never shown to the worker during the run), and a worker whose run writes nothing
//! stops without being finished.

use host_harness::fixture::{Fault, FaultKind};
use host_harness::logging::Logger;
use host_harness::output::{self, RelationIndex};
use host_harness::relation_worker::RelationWorker;
use host_harness::state::StoredEntity;
use integration_tests::{runtime, sample_api, syncer};

/// Every entity's relations, as the output writes them.
fn written(entities: &[StoredEntity], index: &RelationIndex) -> Vec<String> {
    entities
        .iter()
        .map(|e| {
            let mut doc = Vec::new();
            output::document_json(e, index, &mut doc).unwrap();
            String::from_utf8(doc).unwrap()
        })
        .collect()
}

fn after_the_run(entities: &[StoredEntity]) -> RelationIndex {
    output::relation_index(&mut runtime().pure(Logger::capture()).unwrap(), entities).unwrap()
}

#[test]
fn relations_computed_during_the_run_are_those_computed_after_it() {
    let api = sample_api();
    let mut s = syncer(&api, "", Logger::capture(), None);
    let worker = RelationWorker::start(runtime(), Logger::capture()).unwrap();
    s.observe(Some(worker.observer()));
    let outcome = s.run_once().unwrap();
    assert_eq!(worker.fed(), outcome.entities.len(), "every entity went to the worker during the run");
    let during = worker.finish(&outcome.entities).unwrap();
    let docs = written(&outcome.entities, &during);
    assert_eq!(docs, written(&outcome.entities, &after_the_run(&outcome.entities)));
    assert!(docs.iter().any(|d| d.contains(r#""relations":[{"type":"#)), "the sample has relations");
}

#[test]
fn batches_larger_than_a_call_are_related_in_calls_with_the_same_result() {
    let api = sample_api();
    let mut s = syncer(&api, "", Logger::capture(), None);
    // 2 KiB a call: every batch of the sample is larger, so each goes document by document in calls.
    let worker = RelationWorker::start_with_call_bytes(runtime(), Logger::capture(), 2048).unwrap();
    s.observe(Some(worker.observer()));
    let outcome = s.run_once().unwrap();
    assert_eq!(worker.fed(), outcome.entities.len(), "every entity went to the worker during the run");
    let during = worker.finish(&outcome.entities).unwrap();
    assert_eq!(written(&outcome.entities, &during), written(&outcome.entities, &after_the_run(&outcome.entities)));
}

#[test]
fn entities_kept_from_last_known_good_get_their_relations_when_the_run_ends() {
    let api = sample_api();
    let mut s = syncer(&api, "", Logger::capture(), None);
    s.run_once().unwrap();
    api.add_fault(Fault {
        path: "/api/v1/namespaces/default/projects".into(),
        kind: FaultKind::Status { status: 500, body: r#"{"error":"down"}"#.into(), retry_after: None },
        times: None,
    });
    let worker = RelationWorker::start(runtime(), Logger::capture()).unwrap();
    s.observe(Some(worker.observer()));
    let outcome = s.run_once().unwrap();
    assert!(!outcome.stale.is_empty(), "the projects list failed");
    let kept = outcome.entities.iter().find(|e| e.kind == "System" && e.name == "url-shortener").expect("kept from the last run");
    let during = worker.finish(&outcome.entities).unwrap();
    assert!(during.of(&kept.entity_ref()).any(|(t, _)| t == "hasPart"), "the kept System has its relations");
    assert_eq!(written(&outcome.entities, &during), written(&outcome.entities, &after_the_run(&outcome.entities)));
}

#[test]
fn a_worker_whose_run_writes_nothing_stops_when_dropped() {
    let api = sample_api();
    let mut s = syncer(&api, "", Logger::capture(), None);
    let worker = RelationWorker::start(runtime(), Logger::capture()).unwrap();
    s.observe(Some(worker.observer()));
    s.run_once().unwrap();
    drop(worker);
    // The syncer still holds the dropped worker's observer: later runs go on without it.
    let again = s.run_once().unwrap();
    assert!(!again.entities.is_empty());
}
