//! The `template-reader` import: reads the hand-authored Templates that component types name, never
//! wider than `backend.reading.allow` (`reading_rules.rs`). A URL not allowed is not requested; redirects
//! are followed only to allowed URLs; connect and whole-read timeouts, the run deadline and a size cap
//! bound every read.

use crate::reading_rules::ReadingRules;
use crate::runtime::bindings::openchoreo::catalog::template_reader::ReadError;
use http::Uri;
use std::io::Read;
use std::time::{Duration, Instant};

/// The largest template read (the component refuses larger texts too).
pub const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;
const MAX_REDIRECTS: usize = 5;
const CONCURRENCY: usize = 4;

pub struct TemplateReader {
    rules: ReadingRules,
    agent: ureq::Agent,
    connect_timeout: Duration,
    read_timeout: Duration,
}

impl TemplateReader {
    pub fn new(rules: ReadingRules, read_timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
        Self { rules, agent, connect_timeout: Duration::from_secs(5), read_timeout }
    }

    /// One result per URL, in order; up to four read at once; nothing is read past `deadline`.
    pub fn read_batch(&self, urls: &[String], deadline: Instant) -> Vec<Result<String, ReadError>> {
        let mut out = Vec::with_capacity(urls.len());
        for chunk in urls.chunks(CONCURRENCY) {
            std::thread::scope(|s| {
                let handles: Vec<_> = chunk.iter().map(|u| s.spawn(move || self.read(u, deadline))).collect();
                out.extend(handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(ReadError::Failed("the reader panicked".into())))));
            });
        }
        out
    }

    fn read(&self, url: &str, deadline: Instant) -> Result<String, ReadError> {
        let mut current = self.rules.check(url).map_err(ReadError::NotAllowed)?;
        for _ in 0..=MAX_REDIRECTS {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ReadError::Failed("the run deadline passed before it was read".into()));
            }
            let mut resp = self
                .agent
                .get(&current.to_string())
                .config()
                .timeout_global(Some(self.read_timeout.min(left)))
                .timeout_connect(Some(self.connect_timeout.min(left)))
                .build()
                .call()
                .map_err(|e| ReadError::Failed(format!("{e}")))?;
            let status = resp.status().as_u16();
            if (300..400).contains(&status) {
                let location = resp.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("");
                let next =
                    resolve(&current, location).ok_or_else(|| ReadError::Failed(format!("redirect {status} without a usable Location")))?;
                current = self.rules.check(&next).map_err(|why| ReadError::NotAllowed(format!("redirected: {why}")))?;
                continue;
            }
            if status != 200 {
                return Err(ReadError::Failed(format!("HTTP {status}")));
            }
            let mut body = Vec::new();
            resp.body_mut()
                .as_reader()
                .take(MAX_TEMPLATE_BYTES + 1)
                .read_to_end(&mut body)
                .map_err(|e| ReadError::Failed(format!("reading the body: {e}")))?;
            if body.len() as u64 > MAX_TEMPLATE_BYTES {
                return Err(ReadError::Failed(format!("larger than {MAX_TEMPLATE_BYTES} bytes")));
            }
            return String::from_utf8(body).map_err(|_| ReadError::Failed("the body is not UTF-8 text".into()));
        }
        Err(ReadError::Failed(format!("more than {MAX_REDIRECTS} redirects")))
    }
}

/// A `Location` against the URL it came from: absolute, or an absolute path on the same origin.
fn resolve(from: &Uri, location: &str) -> Option<String> {
    if location.starts_with("http://") || location.starts_with("https://") {
        return Some(location.to_string());
    }
    if location.starts_with('/') && !location.starts_with("//") {
        return Some(format!("{}://{}{location}", from.scheme_str()?, from.authority()?));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_resolve_absolute_and_same_origin_locations_only() {
        let from: Uri = "https://git.example.com/a/b".parse().unwrap();
        assert_eq!(resolve(&from, "/c/d").as_deref(), Some("https://git.example.com/c/d"));
        assert_eq!(resolve(&from, "https://other.example/x").as_deref(), Some("https://other.example/x"));
        assert_eq!(resolve(&from, "//other.example/x"), None);
        assert_eq!(resolve(&from, "relative"), None);
    }
}
