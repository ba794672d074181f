//! The scanner reads components and workloads exactly as their `serde_json` impls do, and declines
//! rather than guesses.

use openchoreo_catalog_guest::kinds::component_input::{Component, Workload};
use openchoreo_catalog_guest::scan::{Declined, Scan, Scanner};
use serde::Deserialize;
use serde_json::{Value, json};
use std::fmt::Debug;

/// Both readers on one text, as components and as workloads: where the scanner reads, `serde_json`
/// must read the same values. `Err` when the scanner declined either.
fn agree(text: &str) -> Result<(), Declined> {
    let components = agree_as::<Component>(text);
    let workloads = agree_as::<Workload>(text);
    components.and(workloads)
}

fn agree_as<'a, T: Scan<'a> + Deserialize<'a> + PartialEq + Debug>(text: &'a str) -> Result<(), Declined> {
    let scanned = Scanner::items::<T>(text)?;
    let parsed: Vec<T> = serde_json::from_str(text).unwrap_or_else(|e| panic!("scanner read what serde_json refuses ({e}): {text}"));
    assert_eq!(scanned, parsed, "{text}");
    Ok(())
}

fn sample_lists() -> Vec<Value> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../host-harness/fixtures/sample-api.json")).unwrap();
    let sample: Value = serde_json::from_str(&text).unwrap();
    let mut lists = Vec::new();
    for lists_of_ns in sample["namespaced"].as_object().unwrap().values() {
        lists.extend(lists_of_ns.as_object().unwrap().values().cloned());
    }
    lists.extend(sample["cluster"].as_object().unwrap().values().cloned());
    lists
}

#[test]
fn every_list_of_the_sample_installation_is_scanned_and_reads_as_serde_json_reads_it() {
    let lists = sample_lists();
    assert!(lists.len() > 10, "{} lists", lists.len());
    for list in lists {
        for text in [serde_json::to_string(&list).unwrap(), serde_json::to_string_pretty(&list).unwrap()] {
            assert_eq!(agree(&text), Ok(()), "the scanner declined an ordinary list: {text}");
        }
    }
}

#[test]
fn wrong_types_duplicates_and_escapes_read_the_same_way() {
    let texts = [
        json!([{ "metadata": "not an object", "spec": [1, 2, { "owner": {} }], "status": 7 }]),
        json!([{ "metadata": { "name": ["x"], "uid": 12, "annotations": { "openchoreo.dev/display-name": { "deep": [[{}]] } } } }]),
        json!([{ "spec": { "componentType": "deployment/service", "owner": { "projectName": "p\n\"q\"\u{e9}" } } }]),
        json!([{ "spec": { "componentType": { "kind": 3, "name": "x" } } }, { "spec": { "componentType": null } }, { "spec": { "componentType": true } }]),
        json!([{ "spec": { "endpoints": { "a": { "port": -1 }, "b": { "port": 9223372036854775808u64 }, "c": { "port": "80" }, "d": 1 } } }]),
        json!([{ "spec": { "endpoints": [], "dependencies": { "endpoints": [{ "component": "c", "name": 5 }, "x", null], "resources": {} } } }]),
        json!([null, 1, "s", [], {}, true]),
        json!([]),
    ];
    for value in texts {
        let text = serde_json::to_string(&value).unwrap();
        assert_eq!(agree(&text), Ok(()), "{text}");
    }
    // Texts only a hand can write: duplicate keys, escaped keys, whitespace everywhere.
    let endpoints: String = (0..20).map(|i| format!("\"e{}\":{{\"port\":{i}}},", i % 17)).collect();
    for text in [
        r#"[{"metadata":{"name":"first","name":"last"},"metadata":{"uid":"only the last object counts"}}]"#.to_string(),
        r#"[{"spec":{"endpoints":{"a":{"port":1},"b":{"port":2},"a":{"port":3}}}}]"#.to_string(),
        format!(r#"[{{"spec":{{"endpoints":{{{endpoints}"e3":{{"port":-3}}}}}}}}]"#),
        r#"[{"met\u0061data":{"n\u0061me":"escaped keys \/ match"}}]"#.to_string(),
        " \n[ { \"metadata\" : { \"name\" : \"spaced\" } } , { } ]\t\r\n".to_string(),
    ] {
        assert_eq!(agree(&text), Ok(()), "{text}");
    }
}

#[test]
fn what_the_scanner_is_unsure_of_is_declined_for_serde_json_to_decide() {
    for text in [
        r#"[{"spec":{"endpoints":{"a":{"port":8080.0}}}}]"#,
        r#"[{"metadata":{"name":1e400}}]"#,
        r#"[{"metadata":{"name":"\ud83d\ude00"}}]"#,
        r#"[{"metadata":{"name":"x"}},]"#,
        r#"[{"metadata":{"name":"x"}}] trailing"#,
        r#"{"not":"an array"}"#,
        "[{\"metadata\":{\"name\":\"raw \u{1} control\"}}]",
        "",
    ] {
        assert_eq!(agree(text), Err(Declined), "{text}");
    }
    // Nesting deeper than the scanner tracks, in a field nothing reads: declined, and serde_json
    // (which ignores it without a limit) still reads the item.
    let deep = format!("[{{\"metadata\":{{\"name\":\"c\"}},\"extra\":{}1{}}}]", "[".repeat(200), "]".repeat(200));
    assert_eq!(agree(&deep), Err(Declined));
    assert_eq!(serde_json::from_str::<Vec<Component>>(&deep).unwrap()[0].metadata.name.get(), Some("c"));
}
