//! The crawl as a stream: every unfinished list of the scopes being fetched has one request queued at
//! the host, which keeps its connections busy, and a list's next page is queued as soon as its page is
//! in. Namespaces join a few at a time, and while requests are in flight the first scope whose lists
//! are in is translated. Scopes are translated in the order they joined, so a run hands its entities
//! over in the same order however its requests finish. Fetching and translating overlap for the whole
//! run, and the component holds the lists of a bounded number of namespaces.

use super::paging::{self, Auth, ListJob, Stats};
use super::transport::{HttpError, Level, ReadError, Response, TokenState, Transport};
use super::{ALWAYS_SERVED, NOT_SERVED_NOTICE, Report, segment};
use crate::diagnostic::Diagnostic;
use crate::items::Items;
use crate::kinds::component_input::Metadata;
use crate::kinds::remote_template;
use crate::kinds::template::Family;
use crate::lenient::lenient_struct;
use crate::scope::{self, CLUSTER_LISTS, Lists, NAMESPACE_LISTS};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};

/// Namespaces fetched or waiting for their translation at once. Each holds its raw lists until it is
/// translated, so this bounds the component's memory along with [`paging::ROUND_BYTES`].
pub const WINDOW: usize = 8;

/// A namespace joins the fetch only while the requests outstanding (one for each unfinished list) stay
/// within this many, or when nothing else is being fetched. With the host's 8 connections this keeps
/// requests queued behind the ones in flight, and lets the first namespaces finish, and their
/// translation start, early.
pub const OUTSTANDING_REQUESTS: usize = 24;

/// The lists waiting for their translation may hold this much JSON together: past it, scopes are
/// translated before any more namespaces join the fetch.
pub const WAITING_BYTES: usize = paging::ROUND_BYTES;

/// A scope being fetched: its lists, then (once they are in) the `/schema` of each listed type.
struct Fetching<'a> {
    scope: Scope<'a>,
    jobs: Vec<ListJob>,
    /// Whether each job has a request queued at the host.
    queued: Vec<bool>,
    /// Once the lists are in: them, and the list key each schema job of `jobs` fills.
    lists: Option<(Lists, Vec<String>)>,
    /// Once everything is in: the lists, until every scope that joined before it is translated.
    ready: Option<ScopeLists<'a>>,
    /// When it joined: names it in the requests in flight.
    serial: u32,
}

impl<'a> Fetching<'a> {
    fn new(scope: Scope<'a>, jobs: Vec<ListJob>, serial: u32) -> Self {
        Self { scope, queued: vec![false; jobs.len()], jobs, lists: None, ready: None, serial }
    }

    /// Every job answered: none pending, none with a request out.
    fn idle(&self) -> bool {
        !self.jobs.iter().any(ListJob::is_pending) && !self.queued.contains(&true)
    }

    fn held_bytes(&self) -> usize {
        self.jobs.iter().map(|j| j.items.held_bytes()).sum::<usize>() + self.ready.as_ref().map_or(0, ScopeLists::held_bytes)
    }
}

#[derive(Clone, Copy)]
enum Scope<'a> {
    Namespace(&'a str, &'a Value),
    Cluster,
}

/// A scope whose lists are in, waiting for its translation.
enum ScopeLists<'a> {
    Namespace(&'a Value, Lists),
    Cluster(Lists),
}

impl ScopeLists<'_> {
    fn held_bytes(&self) -> usize {
        let (Self::Namespace(_, lists) | Self::Cluster(lists)) = self;
        lists.values().map(|l| l.as_ref().map_or(0, Items::held_bytes)).sum()
    }
}

/// Fetches and translates the namespaces of `usable` (their `Namespace` resources given), and the
/// cluster lists when asked, into `report`.
pub fn crawl(
    default_owner: &str,
    t: &mut dyn Transport,
    auth: &mut Auth,
    report: &mut Report,
    usable: &[(String, Value)],
    with_cluster: bool,
) {
    // endpoint → namespaces (none for a cluster list) where the API answered 404 for the whole list
    let mut unserved: Vec<(&'static str, Vec<String>)> = Vec::new();
    let mut translations = Translations { default_owner, queue: VecDeque::new(), out: Report::default() };
    let mut fetching: Vec<Fetching> = Vec::new();
    let mut joined = 0;
    if with_cluster {
        fetching.push(Fetching::new(Scope::Cluster, cluster_jobs(), joined));
        joined += 1;
    }
    let mut waiting = usable.iter();
    let mut flight = Flight::default();
    loop {
        admit(&mut fetching, &mut waiting, translations.queued_namespaces(), &mut joined);
        let mut answers = flight.queue_pending(&mut fetching, t, auth.refreshed, &mut report.stats);
        if flight.sent.is_empty() && answers.is_empty() {
            // Nothing out and nothing to send: translating is left (and, as the window frees, admitting).
            if !translations.has_work() {
                break;
            }
            translations.step(t);
            continue;
        }
        if translations.has_work() {
            translations.step(t);
            answers.extend(t.collect(false));
        } else if answers.is_empty() {
            answers = t.collect(true);
            if answers.is_empty() {
                flight.abandon(&mut fetching);
            }
        }
        flight.deliver(answers, &mut fetching, t, auth, &mut report.stats);
        paging::enforce_share(&mut fetching.iter_mut().flat_map(|f| f.jobs.iter_mut()).collect::<Vec<_>>(), paging::ROUND_BYTES);
        move_on(&mut fetching, &mut translations, t, &mut unserved);
        while translations.waiting_bytes() > WAITING_BYTES {
            translations.step(t);
        }
    }
    let Report { entities, stale, skipped, .. } = translations.out;
    report.entities.extend(entities);
    report.stale.extend(stale);
    report.skipped.extend(skipped);
    log_unserved(t, &unserved);
}

/// What a request queued at the host is for.
struct Sent {
    serial: u32,
    job: usize,
    /// Sent before the run's token refresh: a 401 may mean only that the token it carried had expired.
    before_refresh: bool,
}

/// The requests queued at the host and not answered yet, by ticket.
#[derive(Default)]
struct Flight {
    next_ticket: u32,
    sent: HashMap<u32, Sent>,
}

impl Flight {
    /// Queues a request for every pending job without one out; returns the answers of a host that
    /// answered at once.
    fn queue_pending(
        &mut self,
        fetching: &mut [Fetching],
        t: &mut dyn Transport,
        refreshed: bool,
        stats: &mut Stats,
    ) -> Vec<(u32, Result<Response, HttpError>)> {
        let mut requests = Vec::new();
        for f in fetching.iter_mut() {
            for (job, (list, queued)) in f.jobs.iter().zip(f.queued.iter_mut()).enumerate() {
                if !list.is_pending() || *queued {
                    continue;
                }
                *queued = true;
                let ticket = self.next_ticket;
                self.next_ticket = self.next_ticket.wrapping_add(1);
                self.sent.insert(ticket, Sent { serial: f.serial, job, before_refresh: !refreshed });
                requests.push((ticket, list.request()));
            }
        }
        if requests.is_empty() {
            return Vec::new();
        }
        stats.requests += requests.len() as u32;
        t.queue(requests)
    }

    /// Each answer goes to its job. A job failed meanwhile (its list grew past its share) ignores it;
    /// a 401 on a request sent before the run's refresh refreshes the token once and goes again.
    fn deliver(
        &mut self,
        answers: Vec<(u32, Result<Response, HttpError>)>,
        fetching: &mut [Fetching],
        t: &mut dyn Transport,
        auth: &mut Auth,
        stats: &mut Stats,
    ) {
        for (ticket, result) in answers {
            // An answer to no request of this run (a host's mistake) is dropped.
            let Some(sent) = self.sent.remove(&ticket) else { continue };
            let Some(job) = answered(fetching, &sent) else { continue };
            let may_refresh = sent.before_refresh && auth.state == TokenState::Ready;
            if let Some(unauthorized) = paging::take_answer(job, Some(result), may_refresh, stats) {
                auth.refresh(t);
                auth.retry_or_fail(job, &unauthorized);
            }
        }
    }

    /// The host says nothing is outstanding although requests are: they fail rather than wait forever.
    fn abandon(&mut self, fetching: &mut [Fetching]) {
        for (_, sent) in self.sent.drain() {
            if let Some(job) = answered(fetching, &sent) {
                job.fail("the host returned no result for the request".into());
            }
        }
    }
}

/// The job a request was sent for, its request no longer out; none when it is no longer pending (it
/// failed meanwhile, its list past its share).
fn answered<'f>(fetching: &'f mut [Fetching], sent: &Sent) -> Option<&'f mut ListJob> {
    let f = fetching.iter_mut().find(|f| f.serial == sent.serial)?;
    f.queued[sent.job] = false;
    Some(&mut f.jobs[sent.job]).filter(|job| job.is_pending())
}

/// Lets namespaces join the fetch while the window has room, the requests outstanding stay few, and
/// the lists being fetched hold less than half of what they may (so that a namespace joining is
/// unlikely to push a list past [`paging::ROUND_BYTES`]).
fn admit<'a>(
    fetching: &mut Vec<Fetching<'a>>,
    waiting: &mut std::slice::Iter<'a, (String, Value)>,
    queued_namespaces: usize,
    joined: &mut u32,
) {
    let held: usize = fetching.iter().map(Fetching::held_bytes).sum();
    if held >= paging::ROUND_BYTES / 2 {
        return;
    }
    loop {
        let namespaces = fetching.iter().filter(|f| matches!(f.scope, Scope::Namespace(..))).count() + queued_namespaces;
        let requests: usize = fetching.iter().map(|f| f.jobs.iter().filter(|j| j.is_pending()).count()).sum();
        if namespaces >= WINDOW || (requests > 0 && requests + NAMESPACE_LISTS.len() > OUTSTANDING_REQUESTS) {
            return;
        }
        let Some((ns, resource)) = waiting.next() else { return };
        fetching.push(Fetching::new(Scope::Namespace(ns, resource), namespace_jobs(ns), *joined));
        *joined += 1;
    }
}

/// Scopes whose jobs are all answered move on (to their schemas, or to ready), and the ready scopes at
/// the front, in the order they joined, go to their translation.
fn move_on<'a>(
    fetching: &mut Vec<Fetching<'a>>,
    translations: &mut Translations<'a>,
    t: &mut dyn Transport,
    unserved: &mut Vec<(&'static str, Vec<String>)>,
) {
    for f in fetching.iter_mut().filter(|f| f.ready.is_none() && f.idle()) {
        f.ready = advance(f, t, unserved);
    }
    while fetching.first().is_some_and(|f| f.ready.is_some()) {
        let lists = fetching.remove(0).ready;
        translations.queue.extend(lists);
    }
}

/// A scope whose jobs are all done moves on: from its lists to its schemas (when it lists types whose
/// schema is fetched), or to its translation, returned.
fn advance<'a>(f: &mut Fetching<'a>, t: &mut dyn Transport, unserved: &mut Vec<(&'static str, Vec<String>)>) -> Option<ScopeLists<'a>> {
    let jobs = std::mem::take(&mut f.jobs);
    let lists = match f.lists.take() {
        None => {
            note_unserved(&jobs, f.scope, unserved);
            let endpoints: &[&str] = match f.scope {
                Scope::Namespace(..) => &NAMESPACE_LISTS,
                Scope::Cluster => &CLUSTER_LISTS,
            };
            let mut lists: Lists = endpoints.iter().map(|ep| ep.to_string()).zip(jobs.into_iter().map(ListJob::into_result)).collect();
            let schemas = schema_jobs(f.scope, &mut lists, t);
            if !schemas.is_empty() {
                let (keys, jobs): (Vec<String>, Vec<ListJob>) = schemas.into_iter().unzip();
                f.queued = vec![false; jobs.len()];
                f.jobs = jobs;
                f.lists = Some((lists, keys));
                return None;
            }
            lists
        }
        Some((mut lists, keys)) => {
            for (key, job) in keys.into_iter().zip(jobs) {
                lists.insert(key, job.into_result());
            }
            lists
        }
    };
    Some(match f.scope {
        Scope::Namespace(_, resource) => ScopeLists::Namespace(resource, lists),
        Scope::Cluster => ScopeLists::Cluster(lists),
    })
}

/// The scopes whose lists are in, translated in order, one a step; what they make goes into `out`
/// (its entities handed over as each scope is done).
struct Translations<'a> {
    default_owner: &'a str,
    queue: VecDeque<ScopeLists<'a>>,
    out: Report,
}

impl Translations<'_> {
    fn queued_namespaces(&self) -> usize {
        self.queue.iter().filter(|s| matches!(s, ScopeLists::Namespace(..))).count()
    }

    fn waiting_bytes(&self) -> usize {
        self.queue.iter().map(ScopeLists::held_bytes).sum()
    }

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

/// Every list of namespace `ns`, in [`NAMESPACE_LISTS`] order.
fn namespace_jobs(ns: &str) -> Vec<ListJob> {
    NAMESPACE_LISTS
        .iter()
        .map(|ep| {
            let job = ListJob::new(format!("{ep} for namespace {ns}"), format!("/api/v1/namespaces/{}/{ep}", segment(ns)));
            if ALWAYS_SERVED.contains(ep) { job } else { job.unless_unserved() }
        })
        .collect()
}

/// The cluster lists, in [`CLUSTER_LISTS`] order.
fn cluster_jobs() -> Vec<ListJob> {
    CLUSTER_LISTS.iter().map(|ep| ListJob::new(format!("{ep} (cluster)"), format!("/api/v1/{ep}")).unless_unserved()).collect()
}

/// Records the lists of a scope that the API does not serve, by endpoint.
fn note_unserved(jobs: &[ListJob], scope: Scope, unserved: &mut Vec<(&'static str, Vec<String>)>) {
    let (endpoints, ns): (&[&'static str], Option<&str>) = match scope {
        Scope::Namespace(ns, _) => (&NAMESPACE_LISTS, Some(ns)),
        Scope::Cluster => (&CLUSTER_LISTS, None),
    };
    for (job, ep) in jobs.iter().zip(endpoints) {
        if !job.not_served() {
            continue;
        }
        let at = unserved.iter().position(|(e, _)| e == ep).unwrap_or_else(|| {
            unserved.push((ep, Vec::new()));
            unserved.len() - 1
        });
        unserved[at].1.extend(ns.map(str::to_string));
    }
}

/// One line a run for each list the API does not serve, however many namespaces answered 404 for it.
fn log_unserved(t: &mut dyn Transport, unserved: &[(&'static str, Vec<String>)]) {
    for (ep, namespaces) in unserved {
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

lenient_struct! {
    /// What the crawl reads of a listed type: its name.
    pub struct Listed<'a> {
        pub metadata: Metadata<'a> = "metadata",
    }
}

/// A job for each listed component and resource type's `/schema`, with the list key it fills
/// (`<endpoint>/<name>/schema`). For a component type that names a hand-authored Template, the host
/// reads that Template now instead, stored in `lists` as `<endpoint>/<name>/template` (WIT
/// `mapping.list-response`).
fn schema_jobs(scope: Scope, lists: &mut Lists, t: &mut dyn Transport) -> Vec<(String, ListJob)> {
    let (sources, prefix, in_ns) = match scope {
        Scope::Namespace(ns, _) => (scope::TEMPLATE_SOURCES, format!("/api/v1/namespaces/{}", segment(ns)), format!(" in namespace {ns}")),
        Scope::Cluster => (scope::CLUSTER_TEMPLATE_SOURCES, "/api/v1".to_string(), String::new()),
    };
    let mut schemas = Vec::new();
    // list key, URL, what for messages
    let mut templates: Vec<(String, String, String)> = Vec::new();
    for (endpoint, kind, family) in sources.into_iter().filter(|s| s.2.fetches_schema()) {
        for (ty, url) in listed_types(lists, endpoint, family) {
            let what = format!("{kind} {ty}{in_ns}");
            match url {
                Some(url) => templates.push((format!("{endpoint}/{ty}/template"), url, what)),
                None => {
                    let path = format!("{prefix}/{endpoint}/{}/schema", segment(&ty));
                    schemas.push((format!("{endpoint}/{ty}/schema"), ListJob::document(format!("schema for {what}"), path)));
                }
            }
        }
    }
    if !templates.is_empty() {
        let urls: Vec<String> = templates.iter().map(|w| w.1.clone()).collect();
        let read = t.read_templates(&urls);
        for ((key, url, what), answer) in templates.into_iter().zip(read.into_iter().map(Some).chain(std::iter::repeat(None))) {
            let entry = match answer {
                Some(Ok(text)) => Ok(Items::from(vec![json!({ "url": url, "text": text })])),
                Some(Err(ReadError::NotAllowed(why))) => Ok(Items::from(vec![json!({ "url": url, "notAllowed": why })])),
                Some(Err(ReadError::Failed(why))) => Err(format!("Failed to read the template of {what} from {url}: {why}")),
                None => Err(format!("Failed to read the template of {what} from {url}: the host returned no result for it")),
            };
            lists.insert(key, entry);
        }
    }
    schemas
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

#[cfg(test)]
mod tests {
    use super::*;

    fn namespaces(n: usize) -> Vec<(String, Value)> {
        (0..n).map(|i| (format!("ns{i}"), json!({"metadata": {"name": format!("ns{i}")}}))).collect()
    }

    fn admitted(fetching: &[Fetching]) -> Vec<String> {
        fetching
            .iter()
            .filter_map(|f| match f.scope {
                Scope::Namespace(ns, _) => Some(ns.to_string()),
                Scope::Cluster => None,
            })
            .collect()
    }

    #[test]
    fn namespaces_join_while_few_requests_are_out_and_the_window_has_room() {
        let usable = namespaces(WINDOW + 2);
        let mut waiting = usable.iter();
        let mut fetching = vec![Fetching::new(Scope::Cluster, cluster_jobs(), 0)];
        let mut joined = 1;
        admit(&mut fetching, &mut waiting, 0, &mut joined);
        assert_eq!(admitted(&fetching), ["ns0"], "the cluster lists and one namespace's are as many requests as may be out");
        for f in &mut fetching {
            f.jobs.truncate(1); // all but one list of each scope are in
        }
        admit(&mut fetching, &mut waiting, 0, &mut joined);
        assert_eq!(admitted(&fetching), ["ns0", "ns1"]);
        fetching.retain(|f| matches!(f.scope, Scope::Cluster));
        admit(&mut fetching, &mut waiting, WINDOW - 1, &mut joined);
        assert_eq!(admitted(&fetching), ["ns2"], "the namespaces waiting for their translation count");
        fetching.clear();
        admit(&mut fetching, &mut waiting, WINDOW, &mut joined);
        assert!(fetching.is_empty(), "a full window admits none");
    }

    #[test]
    fn no_namespace_joins_while_the_lists_being_fetched_hold_half_of_their_share() {
        let usable = namespaces(2);
        let mut waiting = usable.iter();
        let mut big = ListJob::new("components for namespace big".into(), "/api/v1/namespaces/big/components".into());
        let item = format!(r#"{{"p":"{}"}}"#, "x".repeat(1 << 20));
        let page = format!(r#"{{"items":[{}],"pagination":{{"nextCursor":"c"}}}}"#, vec![item; 128].join(","));
        big.accept(&page);
        assert!(big.items.held_bytes() >= paging::ROUND_BYTES / 2 && big.is_pending());
        let mut fetching = vec![Fetching::new(Scope::Cluster, vec![big], 0)];
        let mut joined = 1;
        admit(&mut fetching, &mut waiting, 0, &mut joined);
        assert!(admitted(&fetching).is_empty());
        fetching[0].jobs.clear();
        admit(&mut fetching, &mut waiting, 0, &mut joined);
        assert_eq!(admitted(&fetching), ["ns0"]);
    }
}
