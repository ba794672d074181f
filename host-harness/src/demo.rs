//! `openchoreo-catalog demo`: the built-in sample OpenChoreo API on loopback, one sync through the
//! component with OAuth2 on, a per-kind summary, the relation graph of one system, entities to a file.

use crate::app_config;
use crate::fixture::{Dataset, FixtureApi, FixtureAuth};
use crate::logging::Logger;
use crate::output;
use crate::runner::Syncer;
use crate::runtime::Runtime;
use anyhow::{Result, anyhow};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub const DEMO_SYSTEM: &str = "system:default/url-shortener";

/// The app-config the demo uses, pointing at the fixture's API and token endpoint.
pub fn demo_app_config(api: &FixtureApi) -> String {
    format!(
        "openchoreo:\n  baseUrl: {base}/api/v1\n  defaultOwner: platform-team\n  schedule:\n    frequency: 30\n    timeout: 120\n  auth:\n    clientId: openchoreo-backstage-client\n    clientSecret: backstage-portal-secret\n    tokenUrl: {token}\n  features:\n    auth:\n      enabled: true\n",
        base = api.base_url,
        token = api.token_url()
    )
}

pub struct DemoResult {
    pub report: String,
    pub docs: Vec<Value>,
}

pub fn run(runtime: Arc<Runtime>, logger: Logger, out: &Path) -> Result<DemoResult> {
    let auth = FixtureAuth {
        client_id: "openchoreo-backstage-client".into(),
        client_secret: "backstage-portal-secret".into(),
        token_ttl: Duration::from_secs(3600),
    };
    let api = FixtureApi::start(Dataset::sample(), Some(auth), Duration::ZERO)?;
    let app = app_config::parse(&demo_app_config(&api), &|_| None)?;
    let mut syncer = Syncer::new(runtime.clone(), &app, logger.clone(), None)?;
    let outcome = syncer.run_once().map_err(|e| anyhow!("{e}"))?;
    let mut pure = runtime.pure(logger)?;
    let docs = output::with_relations(&mut pure, &outcome.entities)?;
    output::write(out, &docs)?;

    let mut report = String::new();
    writeln!(report, "Synced the sample OpenChoreo API at {} through the component:", api.base_url)?;
    writeln!(report, "  {} requests, {} bytes, {} token request(s)\n", outcome.requests, outcome.bytes_received, api.token_requests())?;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in outcome.entities.iter() {
        *counts.entry(e.kind.as_str()).or_default() += 1;
    }
    writeln!(report, "  {:<28} {:>5}", "KIND", "COUNT")?;
    for (kind, n) in &counts {
        writeln!(report, "  {kind:<28} {n:>5}")?;
    }
    writeln!(report, "  {:<28} {:>5}\n", "total", outcome.entities.len())?;
    writeln!(report, "Relations around {DEMO_SYSTEM}:")?;
    report.push_str(&system_graph(&docs, DEMO_SYSTEM));
    writeln!(report, "\nEntities with relations written to {}", out.display())?;
    Ok(DemoResult { report, docs })
}

fn entity_ref(doc: &Value) -> String {
    let kind = doc["kind"].as_str().unwrap_or("").to_lowercase();
    let ns = doc["metadata"]["namespace"].as_str().unwrap_or("default").to_lowercase();
    format!("{kind}:{ns}/{}", doc["metadata"]["name"].as_str().unwrap_or(""))
}

/// The system's own relations, then those of each entity that is part of it.
fn system_graph(docs: &[Value], system: &str) -> String {
    let mut out = String::new();
    let rels = |d: &Value| -> Vec<(String, String)> {
        d["relations"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| (r["type"].as_str().unwrap_or("").to_string(), r["targetRef"].as_str().unwrap_or("").to_string()))
            .collect()
    };
    let Some(sys) = docs.iter().find(|d| entity_ref(d) == system) else {
        return format!("  ({system} not found)\n");
    };
    let parts: Vec<String> = rels(sys).into_iter().filter(|(t, _)| t == "hasPart").map(|(_, r)| r).collect();
    let _ = writeln!(out, "  {system}");
    for (t, target) in rels(sys).iter().filter(|(t, _)| t != "hasPart") {
        let _ = writeln!(out, "    {t:<16} {target}");
    }
    for part in parts {
        let _ = writeln!(out, "    hasPart          {part}");
        if let Some(d) = docs.iter().find(|d| entity_ref(d) == part) {
            for (t, target) in rels(d).iter().filter(|(t, r)| !(t == "partOf" && r == system)) {
                let _ = writeln!(out, "      {t:<16} {target}");
            }
        }
    }
    out
}
