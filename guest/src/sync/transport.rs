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
    /// Queues requests, each with a ticket the crawl chose, for the host to send as its connections free
    /// up while the crawl works; [`Transport::collect`] returns their results. A host that cannot queue
    /// sends them at once and returns their results here instead (and collects nothing).
    fn queue(&mut self, requests: Vec<(u32, Request)>) -> Vec<(u32, Result<Response, HttpError>)> {
        let (tickets, requests): (Vec<u32>, Vec<Request>) = requests.into_iter().unzip();
        tickets.into_iter().zip(self.send_batch(&requests)).collect()
    }
    /// Results of queued requests that have finished, with their tickets. With `wait`, blocks until at
    /// least one has finished; empty only when none is outstanding (or, without `wait`, none is in yet).
    fn collect(&mut self, _wait: bool) -> Vec<(u32, Result<Response, HttpError>)> {
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
