//! Reading an OAuth2 token endpoint's answer: the token and its expiry (the JWT `exp` claim first, then
//! `expires_in`, at most a day), and what a failed answer may say in our errors. Pure and
//! self-contained (std, serde_json, base64), so the fuzz targets include this file as it is.

use base64::Engine as _;
use serde_json::Value;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A token is refreshed this long before it expires.
pub const SKEW: Duration = Duration::from_secs(60);
/// A token is reused at most this long, whatever the provider claims: an absurd `exp` or `expires_in`
/// can neither overflow the clock arithmetic nor pin one token for years.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedToken {
    pub token: String,
    pub expires_at: SystemTime,
}

/// The token and when to stop using it, or why the response is not a token response.
pub fn parse_token_response(body: &str, now: SystemTime) -> Result<ParsedToken, String> {
    let v: Value = serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    let token = v
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| "no access_token in the response".to_string())?
        .to_string();
    let latest = now.checked_add(MAX_TOKEN_LIFETIME).unwrap_or(now);
    let expires_at = jwt_exp(&token)
        .map(|exp| UNIX_EPOCH.checked_add(Duration::from_secs(exp)).unwrap_or(latest))
        .or_else(|| v.get("expires_in").and_then(Value::as_u64).map(|s| now.checked_add(Duration::from_secs(s)).unwrap_or(latest)))
        // Neither exp nor expires_in: usable for this run only, fetched again next time.
        .unwrap_or(now + SKEW + Duration::from_secs(1))
        .min(latest);
    Ok(ParsedToken { token, expires_at })
}

/// What a failed token response may say in our error: the OAuth2 `error` and `error_description`
/// (RFC 6749 §5.2), control characters escaped, each cut to 200 characters, and left out if it
/// contains the client secret. Nothing else of the body is quoted.
pub fn oauth_error(body: &str, client_secret: &str) -> String {
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
        let refused = |body: &str| parse_token_response(body, now).unwrap_err();
        assert!(refused("<html>").starts_with("not JSON"));
        assert_eq!(refused("{}"), "no access_token in the response");
    }
}
