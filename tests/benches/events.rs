//! `just bench-events`: from an OpenChoreo change event to the CLI's output rewritten, with a synthetic
//! installation served over loopback with per-request latency, and what a burst of events costs.
//! Writes docs/benchmarks-events.md. Size: BENCH_EVENT_COMPONENTS (default 10000); latency:
//! BENCH_LATENCY_MS (2); events measured: BENCH_EVENTS (20).

use host_harness::fixture::{KillOnDrop, post, spawn_events_listener};
use host_harness::synthetic::{Shape, generate};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn cli() -> PathBuf {
    let p = root().join("target/release/openchoreo-catalog");
    assert!(p.exists(), "build the release CLI first: cargo build --release -p openchoreo-catalog-host (just bench-events does)");
    p
}

fn modified(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let env = |k: &str, d: usize| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
    let (components, latency, events) = (env("BENCH_EVENT_COMPONENTS", 10_000), env("BENCH_LATENCY_MS", 2), env("BENCH_EVENTS", 20));
    let dir = std::env::temp_dir().join(format!("openchoreo-bench-events-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let mut fixture = Command::new(cli())
        .args(["serve-fixture", "--synthetic", &components.to_string(), "--latency-ms", &latency.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(fixture.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let _fixture = KillOnDrop(fixture);
    let base: Value = serde_json::from_str(&line).unwrap();
    let base_url = base["baseUrl"].as_str().unwrap().to_string();
    let api_host = base_url.trim_start_matches("http://").to_string();

    let (config, output) = (dir.join("events.yaml"), dir.join("entities.json"));
    std::fs::write(
        &config,
        format!("openchoreo:\n  baseUrl: {base_url}\n  schedule:\n    frequency: 3600\n    timeout: 600\n  features:\n    auth:\n      enabled: false\n"),
    )
    .unwrap();
    let (_sync, listen) = spawn_events_listener(
        Command::new(cli())
            .env("OPENCHOREO_LOG", "info")
            .env("OPENCHOREO_CACHE_DIR", dir.join("cache"))
            .args(["sync", "--events-listen", "127.0.0.1:0", "--config"])
            .arg(&config)
            .arg("--output")
            .arg(&output),
    );
    let started = Instant::now();
    while modified(&output).is_none() {
        assert!(started.elapsed() < Duration::from_secs(600), "the first full sync finished");
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!("first full sync and output: {:.2} s", started.elapsed().as_secs_f64());

    // Each event follows a real change: one workload's HTTP endpoint (and so its API) comes and goes.
    let data = generate(Shape::with_components(components));
    let ns = data.namespaces[0]["metadata"]["name"].as_str().unwrap().to_string();
    let workloads = data.namespaced[&ns]["workloads"].clone();
    let changed = |on: bool| {
        let mut w = workloads.clone();
        if !on {
            w[0]["spec"]["endpoints"].as_object_mut().unwrap().remove("http");
        }
        json!({ "path": format!("/api/v1/namespaces/{ns}/workloads"), "items": w }).to_string()
    };
    let name = workloads[0]["metadata"]["name"].as_str().unwrap().to_string();
    let event = json!({ "kind": "Workload", "name": name, "namespace": ns, "action": "updated" }).to_string();
    let quiet = host_harness::coalesce::QUIET + Duration::from_millis(500);
    let mut latencies = Vec::new();
    for i in 0..events {
        assert_eq!(post(&api_host, "/__admin/list", &changed(i % 2 == 1)).0, 200);
        let before = modified(&output);
        let sent = Instant::now();
        assert_eq!(post(&listen, "/api/events/http/openchoreo", &event).0, 202);
        while modified(&output) == before {
            assert!(sent.elapsed() < Duration::from_secs(60), "the output changed after event {i}");
            std::thread::sleep(Duration::from_millis(2));
        }
        latencies.push(sent.elapsed().as_secs_f64());
        std::thread::sleep(quiet); // the trailing re-fetch finds nothing new and leaves the output alone
    }
    latencies.sort_by(f64::total_cmp);

    // A burst of 50 events on one namespace: what it costs in requests.
    let requests_so_far = || serde_json::from_str::<Vec<String>>(&post(&api_host, "/__admin/requests", "{}").1).unwrap();
    let before = requests_so_far().len();
    for _ in 0..50 {
        assert_eq!(post(&listen, "/api/events/http/openchoreo", &event).0, 202);
    }
    std::thread::sleep(quiet + Duration::from_secs(1));
    let burst: Vec<String> = requests_so_far()[before..].to_vec();
    // Every re-fetch of a namespace reads its own resource once (its list pages are many).
    let refetches = burst.iter().filter(|p| **p == format!("/api/v1/namespaces/{ns}")).count();
    let (p50, p95) = (percentile(&latencies, 0.5), percentile(&latencies, 0.95));

    let mut md = String::new();
    md.push_str("# Event benchmarks\n\nWritten by `just bench-events` (`tests/benches/events.rs`); do not edit by hand.\n\n");
    md.push_str(&format!(
        "One OpenChoreo change event (a workload's endpoint added or removed, then the event POSTed to `sync --events-listen`) to the CLI's output file rewritten, at {components} components in 10 namespaces, {latency} ms per API request, {events} events one after the other (each after the previous burst's trailing re-fetch):\n\n"
    ));
    md.push_str("| p50 | p95 | best | worst |\n|---:|---:|---:|---:|\n");
    md.push_str(&format!(
        "| {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms |\n\n",
        p50 * 1e3,
        p95 * 1e3,
        latencies[0] * 1e3,
        latencies[latencies.len() - 1] * 1e3
    ));
    md.push_str(&format!(
        "A burst of 50 events on one namespace: {refetches} re-fetches of it (one at once, one after the burst), {} requests in all, every one to that namespace.\n\n",
        burst.len()
    ));
    md.push_str("The time includes re-fetching the namespace's lists and rewriting the whole output file with relations (the output path is measured in `docs/benchmarks.md`).\n");
    std::fs::write(root().join("docs/benchmarks-events.md"), &md).unwrap();
    print!("{md}");
    let _ = std::fs::remove_dir_all(&dir);
}
