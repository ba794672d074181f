//! The HTTP import: GETs to the configured API origin only, run concurrently with a bound, with
//! connect/read timeouts, a body cap, bounded retries (exponential backoff with jitter, honouring
//! Retry-After) and the run deadline. The bearer token is added here; the guest never sees it.

use crate::runtime::bindings::openchoreo::catalog::http::{HttpError, Request, Response};
use crate::token::TokenProvider;
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
    /// Largest response body accepted, in bytes.
    pub max_body: u64,
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
            max_body: 256 << 20,
            attempts: 3,
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
        }
    }
}

pub struct HttpClient {
    agent: ureq::Agent,
    /// `scheme://host[:port][/prefix]` without a trailing slash.
    base: String,
    settings: HttpSettings,
    token: Option<Arc<TokenProvider>>,
}

impl HttpClient {
    pub fn new(base_url: &str, settings: HttpSettings, token: Option<Arc<TokenProvider>>) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(settings.connect_timeout))
            .timeout_global(Some(settings.request_timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        Self { agent, base: base_url.trim_end_matches('/').to_string(), settings, token }
    }

    pub fn send_batch(&self, requests: Vec<Request>, deadline: Instant) -> Vec<Result<Response, HttpError>> {
        let n = requests.len();
        let slots: Vec<Mutex<Option<Result<Response, HttpError>>>> = (0..n).map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let workers = self.settings.concurrency.clamp(1, n.max(1));
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        let r = self.send_with_retries(&requests[i], deadline);
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

    fn send_with_retries(&self, req: &Request, deadline: Instant) -> Result<Response, HttpError> {
        let url = self.url_for(&req.path)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            if Instant::now() >= deadline {
                return Err(HttpError::Deadline(format!("not sending {}", req.path)));
            }
            let result = self.send_once(&url, req);
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

    fn send_once(&self, url: &str, req: &Request) -> Result<(Response, Option<Duration>), HttpError> {
        let mut builder = self.agent.get(url).header("Accept", "application/json");
        for (k, v) in &req.query {
            builder = builder.query(k, v);
        }
        if let Some(t) = &self.token {
            let token = t.bearer(false).map_err(|e| HttpError::Other(format!("no token: {e:?}")))?;
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
        let body = resp.body_mut().with_config().limit(self.settings.max_body).read_to_string().map_err(classify)?;
        Ok((Response { status, body }, retry_after))
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
