//! The token endpoint's answer, from the fuzzer: reading it must never panic, a token is never kept
//! past a day, and what an error may quote never holds the client secret or a raw control character.
#![no_main]

#[path = "../../host-harness/src/token_response.rs"]
mod token_response;

use libfuzzer_sys::fuzz_target;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use token_response::{MAX_TOKEN_LIFETIME, oauth_error, parse_token_response};

const SECRET: &str = "fuzz-client-secret-7c1e";

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else { return };
    for now in [UNIX_EPOCH + Duration::from_secs(1_700_000_000), SystemTime::now()] {
        if let Ok(parsed) = parse_token_response(body, now) {
            assert!(!parsed.token.is_empty());
            assert!(parsed.expires_at <= now + MAX_TOKEN_LIFETIME, "kept past a day: {:?}", parsed.expires_at);
        }
    }
    let quoted = oauth_error(body, SECRET);
    assert!(!quoted.contains(SECRET), "the secret is quoted: {quoted}");
    assert!(!quoted.chars().any(char::is_control), "a raw control character: {quoted:?}");
});
