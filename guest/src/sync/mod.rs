//! A run: the token, the namespaces, then the crawl of their lists and the cluster lists
//! ([`crawl`]), and the report.

pub mod config;
pub mod crawl;
pub mod paging;
pub mod transport;

use crate::diagnostic::{Diagnostic, Stale};
use crate::entity::{CLUSTER_NS, Entity};
use crate::events::{self, Target};
use crate::printable::printable;
use crate::scope;
use config::Config;
use paging::{Auth, ListJob, Stats, fetch_all};
use serde_json::Value;
use transport::{Level, Request, Transport};

#[derive(Debug, Default)]
pub struct Report {
    pub entities: Vec<Entity>,
    pub stale: Vec<Stale>,
    pub skipped: Vec<Diagnostic>,
    pub stats: Stats,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncError {
    Namespaces(String),
    Auth(String),
    /// `run_scopes` was given a scope pattern it does not know.
    Scopes(String),
}

/// Lists every OpenChoreo API has served from the start: a 404 for one of them means something else
/// (a wrong base path, a namespace deleted mid-run) and fails the list. Any other list answering 404
/// on its first page is one this API does not serve yet: it is empty, and not stale.
pub(crate) const ALWAYS_SERVED: [&str; 5] = ["environments", "dataplanes", "projects", "deploymentpipelines", "components"];

/// How the one line per run about a list the API does not serve begins (hosts say it once per process).
pub const NOT_SERVED_NOTICE: &str = "The OpenChoreo API does not serve";

const AUTH_HINT: &str = "check that openchoreo.features.auth.enabled matches how the OpenChoreo cluster was deployed and that openchoreo.auth.clientId / clientSecret / tokenUrl are right";

/// Percent-encodes a path segment (OpenChoreo names are DNS labels; anything else is escaped).
pub(crate) fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn run(cfg: &Config, t: &mut dyn Transport) -> Result<Report, SyncError> {
    let (mut auth, mut report) = start(t)?;

    let mut ns_job = [ListJob::new("namespaces".into(), "/api/v1/namespaces".into())];
    fetch_all(&mut ns_job, t, &mut auth, &mut report.stats);
    let [ns_job] = ns_job;
    let namespaces = ns_job.into_result().map_err(|reason| {
        let hint = if reason.contains(": 401 ") { format!(" ({AUTH_HINT})") } else { String::new() };
        SyncError::Namespaces(printable(&format!("{reason}{hint}")).into_owned())
    })?;
    let (namespaces, unreadable) = namespaces.parse::<Value>();
    t.log(Level::Debug, &format!("Found {} namespaces from OpenChoreo", namespaces.len() + unreadable.len()));
    report.skipped.extend(unreadable.into_iter().map(|b| Diagnostic::item("cluster", "Namespace", None, b.index, b.message)));

    let mut usable: Vec<(String, Value)> = Vec::with_capacity(namespaces.len());
    for (i, ns) in namespaces.into_iter().enumerate() {
        match crate::meta::name(&ns).map(str::to_string) {
            Ok(n) if n == CLUSTER_NS => report.skipped.push(Diagnostic::item(
                &n,
                "Namespace",
                Some(&n),
                i,
                format!("the name {CLUSTER_NS} is reserved for cluster-scoped entities; this namespace is not synced"),
            )),
            Ok(n) if !scope::is_backstage_namespace(&n) => report.skipped.push(Diagnostic::item(
                "cluster",
                "Namespace",
                Some(&n),
                i,
                "not a valid Backstage namespace name (lower-case letters, digits and dashes, at most 63); not synced".into(),
            )),
            Ok(n) => usable.push((n, ns)),
            Err(e) => report.skipped.push(Diagnostic::item("cluster", "Namespace", None, i, e)),
        }
    }

    crawl::crawl(&cfg.default_owner, t, &mut auth, &mut report, &usable, true);
    finish(t, &mut report);
    Ok(report)
}

/// A run restricted to scopes (`ns/<namespace>/*`, `cluster/*`, as `events::scopes_of_event` names
/// them): the same crawl, pagination, retries, limits and report as a full run, over those
/// namespaces' lists (and each namespace's own resource, for its Domain) or the cluster lists only.
pub fn run_scopes(cfg: &Config, t: &mut dyn Transport, scopes: &[String]) -> Result<Scoped, SyncError> {
    let targets = events::targets(scopes).map_err(SyncError::Scopes)?;
    let (mut auth, mut report) = start(t)?;
    let mut covered = Vec::new();
    let namespaces: Vec<&str> = targets
        .iter()
        .filter_map(|t| match t {
            Target::Namespace(ns) => Some(ns.as_str()),
            Target::Cluster => None,
        })
        .collect();
    let requests: Vec<Request> =
        namespaces.iter().map(|ns| Request { path: format!("/api/v1/namespaces/{}", segment(ns)), query: Vec::new() }).collect();
    let answers = if requests.is_empty() { Vec::new() } else { t.send_batch(&requests) };
    report.stats.requests += requests.len() as u32;
    let mut usable: Vec<(String, Value)> = Vec::new();
    for (i, ns) in namespaces.iter().enumerate() {
        let pattern = events::namespace_scopes(ns);
        let failed = |why: String| Stale { scope: pattern.clone(), reason: format!("Failed to fetch namespace {ns}: {why}") };
        match answers.get(i) {
            // Gone: everything the namespace made is covered and nothing replaces it.
            Some(Ok(resp)) if resp.status == 404 => covered.push(pattern),
            // `events::targets` has refused the reserved cluster namespace already.
            Some(Ok(resp)) if (200..300).contains(&resp.status) => match serde_json::from_str::<Value>(&resp.body) {
                Ok(resource) => {
                    report.stats.bytes_received += resp.body.len() as u64;
                    usable.push((ns.to_string(), resource));
                    covered.push(pattern);
                }
                Err(e) => report.stale.push(failed(format!("invalid JSON: {e}"))),
            },
            Some(Ok(resp)) => report.stale.push(failed(paging::describe_status(resp))),
            Some(Err(e)) => report.stale.push(failed(e.to_string())),
            None => report.stale.push(failed("the host returned fewer responses than requests".into())),
        }
    }
    let with_cluster = targets.contains(&Target::Cluster);
    if with_cluster {
        covered.push(events::CLUSTER_SCOPES.to_string());
    }
    if with_cluster || !usable.is_empty() {
        crawl::crawl(&cfg.default_owner, t, &mut auth, &mut report, &usable, with_cluster);
    }
    finish(t, &mut report);
    Ok(Scoped { report, covered })
}

/// The token a run starts with (a failure fails the run before any request), and an empty report.
fn start(t: &mut dyn Transport) -> Result<(Auth, Report), SyncError> {
    let state =
        t.ensure_token(false).map_err(|e| SyncError::Auth(printable(&format!("Failed to get a service token: {e}")).into_owned()))?;
    Ok((Auth::new(state), Report::default()))
}

/// A run over named scopes: its report, and the scope patterns it speaks for. Within them, an entity
/// of the previous set that is not in the report is gone (unless a stale scope covers it).
#[derive(Debug, Default)]
pub struct Scoped {
    pub report: Report,
    pub covered: Vec<String>,
}

/// Escapes what came from the API in the report, and logs its stale scopes and skipped resources.
fn finish(t: &mut dyn Transport, report: &mut Report) {
    for s in &mut report.stale {
        s.reason = printable(&s.reason).into_owned();
    }
    for d in &mut report.skipped {
        d.location = printable(&d.location).into_owned();
        d.message = printable(&d.message).into_owned();
    }
    for s in &report.stale {
        t.log(Level::Warn, &format!("Keeping the last good entities of {}: {}", s.scope, s.reason));
    }
    for d in &report.skipped {
        t.log(Level::Warn, &format!("Skipped {}: {}", d.location, d.message));
    }
}
