//! OAuth2 client-credentials tokens: form body, expiry from the JWT `exp` or
//! `expires_in`, reused until 60 s before expiry, one request in flight. Secrets and tokens stay here:
//! a failed token request is described by its status and the OAuth2 `error` / `error_description`
//! fields only (never the raw body, which a provider may fill with the form it received), and token
//! requests never follow redirects.

use crate::runtime::bindings::openchoreo::catalog::token::TokenError;
use base64::Engine as _;
use serde_json::Value;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const SKEW: Duration = Duration::from_secs(60);
const MAX_TOKEN_RESPONSE: u64 = 1 << 20;
/// A token is reused at most this long, whatever the provider claims: an absurd `exp` or `expires_in`
/// can neither overflow the clock arithmetic nor pin one token for years.
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

#[derive(Clone)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
    pub token_url: String,
    /// Space-separated scopes, normalised to single spaces.
    pub scope: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("token_url", &self.token_url)
            .field("scope", &self.scope)
            .finish()
    }
}

struct Cached {
    token: String,
    expires_at: SystemTime,
}

pub struct TokenProvider {
    creds: Credentials,
    agent: ureq::Agent,
    /// A token request's whole time, cut to what is left of the run.
    timeout: Duration,
    /// Held while fetching, so concurrent callers share one request.
    cache: Mutex<Option<Cached>>,
}

impl TokenProvider {
    pub fn new(creds: Credentials, timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
        Self { creds, agent, timeout, cache: Mutex::new(None) }
    }

    /// Makes sure a valid token is cached; `force` drops the cached one first.
    pub fn ensure(&self, force: bool, deadline: Instant) -> Result<(), TokenError> {
        self.bearer(force, deadline).map(|_| ())
    }

    /// The current token, fetching a new one when missing or within 60 s of expiry. A fetch ends by
    /// `deadline` (the run's), however slowly the identity provider answers.
    pub fn bearer(&self, force: bool, deadline: Instant) -> Result<String, TokenError> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if force {
            *cache = None;
        }
        if let Some(c) = cache.as_ref()
            && SystemTime::now() + SKEW < c.expires_at
        {
            return Ok(c.token.clone());
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(TokenError::Unreachable("the run deadline passed before a token could be fetched".into()));
        }
        let fresh = self.fetch(left)?;
        let token = fresh.token.clone();
        *cache = Some(fresh);
        Ok(token)
    }

    fn fetch(&self, time_left: Duration) -> Result<Cached, TokenError> {
        let mut form: Vec<(&str, &str)> =
            vec![("grant_type", "client_credentials"), ("client_id", &self.creds.client_id), ("client_secret", &self.creds.client_secret)];
        if let Some(s) = &self.creds.scope {
            form.push(("scope", s));
        }
        let mut resp = self
            .agent
            .post(&self.creds.token_url)
            .config()
            .timeout_global(Some(self.timeout.min(time_left)))
            .build()
            .send_form(form)
            .map_err(|e| TokenError::Unreachable(format!("{}: {e}", self.creds.token_url)))?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_TOKEN_RESPONSE)
            .read_to_string()
            .map_err(|e| TokenError::Unreachable(format!("{}: reading the response: {e}", self.creds.token_url)))?;
        if (300..400).contains(&status) {
            return Err(TokenError::Rejected(format!(
                "{status} redirect from {}: token requests do not follow redirects; set openchoreo.auth.tokenUrl to the final URL",
                self.creds.token_url
            )));
        }
        if !(200..300).contains(&status) {
            let reason = resp.status().canonical_reason().unwrap_or("");
            return Err(TokenError::Rejected(format!("{status} {reason} - {}", oauth_error(&body, &self.creds.client_secret))));
        }
        parse_token_response(&body, SystemTime::now())
    }
}

fn parse_token_response(body: &str, now: SystemTime) -> Result<Cached, TokenError> {
    let v: Value = serde_json::from_str(body).map_err(|e| TokenError::InvalidResponse(format!("not JSON: {e}")))?;
    let token = v
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| TokenError::InvalidResponse("no access_token in the response".into()))?
        .to_string();
    let latest = now.checked_add(MAX_TOKEN_LIFETIME).unwrap_or(now);
    let expires_at = jwt_exp(&token)
        .map(|exp| UNIX_EPOCH.checked_add(Duration::from_secs(exp)).unwrap_or(latest))
        .or_else(|| v.get("expires_in").and_then(Value::as_u64).map(|s| now.checked_add(Duration::from_secs(s)).unwrap_or(latest)))
        // Neither exp nor expires_in: usable for this run only, fetched again next time.
        .unwrap_or(now + SKEW + Duration::from_secs(1))
        .min(latest);
    Ok(Cached { token, expires_at })
}

/// What a failed token response may say in our error: the OAuth2 `error` and `error_description`
/// (RFC 6749 §5.2), control characters escaped, each cut to 200 characters, and left out if it
/// contains the client secret. Nothing else of the body is quoted.
fn oauth_error(body: &str, client_secret: &str) -> String {
    let v: Option<Value> = serde_json::from_str(body).ok();
    let field = |k: &str| {
        let text = v.as_ref()?.get(k)?.as_str()?;
        if !client_secret.is_empty() && text.contains(client_secret) {
            return None;
        }
        Some(text.chars().take(200).collect::<String>().escape_debug().to_string())
    };
    match (field("error"), field("error_description")) {
        (Some(e), Some(d)) => format!("{e}: {d}"),
        (Some(e), None) => e,
        (None, Some(d)) => d,
        (None, None) => format!("no OAuth2 error in the response ({} bytes, not quoted)", body.len()),
    }
}

/// The `exp` claim of a JWT, read without verification (used for expiry only).
fn jwt_exp(token: &str) -> Option<u64> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<Value>(&bytes).ok()?.get("exp")?.as_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(exp: u64) -> String {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", enc(r#"{"alg":"none"}"#), enc(&format!(r#"{{"exp":{exp}}}"#)))
    }

    #[test]
    fn expiry_comes_from_the_jwt_exp_claim_first() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        let body = format!(r#"{{"access_token":"{}","expires_in":10}}"#, jwt(5_000));
        let c = parse_token_response(&body, now).ok().unwrap();
        assert_eq!(c.expires_at, UNIX_EPOCH + Duration::from_secs(5_000));
    }

    #[test]
    fn opaque_tokens_use_expires_in() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        let c = parse_token_response(r#"{"access_token":"opaque","expires_in":300}"#, now).ok().unwrap();
        assert_eq!(c.expires_at, now + Duration::from_secs(300));
    }

    #[test]
    fn absurd_lifetimes_are_capped_at_a_day_without_overflowing() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        let day = now + MAX_TOKEN_LIFETIME;
        for body in [
            format!(r#"{{"access_token":"{}"}}"#, jwt(u64::MAX)),
            format!(r#"{{"access_token":"{}"}}"#, jwt(u64::MAX / 2)),
            format!(r#"{{"access_token":"opaque","expires_in":{}}}"#, u64::MAX),
            r#"{"access_token":"opaque","expires_in":31536000000}"#.to_string(),
        ] {
            assert_eq!(parse_token_response(&body, now).ok().unwrap().expires_at, day, "{body}");
        }
    }

    #[test]
    fn only_the_oauth2_error_fields_are_quoted_and_never_the_secret() {
        let secret = "s3cr3t-value";
        assert_eq!(oauth_error(r#"{"error":"invalid_client","error_description":"bad client"}"#, secret), "invalid_client: bad client");
        let echo = format!("grant_type=client_credentials&client_id=x&client_secret={secret}");
        assert_eq!(oauth_error(&echo, secret), format!("no OAuth2 error in the response ({} bytes, not quoted)", echo.len()));
        let echoing_json = format!(r#"{{"error":"invalid_request","error_description":"got client_secret={secret}","form":"{secret}"}}"#);
        assert_eq!(oauth_error(&echoing_json, secret), "invalid_request");
        assert_eq!(oauth_error("{\"error\":\"bad\\r\\nFAKE LOG LINE\\u001b[31m\"}", secret), "bad\\r\\nFAKE LOG LINE\\u{1b}[31m");
    }

    #[test]
    fn garbage_is_an_invalid_response() {
        let now = SystemTime::now();
        assert!(matches!(parse_token_response("<html>", now), Err(TokenError::InvalidResponse(_))));
        assert!(matches!(parse_token_response("{}", now), Err(TokenError::InvalidResponse(_))));
    }
}
