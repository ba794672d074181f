//! The HTTP import: GETs to the configured API origin only, run concurrently with a bound, with
//! connect/read timeouts, a body cap per response and a budget for the bodies held at once
//! (`response_budget.rs`), bounded retries (exponential backoff with jitter, honouring Retry-After) and the run deadline. The
//! bearer token is added here; the guest never sees it.

use crate::response_budget::Budget;
use crate::runtime::bindings::openchoreo::catalog::http::{HttpError, Request, Response};
use crate::token::TokenProvider;
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Requests in flight at once (default 8).
    pub concurrency: usize,
    pub connect_timeout: Duration,
    /// Whole-request timeout: a hung response fails after this.
    pub request_timeout: Duration,
    /// Largest response body accepted, in bytes, counted after decompression.
    pub max_body: u64,
    /// Body bytes the responses of one batch, or the ones a stream holds until the component collects
    /// them, may hold at once (the host's memory budget for a run).
    pub batch_budget: u64,
    /// Attempts per request for 429, 5xx and connection failures (1 = no retry).
    pub attempts: u32,
    /// First backoff; doubled per attempt, with jitter, capped by `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            concurrency: 8,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            max_body: MAX_BODY,
            batch_budget: BATCH_BUDGET,
            attempts: 3,
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
        }
    }
}

/// A page holds at most 100 items: 64 MiB is far past any real one.
pub const MAX_BODY: u64 = 64 << 20;
/// With the component's 768 MiB memory cap, a run stays under 1 GiB (README, "Security and limits").
pub const BATCH_BUDGET: u64 = 192 << 20;

pub struct HttpClient {
    agent: ureq::Agent,
    /// `scheme://host[:port][/prefix]` without a trailing slash.
    base: String,
    settings: HttpSettings,
    token: Option<Arc<TokenProvider>>,
}

impl HttpClient {
    pub fn new(base_url: &str, settings: HttpSettings, token: Option<Arc<TokenProvider>>) -> Self {
        // ureq keeps 3 idle connections a host by default: with more requests in flight, every batch
        // would open (and, over TLS, handshake) new connections for the rest.
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_idle_connections_per_host(settings.concurrency.max(1))
            .max_idle_connections(settings.concurrency.max(10))
            .build()
            .into();
        Self { agent, base: base_url.trim_end_matches('/').to_string(), settings, token }
    }

    pub fn concurrency(&self) -> usize {
        self.settings.concurrency.max(1)
    }

    /// An empty response budget of the configured size.
    pub fn budget(&self) -> Budget {
        Budget::new(self.settings.batch_budget)
    }

    /// One request, retried as configured; its body is taken from `budget` and stays there until the
    /// caller gives it back.
    pub fn send_one(&self, request: &Request, deadline: Instant, budget: &Budget) -> Result<Response, HttpError> {
        self.send_with_retries(request, deadline, budget)
    }

    pub fn send_batch(&self, requests: Vec<Request>, deadline: Instant) -> Vec<Result<Response, HttpError>> {
        let n = requests.len();
        let slots: Vec<Mutex<Option<Result<Response, HttpError>>>> = (0..n).map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let budget = self.budget();
        let workers = self.settings.concurrency.clamp(1, n.max(1));
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        let r = self.send_with_retries(&requests[i], deadline, &budget);
                        *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
                    }
                });
            }
        });
        slots
            .into_iter()
            .map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()).unwrap_or(Err(HttpError::Other("not sent".into()))))
            .collect()
    }

    /// Only paths under `/api/v1/` with plain characters: the guest cannot steer to another origin.
    fn url_for(&self, path: &str) -> Result<String, HttpError> {
        let plain = path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-._~%".contains(&b));
        if !path.starts_with("/api/v1/") && path != "/api/v1" || !plain || path.contains("//") || path.contains("/../") {
            return Err(HttpError::Refused(format!("path {path:?} is not an OpenChoreo API path on the configured origin")));
        }
        Ok(format!("{}{path}", self.base))
    }

    fn send_with_retries(&self, req: &Request, deadline: Instant, budget: &Budget) -> Result<Response, HttpError> {
        let url = self.url_for(&req.path)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            if Instant::now() >= deadline {
                return Err(HttpError::Deadline(format!("not sending {}", req.path)));
            }
            let result = self.send_once(&url, req, deadline, budget);
            let retry_after = match &result {
                Ok((resp, retry_after)) if resp.status == 429 || (500..600).contains(&resp.status) => Some(*retry_after),
                Err(HttpError::Connection(_)) => Some(None),
                _ => None,
            };
            match retry_after {
                Some(hint) if attempt < self.settings.attempts => {
                    let wait = hint.unwrap_or_else(|| self.backoff(attempt)).min(self.settings.max_backoff);
                    if Instant::now() + wait >= deadline {
                        return result.map(|(r, _)| r);
                    }
                    if let Ok((resp, _)) = &result {
                        budget.give_back(resp.body.capacity() as u64);
                    }
                    std::thread::sleep(wait);
                }
                _ => return result.map(|(r, _)| r),
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.settings.base_backoff.saturating_mul(1 << (attempt - 1).min(16));
        let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        // Full jitter in [exp/2, exp): spreads retries of concurrent requests apart.
        exp / 2 + exp.mul_f64(f64::from(nanos % 1000) / 2000.0)
    }

    /// One GET, its connect, headers and body all ended by the request timeout or the run deadline,
    /// whichever comes first (ureq checks the budget on every read, so a slow-drip body ends too).
    fn send_once(&self, url: &str, req: &Request, deadline: Instant, budget: &Budget) -> Result<(Response, Option<Duration>), HttpError> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HttpError::Deadline(format!("not sending {}", req.path)));
        }
        let mut builder = self
            .agent
            .get(url)
            .config()
            .timeout_global(Some(self.settings.request_timeout.min(left)))
            .timeout_connect(Some(self.settings.connect_timeout.min(left)))
            .build()
            .header("Accept", "application/json");
        for (k, v) in &req.query {
            builder = builder.query(k, v);
        }
        if let Some(t) = &self.token {
            let token = t.bearer(false, deadline).map_err(|e| HttpError::Other(format!("no token: {e:?}")))?;
            builder = builder.header("Authorization", format!("Bearer {token}"));
        }
        let mut resp = builder.call().map_err(classify)?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let reader = resp.body_mut().with_config().limit(self.settings.max_body).reader();
        let body = self.read_within_budget(reader, budget)?;
        Ok((Response { status, body }, retry_after))
    }

    /// Reads a body (decompressed, as ureq hands it over), taking its buffer's growth from the batch's
    /// budget as it grows: a batch never holds more than the budget, however many bodies are large.
    /// The bytes go to the component undecoded; it checks they are UTF-8.
    fn read_within_budget(&self, mut reader: impl Read, budget: &Budget) -> Result<Vec<u8>, HttpError> {
        let reading = budget.start_reading();
        let mut body: Vec<u8> = Vec::new();
        let mut chunk = [0u8; 64 * 1024];
        loop {
            let n = match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    budget.stop_reading(reading, false);
                    return Err(classify_read(e));
                }
            };
            let needed = body.len() + n;
            if needed > body.capacity() {
                // Doubling, but not past the cap per response (ureq fails the read past it anyway).
                let grown = (body.capacity() * 2).min(self.settings.max_body as usize).max(needed);
                if !budget.grow(&reading, (grown - body.capacity()) as u64) {
                    budget.stop_reading(reading, false);
                    return Err(HttpError::Other(format!(
                        "the responses held for the component would hold more than {} MiB at once (the host's response budget); the list is fetched again on the next run",
                        budget.limit() >> 20
                    )));
                }
                body.reserve_exact(grown - body.len());
            }
            body.extend_from_slice(&chunk[..n]);
        }
        budget.stop_reading(reading, true);
        Ok(body)
    }
}

/// A body read's error: ureq wraps its own errors (the size limit, timeouts) in `io::Error`.
fn classify_read(e: std::io::Error) -> HttpError {
    if !e.get_ref().is_some_and(|inner| inner.is::<ureq::Error>()) {
        return HttpError::Connection(format!("reading the body: {e}"));
    }
    match e.into_inner().map(|inner| inner.downcast::<ureq::Error>()) {
        Some(Ok(ureq_error)) => classify(*ureq_error),
        _ => HttpError::Connection("reading the body failed".into()),
    }
}

fn classify(e: ureq::Error) -> HttpError {
    match e {
        ureq::Error::Timeout(t) => HttpError::Timeout(t.to_string()),
        ureq::Error::BodyExceedsLimit(n) => HttpError::TooLarge(n),
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => HttpError::Connection(e.to_string()),
        ureq::Error::Io(io) => HttpError::Connection(io.to_string()),
        ureq::Error::Protocol(p) => HttpError::Connection(format!("protocol error: {p}")),
        other => HttpError::Other(other.to_string()),
    }
}
