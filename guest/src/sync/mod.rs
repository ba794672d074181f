//! The crawl: namespaces first, then every namespace's lists and the cluster lists in batches,
//! each scope translated as soon as its lists are in, so memory holds a chunk of scopes at a time.

pub mod config;
pub mod paging;
pub mod transport;

use crate::diagnostic::{Diagnostic, Stale};
use crate::entity::{CLUSTER_NS, Entity};
use crate::events::{self, Target};
use crate::items::Items;
use crate::kinds::component_input::Metadata;
use crate::kinds::remote_template;
use crate::kinds::template::Family;
use crate::lenient::lenient_struct;
use crate::printable::printable;
use crate::scope::{self, CLUSTER_LISTS, Lists, NAMESPACE_LISTS};
use config::Config;
use paging::{Auth, ListJob, Meanwhile, Stats, fetch_all, fetch_all_meanwhile};
use serde_json::{Value, json};
use std::collections::VecDeque;
use transport::{Level, ReadError, Request, Transport};

/// Namespaces whose lists are fetched in one round of batches (15 lists each). Guest memory holds the
/// raw lists of two rounds at most: one being translated, the next being fetched. Measured side by side
/// against 2 (with 2 ms per request), 4 syncs 10k components about 7 % and 100k 17 % faster, for 8 %
/// more peak memory at 100k: a round's page batches carry twice the requests, and its scopes keep the
/// next round's batches company.
pub const NAMESPACE_CHUNK: usize = 4;

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
const ALWAYS_SERVED: [&str; 5] = ["environments", "dataplanes", "projects", "deploymentpipelines", "components"];

/// How the one line per run about a list the API does not serve begins (hosts say it once per process).
pub const NOT_SERVED_NOTICE: &str = "The OpenChoreo API does not serve";

const AUTH_HINT: &str = "check that openchoreo.features.auth.enabled matches how the OpenChoreo cluster was deployed and that openchoreo.auth.clientId / clientSecret / tokenUrl are right";

/// Percent-encodes a path segment (OpenChoreo names are DNS labels; anything else is escaped).
fn segment(s: &str) -> String {
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

    crawl(cfg, t, &mut auth, &mut report, &usable, true);
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
        crawl(cfg, t, &mut auth, &mut report, &usable, with_cluster);
    }
    finish(t, &mut report);
    Ok(Scoped { report, covered })
}

/// The token a run starts with (a failure fails the run before any request), and an empty report.
fn start(t: &mut dyn Transport) -> Result<(Auth, Report), SyncError> {
    let state =
        t.ensure_token(false).map_err(|e| SyncError::Auth(printable(&format!("Failed to get a service token: {e}")).into_owned()))?;
    Ok((Auth { state, refreshed: false }, Report::default()))
}

/// A run over named scopes: its report, and the scope patterns it speaks for. Within them, an entity
/// of the previous set that is not in the report is gone (unless a stale scope covers it).
#[derive(Debug, Default)]
pub struct Scoped {
    pub report: Report,
    pub covered: Vec<String>,
}

/// Fetches and translates namespaces (their `Namespace` resources given) in rounds of
/// [`NAMESPACE_CHUNK`], the cluster lists with the first round when asked. A round's scopes are
/// translated while the next round is fetched, one scope per batch in flight
/// (`Transport::start_batch`), each handed over as soon as it is translated.
fn crawl(cfg: &Config, t: &mut dyn Transport, auth: &mut Auth, report: &mut Report, usable: &[(String, Value)], with_cluster: bool) {
    // endpoint → namespaces (none for a cluster list) where the API answered 404 for the whole list
    let mut unserved: Vec<(&'static str, Vec<String>)> = Vec::new();
    let chunks: Vec<&[(String, Value)]> = if usable.is_empty() { vec![&[]] } else { usable.chunks(NAMESPACE_CHUNK).collect() };
    let mut translations = Translations { default_owner: &cfg.default_owner, queue: VecDeque::new(), out: Report::default() };
    let mut jobs = round_jobs(chunks[0], with_cluster);
    fetch_all(&mut jobs, t, auth, &mut report.stats);
    for (k, chunk) in chunks.iter().enumerate() {
        let with_cluster = with_cluster && k == 0;
        note_unserved(&jobs, chunk, with_cluster, &mut unserved);
        let mut results = std::mem::take(&mut jobs).into_iter().map(ListJob::into_result);
        let mut ns_lists: Vec<Lists> = chunk
            .iter()
            .map(|_| NAMESPACE_LISTS.iter().map(|ep| (ep.to_string(), results.next().unwrap_or(Err("missing".into())))).collect())
            .collect();
        let mut cluster_lists: Option<Lists> = with_cluster
            .then(|| CLUSTER_LISTS.iter().map(|ep| (ep.to_string(), results.next().unwrap_or(Err("missing".into())))).collect());
        fetch_schemas(chunk, &mut ns_lists, cluster_lists.as_mut(), t, &mut report.stats, &mut translations);
        // The round before had fewer batches than scopes: its rest is translated now, so that no more
        // than one round's lists ever wait.
        translations.finish(t);
        for ((_, resource), lists) in chunk.iter().zip(ns_lists) {
            translations.queue.push_back(ScopeLists::Namespace(resource, lists));
        }
        translations.queue.extend(cluster_lists.map(ScopeLists::Cluster));
        if let Some(next) = chunks.get(k + 1) {
            jobs = round_jobs(next, false);
            fetch_all_meanwhile(&mut jobs, t, auth, &mut report.stats, &mut translations);
        }
    }
    translations.finish(t);
    let Report { entities, stale, skipped, .. } = translations.out;
    report.entities.extend(entities);
    report.stale.extend(stale);
    report.skipped.extend(skipped);
    for (ep, namespaces) in &unserved {
        let (path, where_) = if namespaces.is_empty() {
            (format!("/api/v1/{ep}"), String::new())
        } else {
            (format!("/api/v1/namespaces/{{namespace}}/{ep}"), format!(" for {} namespace(s)", namespaces.len()))
        };
        t.log(
            Level::Info,
            &format!("{NOT_SERVED_NOTICE} {path} (404 for the whole list{where_}); it predates that kind, so nothing is synced for it"),
        );
    }
}

/// A scope whose lists are in, waiting for its translation.
enum ScopeLists<'a> {
    Namespace(&'a Value, Lists),
    Cluster(Lists),
}

/// The scopes whose lists are in, translated in order, one a step; what they make goes into `out`
/// (its entities handed over as each scope is done).
struct Translations<'a> {
    default_owner: &'a str,
    queue: VecDeque<ScopeLists<'a>>,
    out: Report,
}

impl Translations<'_> {
    /// Translates every scope still waiting.
    fn finish(&mut self, t: &mut dyn Transport) {
        while self.has_work() {
            self.step(t);
        }
    }
}

impl Meanwhile for Translations<'_> {
    fn has_work(&self) -> bool {
        !self.queue.is_empty()
    }

    fn step(&mut self, t: &mut dyn Transport) {
        let Some(scope) = self.queue.pop_front() else { return };
        match scope {
            ScopeLists::Namespace(resource, lists) => match scope::translate_namespace(resource, &lists, self.default_owner) {
                Ok(out) => absorb(&mut self.out, out),
                Err(e) => self.out.skipped.push(Diagnostic { location: "Namespace".into(), message: e }),
            },
            ScopeLists::Cluster(lists) => absorb(&mut self.out, scope::translate_cluster(&lists, self.default_owner)),
        }
        // The lists are dropped before the hand-over: packing a scope for the boundary copies its
        // documents once more, and one scope at a time keeps that copy small.
        t.emit(&mut self.out.entities);
    }
}

/// The lists of one round: every namespace list of `chunk`'s namespaces, then the cluster lists when asked.
fn round_jobs(chunk: &[(String, Value)], with_cluster: bool) -> Vec<ListJob> {
    let mut jobs: Vec<ListJob> = Vec::with_capacity(chunk.len() * NAMESPACE_LISTS.len() + CLUSTER_LISTS.len());
    for (ns, _) in chunk {
        for ep in NAMESPACE_LISTS {
            let job = ListJob::new(format!("{ep} for namespace {ns}"), format!("/api/v1/namespaces/{}/{ep}", segment(ns)));
            jobs.push(if ALWAYS_SERVED.contains(&ep) { job } else { job.unless_unserved() });
        }
    }
    if with_cluster {
        for ep in CLUSTER_LISTS {
            jobs.push(ListJob::new(format!("{ep} (cluster)"), format!("/api/v1/{ep}")).unless_unserved());
        }
    }
    jobs
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

/// Records the lists of a round that the API does not serve, by endpoint.
fn note_unserved(jobs: &[ListJob], chunk: &[(String, Value)], with_cluster: bool, unserved: &mut Vec<(&'static str, Vec<String>)>) {
    let namespaced = chunk.iter().flat_map(|(ns, _)| NAMESPACE_LISTS.iter().map(move |ep| (*ep, Some(ns))));
    let cluster = CLUSTER_LISTS.iter().filter(|_| with_cluster).map(|ep| (*ep, None));
    for (job, (ep, ns)) in jobs.iter().zip(namespaced.chain(cluster)) {
        if !job.not_served() {
            continue;
        }
        let at = unserved.iter().position(|(e, _)| *e == ep).unwrap_or_else(|| {
            unserved.push((ep, Vec::new()));
            unserved.len() - 1
        });
        unserved[at].1.extend(ns.cloned());
    }
}

lenient_struct! {
    /// What the crawl reads of a listed type: its name.
    pub struct Listed<'a> {
        pub metadata: Metadata<'a> = "metadata",
    }
}

/// Each listed component and resource type's `/schema` (namespaced and cluster), stored in the lists as
/// `<endpoint>/<name>/schema`; for a component type that names a hand-authored Template, that Template
/// read by the host instead, as `<endpoint>/<name>/template` (WIT `mapping.list-response`).
fn fetch_schemas(
    chunk: &[(String, Value)],
    ns_lists: &mut [Lists],
    cluster: Option<&mut Lists>,
    t: &mut dyn Transport,
    stats: &mut Stats,
    meanwhile: &mut dyn Meanwhile,
) {
    // (which lists: namespace index, or None for the cluster), list key, path or URL, what for messages
    type Wanted = (Option<usize>, String, String, String);
    let (mut schemas, mut templates): (Vec<Wanted>, Vec<Wanted>) = (Vec::new(), Vec::new());
    let mut want = |target: Option<usize>,
                    lists: &Lists,
                    endpoint: &str,
                    family: Family,
                    path: &dyn Fn(&str) -> String,
                    what: &dyn Fn(&str) -> String| {
        for (ty, url) in listed_types(lists, endpoint, family) {
            match url {
                Some(url) => templates.push((target, format!("{endpoint}/{ty}/template"), url, what(&ty))),
                None => schemas.push((target, format!("{endpoint}/{ty}/schema"), path(&ty), what(&ty))),
            }
        }
    };
    for (k, (ns, _)) in chunk.iter().enumerate() {
        for (endpoint, kind, family) in scope::TEMPLATE_SOURCES.into_iter().filter(|s| s.2.fetches_schema()) {
            let path = |ty: &str| format!("/api/v1/namespaces/{}/{endpoint}/{}/schema", segment(ns), segment(ty));
            want(Some(k), &ns_lists[k], endpoint, family, &path, &|ty| format!("{kind} {ty} in namespace {ns}"));
        }
    }
    if let Some(lists) = &cluster {
        for (endpoint, kind, family) in scope::CLUSTER_TEMPLATE_SOURCES.into_iter().filter(|s| s.2.fetches_schema()) {
            let path = |ty: &str| format!("/api/v1/{endpoint}/{}/schema", segment(ty));
            want(None, lists, endpoint, family, &path, &|ty| format!("{kind} {ty}"));
        }
    }
    let paths: Vec<String> = schemas.iter().map(|w| w.2.clone()).collect();
    let answers = paging::fetch_documents(&paths, t, stats, meanwhile);
    let mut entries: Vec<(Option<usize>, String, Result<Items, String>)> = schemas
        .into_iter()
        .zip(answers)
        .map(|((target, key, _, what), answer)| (target, key, answer.map_err(|e| format!("Failed to fetch schema for {what}: {e}"))))
        .collect();
    if !templates.is_empty() {
        let urls: Vec<String> = templates.iter().map(|w| w.2.clone()).collect();
        let read = t.read_templates(&urls);
        for ((target, key, url, what), answer) in templates.into_iter().zip(read.into_iter().map(Some).chain(std::iter::repeat(None))) {
            let entry = match answer {
                Some(Ok(text)) => Ok(Items::from(vec![json!({ "url": url, "text": text })])),
                Some(Err(ReadError::NotAllowed(why))) => Ok(Items::from(vec![json!({ "url": url, "notAllowed": why })])),
                Some(Err(ReadError::Failed(why))) => Err(format!("Failed to read the template of {what} from {url}: {why}")),
                None => Err(format!("Failed to read the template of {what} from {url}: the host returned no result for it")),
            };
            entries.push((target, key, entry));
        }
    }
    let mut cluster = cluster;
    for (target, key, entry) in entries {
        match target {
            Some(k) => ns_lists[k].insert(key, entry),
            None => cluster.as_deref_mut().and_then(|c| c.insert(key, entry)),
        };
    }
}

/// The names of a type list's items, each with the template URL it names (component types only).
fn listed_types(lists: &Lists, endpoint: &str, family: Family) -> Vec<(String, Option<String>)> {
    let Some(Ok(items)) = lists.get(endpoint) else { return Vec::new() };
    if family != Family::Component {
        return items.parse::<Listed>().0.iter().filter_map(|i| i.metadata.name().ok().map(|n| (n.to_string(), None))).collect();
    }
    items
        .parse::<Value>()
        .0
        .iter()
        .filter_map(|ct| Some((crate::meta::name(ct).ok()?.to_string(), remote_template::url_of(ct).map(str::to_string))))
        .collect()
}

fn absorb(report: &mut Report, out: scope::ScopeOutput) {
    report.entities.extend(out.entities);
    report.stale.extend(out.stale);
    report.skipped.extend(out.skipped);
}
