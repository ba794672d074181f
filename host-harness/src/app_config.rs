//! Reads a Backstage `app-config.yaml`: `${ENV}` substitution as Backstage does it, the `openchoreo`
//! section as JSON for the guest (client secret replaced), and the credentials kept for the host.

use crate::reading_rules::ReadingRules;
use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};
use std::path::Path;

/// What the guest sees in place of the client secret.
pub const REDACTED: &str = "[redacted]";
/// `openchoreo.sync.requestTimeout` past a day is a typo, not a setting.
pub const MAX_REQUEST_TIMEOUT_SECONDS: u64 = 86_400;
/// `openchoreo.sync.concurrency`: requests in flight at once.
pub const MAX_CONCURRENCY: u64 = 256;

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

#[derive(Debug)]
pub struct AppConfig {
    /// The `openchoreo` section with the client secret replaced by [`REDACTED`].
    pub guest_section: Value,
    /// Client credentials when all three are set (validation of the combination is the guest's).
    pub credentials: Option<Credentials>,
    /// Host tuning: `openchoreo.sync.concurrency` (default 8).
    pub concurrency: usize,
    /// Host tuning: `openchoreo.sync.requestTimeout` in seconds (default 30).
    pub request_timeout_seconds: u64,
    /// `${VAR}`s that were not set; Backstage treats such values as absent.
    pub unset_env: Vec<String>,
    /// `backend.reading.allow`: the URLs hand-authored Templates may be read from.
    pub reading: ReadingRules,
}

pub fn load(path: &Path) -> Result<AppConfig> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse(&text, &|k| std::env::var(k).ok()).with_context(|| format!("in {}", path.display()))
}

pub fn parse(yaml: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<AppConfig> {
    let doc: Value = serde_norway::from_str(yaml).context("app-config is not valid YAML")?;
    let mut unset = Vec::new();
    let reading = match doc.get("backend").cloned().and_then(|b| substitute(b, env, &mut unset)) {
        Some(backend) => ReadingRules::from_app_config(&serde_json::json!({ "backend": backend }))?,
        None => ReadingRules::default(),
    };
    let section = doc.get("openchoreo").cloned().unwrap_or(Value::Null);
    let section = substitute(section, env, &mut unset).unwrap_or(Value::Null);
    let get = |path: &[&str]| path.iter().try_fold(&section, |v, k| v.get(k)).and_then(Value::as_str).map(str::trim);
    let credentials = match (get(&["auth", "clientId"]), get(&["auth", "clientSecret"]), get(&["auth", "tokenUrl"])) {
        (Some(id), Some(secret), Some(url)) if !id.is_empty() && !secret.is_empty() && !url.is_empty() => Some(Credentials {
            client_id: id.to_string(),
            client_secret: secret.to_string(),
            token_url: url.to_string(),
            scope: get(&["auth", "scope"]).map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|s| !s.is_empty()),
        }),
        _ => None,
    };
    // Bounded so that no value from config can overflow time arithmetic or spawn absurd numbers of threads.
    let number = |key: &str, default: u64, max: u64| -> Result<u64> {
        let n = match section.get("sync").and_then(|s| s.get(key)) {
            None | Some(Value::Null) => default,
            Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n > 0) => n.as_u64().unwrap_or(default),
            Some(Value::String(s)) if s.parse::<u64>().is_ok_and(|n| n > 0) => s.parse().unwrap_or(default),
            Some(other) => bail!("openchoreo.sync.{key} must be a positive whole number, got {other}"),
        };
        if n > max {
            bail!("openchoreo.sync.{key} must be at most {max}, got {n}");
        }
        Ok(n)
    };
    let concurrency = number("concurrency", 8, MAX_CONCURRENCY)? as usize;
    let request_timeout_seconds = number("requestTimeout", 30, MAX_REQUEST_TIMEOUT_SECONDS)?;
    let mut guest_section = section;
    if let Some(secret) = guest_section.pointer_mut("/auth/clientSecret")
        && secret.as_str().is_some_and(|s| !s.trim().is_empty())
    {
        *secret = Value::String(REDACTED.into());
    }
    Ok(AppConfig { guest_section, credentials, concurrency, request_timeout_seconds, unset_env: unset, reading })
}

/// Replaces `${VAR}` in every string; `$${` escapes a literal `${`. A value naming an unset variable
/// is dropped (Backstage reads it as absent), and the variable is reported.
fn substitute(v: Value, env: &dyn Fn(&str) -> Option<String>, unset: &mut Vec<String>) -> Option<Value> {
    match v {
        Value::String(s) => substitute_str(&s, env, unset).map(Value::String),
        Value::Array(a) => Some(Value::Array(a.into_iter().filter_map(|x| substitute(x, env, unset)).collect())),
        Value::Object(o) => {
            let m: Map<String, Value> = o.into_iter().filter_map(|(k, x)| substitute(x, env, unset).map(|x| (k, x))).collect();
            Some(Value::Object(m))
        }
        other => Some(other),
    }
}

fn substitute_str(s: &str, env: &dyn Fn(&str) -> Option<String>, unset: &mut Vec<String>) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if let Some(escaped) = tail.strip_prefix("$${") {
            out.push_str("${");
            rest = escaped;
        } else if let Some(open) = tail.strip_prefix("${")
            && let Some(end) = open.find('}')
        {
            let name = open[..end].trim();
            match env(name) {
                Some(val) => out.push_str(&val),
                None => {
                    unset.push(name.to_string());
                    return None;
                }
            }
            rest = &open[end + 1..];
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(k: &str) -> Option<String> {
        match k {
            "SECRET" => Some("s3cret".into()),
            "HOST" => Some("api.local".into()),
            _ => None,
        }
    }

    #[test]
    fn substitutes_env_and_redacts_the_secret_for_the_guest() {
        let cfg = parse(
            "openchoreo:\n  baseUrl: http://${HOST}:8080\n  auth:\n    clientId: id\n    clientSecret: ${SECRET}\n    tokenUrl: http://idp/token\n    scope: ' a   b '\n",
            &env,
        )
        .unwrap();
        assert_eq!(cfg.guest_section["baseUrl"], "http://api.local:8080");
        assert_eq!(cfg.guest_section["auth"]["clientSecret"], REDACTED);
        let creds = cfg.credentials.unwrap();
        assert_eq!(creds.client_secret, "s3cret");
        assert_eq!(creds.scope.as_deref(), Some("a b"));
        assert!(!cfg.guest_section.to_string().contains("s3cret"));
    }

    #[test]
    fn unset_variables_make_the_value_absent_and_are_reported() {
        let cfg = parse("openchoreo:\n  baseUrl: http://x\n  defaultOwner: ${NOPE}\n  note: cost $${HOST}\n", &env).unwrap();
        assert!(cfg.guest_section.get("defaultOwner").is_none());
        assert_eq!(cfg.unset_env, vec!["NOPE".to_string()]);
        assert_eq!(cfg.guest_section["note"], "cost ${HOST}", "a doubled dollar escapes substitution");
    }

    #[test]
    fn bad_tuning_values_name_the_key() {
        for (yaml, expect) in [
            ("openchoreo:\n  sync:\n    requestTimeout: 18446744073709551615\n", "openchoreo.sync.requestTimeout must be at most 86400"),
            ("openchoreo:\n  sync:\n    concurrency: 100000\n", "openchoreo.sync.concurrency must be at most 256"),
        ] {
            let err = parse(yaml, &env).unwrap_err();
            assert!(err.to_string().contains(expect), "{err}");
        }
        let err = parse("openchoreo:\n  sync:\n    concurrency: lots\n", &env).unwrap_err();
        assert!(err.to_string().contains("openchoreo.sync.concurrency"), "{err}");
    }
}
