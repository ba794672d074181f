//! Bad input never panics and never produces an entity Backstage would reject. A deterministic
//! mutation fuzzer (seeded PRNG, stable toolchain, bounded by FUZZ_ITERATIONS, default 3000) mutates
//! the sample installation and runs every mapping entry point; every emitted entity is checked against
//! Backstage's naming rules and every relation ref must parse.

use openchoreo_catalog_guest::relations::relations;
use openchoreo_catalog_guest::scope::{
    CLUSTER_LISTS, CLUSTER_TEMPLATE_SOURCES, Lists, NAMESPACE_LISTS, scope_of, translate_cluster, translate_namespace,
};
use serde_json::{Value, json};

const SAMPLE: &str = include_str!("../../host-harness/fixtures/sample-api.json");

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn is_name(s: &str) -> bool {
    openchoreo_catalog_guest::names::is_valid_name(s)
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty() && s.len() <= 63 && s.split('-').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

fn is_tag(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.split('-').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b":+#".contains(&b)))
}

fn is_key(k: &str) -> bool {
    let (prefix, name) = k.rsplit_once('/').map_or((None, k), |(p, n)| (Some(p), n));
    prefix.is_none_or(|p| !p.is_empty() && p.len() <= 253 && p.split('.').all(is_dns_label)) && is_name(name)
}

/// Backstage's rules for what we emit (catalog-model's default entity policy and validators).
fn check_entity(doc: &Value) -> Result<(), String> {
    let m = &doc["metadata"];
    let name = m["name"].as_str().ok_or("no name")?;
    if !is_name(name) {
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
        if !is_key(k) || !(v.is_empty() || is_name(v)) {
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

fn check_ref(r: &str) -> bool {
    let Some((kind, rest)) = r.split_once(':') else { return false };
    let Some((ns, name)) = rest.split_once('/') else { return false };
    !kind.is_empty() && !ns.is_empty() && !name.is_empty()
}

fn mutate_value(v: &mut Value, rng: &mut Rng, depth: usize) {
    match rng.below(12) {
        0 => *v = Value::Null,
        1 => *v = json!(rng.next() as i64),
        2 => *v = json!("x".repeat(rng.below(300))),
        3 => *v = json!(["a", 1, null, {"k": "v"}]),
        4 => *v = json!({}),
        5 => *v = json!(true),
        6 => *v = json!("Weird Value/with:chars_and UPPER.~"),
        7 => {
            let mut deep = json!("leaf");
            for _ in 0..rng.below(100) {
                deep = json!({ "properties": { "p": deep } });
            }
            *v = deep;
        }
        _ => match v {
            Value::Object(map) if !map.is_empty() && depth < 12 => {
                let key = map.keys().nth(rng.below(map.len())).cloned().unwrap_or_default();
                if rng.below(4) == 0 {
                    map.remove(&key);
                } else if let Some(child) = map.get_mut(&key) {
                    mutate_value(child, rng, depth + 1);
                }
            }
            Value::Array(items) if !items.is_empty() && depth < 12 => {
                let i = rng.below(items.len());
                mutate_value(&mut items[i], rng, depth + 1);
            }
            _ => *v = json!("-"),
        },
    }
}

fn check_output(out_entities: &[openchoreo_catalog_guest::entity::Entity], where_: &str) {
    for e in out_entities {
        if let Err(msg) = check_entity(&e.doc()) {
            panic!("{where_}: {} {}: {msg}\n{}", e.kind, e.name, e.doc());
        }
        assert_eq!(scope_of(&e.doc()).as_deref(), Ok(e.scope.as_str()), "{where_}: scope_of agrees with the emitted scope");
        for r in relations(&e.doc()).unwrap_or_else(|err| panic!("{where_}: relations of {}: {err}", e.name)) {
            assert!(check_ref(&r.source) && check_ref(&r.target), "{where_}: malformed ref in {r:?}");
        }
    }
}

#[test]
fn mutated_inputs_never_panic_and_always_emit_valid_entities() {
    let sample: Value = serde_json::from_str(SAMPLE).unwrap();
    let iterations: usize = std::env::var("FUZZ_ITERATIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let started = std::time::Instant::now();
    let mut entities = 0usize;
    for i in 0..iterations {
        let mut data = sample.clone();
        for _ in 0..1 + rng.below(4) {
            let target = match rng.below(3) {
                0 => &mut data["namespaces"],
                1 => &mut data["namespaced"]["default"],
                _ => &mut data["cluster"],
            };
            mutate_value(target, &mut rng, 0);
        }
        let list = |v: &Value| -> Result<Vec<Value>, String> { v.as_array().cloned().ok_or_else(|| "not a list".into()) };
        let ns_lists: Lists =
            NAMESPACE_LISTS.iter().map(|e| (e.to_string(), list(&data["namespaced"]["default"][e]).or_else(|_| Ok(vec![])))).collect();
        let mut cluster_lists: Lists =
            CLUSTER_LISTS.iter().map(|e| (e.to_string(), list(&data["cluster"][e]).or_else(|_| Ok(vec![])))).collect();
        // Every listed type gets a (possibly mutated) schema, so Templates are fuzzed too.
        for (endpoint, _, _) in CLUSTER_TEMPLATE_SOURCES {
            for ct in data["cluster"][endpoint].as_array().into_iter().flatten() {
                if let Some(name) = ct.pointer("/metadata/name").and_then(Value::as_str) {
                    let mut schema = ct.pointer("/spec/parameters/openAPIV3Schema").cloned().unwrap_or(json!({"type": "object"}));
                    if rng.below(3) == 0 {
                        mutate_value(&mut schema, &mut rng, 0);
                    }
                    cluster_lists.insert(format!("{endpoint}/{name}/schema"), Ok(vec![schema]));
                }
            }
        }
        let ns = data["namespaces"].get(0).cloned().unwrap_or(Value::Null);
        if let Ok(out) = translate_namespace(&ns, &ns_lists, "openchoreo-users") {
            check_output(&out.entities, &format!("iteration {i} (namespace)"));
            entities += out.entities.len();
        }
        let out = translate_cluster(&cluster_lists, "openchoreo-users");
        check_output(&out.entities, &format!("iteration {i} (cluster)"));
        entities += out.entities.len();
    }
    eprintln!("fuzz: {iterations} mutated installations, {entities} entities checked in {:.1?}", started.elapsed());
}

#[test]
fn hostile_names_and_owners_still_give_valid_entities() {
    let long = "n".repeat(300);
    let ns = json!({"metadata": {"name": "acme"}});
    let mut lists: Lists = NAMESPACE_LISTS.iter().map(|e| (e.to_string(), Ok(vec![]))).collect();
    lists.insert("projects".into(), Ok(vec![json!({"metadata": {"name": long, "annotations": {"backstage.io/owner": "group:"}}})]));
    lists.insert(
        "components".into(),
        Ok(vec![json!({"metadata": {"name": "UPPER_case.name", "annotations": {"backstage.io/owner": "kind:/"}},
        "spec": {"owner": {"projectName": long}, "componentType": {"name": "proxy/Ünïcode type"}}})]),
    );
    lists.insert("environments".into(), Ok(vec![json!({"metadata": {"name": "prod env!"}, "spec": {"isProduction": "yes"}})]));
    let out = translate_namespace(&ns, &lists, "").unwrap();
    check_output(&out.entities, "hostile");
    let system = out.entities.iter().find(|e| e.kind == "System").unwrap();
    let component = out.entities.iter().find(|e| e.kind == "Component").unwrap();
    assert_eq!(component.doc()["spec"]["system"], system.doc()["metadata"]["name"], "the shortened project name is used consistently");
    assert_eq!(
        system.doc()["spec"]["owner"],
        "group:default/openchoreo-users",
        "a malformed owner annotation falls back to the default owner"
    );
    assert_eq!(component.doc()["spec"]["owner"], "group:default/openchoreo-users");
}

#[test]
fn a_namespace_backstage_cannot_hold_is_refused_with_a_reason() {
    let lists: Lists = NAMESPACE_LISTS.iter().map(|e| (e.to_string(), Ok(vec![]))).collect();
    let err = translate_namespace(&json!({"metadata": {"name": "Team_A"}}), &lists, "").unwrap_err();
    assert!(err.contains("Team_A") && err.contains("not a valid Backstage namespace"), "{err}");
}
