//! The `transform` component: the mapping with no imports of ours, usable by any portal.

use host_harness::batch;
use host_harness::runtime::Limits;
use host_harness::transform::{TRANSFORM_COMPONENT, Transform, wit_mapping};
use openchoreo_catalog_guest::scope::NAMESPACE_LISTS;

#[test]
fn translates_a_scope_snapshot_without_any_host_imports() {
    let mut t = Transform::new(TRANSFORM_COMPONENT, Limits::default()).expect("instantiates with WASI only");
    let list = |endpoint: &str, items: &str| wit_mapping::ListResponse {
        endpoint: endpoint.into(),
        outcome: wit_mapping::ListOutcome::Items(items.into()),
    };
    let mut lists: Vec<wit_mapping::ListResponse> =
        NAMESPACE_LISTS.iter().filter(|e| !["projects", "components", "workloads"].contains(e)).map(|e| list(e, "[]")).collect();
    lists.push(list("projects", r#"[{"metadata":{"name":"shop"}}]"#));
    lists.push(list("components", r#"[{"metadata":{"name":"orders"},"spec":{"owner":{"projectName":"shop"}}}]"#));
    lists.push(wit_mapping::ListResponse { endpoint: "workloads".into(), outcome: wit_mapping::ListOutcome::Failed("503".into()) });
    let snapshot = wit_mapping::ScopeSnapshot {
        scope: wit_mapping::ScopeRef::Namespace(r#"{"metadata":{"name":"acme"}}"#.into()),
        lists,
        default_owner: String::new(),
    };
    let out = t.translate_scope(&snapshot).unwrap().unwrap();
    let entities = batch::unpack(&out.entities).unwrap();
    let names: Vec<[&str; 4]> = entities.iter().map(|e| [e.kind, e.namespace, e.name, e.scope]).collect();
    assert_eq!(names, vec![["Domain", "default", "acme", "ns/acme/namespace"], ["System", "acme", "shop", "ns/acme/projects"]]);
    assert_eq!(out.stale.iter().map(|s| s.scope.as_str()).collect::<Vec<_>>(), vec!["ns/acme/components"]);
    let rels = t.relations(entities[1].json).unwrap().unwrap();
    assert!(rels.iter().any(|r| r.type_ == "partOf" && r.target == "domain:default/acme"));
}

#[test]
fn a_list_that_is_not_a_json_array_fails_the_call_naming_its_endpoint() {
    let mut t = Transform::new(TRANSFORM_COMPONENT, Limits::default()).unwrap();
    // Components and workloads are checked while they are parsed, the other lists before; both
    // must fail the same way.
    for (endpoint, text, why) in [
        ("components", "[{\"metadata\":", "EOF while parsing"),
        ("workloads", r#"{"items":[]}"#, "expected a JSON array of items"),
        ("environments", "[1,]", "trailing comma"),
    ] {
        let lists = NAMESPACE_LISTS
            .iter()
            .map(|e| wit_mapping::ListResponse {
                endpoint: e.to_string(),
                outcome: wit_mapping::ListOutcome::Items(if *e == endpoint { text.into() } else { "[]".into() }),
            })
            .collect();
        let snapshot = wit_mapping::ScopeSnapshot {
            scope: wit_mapping::ScopeRef::Namespace(r#"{"metadata":{"name":"acme"}}"#.into()),
            lists,
            default_owner: String::new(),
        };
        match t.translate_scope(&snapshot).unwrap() {
            Err(host_harness::transform::MappingError::InvalidInput(m)) => {
                assert!(m.starts_with(&format!("{endpoint}: ")) && m.contains(why), "{endpoint}: {m}")
            }
            other => panic!("{endpoint}: expected invalid-input, got {other:?}"),
        }
    }
}
