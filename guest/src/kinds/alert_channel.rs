//! ObservabilityAlertsNotificationChannel (docs/entities.md; added since the 0.2.0 plugin, docs/compatibility.md): where an environment's alerts go.
//! `emailConfig` and `webhookConfig` are copied as the plugin does, except what can carry a credential:
//! a webhook URL keeps only its origin (Slack and Teams URLs embed their token in the path), and an
//! inline header value is left out (its name stays; a secret reference stays, it names no secret).

use super::NsCtx;
use crate::entity::{Entity, EntityBuilder};
use crate::json::{arr_at, at, set_str};
use crate::meta;
use crate::names::backstage_name;
use serde_json::{Map, Value, json};

/// `https://user:pw@hooks.example.com/T0/B0/secret` → `https://hooks.example.com`: webhook URLs
/// often embed their credential in the path or the userinfo.
pub fn webhook_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let scheme_ok = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    (scheme_ok && !host.is_empty()).then(|| format!("{}://{host}", scheme.to_ascii_lowercase()))
}

/// Keeps the named fields of `v` that are strings (a `Map` of those present).
fn strings(v: &Value, keys: &[&str]) -> Map<String, Value> {
    keys.iter().filter_map(|k| set_str(v, &[k]).map(|s| (k.to_string(), json!(s)))).collect()
}

/// `{secretKeyRef: {name, key}}`: where a secret is, never the secret.
fn secret_ref(v: Option<&Value>) -> Option<Value> {
    let r = v?.get("secretKeyRef")?;
    Some(json!({ "secretKeyRef": strings(r, &["name", "key"]) }))
}

fn email_config(e: &Value) -> Value {
    let mut out = strings(e, &["from"]);
    let to: Vec<&str> = arr_at(e, &["to"]).iter().filter_map(Value::as_str).collect();
    out.insert("to".into(), json!(to));
    if let Some(smtp) = at(e, &["smtp"]) {
        let mut s = strings(smtp, &["host"]);
        if let Some(port) = at(smtp, &["port"]).and_then(Value::as_u64) {
            s.insert("port".into(), json!(port));
        }
        if let Some(auth) = at(smtp, &["auth"]) {
            let refs: Map<String, Value> =
                ["username", "password"].iter().filter_map(|k| secret_ref(auth.get(*k)).map(|r| (k.to_string(), r))).collect();
            s.insert("auth".into(), Value::Object(refs));
        }
        if let Some(skip) = at(smtp, &["tls", "insecureSkipVerify"]).and_then(Value::as_bool) {
            s.insert("tls".into(), json!({ "insecureSkipVerify": skip }));
        }
        out.insert("smtp".into(), Value::Object(s));
    }
    if let Some(t) = at(e, &["template"]) {
        out.insert("template".into(), Value::Object(strings(t, &["subject", "body"])));
    }
    Value::Object(out)
}

fn webhook_config(w: &Value) -> Value {
    let mut out = Map::new();
    if let Some(origin) = set_str(w, &["url"]).and_then(webhook_origin) {
        out.insert("url".into(), json!(origin));
    }
    if let Some(headers) = at(w, &["headers"]).and_then(Value::as_object) {
        let kept: Map<String, Value> = headers
            .iter()
            .map(|(name, h)| (name.clone(), secret_ref(h.get("valueFrom")).map_or_else(|| json!({}), |r| json!({ "valueFrom": r }))))
            .collect();
        out.insert("headers".into(), Value::Object(kept));
    }
    out.extend(strings(w, &["payloadTemplate"]));
    Value::Object(out)
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
        .put_opt("webhookOrigin", set_str(c, &["spec", "webhookConfig", "url"]).and_then(webhook_origin))
        .put_opt("emailConfig", at(c, &["spec", "emailConfig"]).filter(|v| v.is_object()).map(email_config))
        .put_opt("webhookConfig", at(c, &["spec", "webhookConfig"]).filter(|v| v.is_object()).map(webhook_config));
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
