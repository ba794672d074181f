//! OAuth2 client-credentials tokens: form body, expiry from the JWT `exp` or
//! `expires_in`, reused until 60 s before expiry, one request in flight. Secrets and tokens stay here:
//! a failed token request is described by its status and the OAuth2 `error` / `error_description`
//! fields only (never the raw body, which a provider may fill with the form it received), and token
//! requests never follow redirects.

pub use crate::app_config::Credentials;
use crate::runtime::bindings::openchoreo::catalog::token::TokenError;
use crate::token_response::{ParsedToken, SKEW, oauth_error, parse_token_response};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

const MAX_TOKEN_RESPONSE: u64 = 1 << 20;

pub struct TokenProvider {
    creds: Credentials,
    agent: ureq::Agent,
    /// A token request's whole time, cut to what is left of the run.
    timeout: Duration,
    /// Held while fetching, so concurrent callers share one request.
    cache: Mutex<Option<ParsedToken>>,
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

    fn fetch(&self, time_left: Duration) -> Result<ParsedToken, TokenError> {
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
        parse_token_response(&body, SystemTime::now()).map_err(TokenError::InvalidResponse)
    }
}
