//! ObservabilityAlertsNotificationChannel (docs/entities.md; added since the 0.2.0 plugin, docs/compatibility.md): where an environment's alerts go. Only what
//! identifies the channel is copied: SMTP settings, headers and webhook paths can carry secrets.

use super::NsCtx;
use crate::entity::{Entity, EntityBuilder};
use crate::json::{arr_at, at, set_str};
use crate::meta;
use crate::names::backstage_name;
use serde_json::Value;

/// `https://user:pw@hooks.example.com/T0/B0/secret` → `https://hooks.example.com`: webhook URLs
/// often embed their credential in the path or the userinfo.
pub fn webhook_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let scheme_ok = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    (scheme_ok && !host.is_empty()).then(|| format!("{}://{host}", scheme.to_ascii_lowercase()))
}

pub fn translate(c: &Value, cx: &NsCtx, scope: &str) -> Result<Entity, String> {
    let name = meta::name(c)?;
    let environment = set_str(c, &["spec", "environment"]).ok_or("spec.environment is missing")?;
    let channel_type = set_str(c, &["spec", "type"]).ok_or("spec.type is missing")?;
    let is_default = at(c, &["spec", "isEnvDefault"]).and_then(Value::as_bool).unwrap_or(false);
    let recipients: Vec<&str> = arr_at(c, &["spec", "emailConfig", "to"]).iter().filter_map(Value::as_str).collect();
    let mut b = EntityBuilder::managed("ObservabilityAlertsNotificationChannel", backstage_name(name), Some(cx.ns))
        .title(meta::title_or_name(c, name))
        .description(Some(
            meta::description(c).map_or_else(|| format!("{channel_type} alert notifications for {environment}"), str::to_string),
        ))
        .tags(["openchoreo", "notification-channel", channel_type]);
    b.annotations()
        .put("openchoreo.io/namespace", cx.ns)
        .put("openchoreo.io/environment", environment)
        .put("openchoreo.io/created-at", meta::created_at(c).unwrap_or(""))
        .put_opt("openchoreo.io/deletion-timestamp", meta::deletion_ts(c));
    b.spec()
        .put("type", channel_type)
        .put("domain", cx.domain_ref())
        .put("environment", backstage_name(environment))
        .put("isEnvDefault", is_default)
        .put_opt("emailFrom", set_str(c, &["spec", "emailConfig", "from"]))
        .put_opt("emailTo", (!recipients.is_empty()).then_some(recipients))
        .put_opt("webhookOrigin", set_str(c, &["spec", "webhookConfig", "url"]).and_then(webhook_origin));
    Ok(b.build(scope))
}

#[cfg(test)]
mod tests {
    use super::webhook_origin;

    #[test]
    fn webhook_origin_drops_credentials_path_and_query() {
        assert_eq!(webhook_origin("https://hooks.slack.com/services/T0/B0/XYZ").as_deref(), Some("https://hooks.slack.com"));
        assert_eq!(webhook_origin("HTTP://user:pw@example.com:8443?token=1").as_deref(), Some("http://example.com:8443"));
        assert_eq!(webhook_origin("ftp://example.com"), None);
        assert_eq!(webhook_origin("not a url"), None);
    }
}
