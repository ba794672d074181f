//! Profiling aid: check and translate one synthetic namespace (1000 components) ITER times.
//!
//! Natively (the default) it prints the split: checking the list texts, then parsing them into trees
//! and translating. `ITER=40 perf record target/release/examples/profile_translate` shows where the
//! mapping spends its time without wasm in the way.
//!
//! `WASM=1` calls `translate-scope` of the embedded component in wasmtime instead (`WASM=path.wasm`
//! for another build, of this interface or of 0.1.0; a comma-separated list compares builds side by side,
//! calls interleaved), as the bench's translation figure does. Under `perf record`, add
//! `OPENCHOREO_PERFMAP=1` so that wasmtime names the guest's functions in the profile.

use host_harness::runtime::Runtime;
use host_harness::synthetic::{Shape, generate};
use integration_tests::translator::{ScopeInput, Translator};
use openchoreo_catalog_guest::items::Items;
use openchoreo_catalog_guest::scope::{Lists, translate_namespace};
use std::time::Instant;

fn main() {
    let input = ScopeInput::first_namespace(&generate(Shape::with_components(10_000)));
    let iterations = std::env::var("ITER").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    match std::env::var("WASM") {
        Ok(wasm) => in_wasmtime(&wasm, &input, iterations),
        Err(_) => natively(&input, iterations),
    }
}

fn natively(input: &ScopeInput, iterations: usize) {
    let ns: serde_json::Value = serde_json::from_str(&input.namespace).unwrap();
    for _ in 0..iterations {
        let t0 = Instant::now();
        let lists: Lists = input.lists.iter().map(|(k, v)| (k.clone(), Ok(Items::from_json_array(v).unwrap()))).collect();
        let t1 = Instant::now();
        let out = translate_namespace(&ns, &lists, "").unwrap();
        let t2 = Instant::now();
        let n = out.entities.len();
        println!("check {:?} parse+translate {:?} entities {n} => {:.0}/s total", t1 - t0, t2 - t1, n as f64 / (t2 - t0).as_secs_f64());
    }
}

fn in_wasmtime(wasm: &str, input: &ScopeInput, iterations: usize) {
    let mut instances: Vec<Translator> = wasm
        .split(',')
        .map(|w| {
            let runtime = if w == "1" { Runtime::embedded() } else { Runtime::new(&std::fs::read(w).unwrap()) };
            Translator::new(&runtime, input).unwrap()
        })
        .collect();
    let mut times = vec![Vec::new(); instances.len()];
    let mut entities = 0;
    for _ in 0..iterations {
        for (instance, times) in instances.iter_mut().zip(&mut times) {
            let t = Instant::now();
            entities = instance.translate();
            times.push(t.elapsed());
        }
    }
    for (w, mut t) in wasm.split(',').zip(times) {
        t.sort();
        let rate = |d: std::time::Duration| entities as f64 / d.as_secs_f64();
        println!(
            "{w}: translate-scope of {entities} entities: min {:?} ({:.0}/s), median {:?} ({:.0}/s)",
            t[0],
            rate(t[0]),
            t[t.len() / 2],
            rate(t[t.len() / 2])
        );
    }
}
