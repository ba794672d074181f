//! The `openchoreo` section of app-config, validated once (README, Configuration).

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub base_url: String,
    pub default_owner: String,
    pub frequency_seconds: u32,
    pub timeout_seconds: u32,
    pub auth_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    Missing(String),
    Invalid(String),
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, k| cur.get(k)).filter(|v| !v.is_null())
}

/// Seconds as Backstage reads numbers: an integer, or a string of digits (from `${ENV}`).
fn seconds(v: &Value, key: &str, default: u32) -> Result<u32, ConfigError> {
    let Some(raw) = get(v, &["schedule", key]) else { return Ok(default) };
    let full = format!("openchoreo.schedule.{key}");
    let n = match raw {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        Value::Object(_) => {
            return Err(ConfigError::Invalid(format!(
                "{full} must be a plain number of seconds (e.g. {key}: {default}), not an object such as {{ minutes: 1 }}"
            )));
        }
        _ => None,
    };
    match n {
        Some(n) if n > 0 && n <= u64::from(u32::MAX) => Ok(n as u32),
        _ => Err(ConfigError::Invalid(format!("{full} must be a positive whole number of seconds, got {raw}"))),
    }
}

fn boolean(v: &Value, path: &[&str], default: bool) -> Result<bool, ConfigError> {
    match get(v, path) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s == "true" => Ok(true),
        Some(Value::String(s)) if s == "false" => Ok(false),
        Some(other) => Err(ConfigError::Invalid(format!("openchoreo.{} must be true or false, got {other}", path.join(".")))),
    }
}

fn string<'a>(v: &'a Value, path: &[&str]) -> Result<Option<&'a str>, ConfigError> {
    match get(v, path) {
        None => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(other) => Err(ConfigError::Invalid(format!("openchoreo.{} must be a string, got {other}", path.join(".")))),
    }
}

/// `baseUrl` without a trailing `/api/v1` (or `/api/v1/`) and without a trailing slash.
pub fn normalize_base_url(url: &str) -> String {
    let t = url.trim();
    let t = t.strip_suffix('/').unwrap_or(t);
    let t = t.strip_suffix("/api/v1").unwrap_or(t);
    t.trim_end_matches('/').to_string()
}

pub fn parse(section: &Value) -> Result<Config, ConfigError> {
    if !section.is_object() {
        return Err(ConfigError::Missing("openchoreo section is missing from app-config".into()));
    }
    let base = string(section, &["baseUrl"])?
        .ok_or_else(|| ConfigError::Missing("openchoreo.baseUrl is required (e.g. http://openchoreo-api:8080/api/v1)".into()))?;
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(ConfigError::Invalid(format!("openchoreo.baseUrl must start with http:// or https://, got {base}")));
    }
    let default_owner = string(section, &["defaultOwner"])?.unwrap_or(crate::entity::DEFAULT_OWNER_GROUP).to_string();
    let auth_enabled = boolean(section, &["features", "auth", "enabled"], true)?;
    if auth_enabled {
        let missing: Vec<String> = ["clientId", "clientSecret", "tokenUrl"]
            .iter()
            .filter(|k| string(section, &["auth", k]).ok().flatten().is_none())
            .map(|k| format!("openchoreo.auth.{k}"))
            .collect();
        if !missing.is_empty() {
            return Err(ConfigError::Missing(format!(
                "{} required because openchoreo.features.auth.enabled is true (the default); set the credentials, or set it to false for an OpenChoreo cluster running without auth",
                if missing.len() == 1 { format!("{} is", missing[0]) } else { format!("{} are", missing.join(", ")) }
            )));
        }
    }
    Ok(Config {
        base_url: normalize_base_url(base),
        default_owner,
        frequency_seconds: seconds(section, "frequency", 30)?,
        timeout_seconds: seconds(section, "timeout", 120)?,
        auth_enabled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cfg(v: Value) -> Result<Config, ConfigError> {
        parse(&v)
    }

    #[test]
    fn defaults_apply() {
        let c = cfg(json!({"baseUrl": "http://api:8080/api/v1/", "features": {"auth": {"enabled": false}}})).unwrap();
        assert_eq!(c.base_url, "http://api:8080");
        assert_eq!((c.frequency_seconds, c.timeout_seconds), (30, 120));
        assert_eq!(c.default_owner, "openchoreo-users");
    }

    #[test]
    fn object_durations_are_rejected_naming_the_key() {
        let err = cfg(json!({"baseUrl": "http://x", "schedule": {"frequency": {"minutes": 1}}, "features": {"auth": {"enabled": false}}}))
            .unwrap_err();
        let ConfigError::Invalid(msg) = err else { panic!("{err:?}") };
        assert!(msg.contains("openchoreo.schedule.frequency") && msg.contains("seconds"), "{msg}");
    }

    #[test]
    fn numeric_strings_are_seconds() {
        let c = cfg(json!({"baseUrl": "http://x", "schedule": {"timeout": "45"}, "features": {"auth": {"enabled": "false"}}})).unwrap();
        assert_eq!(c.timeout_seconds, 45);
        assert!(!c.auth_enabled);
    }

    #[test]
    fn auth_on_without_credentials_names_the_missing_keys() {
        let err = cfg(json!({"baseUrl": "http://x", "auth": {"clientId": "id"}})).unwrap_err();
        let ConfigError::Missing(msg) = err else { panic!("{err:?}") };
        assert!(msg.contains("openchoreo.auth.clientSecret, openchoreo.auth.tokenUrl are required"), "{msg}");
    }

    #[test]
    fn base_url_is_required_and_checked() {
        assert!(matches!(cfg(json!({})), Err(ConfigError::Missing(_))));
        assert!(matches!(cfg(json!({"baseUrl": "api:8080"})), Err(ConfigError::Invalid(_))));
    }
}
