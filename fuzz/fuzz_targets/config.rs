//! An app-config from the fuzzer, through the host's reading (YAML, `${VAR}` substitution, tuning
//! bounds, `backend.reading.allow`) and then the component's validation of the `openchoreo` section: neither may panic, every
//! accepted tuning value is within its bounds, and the client secret never reaches the component.
#![no_main]

#[path = "../../host-harness/src/app_config.rs"]
mod app_config;
#[path = "../../host-harness/src/reading_rules.rs"]
mod reading_rules;

use libfuzzer_sys::fuzz_target;
use openchoreo_catalog_guest::sync::config;

const SECRET: &str = "fuzz-client-secret-7c1e";

fn env(name: &str) -> Option<String> {
    match name {
        "SECRET" => Some(SECRET.into()),
        "URL" => Some("http://openchoreo.local:8080/api/v1".into()),
        "BIG" => Some("18446744073709551616".into()),
        _ => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(app) = app_config::parse(text, &env) else { return };
    assert!((1..=app_config::MAX_CONCURRENCY as usize).contains(&app.concurrency));
    assert!((1..=app_config::MAX_REQUEST_TIMEOUT_SECONDS).contains(&app.request_timeout_seconds));
    if let Some(secret) = app.guest_section.pointer("/auth/clientSecret").and_then(|s| s.as_str()) {
        assert!(secret == app_config::REDACTED || secret.trim().is_empty(), "the secret reaches the component: {secret}");
    }
    // Whatever backend.reading.allow holds, checking a URL answers; a URL on no allowed host never passes.
    for url in ["https://templates.example.com/t.yaml", "http://127.0.0.1:8080/a/../t.yaml", "ftp://x/y", "not a url"] {
        let _ = app.reading.check(url);
    }
    assert!(
        app.reading.check("https://never-allowed.invalid/t.yaml").is_err() || text.contains("never-allowed.invalid") || text.contains("*.")
    );
    if let Ok(cfg) = config::parse(&app.guest_section) {
        assert!(cfg.timeout_seconds > 0 && cfg.frequency_seconds > 0, "{cfg:?}");
    }
});
