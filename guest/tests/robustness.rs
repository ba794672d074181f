//! Bad input never panics and never produces an entity Backstage would reject. A deterministic
//! mutation fuzzer (seeded PRNG, stable toolchain, bounded by FUZZ_ITERATIONS, default 3000) mutates
//! the sample installation and runs every mapping entry point; every emitted entity is checked against
//! Backstage's naming rules and every relation ref must parse.

use openchoreo_catalog_guest::items::Items;
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

fn check_entity(doc: &Value) -> Result<(), String> {
    openchoreo_catalog_guest::validate::entity(doc)
}

fn check_ref(r: &str) -> bool {
    openchoreo_catalog_guest::validate::is_full_ref(r)
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
        let ns_lists: Lists = NAMESPACE_LISTS
            .iter()
            .map(|e| (e.to_string(), list(&data["namespaced"]["default"][e]).map(Items::from).or_else(|_| Ok(Items::new()))))
            .collect();
        let mut cluster_lists: Lists = CLUSTER_LISTS
            .iter()
            .map(|e| (e.to_string(), list(&data["cluster"][e]).map(Items::from).or_else(|_| Ok(Items::new()))))
            .collect();
        // Every listed type gets a (possibly mutated) schema, so Templates are fuzzed too.
        for (endpoint, _, _) in CLUSTER_TEMPLATE_SOURCES {
            for ct in data["cluster"][endpoint].as_array().into_iter().flatten() {
                if let Some(name) = ct.pointer("/metadata/name").and_then(Value::as_str) {
                    let mut schema = ct.pointer("/spec/parameters/openAPIV3Schema").cloned().unwrap_or(json!({"type": "object"}));
                    if rng.below(3) == 0 {
                        mutate_value(&mut schema, &mut rng, 0);
                    }
                    cluster_lists.insert(format!("{endpoint}/{name}/schema"), Ok(Items::from(vec![schema])));
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
    let mut lists: Lists = NAMESPACE_LISTS.iter().map(|e| (e.to_string(), Ok(Items::new()))).collect();
    lists.insert(
        "projects".into(),
        Ok(Items::from(vec![json!({"metadata": {"name": long, "annotations": {"backstage.io/owner": "group:"}}})])),
    );
    lists.insert(
        "components".into(),
        Ok(Items::from(vec![json!({"metadata": {"name": "UPPER_case.name", "annotations": {"backstage.io/owner": "kind:/"}},
        "spec": {"owner": {"projectName": long}, "componentType": {"name": "proxy/Ünïcode type"}}})])),
    );
    lists.insert("environments".into(), Ok(Items::from(vec![json!({"metadata": {"name": "prod env!"}, "spec": {"isProduction": "yes"}})])));
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
    let lists: Lists = NAMESPACE_LISTS.iter().map(|e| (e.to_string(), Ok(Items::new()))).collect();
    let err = translate_namespace(&json!({"metadata": {"name": "Team_A"}}), &lists, "").unwrap_err();
    assert!(err.contains("Team_A") && err.contains("not a valid Backstage namespace"), "{err}");
}

#[test]
fn pathological_values_are_skipped_with_a_clear_error_and_nothing_else_is_lost() {
    let traits: Vec<Value> = (0..100_000).map(|i| json!({"kind": "Trait", "name": format!("trait-number-{i}")})).collect();
    let mut lists: Lists = NAMESPACE_LISTS.iter().map(|e| (e.to_string(), Ok(Items::new()))).collect();
    lists.insert(
        "componenttypes".into(),
        Ok(Items::from(vec![
            json!({"metadata": {"name": "huge"}, "spec": {"allowedTraits": traits}}),
            json!({"metadata": {"name": "normal"}}),
        ])),
    );
    let huge_string = "x".repeat(5 << 20);
    lists.insert(
        "projects".into(),
        Ok(Items::from(vec![
            json!({"metadata": {"name": "p", "annotations": {"openchoreo.dev/description": huge_string}}}),
            json!({"metadata": {"name": "q"}}),
        ])),
    );
    let out = translate_namespace(&json!({"metadata": {"name": "acme"}}), &lists, "").unwrap();
    let names: Vec<(&str, &str)> = out.entities.iter().map(|e| (e.kind, e.name.as_str())).collect();
    assert!(names.contains(&("ComponentType", "normal")) && names.contains(&("System", "q")), "{names:?}");
    assert!(!names.contains(&("ComponentType", "huge")) && !names.contains(&("System", "p")));
    let skipped: Vec<String> = out.skipped.iter().map(|d| format!("{}: {}", d.location, d.message)).collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(
        skipped
            .iter()
            .any(|s| s.starts_with("acme/ComponentType/huge: the ComponentType entity would be") && s.contains("over the 4 MiB limit"))
    );
    assert!(skipped.iter().any(|s| s.starts_with("acme/System/p: the System entity would be")));
    assert!(out.stale.is_empty(), "the scopes themselves are fine: {:?}", out.stale);
}

#[test]
fn a_list_of_ten_to_the_five_items_maps_completely() {
    let components: Vec<Value> =
        (0..100_000).map(|i| json!({"metadata": {"name": format!("c{i}")}, "spec": {"owner": {"projectName": "p"}}})).collect();
    let mut lists: Lists = NAMESPACE_LISTS.iter().map(|e| (e.to_string(), Ok(Items::new()))).collect();
    lists.insert("projects".into(), Ok(Items::from(vec![json!({"metadata": {"name": "p"}})])));
    lists.insert("components".into(), Ok(components.into()));
    let out = translate_namespace(&json!({"metadata": {"name": "acme"}}), &lists, "").unwrap();
    assert_eq!(out.entities.iter().filter(|e| e.kind == "Component").count(), 100_000);
    assert!(out.skipped.is_empty());
    check_output(&out.entities[..50], "10^5 components");
}
