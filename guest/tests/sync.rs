//! The crawl against a scripted transport: request budget, pagination, stale scopes, token refresh.

use openchoreo_catalog_guest::sync::config::Config;
use openchoreo_catalog_guest::sync::crawl::{OUTSTANDING_REQUESTS, WINDOW};
use openchoreo_catalog_guest::sync::transport::{HttpError, Level, Request, Response, TokenError, TokenState, Transport};
use openchoreo_catalog_guest::sync::{SyncError, run};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};

/// Serves lists two items per page; `fail` maps a path to a status it answers instead.
#[derive(Default)]
struct Scripted {
    lists: HashMap<String, Vec<Value>>,
    fail: HashMap<String, (u16, String)>,
    sent: Vec<Request>,
    batches: usize,
    /// Answer 401 to every request of this batch (a token revoked mid-run).
    unauthorized_batch: Option<usize>,
    refreshes: usize,
    token: Option<Result<TokenState, TokenError>>,
    logged: Vec<(Level, String)>,
}

impl Scripted {
    fn page(&self, r: &Request) -> Response {
        let cursor = r.query.iter().find(|(k, _)| k == "cursor").map(|(_, c)| format!("{}?cursor={c}", r.path));
        if let Some((status, body)) = cursor.and_then(|key| self.fail.get(&key)).or_else(|| self.fail.get(&r.path)) {
            return Response { status: *status, body: body.clone() };
        }
        let Some(items) = self.lists.get(&r.path) else { return Response { status: 200, body: r#"{"items":[]}"#.into() } };
        let q = |k: &str| r.query.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        let offset: usize = q("cursor").map_or(0, |c| c.parse().unwrap());
        let end = (offset + 2).min(items.len());
        let mut body = json!({"items": items[offset..end]});
        if end < items.len() {
            body["pagination"] = json!({"nextCursor": end.to_string()});
        }
        Response { status: 200, body: body.to_string() }
    }
}

impl Transport for Scripted {
    fn send_batch(&mut self, requests: &[Request]) -> Vec<Result<Response, HttpError>> {
        self.batches += 1;
        self.sent.extend_from_slice(requests);
        let revoked = self.unauthorized_batch == Some(self.batches);
        requests
            .iter()
            .map(|r| {
                if revoked {
                    return Ok(Response { status: 401, body: r#"{"error":"INVALID_TOKEN","message":"invalid or expired token"}"#.into() });
                }
                Ok(self.page(r))
            })
            .collect()
    }
    fn ensure_token(&mut self, force: bool) -> Result<TokenState, TokenError> {
        if force {
            self.refreshes += 1;
        }
        self.token.clone().unwrap_or(Ok(TokenState::Ready))
    }
    fn log(&mut self, level: Level, message: &str) {
        self.logged.push((level, message.to_string()));
    }
}

fn cfg() -> Config {
    Config {
        base_url: "http://x".into(),
        default_owner: "openchoreo-users".into(),
        frequency_seconds: 30,
        timeout_seconds: 120,
        auth_enabled: true,
    }
}

fn named(n: &str) -> Value {
    json!({"metadata": {"name": n}})
}

fn installation(namespaces: usize, projects: usize, components_per_project: usize) -> Scripted {
    let mut s = Scripted::default();
    let ns: Vec<Value> = (0..namespaces).map(|i| named(&format!("ns{i}"))).collect();
    s.lists.insert("/api/v1/namespaces".into(), ns);
    for i in 0..namespaces {
        let base = format!("/api/v1/namespaces/ns{i}");
        s.lists.insert(format!("{base}/projects"), (0..projects).map(|p| named(&format!("p{p}"))).collect());
        let comps: Vec<Value> = (0..projects)
            .flat_map(|p| {
                (0..components_per_project)
                    .map(move |c| json!({"metadata": {"name": format!("c{p}-{c}")}, "spec": {"owner": {"projectName": format!("p{p}")}}}))
            })
            .collect();
        s.lists.insert(format!("{base}/components"), comps);
        s.lists.insert(format!("{base}/environments"), vec![named("dev")]);
    }
    s
}

#[test]
fn request_count_is_independent_of_projects_and_components() {
    let mut small = installation(3, 1, 1);
    let mut large = installation(3, 1, 1);
    for i in 0..3 {
        let comps: Vec<Value> =
            (0..2).map(|c| json!({"metadata": {"name": format!("c{c}")}, "spec": {"owner": {"projectName": "p0"}}})).collect();
        large.lists.insert(format!("/api/v1/namespaces/ns{i}/components"), comps);
    }
    let a = run(&cfg(), &mut small).unwrap();
    let b = run(&cfg(), &mut large).unwrap();
    // 1 + 15·N + 8 with N = 3; the second namespace page (2 per page) adds one request.
    assert_eq!(small.sent.len(), 1 + 1 + 15 * 3 + 8);
    assert_eq!(large.sent.len(), small.sent.len());
    assert_eq!(a.stats.requests as usize, small.sent.len());
    assert!(b.entities.iter().filter(|e| e.kind == "Component").count() > a.entities.iter().filter(|e| e.kind == "Component").count());
}

#[test]
fn every_request_carries_limit_and_pages_follow_the_cursor() {
    let mut s = installation(1, 1, 5);
    let report = run(&cfg(), &mut s).unwrap();
    assert!(s.sent.iter().all(|r| r.query.iter().any(|(k, v)| k == "limit" && v == "100")));
    let comp_pages: Vec<Option<String>> = s
        .sent
        .iter()
        .filter(|r| r.path.ends_with("/components"))
        .map(|r| r.query.iter().find(|(k, _)| k == "cursor").map(|(_, v)| v.clone()))
        .collect();
    assert_eq!(comp_pages, vec![None, Some("2".into()), Some("4".into())]);
    assert_eq!(report.entities.iter().filter(|e| e.kind == "Component").count(), 5);
}

#[test]
fn a_failed_list_makes_only_its_scopes_stale() {
    let mut s = installation(2, 1, 2);
    s.fail.insert("/api/v1/namespaces/ns0/projects".into(), (503, r#"{"error":"upstream unavailable","code":"INTERNAL_ERROR"}"#.into()));
    let report = run(&cfg(), &mut s).unwrap();
    let stale: Vec<&str> = report.stale.iter().map(|s| s.scope.as_str()).collect();
    assert_eq!(stale, vec!["ns/ns0/projects", "ns/ns0/components", "ns/ns0/deploymentpipelines", "ns/ns0/resources"]);
    assert_eq!(report.stale[0].reason, "Failed to fetch projects for namespace ns0: 503 Service Unavailable - upstream unavailable");
    assert!(report.entities.iter().any(|e| e.kind == "Environment" && e.namespace == "ns0"), "unaffected lists still update");
    assert!(report.entities.iter().any(|e| e.kind == "Component" && e.namespace == "ns1"));
    assert!(!report.entities.iter().any(|e| e.scope.starts_with("ns/ns0/components")));
}

#[test]
fn wrong_shape_and_bad_json_fail_the_list_with_a_reason() {
    let mut s = installation(1, 1, 1);
    s.fail.insert("/api/v1/namespaces/ns0/environments".into(), (200, r#"{"data":[]}"#.into()));
    s.fail.insert("/api/v1/clustertraits".into(), (200, "{not json".into()));
    let report = run(&cfg(), &mut s).unwrap();
    let reason = |scope: &str| report.stale.iter().find(|s| s.scope == scope).map(|s| s.reason.clone()).unwrap();
    assert!(reason("ns/ns0/environments").contains("expected an object with an items array"));
    assert!(reason("cluster/traits").contains("invalid JSON from /api/v1/clustertraits"));
}

#[test]
fn an_item_nested_past_the_parser_limit_is_skipped_alone_and_the_page_still_maps() {
    let mut s = installation(1, 3, 1);
    // 200 levels: valid JSON, deeper than the JSON parser builds a tree for.
    let mut deep = json!("leaf");
    for _ in 0..200 {
        deep = json!([deep]);
    }
    s.lists.get_mut("/api/v1/namespaces/ns0/projects").unwrap()[1]["spec"]["nested"] = deep.clone();
    // Components are read field by field: depth in a field the mapping does not read costs nothing.
    s.lists.get_mut("/api/v1/namespaces/ns0/components").unwrap()[1]["spec"]["nested"] = deep;
    let report = run(&cfg(), &mut s).unwrap();
    let names = |kind: &str| report.entities.iter().filter(|e| e.kind == kind).map(|e| e.name.clone()).collect::<Vec<_>>();
    assert_eq!(names("System"), vec!["p0", "p2"], "the other items on the same page map");
    assert_eq!(names("Component"), vec!["c0-0", "c1-0", "c2-0"]);
    assert!(report.stale.is_empty(), "{:?}", report.stale);
    assert_eq!(report.skipped.len(), 1, "{:?}", report.skipped);
    assert_eq!(report.skipped[0].location, "ns0/projects/#1");
    assert!(report.skipped[0].message.contains("recursion limit exceeded"), "{}", report.skipped[0].message);
}

#[test]
fn a_401_refreshes_the_token_once_then_succeeds() {
    let mut s = installation(1, 1, 1);
    s.unauthorized_batch = Some(2);
    let report = run(&cfg(), &mut s).unwrap();
    assert_eq!(s.refreshes, 1);
    assert_eq!(s.sent.len(), 1 + 2 * (15 + 8), "the revoked batch is sent again once");
    assert!(report.stale.is_empty(), "{:?}", report.stale);
}

#[test]
fn a_second_401_after_the_refresh_fails_those_lists_clearly() {
    let mut s = installation(1, 1, 1);
    s.fail
        .insert("/api/v1/namespaces/ns0/traits".into(), (401, r#"{"error":"INVALID_TOKEN","message":"invalid or expired token"}"#.into()));
    let report = run(&cfg(), &mut s).unwrap();
    assert_eq!(s.refreshes, 1);
    let stale = report.stale.iter().find(|s| s.scope == "ns/ns0/traits").unwrap();
    assert_eq!(stale.reason, "Failed to fetch traits for namespace ns0: 401 Unauthorized - invalid or expired token");
}

#[test]
fn namespace_failure_is_a_run_failure_with_the_auth_hint() {
    let mut s = installation(1, 1, 1);
    s.fail.insert(
        "/api/v1/namespaces".into(),
        (401, r#"{"error":"MISSING_TOKEN","message":"missing or invalid authentication token"}"#.into()),
    );
    s.token = Some(Ok(TokenState::Disabled));
    let Err(SyncError::Namespaces(msg)) = run(&cfg(), &mut s) else { panic!("expected a namespace failure") };
    assert!(msg.starts_with("Failed to fetch namespaces: 401 Unauthorized - missing or invalid authentication token"), "{msg}");
    assert!(msg.contains("openchoreo.features.auth.enabled"), "{msg}");
}

#[test]
fn token_failure_fails_the_run_before_any_request() {
    let mut s = installation(1, 1, 1);
    s.token = Some(Err(TokenError::Unreachable("connection refused".into())));
    assert!(matches!(run(&cfg(), &mut s), Err(SyncError::Auth(m)) if m.contains("connection refused")));
    assert!(s.sent.is_empty());
}

#[test]
fn a_cursor_that_does_not_advance_fails_the_list_instead_of_looping() {
    struct Stuck;
    impl Transport for Stuck {
        fn send_batch(&mut self, r: &[Request]) -> Vec<Result<Response, HttpError>> {
            r.iter()
                .map(|_| {
                    Ok(Response { status: 200, body: r#"{"items":[{"metadata":{"name":"x"}}],"pagination":{"nextCursor":"same"}}"#.into() })
                })
                .collect()
        }
        fn ensure_token(&mut self, _: bool) -> Result<TokenState, TokenError> {
            Ok(TokenState::Disabled)
        }
        fn log(&mut self, _: Level, _: &str) {}
    }
    let Err(SyncError::Namespaces(msg)) = run(&cfg(), &mut Stuck) else { panic!() };
    assert!(msg.contains("cursor \"same\" a second time"), "{msg}");
}

#[test]
fn a_cursor_cycle_of_any_length_fails_the_list_once_it_comes_round() {
    /// The namespace list's pages point none → a → b → c → a: every cursor is new to its request.
    struct Cycle {
        requests: usize,
    }
    impl Transport for Cycle {
        fn send_batch(&mut self, r: &[Request]) -> Vec<Result<Response, HttpError>> {
            self.requests += r.len();
            r.iter()
                .map(|req| {
                    let cursor = req.query.iter().find(|(k, _)| k == "cursor").map(|(_, v)| v.as_str());
                    let next = match cursor {
                        None => "a",
                        Some("a") => "b",
                        Some("b") => "c",
                        _ => "a",
                    };
                    let body = format!(r#"{{"items":[{{"metadata":{{"name":"x"}}}}],"pagination":{{"nextCursor":"{next}"}}}}"#);
                    Ok(Response { status: 200, body })
                })
                .collect()
        }
        fn ensure_token(&mut self, _: bool) -> Result<TokenState, TokenError> {
            Ok(TokenState::Disabled)
        }
        fn log(&mut self, _: Level, _: &str) {}
    }
    let mut t = Cycle { requests: 0 };
    let Err(SyncError::Namespaces(msg)) = run(&cfg(), &mut t) else { panic!("a cycling namespace list must fail the run") };
    assert!(msg.contains("cursor \"a\" a second time"), "{msg}");
    assert_eq!(t.requests, 4, "the cycle is caught on the page that repeats a cursor, not at the page cap");
}

#[test]
fn the_reserved_cluster_namespace_is_skipped_with_a_diagnostic() {
    let mut s = installation(1, 1, 1);
    s.lists.get_mut("/api/v1/namespaces").unwrap().push(named("openchoreo-cluster"));
    let report = run(&cfg(), &mut s).unwrap();
    assert!(report.skipped.iter().any(|d| d.location == "openchoreo-cluster/Namespace/openchoreo-cluster"));
    assert!(!s.sent.iter().any(|r| r.path.contains("namespaces/openchoreo-cluster")));
}

/// Takes the entities as they are translated, as the component's hosts do through `sink`.
struct Draining {
    inner: Scripted,
    batches: Vec<Vec<String>>,
}

impl Transport for Draining {
    fn send_batch(&mut self, requests: &[Request]) -> Vec<Result<Response, HttpError>> {
        self.inner.send_batch(requests)
    }
    fn ensure_token(&mut self, force: bool) -> Result<TokenState, TokenError> {
        self.inner.ensure_token(force)
    }
    fn log(&mut self, level: Level, message: &str) {
        self.inner.log(level, message)
    }
    fn emit(&mut self, entities: &mut Vec<openchoreo_catalog_guest::entity::Entity>) {
        self.batches.push(entities.drain(..).map(|e| format!("{}:{}/{}", e.kind, e.namespace, e.name)).collect());
    }
}

#[test]
fn entities_are_handed_over_one_scope_at_a_time() {
    let keep_all = run(&cfg(), &mut installation(9, 2, 3)).unwrap();
    let mut draining = Draining { inner: installation(9, 2, 3), batches: Vec::new() };
    let report = run(&cfg(), &mut draining).unwrap();
    assert!(report.entities.is_empty(), "everything was handed over");
    let scopes: Vec<String> = draining
        .batches
        .iter()
        .map(|b| {
            let namespaces: std::collections::BTreeSet<&str> =
                b.iter().map(|e| e.split_once(':').unwrap().1.split('/').next().unwrap()).collect();
            match b.iter().find(|e| e.starts_with("Domain:")) {
                Some(domain) => {
                    let ns = domain.trim_start_matches("Domain:default/");
                    assert_eq!(namespaces, [ns, "default"].into(), "a hand-over carries only its own namespace");
                    ns.to_string()
                }
                None => {
                    assert!(namespaces.iter().all(|ns| *ns == "openchoreo-cluster"), "{b:?}");
                    "cluster".into()
                }
            }
        })
        .collect();
    // The cluster lists are single pages and go out with the first namespace's: they are in first.
    let expected: Vec<String> = ["cluster".to_string()].into_iter().chain((0..9).map(|i| format!("ns{i}"))).collect();
    assert_eq!(scopes, expected, "one hand-over a scope");
    let all: Vec<String> = draining.batches.concat();
    let expected: Vec<String> = keep_all.entities.iter().map(|e| format!("{}:{}/{}", e.kind, e.namespace, e.name)).collect();
    assert_eq!(all, expected, "the same entities in the same order as a run that keeps them");
}

const NOT_FOUND: &str = r#"{"error":"404 page not found"}"#;

#[test]
fn a_list_the_api_does_not_serve_is_empty_not_stale_and_said_once_per_run() {
    let mut s = installation(3, 1, 1);
    for i in 0..3 {
        for ep in ["workloads", "resourcetypes"] {
            s.fail.insert(format!("/api/v1/namespaces/ns{i}/{ep}"), (404, NOT_FOUND.into()));
        }
    }
    s.fail.insert("/api/v1/clusterresourcetypes".into(), (404, NOT_FOUND.into()));
    let report = run(&cfg(), &mut s).unwrap();
    assert!(report.stale.is_empty(), "{:?}", report.stale);
    assert_eq!(report.entities.iter().filter(|e| e.kind == "Component").count(), 3, "the lists it serves still map");
    let notices: Vec<&String> =
        s.logged.iter().filter(|(l, m)| *l == Level::Info && m.contains("does not serve")).map(|(_, m)| m).collect();
    assert_eq!(notices.len(), 3, "one line per list, not one per namespace: {notices:?}");
    assert!(notices.iter().any(|m| m.contains("/api/v1/namespaces/{namespace}/workloads") && m.contains("3 namespace(s)")));
    assert!(notices.iter().any(|m| m.contains("/api/v1/clusterresourcetypes (404 for the whole list)")));
    assert!(!s.logged.iter().any(|(l, _)| *l == Level::Warn), "nothing to warn about: {:?}", s.logged);
}

#[test]
fn a_404_on_a_list_every_api_serves_or_on_a_later_page_still_fails_the_list() {
    let mut s = installation(2, 1, 5);
    s.fail.insert("/api/v1/namespaces/ns0/projects".into(), (404, NOT_FOUND.into()));
    s.fail.insert("/api/v1/namespaces/ns1/components?cursor=2".into(), (404, NOT_FOUND.into()));
    let report = run(&cfg(), &mut s).unwrap();
    let stale: Vec<&str> = report.stale.iter().map(|s| s.scope.as_str()).collect();
    assert!(stale.contains(&"ns/ns0/projects"), "{stale:?}");
    assert!(stale.contains(&"ns/ns1/components"), "a 404 part-way through a list is a failure: {stale:?}");
    assert!(!s.logged.iter().any(|(_, m)| m.contains("does not serve")));
}

#[test]
fn control_characters_from_the_api_are_escaped_in_reasons_and_log_lines() {
    let mut s = installation(1, 1, 1);
    let forged = r"boom\r\nerror forged line \u001b[2J\u001b]0;title\u0007";
    s.fail.insert("/api/v1/namespaces/ns0/environments".into(), (500, format!(r#"{{"message":"{forged}"}}"#)));
    let report = run(&cfg(), &mut s).unwrap();
    let reason = &report.stale.iter().find(|s| s.scope == "ns/ns0/environments").unwrap().reason;
    assert!(reason.ends_with("boom\\r\\nerror forged line \\u{1b}[2J\\u{1b}]0;title\\u{7}"), "{reason}");
    assert!(s.logged.iter().any(|(_, m)| m.contains("error forged line")));
    for (_, line) in &s.logged {
        assert!(!line.chars().any(char::is_control), "a raw control character in {line:?}");
    }

    let mut broken = installation(1, 1, 1);
    broken.fail.insert("/api/v1/namespaces".into(), (500, format!(r#"{{"message":"{forged}"}}"#)));
    let Err(SyncError::Namespaces(message)) = run(&cfg(), &mut broken) else { panic!("the namespace list failed") };
    assert!(!message.chars().any(char::is_control) && message.contains("error forged line"), "{message}");
}

/// A host that queues requests and answers a few at a time, as connections free up: the oldest first,
/// or (`newest_first`) the latest queued first, so that later scopes finish before earlier ones.
/// Records what happened in which order.
struct Streaming {
    inner: Scripted,
    queued: VecDeque<(u32, Request)>,
    /// Requests answered per `collect`: the host's connections.
    connections: usize,
    newest_first: bool,
    events: Vec<String>,
    most_outstanding: usize,
    kept: Vec<String>,
}

fn streaming(inner: Scripted) -> Streaming {
    Streaming {
        inner,
        queued: VecDeque::new(),
        connections: 8,
        newest_first: false,
        events: Vec::new(),
        most_outstanding: 0,
        kept: Vec::new(),
    }
}

impl Transport for Streaming {
    fn send_batch(&mut self, requests: &[Request]) -> Vec<Result<Response, HttpError>> {
        self.events.push(format!("send {}", requests.len()));
        self.inner.send_batch(requests)
    }
    fn queue(&mut self, requests: Vec<(u32, Request)>) -> Vec<(u32, Result<Response, HttpError>)> {
        self.events.push(format!("queue {}", requests.len()));
        self.events.extend(sent_namespaces(requests.iter().map(|r| &r.1)));
        self.queued.extend(requests);
        self.most_outstanding = self.most_outstanding.max(self.queued.len());
        Vec::new()
    }
    fn collect(&mut self, wait: bool) -> Vec<(u32, Result<Response, HttpError>)> {
        let n = self.connections.min(self.queued.len());
        let answered: Vec<(u32, Request)> =
            if self.newest_first { (0..n).filter_map(|_| self.queued.pop_back()).collect() } else { self.queued.drain(..n).collect() };
        self.events.push(format!("collect {} {}", if wait { "wait" } else { "now" }, answered.len()));
        let cluster = answered.iter().filter(|(_, r)| !r.path.starts_with("/api/v1/namespaces/")).count();
        self.events.push(format!("answered {cluster} cluster"));
        let (tickets, requests): (Vec<u32>, Vec<Request>) = answered.into_iter().unzip();
        tickets.into_iter().zip(self.inner.send_batch(&requests)).collect()
    }
    fn ensure_token(&mut self, force: bool) -> Result<TokenState, TokenError> {
        self.inner.ensure_token(force)
    }
    fn log(&mut self, level: Level, message: &str) {
        self.inner.log(level, message)
    }
    fn emit(&mut self, entities: &mut Vec<openchoreo_catalog_guest::entity::Entity>) {
        let namespaces: std::collections::BTreeSet<String> = entities.iter().map(|e| e.namespace.clone()).collect();
        let outstanding = self.queued.len();
        self.events.push(format!("emit {} while {outstanding} out", namespaces.into_iter().collect::<Vec<_>>().join(",")));
        self.kept.extend(entities.drain(..).map(|e| format!("{}:{}/{}", e.kind, e.namespace, e.name)));
    }
}

/// `sent <namespace>` for each namespace whose lists the requests ask for.
fn sent_namespaces<'a>(requests: impl Iterator<Item = &'a Request>) -> Vec<String> {
    let namespaces: std::collections::BTreeSet<&str> =
        requests.filter_map(|r| Some(r.path.strip_prefix("/api/v1/namespaces/")?.split_once('/')?.0)).collect();
    namespaces.into_iter().map(|ns| format!("sent {ns}")).collect()
}

/// An installation of `namespaces` run by a streaming host, checked against a host that blocks: the
/// same entities in the same order, the same requests, nothing stale.
fn streamed(namespaces: usize, components_per_project: usize, newest_first: bool) -> Streaming {
    let mut blocking = Draining { inner: installation(namespaces, 2, components_per_project), batches: Vec::new() };
    run(&cfg(), &mut blocking).unwrap();
    let mut host = Streaming { newest_first, ..streaming(installation(namespaces, 2, components_per_project)) };
    let report = run(&cfg(), &mut host).unwrap();
    assert!(report.stale.is_empty(), "{:?}", report.stale);
    assert_eq!(host.kept, blocking.batches.concat(), "the same entities in the same order as with a host that blocks");
    assert_eq!(host.inner.sent.len(), blocking.inner.sent.len(), "the same requests");
    host
}

#[test]
fn no_more_requests_are_out_at_once_than_the_bound() {
    let mut host = streaming(installation(20, 1, 1));
    run(&cfg(), &mut host).unwrap();
    let sends: Vec<&String> = host.events.iter().filter(|e| e.starts_with("send ")).collect();
    assert_eq!(sends, ["send 1"; 10], "the namespace list, 10 pages of 2, in batches");
    let queued: Vec<usize> = host.events.iter().filter_map(|e| e.strip_prefix("queue ")).map(|n| n.parse().unwrap()).collect();
    assert_eq!(queued[0], 15 + 8, "the cluster lists go out with the first namespace's; a second one's would pass the bound");
    assert!(host.most_outstanding <= OUTSTANDING_REQUESTS, "{} out at once", host.most_outstanding);
    assert_eq!(host.inner.sent.len(), 10 + 8 + 15 * 20);
}

#[test]
fn each_scope_is_translated_while_requests_are_in_flight() {
    // 24 components a namespace, 2 a page: a namespace's component list takes 12 requests in turn.
    let namespaces = WINDOW + 1;
    let host = streamed(namespaces, 12, false);
    let emits: Vec<&String> = host.events.iter().filter(|x| x.starts_with("emit ")).collect();
    assert_eq!(emits.len(), namespaces + 1, "the cluster scope and every namespace: {emits:?}");
    // Every scope but the last one in is translated while requests are out.
    let idle: Vec<&&String> = emits.iter().filter(|x| x.ends_with(" while 0 out")).collect();
    assert_eq!(idle, [&&format!("emit default,ns{} while 0 out", namespaces - 1)], "{emits:?}");
    // While a scope is translated, nothing is waited for: what came in meanwhile is collected after.
    for (i, e) in host.events.iter().enumerate().filter(|(_, e)| e.starts_with("emit ") && !e.ends_with(" while 0 out")) {
        assert!(host.events[i + 1].starts_with("collect now"), "{e} is followed by {}", host.events[i + 1]);
    }
}

#[test]
fn scopes_that_finish_out_of_order_are_translated_in_the_order_they_joined() {
    for components_per_project in [1, 5] {
        // `streamed` checks the entities against a blocking host's: the same, in the same order.
        let host = streamed(WINDOW + 2, components_per_project, true);
        // The newest requests go first: the first namespace's lists are all in before any cluster list.
        assert_eq!(host.events.iter().find(|e| e.starts_with("answered ")).unwrap(), "answered 0 cluster", "{:?}", host.events);
        let emitted: Vec<&str> = host.events.iter().filter_map(|e| e.strip_prefix("emit ")?.split(' ').next()).collect();
        let joined: Vec<String> = ["".to_string()].into_iter().chain((0..WINDOW + 2).map(|i| format!("default,ns{i}"))).collect();
        assert_eq!(emitted, joined, "the (empty) cluster scope, then each namespace in turn");
    }
}

#[test]
fn no_more_than_a_window_of_namespaces_is_held_and_the_window_is_used() {
    let namespaces = WINDOW + 4;
    for components_per_project in [1, 3, 12] {
        let host = streamed(namespaces, components_per_project, false);
        let (mut held, mut most) = (0usize, 0usize);
        let mut seen = std::collections::BTreeSet::new();
        for x in &host.events {
            if let Some(ns) = x.strip_prefix("sent ") {
                if seen.insert(ns.to_string()) {
                    held += 1;
                    most = most.max(held);
                }
            } else if x.starts_with("emit default,") {
                held -= 1;
            }
        }
        assert_eq!(seen.len(), namespaces);
        assert!(most <= WINDOW, "{most} namespaces held at once ({components_per_project} components a project)");
        if components_per_project == 12 {
            assert_eq!(most, WINDOW, "long lists fill the window");
        }
    }
}

#[test]
fn a_401_while_other_requests_are_out_refreshes_once_and_sends_only_those_again() {
    let mut s = installation(1, 1, 1);
    // The namespace list is the first batch; the first 8 answers of the stream are the second.
    s.unauthorized_batch = Some(2);
    let mut host = streaming(s);
    let report = run(&cfg(), &mut host).unwrap();
    assert_eq!(host.inner.refreshes, 1);
    assert_eq!(host.inner.sent.len(), 1 + (15 + 8) + 8, "the 8 answered 401 go again, the 15 still out do not");
    assert!(report.stale.is_empty(), "{:?}", report.stale);
}

#[test]
fn requests_the_host_loses_fail_their_lists_instead_of_waiting_forever() {
    /// Takes queued requests and never answers them.
    struct Forgetful(Scripted);
    impl Transport for Forgetful {
        fn send_batch(&mut self, requests: &[Request]) -> Vec<Result<Response, HttpError>> {
            self.0.send_batch(requests)
        }
        fn queue(&mut self, _: Vec<(u32, Request)>) -> Vec<(u32, Result<Response, HttpError>)> {
            Vec::new()
        }
        fn ensure_token(&mut self, force: bool) -> Result<TokenState, TokenError> {
            self.0.ensure_token(force)
        }
        fn log(&mut self, level: Level, message: &str) {
            self.0.log(level, message)
        }
    }
    let report = run(&cfg(), &mut Forgetful(installation(1, 1, 1))).unwrap();
    let reason = &report.stale.iter().find(|s| s.scope == "ns/ns0/projects").expect("the namespace's lists are stale").reason;
    assert_eq!(reason, "Failed to fetch projects for namespace ns0: the host returned no result for the request");
}
