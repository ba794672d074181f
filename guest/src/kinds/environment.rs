//! Environment → Environment, and the gateway projection it shares with data planes (docs/entities.md, Environment).

use super::NsCtx;
use crate::entity::{Entity, EntityBuilder, Fields};
use crate::json::{at, obj_at, scalar, set_str};
use crate::meta;
use crate::names::backstage_name;
use serde_json::{Map, Value};

/// `{ingress: {external, internal}}` with only name, namespace and the host/port of http and https.
pub fn gateway_projection(spec_gateway: Option<&Value>) -> Option<Value> {
    let ingress = spec_gateway.and_then(|g| obj_at(g, &["ingress"]))?;
    let mut out = Map::new();
    for side in ["external", "internal"] {
        let Some(src) = ingress.get(side).filter(|v| v.is_object()) else { continue };
        let mut e = Fields::default();
        e.put_opt("name", scalar(at(src, &["name"])).cloned());
        e.put_opt("namespace", scalar(at(src, &["namespace"])).cloned());
        for listener in ["http", "https"] {
            let Some(l) = src.get(listener).filter(|v| v.is_object()) else { continue };
            let mut lf = Fields::default();
            lf.put_opt("host", scalar(at(l, &["host"])).cloned());
            lf.put_opt("port", scalar(at(l, &["port"])).cloned());
            e.put(listener, lf.into_value());
        }
        out.insert(side.to_string(), e.into_value());
    }
    let mut gw = Map::new();
    gw.insert("ingress".to_string(), Value::Object(out));
    Some(Value::Object(gw))
}

pub fn translate(env: &Value, cx: &NsCtx, scope: &str) -> Result<Entity, String> {
    let name = meta::name(env)?;
    // A JSON null (or any non-boolean) reads as absent instead of failing the namespace (docs/compatibility.md W10).
    let is_production = at(env, &["spec", "isProduction"]).and_then(Value::as_bool);
    let env_type = if is_production == Some(true) { "production" } else { "non-production" };
    let dns = set_str(env, &["spec", "gateway", "ingress", "external", "http", "host"]);
    let dp_name = set_str(env, &["spec", "dataPlaneRef", "name"]);
    let mut b = EntityBuilder::managed("Environment", backstage_name(name), Some(cx.ns))
        .title(meta::title_or_name(env, name))
        .description(Some(meta::description(env).map_or_else(|| format!("{name} environment"), str::to_string)))
        .tags(["openchoreo", "environment", env_type]);
    if is_production.is_some() {
        b = b.label("openchoreo.io/environment-type", env_type);
    }
    b.annotations()
        .put("openchoreo.io/environment", name)
        .put("openchoreo.io/namespace", cx.ns)
        .put_opt("openchoreo.io/environment-uid", meta::uid(env))
        .put_opt("openchoreo.io/created-at", meta::created_at(env))
        .put("openchoreo.io/status", meta::ready_text(env))
        .put_opt("openchoreo.io/data-plane-ref", dp_name)
        .put_opt("openchoreo.io/data-plane-ref-kind", set_str(env, &["spec", "dataPlaneRef", "kind"]))
        .put_opt("openchoreo.io/dns-prefix", dns)
        .put_opt("openchoreo.io/is-production", is_production.map(|p| p.to_string()))
        .put_opt("openchoreo.io/deletion-timestamp", meta::deletion_ts(env));
    b.spec()
        .put("type", env_type)
        .put("domain", cx.domain_ref())
        .put_opt("isProduction", is_production)
        .put_opt("dataPlaneRef", dp_name)
        .put_opt("dnsPrefix", dns)
        .put_opt("gateway", gateway_projection(at(env, &["spec", "gateway"])));
    Ok(b.build(scope))
}
