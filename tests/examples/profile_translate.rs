//! Profiling aid: check and translate one synthetic namespace (1000 components) natively, ITER times,
//! printing the split (checking the list texts, then parsing them into trees and translating).
//! `ITER=40 perf record target/release/examples/profile_translate` shows where the mapping spends
//! its time without wasm in the way. To profile the component itself, run any wasmtime host (the CLI,
//! the bench) with `OPENCHOREO_PERFMAP=1` under `perf record`: wasmtime then names the guest's
//! functions in the profile.

use host_harness::synthetic::{Shape, generate};
use openchoreo_catalog_guest::items::Items;
use openchoreo_catalog_guest::scope::{Lists, NAMESPACE_LISTS, translate_namespace};
use std::time::Instant;

fn main() {
    let data = generate(Shape::with_components(10_000));
    let ns = data.namespaces[0].clone();
    let name = ns["metadata"]["name"].as_str().unwrap().to_string();
    let texts: Vec<(String, String)> = NAMESPACE_LISTS
        .iter()
        .map(|e| (e.to_string(), serde_json::to_string(data.namespaced[&name].get(*e).map(Vec::as_slice).unwrap_or(&[])).unwrap()))
        .collect();
    for _ in 0..std::env::var("ITER").ok().and_then(|s| s.parse().ok()).unwrap_or(5) {
        let t0 = Instant::now();
        let lists: Lists = texts.iter().map(|(k, v)| (k.clone(), Ok(Items::from_json_array(v).unwrap()))).collect();
        let t1 = Instant::now();
        let out = translate_namespace(&ns, &lists, "").unwrap();
        let t2 = Instant::now();
        let n = out.entities.len();
        println!("check {:?} parse+translate {:?} entities {n} => {:.0}/s total", t1 - t0, t2 - t1, n as f64 / (t2 - t0).as_secs_f64());
    }
}
