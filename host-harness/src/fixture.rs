//! A fixture OpenChoreo Platform API and OAuth2 token endpoint over real HTTP on loopback.
//! It serves a dataset with cursor pagination as the real API does (default page 20, max 100),
//! checks bearer tokens, and injects faults for tests: statuses, hangs, bad bodies, cut bodies.

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tiny_http::{Header, Method, Server};

/// What the API serves. Namespaced lists are keyed by namespace, then endpoint (`projects`, ...).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Dataset {
    pub namespaces: Vec<Value>,
    #[serde(default)]
    pub namespaced: BTreeMap<String, BTreeMap<String, Vec<Value>>>,
    #[serde(default)]
    pub cluster: BTreeMap<String, Vec<Value>>,
}

impl Dataset {
    /// The sample installation: OpenChoreo's getting-started defaults and the url-shortener project.
    pub fn sample() -> Self {
        serde_json::from_str(include_str!("../fixtures/sample-api.json")).expect("embedded sample dataset")
    }

    fn list(&self, path: &str) -> Option<&[Value]> {
        let rest = path.strip_prefix("/api/v1/")?;
        let parts: Vec<&str> = rest.split('/').collect();
        match parts.as_slice() {
            ["namespaces"] => Some(&self.namespaces),
            ["namespaces", ns, ep] => {
                let known = self.namespaces.iter().any(|n| n["metadata"]["name"] == *ns);
                if !known {
                    return None;
                }
                Some(self.namespaced.get(*ns).and_then(|m| m.get(*ep)).map(Vec::as_slice).unwrap_or(&[]))
            }
            [ep] if ep.starts_with("cluster") => Some(self.cluster.get(*ep).map(Vec::as_slice).unwrap_or(&[])),
            _ => None,
        }
    }
}

/// A fault for requests whose path equals `path` (or every API path when `path` is `*`).
#[derive(Debug, Clone)]
pub struct Fault {
    pub path: String,
    pub kind: FaultKind,
    /// How many matching requests it hits; `None` is every one.
    pub times: Option<u32>,
}

#[derive(Debug, Clone)]
pub enum FaultKind {
    /// Answer with this status and body (and Retry-After seconds when given).
    Status { status: u16, body: String, retry_after: Option<u64> },
    /// Wait this long before answering normally (longer than the client's timeout: a hung request).
    Hang(Duration),
    /// A 200 whose body is not JSON.
    BadJson,
    /// A 200 with valid JSON of the wrong shape.
    WrongShape,
    /// Headers promise more body than is sent; the connection closes mid-body.
    CutBody,
    /// Every token issued so far stops working (a 401 mid-run).
    RevokeTokens,
}

#[derive(Debug, Clone)]
pub struct FixtureAuth {
    pub client_id: String,
    pub client_secret: String,
    pub token_ttl: Duration,
}

/// A recorded API request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub query: Vec<(String, String)>,
    pub authorization: Option<String>,
}

struct Shared {
    data: Mutex<Dataset>,
    auth: Option<FixtureAuth>,
    latency: Duration,
    faults: Mutex<Vec<Fault>>,
    seen: Mutex<Vec<Seen>>,
    token_requests: AtomicU64,
    /// Tokens issued before this generation are rejected.
    valid_from: AtomicU64,
    generation: AtomicU64,
    idp_down: AtomicBool,
}

pub struct FixtureApi {
    shared: Arc<Shared>,
    server: Arc<Server>,
    pub base_url: String,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl FixtureApi {
    pub fn start(data: Dataset, auth: Option<FixtureAuth>, latency: Duration) -> std::io::Result<Self> {
        let server = Arc::new(Server::http("127.0.0.1:0").map_err(std::io::Error::other)?);
        let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or(0);
        let shared = Arc::new(Shared {
            data: Mutex::new(data),
            auth,
            latency,
            faults: Mutex::new(Vec::new()),
            seen: Mutex::new(Vec::new()),
            token_requests: AtomicU64::new(0),
            valid_from: AtomicU64::new(0),
            generation: AtomicU64::new(1),
            idp_down: AtomicBool::new(false),
        });
        let threads = (0..16)
            .map(|_| {
                let (server, shared) = (server.clone(), shared.clone());
                std::thread::spawn(move || {
                    while let Ok(req) = server.recv() {
                        handle(&shared, req);
                    }
                })
            })
            .collect();
        Ok(Self { shared, server, base_url: format!("http://127.0.0.1:{port}"), threads })
    }

    pub fn token_url(&self) -> String {
        format!("{}/oauth2/token", self.base_url)
    }

    pub fn add_fault(&self, fault: Fault) {
        self.shared.faults.lock().unwrap_or_else(|p| p.into_inner()).push(fault);
    }

    pub fn clear_faults(&self) {
        self.shared.faults.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    pub fn set_idp_down(&self, down: bool) {
        self.shared.idp_down.store(down, Ordering::SeqCst);
    }

    pub fn update(&self, f: impl FnOnce(&mut Dataset)) {
        f(&mut self.shared.data.lock().unwrap_or_else(|p| p.into_inner()));
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn clear_requests(&self) {
        self.shared.seen.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    pub fn token_requests(&self) -> u64 {
        self.shared.token_requests.load(Ordering::SeqCst)
    }
}

impl Drop for FixtureApi {
    fn drop(&mut self) {
        self.server.unblock();
        for _ in 0..self.threads.len() {
            self.server.unblock();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header")
}

fn respond(req: tiny_http::Request, status: u16, body: String, extra: Vec<Header>) {
    let mut resp = tiny_http::Response::from_string(body).with_status_code(status).with_header(header("Content-Type", "application/json"));
    for h in extra {
        resp.add_header(h);
    }
    let _ = req.respond(resp);
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn issue_token(shared: &Shared, ttl: Duration) -> String {
    let generation = shared.generation.fetch_add(1, Ordering::SeqCst);
    let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let claims = json!({ "exp": now_secs() + ttl.as_secs(), "gen": generation, "sub": "backstage" });
    format!("{}.{}.fixture", enc(r#"{"alg":"none","typ":"JWT"}"#), enc(&claims.to_string()))
}

fn token_generation(token: &str) -> Option<(u64, u64)> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    Some((v.get("gen")?.as_u64()?, v.get("exp")?.as_u64()?))
}

fn handle_token(shared: &Shared, mut req: tiny_http::Request) {
    shared.token_requests.fetch_add(1, Ordering::SeqCst);
    if shared.idp_down.load(Ordering::SeqCst) {
        return respond(req, 503, "<html>identity provider unavailable</html>".into(), vec![]);
    }
    let mut body = String::new();
    let _ = req.as_reader().read_to_string(&mut body);
    let form: BTreeMap<String, String> = parse_query(&body).into_iter().collect();
    let Some(auth) = &shared.auth else { return respond(req, 404, r#"{"error":"not_found"}"#.into(), vec![]) };
    let ok = form.get("grant_type").map(String::as_str) == Some("client_credentials")
        && form.get("client_id") == Some(&auth.client_id)
        && form.get("client_secret") == Some(&auth.client_secret);
    if !ok {
        return respond(req, 401, r#"{"error":"invalid_client","error_description":"client authentication failed"}"#.into(), vec![]);
    }
    let token = issue_token(shared, auth.token_ttl);
    let body = json!({ "access_token": token, "token_type": "Bearer", "expires_in": auth.token_ttl.as_secs() });
    respond(req, 200, body.to_string(), vec![]);
}

fn take_fault(shared: &Shared, path: &str) -> Option<FaultKind> {
    let mut faults = shared.faults.lock().unwrap_or_else(|p| p.into_inner());
    let idx = faults.iter().position(|f| (f.path == path || f.path == "*") && f.times != Some(0))?;
    let f = &mut faults[idx];
    if let Some(t) = f.times.as_mut() {
        *t -= 1;
    }
    Some(f.kind.clone())
}

fn handle(shared: &Shared, req: tiny_http::Request) {
    let url = req.url().to_string();
    let (path, query) = url.split_once('?').map_or((url.as_str(), ""), |(p, q)| (p, q));
    if req.method() == &Method::Post && path == "/oauth2/token" {
        return handle_token(shared, req);
    }
    if !shared.latency.is_zero() {
        std::thread::sleep(shared.latency);
    }
    let query = parse_query(query);
    let authorization = req.headers().iter().find(|h| h.field.equiv("Authorization")).map(|h| h.value.to_string());
    shared.seen.lock().unwrap_or_else(|p| p.into_inner()).push(Seen {
        path: path.to_string(),
        query: query.clone(),
        authorization: authorization.clone(),
    });
    let fault = take_fault(shared, path);
    if let Some(FaultKind::RevokeTokens) = fault {
        shared.valid_from.store(shared.generation.load(Ordering::SeqCst), Ordering::SeqCst);
    }
    if shared.auth.is_some() {
        let token = authorization.as_deref().and_then(|a| a.strip_prefix("Bearer "));
        let Some(token) = token else {
            return respond(req, 401, r#"{"error":"MISSING_TOKEN","message":"missing or invalid authentication token"}"#.into(), vec![]);
        };
        let valid = token_generation(token)
            .is_some_and(|(generation, exp)| generation >= shared.valid_from.load(Ordering::SeqCst) && exp > now_secs());
        if !valid {
            return respond(req, 401, r#"{"error":"INVALID_TOKEN","message":"invalid or expired token"}"#.into(), vec![]);
        }
    }
    match fault {
        Some(FaultKind::Status { status, body, retry_after }) => {
            let extra = retry_after.map(|s| vec![header("Retry-After", &s.to_string())]).unwrap_or_default();
            return respond(req, status, body, extra);
        }
        Some(FaultKind::Hang(d)) => std::thread::sleep(d),
        Some(FaultKind::BadJson) => return respond(req, 200, "{\"items\": [ {\"metadata\": ".into(), vec![]),
        Some(FaultKind::WrongShape) => return respond(req, 200, r#"{"data":{"rows":[]}}"#.into(), vec![]),
        Some(FaultKind::CutBody) => {
            let mut w = req.into_writer();
            let _ = w.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n{\"items\":[{\"metadata\":");
            let _ = w.flush();
            return;
        }
        Some(FaultKind::RevokeTokens) | None => {}
    }
    let data = shared.data.lock().unwrap_or_else(|p| p.into_inner());
    let Some(items) = data.list(path) else {
        return respond(req, 404, json!({"error": format!("{path} not found"), "code": "NOT_FOUND"}).to_string(), vec![]);
    };
    let get = |k: &str| query.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let limit = get("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(20).clamp(1, 100);
    let offset = match get("cursor") {
        None | Some("") => 0,
        Some(c) => match c.strip_prefix("off-").and_then(|o| o.parse::<usize>().ok()) {
            Some(o) => o,
            None => {
                drop(data);
                return respond(req, 400, r#"{"error":"invalid cursor","code":"BAD_REQUEST"}"#.into(), vec![]);
            }
        },
    };
    let end = (offset + limit).min(items.len());
    let page: Vec<&Value> = items.get(offset..end).unwrap_or(&[]).iter().collect();
    let mut pagination = json!({ "remainingCount": items.len() - end.min(items.len()) });
    if end < items.len() {
        pagination["nextCursor"] = json!(format!("off-{end}"));
    }
    let body = json!({ "items": page, "pagination": pagination }).to_string();
    drop(data);
    respond(req, 200, body, vec![]);
}
