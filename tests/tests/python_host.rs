//! The transform component from another host: Python's `wasmtime` package instantiates it with an
//! empty Linker and translates the sample installation (tests/python/transform_host.py). Its entities,
//! relations included, must be the CLI's (the golden output of a real sync). The virtualenv is created
//! under target/ on first use, with a pinned wasmtime from PyPI.

use host_harness::fixture::Dataset;
use openchoreo_catalog_guest::kinds::template::Family;
use openchoreo_catalog_guest::scope::{CLUSTER_LISTS, CLUSTER_TEMPLATE_SOURCES, NAMESPACE_LISTS, TEMPLATE_SOURCES};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const WASMTIME_PY: &str = "wasmtime==50.0.1";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// `target/python-venv` with the wasmtime package, made once.
fn python() -> PathBuf {
    let venv = root().join("target/python-venv");
    let py = venv.join("bin/python");
    let ready = venv.join(".wasmtime-installed");
    if !ready.exists() {
        let status = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().expect("python3 runs");
        assert!(status.success(), "python3 -m venv {} failed", venv.display());
        let status =
            Command::new(&py).args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", WASMTIME_PY]).status().unwrap();
        assert!(status.success(), "pip install {WASMTIME_PY} failed");
        std::fs::write(&ready, WASMTIME_PY).unwrap();
    }
    py
}

/// The lists whose types' `/schema` the sync fetches.
fn fetched(sources: &[(&'static str, &str, Family)]) -> Vec<&'static str> {
    sources.iter().filter(|s| s.2.fetches_schema()).map(|s| s.0).collect()
}

/// The sample installation as the sync fetches it, each scope's lists with the types' schemas.
fn snapshot(data: &Dataset) -> Value {
    let lists = |items: &dyn Fn(&str) -> Vec<Value>, endpoints: &[&str], schema_sources: &[&str], prefix: &str| {
        let mut m = Map::new();
        for e in endpoints {
            m.insert(e.to_string(), Value::Array(items(e)));
        }
        for e in schema_sources {
            for t in items(e) {
                let name = t["metadata"]["name"].as_str().unwrap();
                let schema = data.schema(&format!("{prefix}{e}/{name}/schema")).unwrap();
                m.insert(format!("{e}/{name}/schema"), json!([schema]));
            }
        }
        Value::Object(m)
    };
    let mut scopes = Vec::new();
    for ns in &data.namespaces {
        let name = ns["metadata"]["name"].as_str().unwrap();
        let of = |e: &str| data.namespaced.get(name).and_then(|m| m.get(e)).cloned().unwrap_or_default();
        scopes.push(json!({
            "namespace": ns,
            "lists": lists(&of, &NAMESPACE_LISTS, &fetched(&TEMPLATE_SOURCES), &format!("/api/v1/namespaces/{name}/")),
        }));
    }
    let of = |e: &str| data.cluster.get(e).cloned().unwrap_or_default();
    scopes.push(json!({ "namespace": null, "lists": lists(&of, &CLUSTER_LISTS, &fetched(&CLUSTER_TEMPLATE_SOURCES), "/api/v1/") }));
    json!({ "defaultOwner": "", "scopes": scopes })
}

fn by_ref(docs: &[Value]) -> BTreeMap<String, &Value> {
    docs.iter()
        .map(|d| {
            let ns = d["metadata"]["namespace"].as_str().unwrap_or("default");
            (format!("{}:{}/{}", d["kind"].as_str().unwrap().to_lowercase(), ns, d["metadata"]["name"].as_str().unwrap()), d)
        })
        .collect()
}

#[test]
fn python_with_an_empty_linker_gets_the_clis_entities_and_relations() {
    let scratch = tempfile::Builder::new().prefix("openchoreo-python-").tempdir().unwrap();
    let dir = scratch.path();
    let snap = dir.join("snapshot.json");
    let component = dir.join("transform.wasm");
    std::fs::write(&component, host_harness::transform::TRANSFORM_COMPONENT).unwrap();
    std::fs::write(&snap, snapshot(&Dataset::sample()).to_string()).unwrap();
    let out = Command::new(python()).arg(root().join("tests/python/transform_host.py")).arg(&component).arg(&snap).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let golden: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/snapshots/sample-entities.json")).unwrap()).unwrap();
    let (got_entities, expected) = (by_ref(got["entities"].as_array().unwrap()), by_ref(&golden));
    assert_eq!(got_entities.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>(), "the same entities");
    for (r, doc) in &expected {
        assert_eq!(got_entities[r], *doc, "{r}");
    }
    let mut domain = expected["domain:default/default"].clone();
    domain.as_object_mut().unwrap().remove("relations");
    assert_eq!(got["domainAlone"], domain, "translate-resource gives the Domain the sync gives");
}
