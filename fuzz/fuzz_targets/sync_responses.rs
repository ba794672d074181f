//! A whole sync run against an API whose every answer comes from the fuzzer: the input is cut at
//! 0xFF bytes, and each request gets the next piece (first byte picks the status, the rest is the
//! body). Once the input is used up, lists are empty. Must never panic or loop, and every entity must
//! pass Backstage's rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openchoreo_catalog_fuzz::{check_entities, entity_parts};
use openchoreo_catalog_guest::sync::config::Config;
use openchoreo_catalog_guest::sync::run;
use openchoreo_catalog_guest::sync::transport::{HttpError, Level, Request, Response, TokenError, TokenState, Transport};

const STATUSES: [u16; 8] = [200, 200, 200, 200, 401, 404, 429, 503];

struct Scripted<'a> {
    pieces: std::slice::Split<'a, u8, fn(&u8) -> bool>,
    sent: usize,
}

impl Transport for Scripted<'_> {
    fn send_batch(&mut self, requests: &[Request]) -> Vec<Result<Response, HttpError>> {
        self.sent += requests.len();
        assert!(self.sent < 100_000, "the crawl does not stop");
        requests
            .iter()
            .map(|_| match self.pieces.next() {
                Some([]) => Err(HttpError::Timeout("fuzzed".into())),
                Some([status, body @ ..]) => Ok(Response {
                    status: STATUSES[usize::from(*status) % STATUSES.len()],
                    body: String::from_utf8_lossy(body).into_owned(),
                }),
                None => Ok(Response { status: 200, body: r#"{"items":[]}"#.into() }),
            })
            .collect()
    }
    fn ensure_token(&mut self, _force: bool) -> Result<TokenState, TokenError> {
        Ok(TokenState::Ready)
    }
    fn log(&mut self, _: Level, _: &str) {}
}

fuzz_target!(|data: &[u8]| {
    let cfg = Config {
        base_url: "http://openchoreo.test".into(),
        default_owner: "platform".into(),
        frequency_seconds: 30,
        timeout_seconds: 120,
        auth_enabled: true,
    };
    let split: fn(&u8) -> bool = |b| *b == 0xFF;
    let mut t = Scripted { pieces: data.split(split), sent: 0 };
    if let Ok(report) = run(&cfg, &mut t) {
        check_entities(report.entities.iter().map(entity_parts));
    }
});
