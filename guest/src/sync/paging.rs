//! Paginated lists, one job per list: its pages in order (docs/compatibility.md W2: always `limit` and
//! `cursor`, pages capped), what an answer does to it, and the token refresh after a 401. The namespace
//! list is fetched here in batches; the crawl (crawl.rs) streams the rest.

use super::transport::{HttpError, Request, Response, TokenState, Transport};
use crate::items::{Items, PageRefused};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::HashSet;

pub const PAGE_LIMIT: u32 = 100;
/// 10 000 pages of 100 is a million items: far past any real installation, short of a runaway loop.
pub const MAX_PAGES: u32 = 10_000;
/// The JSON text the lists being fetched may hold together: a third of the component's 768 MiB memory
/// cap, so that the lists waiting for their translation (as much again, `crawl::WAITING_BYTES`) and a
/// translation still fit. Past it, the largest list fails alone and its scopes keep their last good
/// entities.
pub const ROUND_BYTES: usize = 256 << 20;

#[derive(Debug)]
pub enum JobState {
    Pending,
    Done,
    /// The first page was a 404: this API does not serve the list (it predates that kind).
    NotServed,
    Failed(String),
}

/// One list being fetched, page by page, or one document (a type's `/schema`) in one request.
#[derive(Debug)]
pub struct ListJob {
    /// Human description for messages: `projects for namespace acme`.
    pub label: String,
    pub path: String,
    pub items: Items,
    pub cursor: Option<String>,
    /// Every cursor the API has handed this list: one seen again means its pages form a cycle.
    seen_cursors: HashSet<String>,
    pub pages: u32,
    pub state: JobState,
    /// Whether a 404 for the whole list means "not served" (an empty list) rather than a failure.
    may_be_unserved: bool,
    /// A single document: one request without `limit` or `cursor`, its body the one item.
    document: bool,
}

impl ListJob {
    pub fn new(label: String, path: String) -> Self {
        Self {
            label,
            path,
            items: Items::new(),
            cursor: None,
            seen_cursors: HashSet::new(),
            pages: 0,
            state: JobState::Pending,
            may_be_unserved: false,
            document: false,
        }
    }

    /// A single document at `path`, fetched in one request; its body is the one item.
    pub fn document(label: String, path: String) -> Self {
        Self { document: true, ..Self::new(label, path) }
    }

    pub fn is_pending(&self) -> bool {
        matches!(self.state, JobState::Pending)
    }

    /// A list that older OpenChoreo APIs do not have: a 404 on its first page makes it empty, not failed.
    pub fn unless_unserved(mut self) -> Self {
        self.may_be_unserved = true;
        self
    }

    pub fn not_served(&self) -> bool {
        matches!(self.state, JobState::NotServed)
    }

    pub fn into_result(self) -> Result<Items, String> {
        match self.state {
            JobState::Done => Ok(self.items),
            JobState::NotServed => Ok(Items::new()),
            JobState::Failed(reason) => Err(reason),
            JobState::Pending => Err(format!("Failed to fetch {}: not finished", self.label)),
        }
    }

    pub(crate) fn request(&self) -> Request {
        if self.document {
            return Request { path: self.path.clone(), query: Vec::new() };
        }
        let mut query = vec![("limit".to_string(), PAGE_LIMIT.to_string())];
        if let Some(c) = &self.cursor {
            query.push(("cursor".to_string(), c.clone()));
        }
        Request { path: self.path.clone(), query }
    }

    pub(crate) fn fail(&mut self, reason: String) {
        self.items = Items::new();
        self.state = JobState::Failed(format!("Failed to fetch {}: {reason}", self.label));
    }

    /// Takes one page; moves the list on, finishes it or fails it.
    pub(crate) fn accept(&mut self, body: &str) {
        if self.document {
            match Items::single(body) {
                Ok(items) => {
                    self.items = items;
                    self.pages = 1;
                    self.state = JobState::Done;
                }
                Err(e) => self.fail(format!("invalid JSON from {}: {e}", self.path)),
            }
            return;
        }
        let unexpected = |path: &str| format!("unexpected response from {path}: expected an object with an items array");
        let page: Page = match serde_json::from_str(body) {
            Ok(page) => page,
            Err(e) if e.is_data() => return self.fail(unexpected(&self.path)),
            Err(e) => return self.fail(format!("invalid JSON from {}: {e}", self.path)),
        };
        let Some(items) = page.items else {
            return self.fail(unexpected(&self.path));
        };
        match self.items.try_push_page(&items, ROUND_BYTES) {
            Ok(()) => {}
            Err(PageRefused::OverLimit { needed }) => {
                return self.fail(format!(
                    "the list would hold {} MiB, and the lists fetched together may hold at most {} MiB in the component",
                    needed >> 20,
                    ROUND_BYTES >> 20
                ));
            }
            Err(PageRefused::NoMemory) => {
                let held = self.items.held_bytes() >> 20;
                return self.fail(format!("the component has no memory left for its next page (the list holds {held} MiB)"));
            }
        }
        self.pages += 1;
        let next = page.pagination.as_ref().and_then(|p| p.get("nextCursor")).and_then(Value::as_str).filter(|c| !c.is_empty());
        match next {
            None => self.state = JobState::Done,
            Some(c) if self.seen_cursors.contains(c) => {
                // Debug formatting quotes it and escapes control characters: it comes from the API.
                self.fail(format!("the API returned cursor {c:?} a second time for {} (its pages would repeat forever)", self.path));
            }
            Some(_) if self.pages >= MAX_PAGES => self.fail(format!("more than {MAX_PAGES} pages from {}", self.path)),
            Some(c) => {
                self.seen_cursors.insert(c.to_string());
                self.cursor = Some(c.to_string());
            }
        }
    }
}

/// A page of a list; the items stay JSON text until a translation reads them. Anything of the wrong
/// type (not an object, `items` not an array) is a data error: the list fails as an unexpected shape.
#[derive(Deserialize)]
struct Page<'a> {
    #[serde(borrow, default)]
    items: Option<Vec<&'a RawValue>>,
    #[serde(default)]
    pagination: Option<Value>,
}

/// Counters of one run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub requests: u32,
    pub pages: u32,
    pub bytes_received: u64,
}

/// Token refresh state across one run: a 401 triggers one forced refresh, after that a 401 is final.
pub struct Auth {
    pub state: TokenState,
    pub refreshed: bool,
    /// Why the one refresh failed, if it did.
    pub refresh_failed: Option<String>,
}

impl Auth {
    pub fn new(state: TokenState) -> Self {
        Self { state, refreshed: false, refresh_failed: None }
    }

    /// Whether a 401 on a request sent now could still be cured by a refresh.
    pub fn may_refresh(&self) -> bool {
        self.state == TokenState::Ready && !self.refreshed
    }

    /// Refreshes the token, once a run.
    pub fn refresh(&mut self, t: &mut dyn Transport) {
        if self.refreshed {
            return;
        }
        self.refreshed = true;
        if let Err(e) = t.ensure_token(true) {
            self.refresh_failed = Some(e.to_string());
        }
    }

    /// After [`Auth::refresh`], a job that got a 401 with the old token goes again, or fails when the
    /// refresh did.
    pub fn retry_or_fail(&self, job: &mut ListJob, unauthorized: &Response) {
        if let Some(e) = &self.refresh_failed {
            job.fail(format!("{} (token refresh failed: {e})", describe_status(unauthorized)));
        }
    }
}

pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// `<status> <reason> - <message>`, the message from the API's error body when it has one.
pub fn describe_status(resp: &Response) -> String {
    let parsed: Option<Value> = serde_json::from_str(&resp.body).ok();
    let field = |k: &str| parsed.as_ref().and_then(|v| v.get(k)).and_then(Value::as_str).map(str::to_string);
    let message = field("message").or_else(|| field("error")).unwrap_or_else(|| {
        let raw = resp.body.trim();
        if raw.is_empty() { "(empty body)".to_string() } else { raw.chars().take(300).collect() }
    });
    let phrase = reason_phrase(resp.status);
    if phrase.is_empty() { format!("{} - {message}", resp.status) } else { format!("{} {phrase} - {message}", resp.status) }
}

/// Fetches `jobs` to the end, a batch at a time.
pub fn fetch_all(jobs: &mut [ListJob], t: &mut dyn Transport, auth: &mut Auth, stats: &mut Stats) {
    loop {
        let mut pending: Vec<&mut ListJob> = jobs.iter_mut().filter(|j| j.is_pending()).collect();
        if pending.is_empty() {
            return;
        }
        exchange(&mut pending, t, auth, stats);
    }
}

/// One batch: a request for each of `jobs` (every one pending), sent and waited for. Each job takes its
/// answer ([`take_answer`]); after a 401 the token is refreshed once and those jobs go again.
fn exchange(jobs: &mut [&mut ListJob], t: &mut dyn Transport, auth: &mut Auth, stats: &mut Stats) {
    let requests: Vec<Request> = jobs.iter().map(|j| j.request()).collect();
    let responses = t.send_batch(&requests);
    stats.requests += requests.len() as u32;
    let may_refresh = auth.may_refresh();
    let mut unauthorized: Vec<(usize, Response)> = Vec::new();
    for (i, result) in responses.into_iter().map(Some).chain(std::iter::repeat(None)).take(jobs.len()).enumerate() {
        if let Some(resp) = take_answer(jobs[i], result, may_refresh, stats) {
            unauthorized.push((i, resp));
        }
    }
    if !unauthorized.is_empty() {
        auth.refresh(t);
        for (i, resp) in unauthorized {
            auth.retry_or_fail(jobs[i], &resp);
        }
    }
}

/// A job takes the answer to its request: a page, a failure (`None`: the host gave no answer), or,
/// for a 401 when `may_refresh`, nothing: the 401 is returned and the job stays pending.
pub fn take_answer(
    job: &mut ListJob,
    result: Option<Result<Response, HttpError>>,
    may_refresh: bool,
    stats: &mut Stats,
) -> Option<Response> {
    match result {
        None => job.fail("the host returned no result for the request".into()),
        Some(Err(e)) => job.fail(describe_http_error(&e)),
        Some(Ok(resp)) if resp.status == 401 && may_refresh => return Some(resp),
        Some(Ok(resp)) if resp.status == 404 && job.pages == 0 && job.may_be_unserved => job.state = JobState::NotServed,
        Some(Ok(resp)) if !(200..300).contains(&resp.status) => job.fail(describe_status(&resp)),
        Some(Ok(resp)) => {
            stats.pages += 1;
            stats.bytes_received += resp.body.len() as u64;
            job.accept(&resp.body);
        }
    }
    None
}

/// Fails the largest lists, one at a time, until together they hold at most `limit` bytes.
pub fn enforce_share(jobs: &mut [&mut ListJob], limit: usize) {
    loop {
        let held: usize = jobs.iter().map(|j| j.items.held_bytes()).sum();
        if held <= limit {
            return;
        }
        let Some(largest) = jobs.iter_mut().max_by_key(|j| j.items.held_bytes()) else { return };
        let mib = largest.items.held_bytes() >> 20;
        largest.fail(format!(
            "the list holds {mib} MiB, and the lists fetched together may hold at most {} MiB in the component",
            limit >> 20
        ));
    }
}

fn describe_http_error(e: &HttpError) -> String {
    e.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_of(items: usize, item_bytes: usize, next: Option<&str>) -> String {
        let item = format!(r#"{{"p":"{}"}}"#, "x".repeat(item_bytes));
        let items = vec![item; items].join(",");
        match next {
            Some(c) => format!(r#"{{"items":[{items}],"pagination":{{"nextCursor":"{c}"}}}}"#),
            None => format!(r#"{{"items":[{items}]}}"#),
        }
    }

    #[test]
    fn the_largest_lists_fail_until_the_round_fits_its_share_and_the_others_are_untouched() {
        let mut jobs: Vec<ListJob> = (0..3).map(|i| ListJob::new(format!("list {i}"), format!("/api/v1/l{i}"))).collect();
        jobs[0].accept(&page_of(10, 1 << 20, None)); // about 10 MiB
        jobs[1].accept(&page_of(4, 1 << 20, None)); // about 4 MiB
        jobs[2].accept(&page_of(1, 1 << 10, None));
        enforce_share(&mut jobs.iter_mut().collect::<Vec<_>>(), 12 << 20);
        let states: Vec<String> = jobs.iter().map(|j| format!("{:?}", j.state)).collect();
        assert!(states[0].contains("Failed to fetch list 0: the list holds 10 MiB") && states[0].contains("at most 12 MiB"), "{states:?}");
        assert_eq!(states[1..], ["Done", "Done"], "the smaller lists stay");
        assert!(jobs[0].items.held_bytes() < 64, "a failed list's memory is given back");
    }

    #[test]
    fn a_list_growing_past_the_share_fails_alone_and_its_text_never_grows_past_it() {
        let mut job = ListJob::new("big".into(), "/api/v1/big".into());
        let mut pages = 0;
        while matches!(job.state, JobState::Pending) {
            job.accept(&page_of(100, 10_000, Some(&format!("c{pages}"))));
            assert!(job.items.held_bytes() <= ROUND_BYTES);
            pages += 1;
        }
        let JobState::Failed(reason) = &job.state else { panic!("{:?}", job.state) };
        assert!(reason.contains("the list would hold 256 MiB, and the lists fetched together may hold at most 256 MiB"), "{reason}");
        assert!(pages >= ROUND_BYTES / (100 * 10_009), "every page up to the share was taken: {pages}");
    }
}
