//! A fixture OpenChoreo Platform API and OAuth2 token endpoint over real HTTP on loopback.
//! It serves a dataset with cursor pagination as the real API does (default page 20, max 100),
//! checks bearer tokens, and injects faults for tests: statuses, hangs, bad bodies, cut bodies.

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What the API serves. Namespaced lists are keyed by namespace, then endpoint (`projects`, ...).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
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

    /// `GET …/{component,resource,project}types/{name}/schema` (namespaced or cluster): the type's
    /// parameter schema (an empty object schema when it declares none), as the API's SchemaResponse.
    pub fn schema(&self, path: &str) -> Option<Value> {
        const TYPES: [&str; 3] = ["componenttypes", "resourcetypes", "projecttypes"];
        let parts: Vec<&str> = path.strip_prefix("/api/v1/")?.split('/').collect();
        let (types, name) = match parts.as_slice() {
            [ep, name, "schema"] if ep.strip_prefix("cluster").is_some_and(|t| TYPES.contains(&t)) => (self.cluster.get(*ep)?, *name),
            ["namespaces", ns, ep, name, "schema"] if TYPES.contains(ep) => (self.namespaced.get(*ns)?.get(*ep)?, *name),
            _ => return None,
        };
        let ct = types.iter().find(|t| t["metadata"]["name"] == name)?;
        Some(ct.pointer("/spec/parameters/openAPIV3Schema").cloned().unwrap_or_else(|| json!({ "type": "object", "properties": {} })))
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
    /// A 200 whose page is not UTF-8: one name in Latin-1 ([`NOT_UTF8_PAGE`]).
    NotUtf8,
    /// Headers promise more body than is sent; the connection closes mid-body.
    CutBody,
    /// Every token issued so far stops working (a 401 mid-run).
    RevokeTokens,
    /// A 200 whose body arrives one byte per interval: every read succeeds, the body takes minutes.
    Drip(Duration),
    /// A 200 whose body never ends: an items array that grows until the client hangs up.
    Endless,
    /// Pages of 100 items of about 40 KB each (4 MB a page), each with a next cursor: a list that grows
    /// without end.
    Bloat,
    /// Pages whose cursors go round: none → `cycle-a` → `cycle-b` → `cycle-c` → `cycle-a`.
    CursorCycle,
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
    /// TCP connections accepted (keep-alive connections serve many requests).
    connections: AtomicU64,
    /// Tokens issued before this generation are rejected.
    valid_from: AtomicU64,
    generation: AtomicU64,
    idp: AtomicU8,
}

/// How the token endpoint behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idp {
    Up = 0,
    /// 503 with an HTML body.
    Down = 1,
    /// 200 with a body that is not a token response.
    Garbage = 2,
    /// 400 whose body echoes the form it received, client secret included, as some providers do.
    EchoForm = 3,
    /// 307 back to the token endpoint: a client that follows it asks again and again.
    Redirect = 4,
    /// Takes the request and answers nothing for a minute.
    Hang = 5,
}

pub struct FixtureApi {
    shared: Arc<Shared>,
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    pub base_url: String,
    acceptor: Option<std::thread::JoinHandle<()>>,
}

impl FixtureApi {
    pub fn start(data: Dataset, auth: Option<FixtureAuth>, latency: Duration) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            data: Mutex::new(data),
            auth,
            latency,
            faults: Mutex::new(Vec::new()),
            seen: Mutex::new(Vec::new()),
            token_requests: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            valid_from: AtomicU64::new(0),
            generation: AtomicU64::new(1),
            idp: AtomicU8::new(Idp::Up as u8),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let (shared, stop) = (shared.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    shared.connections.fetch_add(1, Ordering::Relaxed);
                    let shared = shared.clone();
                    std::thread::spawn(move || serve_connection(&shared, stream));
                }
            })
        };
        Ok(Self { shared, addr, stop, base_url: format!("http://{addr}"), acceptor: Some(acceptor) })
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

    pub fn set_idp(&self, mode: Idp) {
        self.shared.idp.store(mode as u8, Ordering::SeqCst);
    }

    pub fn update(&self, f: impl FnOnce(&mut Dataset)) {
        f(&mut self.shared.data.lock().unwrap_or_else(|p| p.into_inner()));
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::Relaxed)
    }

    pub fn clear_requests(&self) {
        self.shared.seen.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    pub fn token_requests(&self) -> u64 {
        self.shared.token_requests.load(Ordering::SeqCst)
    }
}

impl Drop for FixtureApi {
    /// Stops accepting (the listener closes, so later connections are refused).
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.acceptor.take() {
            let _ = t.join();
        }
    }
}

/// One parsed HTTP request.
struct HttpRequest {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl HttpRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The page of the `NotUtf8` fault: "café" in Latin-1, its é (0xE9, at offset 34) not UTF-8.
pub const NOT_UTF8_PAGE: &[u8] = b"{\"items\":[{\"metadata\":{\"name\":\"caf\xe9\"}}]}";

/// What to send back.
enum Reply {
    Full {
        status: u16,
        body: Vec<u8>,
        retry_after: Option<u64>,
    },
    /// Headers promising more than is sent, then the connection is closed.
    Cut,
    /// 307 Temporary Redirect to this location.
    Redirect(String),
    /// A valid page, one byte per interval.
    Drip(Duration),
    /// `{"items":[` and items until the client closes the connection.
    Endless,
}

fn json_reply(status: u16, body: impl Into<String>) -> Reply {
    Reply::Full { status, body: body.into().into_bytes(), retry_after: None }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<HttpRequest> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len: usize = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-length")).and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0u8; len.min(1 << 20)];
    reader.read_exact(&mut body).ok()?;
    Some(HttpRequest { method, target, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

fn serve_connection(shared: &Shared, stream: TcpStream) {
    // As Go's net/http (the OpenChoreo API) does: without it, Nagle's algorithm and the client's delayed
    // ACK stall every keep-alive response for 40 ms.
    let _ = stream.set_nodelay(true);
    let Ok(write_half) = stream.try_clone() else { return };
    let mut writer = write_half;
    let mut reader = BufReader::new(stream);
    while let Some(req) = read_request(&mut reader) {
        match handle(shared, &req) {
            Reply::Full { status, body, retry_after } => {
                let retry = retry_after.map(|s| format!("Retry-After: {s}\r\n")).unwrap_or_default();
                let head = format!(
                    "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{retry}\r\n",
                    reason(status),
                    body.len()
                );
                let mut response = head.into_bytes();
                response.extend_from_slice(&body);
                if writer.write_all(&response).is_err() {
                    return;
                }
            }
            Reply::Redirect(location) => {
                let head = format!("HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n");
                if writer.write_all(head.as_bytes()).is_err() {
                    return;
                }
            }
            Reply::Drip(every) => {
                let body = r#"{"items":[],"pagination":{}}"#;
                let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len());
                if writer.write_all(head.as_bytes()).is_err() {
                    return;
                }
                for b in body.bytes() {
                    std::thread::sleep(every);
                    if writer.write_all(&[b]).and_then(|()| writer.flush()).is_err() {
                        return;
                    }
                }
            }
            Reply::Endless => {
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
                let item = r#"{"metadata":{"name":"endless-item-with-a-long-enough-name"},"spec":{"padding":"0123456789abcdef0123456789abcdef"}},"#;
                let chunk: String = std::iter::once(r#"{"items":["#).chain(std::iter::repeat_n(item, 2048)).collect();
                let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
                if writer.write_all(head.as_bytes()).is_err() {
                    return;
                }
                while writer.write_all(framed.as_bytes()).is_ok() {}
                return;
            }
            Reply::Cut => {
                let _ = writer.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"items\":[{\"metadata\":",
                );
                let _ = writer.shutdown(std::net::Shutdown::Both);
                return;
            }
        }
    }
}

/// A page of [`FaultKind::Bloat`]: 100 large items and the cursor of the next page.
fn bloated_page(query: &[(String, String)]) -> String {
    let page: u64 = query.iter().find(|(k, _)| k == "cursor").and_then(|(_, c)| c.strip_prefix("bloat-")?.parse().ok()).unwrap_or(0);
    let padding = "x".repeat(40_000);
    let items: Vec<String> =
        (0..100).map(|i| format!(r#"{{"metadata":{{"name":"bloat-{page}-{i}"}},"spec":{{"padding":"{padding}"}}}}"#)).collect();
    format!(r#"{{"items":[{}],"pagination":{{"nextCursor":"bloat-{}"}}}}"#, items.join(","), page + 1)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
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

fn handle_token(shared: &Shared, req: &HttpRequest) -> Reply {
    shared.token_requests.fetch_add(1, Ordering::SeqCst);
    match shared.idp.load(Ordering::SeqCst) {
        m if m == Idp::Down as u8 => return json_reply(503, "<html>identity provider unavailable</html>"),
        m if m == Idp::Garbage as u8 => return json_reply(200, "<html>login page</html>"),
        m if m == Idp::EchoForm as u8 => return json_reply(400, req.body.clone()),
        m if m == Idp::Redirect as u8 => return Reply::Redirect("/oauth2/token".into()),
        m if m == Idp::Hang as u8 => {
            std::thread::sleep(Duration::from_secs(60));
            return json_reply(503, "{}");
        }
        _ => {}
    }
    let form: BTreeMap<String, String> = parse_query(&req.body).into_iter().collect();
    let Some(auth) = &shared.auth else { return json_reply(404, r#"{"error":"not_found"}"#) };
    let ok = form.get("grant_type").map(String::as_str) == Some("client_credentials")
        && form.get("client_id") == Some(&auth.client_id)
        && form.get("client_secret") == Some(&auth.client_secret);
    if !ok {
        return json_reply(401, r#"{"error":"invalid_client","error_description":"client authentication failed"}"#);
    }
    let token = issue_token(shared, auth.token_ttl);
    json_reply(200, json!({ "access_token": token, "token_type": "Bearer", "expires_in": auth.token_ttl.as_secs() }).to_string())
}

/// Test control over HTTP, for test suites in other languages: `POST /__admin/fault` with
/// `{"path": "...", "status": 503, "times": 1}` or `{"path": "...", "kind": "hang" | "cut" | "badjson" |
/// "wrongshape" | "revoke" | "drip" | "endless" | "bloat" | "cycle", "ms": 3000}` (times optional), `POST /__admin/idp` with
/// `{"mode": "up" | "down" | "hang"}`, `POST /__admin/list` with `{"path": "/api/v1/...", "items": [...]}` (a
/// list's new content), `POST /__admin/clear`, and
/// `POST /__admin/requests` (the API paths requested so far, in order).
fn handle_admin(shared: &Shared, path: &str, body: &str) -> Reply {
    match path {
        "/__admin/clear" => {
            shared.faults.lock().unwrap_or_else(|p| p.into_inner()).clear();
            json_reply(200, "{}")
        }
        "/__admin/list" => {
            let Ok(v) = serde_json::from_str::<Value>(body) else { return json_reply(400, r#"{"error":"body must be JSON"}"#) };
            let (Some(path), Some(items)) = (v["path"].as_str(), v["items"].as_array()) else {
                return json_reply(400, r#"{"error":"path and items are required"}"#);
            };
            let parts: Vec<&str> = path.trim_start_matches("/api/v1/").split('/').collect();
            let mut data = shared.data.lock().unwrap_or_else(|p| p.into_inner());
            match parts.as_slice() {
                ["namespaces", ns, ep] => {
                    data.namespaced.entry(ns.to_string()).or_default().insert(ep.to_string(), items.clone());
                }
                [ep] if ep.starts_with("cluster") => {
                    data.cluster.insert(ep.to_string(), items.clone());
                }
                _ => return json_reply(400, r#"{"error":"path must be a namespaced or cluster list"}"#),
            }
            json_reply(200, "{}")
        }
        "/__admin/idp" => {
            let mode = serde_json::from_str::<Value>(body).ok().and_then(|v| v["mode"].as_str().map(str::to_string));
            let idp = match mode.as_deref() {
                Some("up") => Idp::Up,
                Some("down") => Idp::Down,
                Some("hang") => Idp::Hang,
                _ => return json_reply(400, r#"{"error":"mode is up, down or hang"}"#),
            };
            shared.idp.store(idp as u8, Ordering::SeqCst);
            json_reply(200, "{}")
        }
        "/__admin/requests" => {
            let seen = shared.seen.lock().unwrap_or_else(|p| p.into_inner());
            json_reply(200, Value::from(seen.iter().map(|r| r.path.clone()).collect::<Vec<_>>()).to_string())
        }
        "/__admin/fault" => {
            let Ok(v) = serde_json::from_str::<Value>(body) else { return json_reply(400, r#"{"error":"body must be JSON"}"#) };
            let Some(fault_path) = v["path"].as_str() else { return json_reply(400, r#"{"error":"path is required"}"#) };
            let kind = match (v["kind"].as_str(), v["status"].as_u64()) {
                (Some("hang"), _) => FaultKind::Hang(Duration::from_millis(v["ms"].as_u64().unwrap_or(3000))),
                (Some("cut"), _) => FaultKind::CutBody,
                (Some("badjson"), _) => FaultKind::BadJson,
                (Some("wrongshape"), _) => FaultKind::WrongShape,
                (Some("notutf8"), _) => FaultKind::NotUtf8,
                (Some("revoke"), _) => FaultKind::RevokeTokens,
                (Some("drip"), _) => FaultKind::Drip(Duration::from_millis(v["ms"].as_u64().unwrap_or(100))),
                (Some("endless"), _) => FaultKind::Endless,
                (Some("bloat"), _) => FaultKind::Bloat,
                (Some("cycle"), _) => FaultKind::CursorCycle,
                (None, Some(status)) => FaultKind::Status {
                    status: status as u16,
                    body: v["body"].as_str().unwrap_or("{}").to_string(),
                    retry_after: v["retryAfter"].as_u64(),
                },
                _ => return json_reply(400, r#"{"error":"give a status or a known kind"}"#),
            };
            let fault = Fault { path: fault_path.to_string(), kind, times: v["times"].as_u64().map(|t| t as u32) };
            shared.faults.lock().unwrap_or_else(|p| p.into_inner()).push(fault);
            json_reply(200, "{}")
        }
        _ => json_reply(404, r#"{"error":"unknown admin path"}"#),
    }
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

fn handle(shared: &Shared, req: &HttpRequest) -> Reply {
    let (path, query) = req.target.split_once('?').map_or((req.target.as_str(), ""), |(p, q)| (p, q));
    if req.method == "POST" && path == "/oauth2/token" {
        return handle_token(shared, req);
    }
    if req.method == "POST" && path.starts_with("/__admin/") {
        return handle_admin(shared, path, &req.body);
    }
    if req.method != "GET" {
        return json_reply(405, r#"{"error":"method not allowed"}"#);
    }
    if !shared.latency.is_zero() {
        std::thread::sleep(shared.latency);
    }
    let query = parse_query(query);
    let authorization = req.header("Authorization").map(str::to_string);
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
            return json_reply(401, r#"{"error":"MISSING_TOKEN","message":"missing or invalid authentication token"}"#);
        };
        let valid = token_generation(token)
            .is_some_and(|(generation, exp)| generation >= shared.valid_from.load(Ordering::SeqCst) && exp > now_secs());
        if !valid {
            return json_reply(401, r#"{"error":"INVALID_TOKEN","message":"invalid or expired token"}"#);
        }
    }
    match fault {
        Some(FaultKind::Status { status, body, retry_after }) => return Reply::Full { status, body: body.into_bytes(), retry_after },
        Some(FaultKind::NotUtf8) => return Reply::Full { status: 200, body: NOT_UTF8_PAGE.to_vec(), retry_after: None },
        Some(FaultKind::Hang(d)) => std::thread::sleep(d),
        Some(FaultKind::BadJson) => return json_reply(200, "{\"items\": [ {\"metadata\": "),
        Some(FaultKind::WrongShape) => return json_reply(200, r#"{"data":{"rows":[]}}"#),
        Some(FaultKind::CutBody) => return Reply::Cut,
        Some(FaultKind::Drip(every)) => return Reply::Drip(every),
        Some(FaultKind::Endless) => return Reply::Endless,
        Some(FaultKind::Bloat) => return json_reply(200, bloated_page(&query)),
        Some(FaultKind::CursorCycle) => {
            let next = match query.iter().find(|(k, _)| k == "cursor").map(|(_, c)| c.as_str()) {
                Some("cycle-a") => "cycle-b",
                Some("cycle-b") => "cycle-c",
                _ => "cycle-a",
            };
            return json_reply(200, format!(r#"{{"items":[],"pagination":{{"nextCursor":"{next}"}}}}"#));
        }
        Some(FaultKind::RevokeTokens) | None => {}
    }
    let data = shared.data.lock().unwrap_or_else(|p| p.into_inner());
    if path.ends_with("/schema") {
        return match data.schema(path) {
            Some(schema) => json_reply(200, schema.to_string()),
            None => json_reply(404, json!({"error": format!("{path} not found"), "code": "NOT_FOUND"}).to_string()),
        };
    }
    if let Some(ns) = path.strip_prefix("/api/v1/namespaces/").filter(|rest| !rest.is_empty() && !rest.contains('/')) {
        return match data.namespaces.iter().find(|n| n["metadata"]["name"] == ns) {
            Some(resource) => json_reply(200, resource.to_string()),
            None => json_reply(404, json!({"error": format!("namespace {ns} not found"), "code": "NOT_FOUND"}).to_string()),
        };
    }
    let Some(items) = data.list(path) else {
        return json_reply(404, json!({"error": format!("{path} not found"), "code": "NOT_FOUND"}).to_string());
    };
    let get = |k: &str| query.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let limit = get("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(20).clamp(1, 100);
    let offset = match get("cursor") {
        None | Some("") => 0,
        Some(c) => match c.strip_prefix("off-").and_then(|o| o.parse::<usize>().ok()) {
            Some(o) => o,
            None => return json_reply(400, r#"{"error":"invalid cursor","code":"BAD_REQUEST"}"#),
        },
    };
    let end = (offset + limit).min(items.len());
    let page: Vec<&Value> = items.get(offset..end).unwrap_or(&[]).iter().collect();
    let mut pagination = json!({ "remainingCount": items.len() - end });
    if end < items.len() {
        pagination["nextCursor"] = json!(format!("off-{end}"));
    }
    // Serialized in place: `json!` would deep-copy every item first, and the fixture's CPU is taken
    // from the sync it serves on a small machine.
    let items = serde_json::to_string(&page).expect("values serialize");
    json_reply(200, format!(r#"{{"items":{items},"pagination":{pagination}}}"#))
}

/// POSTs `body` to `http://{host}{path}` and returns the status and the body of the answer (read by
/// its Content-Length, since the fixture keeps connections open). For tests and benchmarks.
pub fn post(host: &str, path: &str, body: &str) -> (u16, String) {
    let attempt = || -> std::io::Result<(u16, String)> {
        let mut stream = TcpStream::connect(host)?;
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )?;
        let mut reader = BufReader::new(stream);
        let mut status_line = String::new();
        reader.read_line(&mut status_line)?;
        let status = status_line.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        let mut length = 0;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = header.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut answer = vec![0; length];
        reader.read_exact(&mut answer)?;
        Ok((status, String::from_utf8_lossy(&answer).into_owned()))
    };
    attempt().unwrap_or_else(|e| (0, format!("POST {path} to {host} failed: {e}")))
}

/// A child process killed when dropped (a test's CLI or fixture, even when the test fails).
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the CLI as `cmd` says (a `sync --events-listen 127.0.0.1:0 …`) with its stderr piped, and
/// returns it (killed when dropped) with the address it says it listens on; the rest of its stderr is
/// drained in the background, so a chatty log never blocks it. For tests and benchmarks.
pub fn spawn_events_listener(cmd: &mut std::process::Command) -> (KillOnDrop, String) {
    let mut child = cmd.stderr(std::process::Stdio::piped()).spawn().expect("the CLI starts");
    let stderr = BufReader::new(child.stderr.take().expect("stderr is piped"));
    let child = KillOnDrop(child);
    let mut lines = stderr.lines().map_while(Result::ok);
    let addr = lines
        .by_ref()
        .find_map(|l| l.split("Listening for OpenChoreo events on http://").nth(1).map(|r| r.split('/').next().unwrap_or(r).to_string()))
        .expect("the CLI says where it listens for events");
    std::thread::spawn(move || lines.for_each(drop));
    (child, addr)
}
