//! The seam between the crawl and the host: the wasm imports implement it in the component, a
//! scripted fake implements it in native tests.

use crate::entity::Entity;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub path: String,
    pub query: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    Timeout(String),
    Connection(String),
    TooLarge(u64),
    Refused(String),
    Deadline(String),
    Other(String),
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::Timeout(m) => write!(f, "timed out: {m}"),
            HttpError::Connection(m) => write!(f, "connection failed: {m}"),
            HttpError::TooLarge(n) => write!(f, "response larger than {n} bytes"),
            HttpError::Refused(m) => write!(f, "request refused by the host: {m}"),
            HttpError::Deadline(m) => write!(f, "run deadline passed: {m}"),
            HttpError::Other(m) => write!(f, "{m}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Disabled,
    Ready,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    MissingCredentials(String),
    Rejected(String),
    Unreachable(String),
    InvalidResponse(String),
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenError::MissingCredentials(m) => write!(f, "credentials missing: {m}"),
            TokenError::Rejected(m) => write!(f, "token request rejected: {m}"),
            TokenError::Unreachable(m) => write!(f, "identity provider unreachable: {m}"),
            TokenError::InvalidResponse(m) => write!(f, "identity provider sent an invalid token response: {m}"),
        }
    }
}

/// Why the host did not read a template URL (WIT `template-reader.read-error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Its reading rules do not allow the URL; it was not requested. The message names the key to set.
    NotAllowed(String),
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

pub trait Transport {
    /// One result per request, in order. The host may run them concurrently.
    fn send_batch(&mut self, requests: &[Request]) -> Vec<Result<Response, HttpError>>;
    /// Starts a batch that [`Transport::finish_batch`] collects, so that work can be done while it is
    /// in flight. A host that cannot start one sends it at once and returns its results here instead.
    fn start_batch(&mut self, requests: &[Request]) -> Option<Vec<Result<Response, HttpError>>> {
        Some(self.send_batch(requests))
    }
    /// The results of the batch [`Transport::start_batch`] started (only called when it returned `None`).
    fn finish_batch(&mut self) -> Vec<Result<Response, HttpError>> {
        Vec::new()
    }
    fn ensure_token(&mut self, force_refresh: bool) -> Result<TokenState, TokenError>;
    fn log(&mut self, level: Level, message: &str);
    /// Reads each template URL as text; one result per URL, in order. The host may read concurrently.
    /// A host without a reader allows none.
    fn read_templates(&mut self, urls: &[String]) -> Vec<Result<String, ReadError>> {
        urls.iter().map(|_| Err(ReadError::NotAllowed("this host reads no template URLs".into()))).collect()
    }
    /// Hands over the entities translated so far. A host that takes them drains `entities`; by default
    /// they stay and end up in the report.
    fn emit(&mut self, _entities: &mut Vec<Entity>) {}
}
