//! A component that misbehaves on purpose, so the hosts' limits can be tested at their boundaries.
//! `configure` takes `{"baseUrl": "...", "mode": "spin" | "hoard" | "panic" | "bad-spans" | "bad-json" | "exfiltrate"}`.
#![cfg(target_arch = "wasm32")]
#![allow(unsafe_code)]

wit_bindgen::generate!({ path: "../../wit", world: "catalog" });

use exports::openchoreo::catalog::mapping::{self, ScopeOutput, ScopeSnapshot};
use exports::openchoreo::catalog::sync::{self, ConfigError, Report, RunStats, ScopedReport, Settings, SyncError};
use openchoreo::catalog::http::{self, Request};
use openchoreo::catalog::sink;
use openchoreo::catalog::types::{EntityBatch, MappingError, Relation, RelationBatch, StaleScope};
use std::sync::Mutex;

static MODE: Mutex<String> = Mutex::new(String::new());

struct Hostile;
export!(Hostile);

fn field<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let start = json.find(&format!("\"{key}\""))?;
    let rest = &json[start + key.len() + 2..];
    let open = rest.find('"')? + 1;
    let close = rest[open..].find('"')?;
    Some(&rest[open..open + close])
}

impl sync::Guest for Hostile {
    fn configure(config_json: String) -> Result<Settings, ConfigError> {
        *MODE.lock().unwrap() = field(&config_json, "mode").unwrap_or("spin").to_string();
        let base_url = field(&config_json, "baseUrl").ok_or(ConfigError::Missing("baseUrl".into()))?.to_string();
        Ok(Settings { frequency_seconds: 30, timeout_seconds: 1, auth_enabled: false, base_url })
    }

    fn run() -> Result<Report, SyncError> {
        let mode = MODE.lock().unwrap().clone();
        match mode.as_str() {
            "spin" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "hoard" => {
                let mut kept: Vec<Vec<u8>> = Vec::new();
                loop {
                    kept.push(vec![1u8; 1 << 20]);
                    std::hint::black_box(&kept);
                }
            }
            "panic" => panic!("deliberate panic in the hostile guest"),
            "bad-spans" => {
                // A name span that runs past the end of the text.
                let spans = vec![0, 2, 2, 6, 8, 7, 15, 900, 0];
                let entities = EntityBatch { text: b"{}Systemdefaultshop".to_vec(), scopes: vec!["ns/x".into()], spans };
                Ok(Report { entities, stale: vec![], skipped: vec![], stats: RunStats { requests: 0, pages: 0, bytes_received: 0 } })
            }
            "ragged-spans" => {
                // One entity's nine numbers and two more.
                let spans = vec![0, 2, 2, 6, 8, 7, 15, 4, 0, 0, 2];
                let entities = EntityBatch { text: b"{}Systemdefaultshop".to_vec(), scopes: vec!["ns/x".into()], spans };
                Ok(Report { entities, stale: vec![], skipped: vec![], stats: RunStats { requests: 0, pages: 0, bytes_received: 0 } })
            }
            "bad-json" => {
                // Spans that fit, around a document that is not JSON, emitted as the sync would.
                sink::emit(&EntityBatch {
                    text: b"{\"spec\"Systemdefaultshop".to_vec(),
                    scopes: vec!["ns/x".into()],
                    spans: vec![0, 7, 7, 6, 13, 7, 20, 4, 0],
                });
                let entities = EntityBatch { text: vec![], scopes: vec![], spans: vec![] };
                Ok(Report { entities, stale: vec![], skipped: vec![], stats: RunStats { requests: 0, pages: 0, bytes_received: 0 } })
            }
            _ => {
                let paths =
                    ["http://127.0.0.1:1/api/v1/namespaces", "//evil.example/api/v1/namespaces", "/api/v1/../../secrets", "/metrics"];
                let requests: Vec<Request> = paths.iter().map(|p| Request { path: p.to_string(), query: vec![] }).collect();
                let stale = http::send_batch(&requests)
                    .into_iter()
                    .zip(paths)
                    .map(|(r, p)| StaleScope { scope: p.to_string(), reason: format!("{r:?}") })
                    .collect();
                let entities = EntityBatch { text: vec![], scopes: vec![], spans: vec![] };
                Ok(Report { entities, stale, skipped: vec![], stats: RunStats { requests: 4, pages: 0, bytes_received: 0 } })
            }
        }
    }

    /// The same misbehaviour as a full run, reported as covering nothing.
    fn run_scopes(_: Vec<String>) -> Result<ScopedReport, SyncError> {
        Self::run().map(|report| ScopedReport { report, covered: vec![] })
    }
}

impl mapping::Guest for Hostile {
    fn translate_scope(_: ScopeSnapshot) -> Result<ScopeOutput, MappingError> {
        Err(MappingError::InvalidInput("hostile".into()))
    }
    fn translate_resource(_: String, _: Option<String>, _: String, _: Option<String>) -> Result<EntityBatch, MappingError> {
        Err(MappingError::InvalidInput("hostile".into()))
    }
    fn stamp_template(_: Option<String>, _: String, _: String, _: String) -> Result<EntityBatch, MappingError> {
        Err(MappingError::InvalidInput("hostile".into()))
    }
    fn relations(_: String) -> Result<Vec<Relation>, MappingError> {
        Ok(vec![])
    }
    fn relations_of_batch(_: Vec<u8>, _: Vec<u32>) -> Result<RelationBatch, MappingError> {
        // Spans pointing past the text: the host must refuse them, not index out of bounds.
        Ok(RelationBatch { text: b"x".to_vec(), spans: vec![0, 1, 0, 1, 0, 99] })
    }
    fn scope_of(_: String) -> Result<String, MappingError> {
        Ok("hostile".into())
    }
    fn scopes_of_event(_: String) -> Result<Vec<String>, MappingError> {
        Ok(vec!["ns/../../*".into()])
    }
}
