//! Backstage's rules for what we emit (catalog-model's default entity policy and field validators),
//! checked by the fuzzers against every entity the mapping produces.

use crate::names::is_valid_name;
use serde_json::Value;

fn is_dns_label(s: &str) -> bool {
    !s.is_empty() && s.len() <= 63 && s.split('-').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

fn is_tag(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.split('-').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b":+#".contains(&b)))
}

/// An annotation or label key: an optional DNS-subdomain prefix and a name.
fn is_key(k: &str) -> bool {
    let (prefix, name) = k.rsplit_once('/').map_or((None, k), |(p, n)| (Some(p), n));
    prefix.is_none_or(|p| !p.is_empty() && p.len() <= 253 && p.split('.').all(is_dns_label)) && is_valid_name(name)
}

/// `Ok` when Backstage's catalog would accept the entity's metadata; else which field breaks which rule.
pub fn entity(doc: &Value) -> Result<(), String> {
    let m = &doc["metadata"];
    let name = m["name"].as_str().ok_or("no name")?;
    if !is_valid_name(name) {
        return Err(format!("invalid name {name:?}"));
    }
    if let Some(ns) = m.get("namespace") {
        let ns = ns.as_str().ok_or("namespace not a string")?;
        if !is_dns_label(ns) {
            return Err(format!("invalid namespace {ns:?}"));
        }
    }
    for t in m["tags"].as_array().into_iter().flatten() {
        if !t.as_str().is_some_and(is_tag) {
            return Err(format!("invalid tag {t}"));
        }
    }
    for (k, v) in m["labels"].as_object().into_iter().flatten() {
        let v = v.as_str().ok_or("label value not a string")?;
        if !is_key(k) || !(v.is_empty() || is_valid_name(v)) {
            return Err(format!("invalid label {k}={v:?}"));
        }
    }
    for (k, v) in m["annotations"].as_object().into_iter().flatten() {
        if !is_key(k) || !v.is_string() {
            return Err(format!("invalid annotation {k}={v}"));
        }
    }
    for key in ["title", "description"] {
        if m.get(key).is_some_and(|v| !v.is_string()) {
            return Err(format!("{key} is not a string"));
        }
    }
    Ok(())
}

/// A full `kind:namespace/name` ref with every part present.
pub fn is_full_ref(r: &str) -> bool {
    let Some((kind, rest)) = r.split_once(':') else { return false };
    let Some((ns, name)) = rest.split_once('/') else { return false };
    !kind.is_empty() && !ns.is_empty() && !name.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_rules_refuse_what_backstage_refuses() {
        assert!(entity(&json!({"metadata": {"name": "ok-name", "namespace": "acme", "tags": ["a-b"]}})).is_ok());
        assert!(entity(&json!({"metadata": {"name": "bad name"}})).unwrap_err().contains("invalid name"));
        assert!(entity(&json!({"metadata": {"name": "n", "namespace": "Acme"}})).unwrap_err().contains("invalid namespace"));
        assert!(entity(&json!({"metadata": {"name": "n", "tags": ["UPPER"]}})).unwrap_err().contains("invalid tag"));
        assert!(entity(&json!({"metadata": {"name": "n", "annotations": {"a/b/c": "x"}}})).unwrap_err().contains("invalid annotation"));
        assert!(entity(&json!({"metadata": {"name": "n", "labels": {"k": "not valid"}}})).unwrap_err().contains("invalid label"));
        assert!(is_full_ref("component:acme/x") && !is_full_ref("component:/x") && !is_full_ref("acme/x"));
    }
}
