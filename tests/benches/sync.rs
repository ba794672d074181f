//! `just bench`: whole-sync figures for synthetic installations served over loopback with per-request
//! latency, plus the translation throughput of the component alone in wasmtime and in Node (jco).
//! Writes docs/benchmarks.md. Sizes: BENCH_SIZES (default "1000,10000,100000"); latency: BENCH_LATENCY_MS (2).
//!
//! Whole syncs run the release CLI in a child process (so the fixture's memory is not counted), one
//! size after the other, all in one run, so the figures compare side by side.

#[path = "floor.rs"]
mod floor;
#[path = "node_translate.rs"]
mod node_translate;

use host_harness::runtime::Runtime;
use host_harness::synthetic::{Shape, generate};
use integration_tests::translator::{ScopeInput, Translator};
use node_translate::NodeTranslator;
use serde_json::Value;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn cli() -> PathBuf {
    let p = root().join("target/release/openchoreo-catalog");
    assert!(p.exists(), "build the release CLI first: cargo build --release -p openchoreo-catalog-host (just bench does)");
    p
}

/// Each size's sync alone, fetch floor and sync with output are measured this many times, in turn;
/// the tables show the median of each.
const SYNC_RUNS: usize = 3;

struct SyncFigures {
    components: usize,
    /// `sync --once --no-output`: the sync alone.
    stats: Value,
    /// `sync --once --output`: the sync with the entities and their relations written.
    with_output: Value,
    /// The same requests replayed at the fetch floor ([`floor::replay`]), seconds.
    floor: f64,
}

/// One `sync --once --stats` against the fixture, with `args` added; its figures.
fn cli_sync(config: &Path, cache: &Path, args: &[&std::ffi::OsStr]) -> Value {
    let out = Command::new(cli())
        .env("OPENCHOREO_CACHE_DIR", cache)
        .env("OPENCHOREO_LOG", "warn")
        .args(["sync", "--once", "--stats", "--config"])
        .arg(config)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(out.stdout.split(|b| *b == b'\n').find(|l| l.starts_with(b"{")).unwrap()).unwrap()
}

fn whole_sync(components: usize, latency_ms: u64, dir: &Path) -> SyncFigures {
    let mut fixture = Command::new(cli())
        .args(["serve-fixture", "--synthetic", &components.to_string(), "--latency-ms", &latency_ms.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("fixture starts");
    let mut line = String::new();
    BufReader::new(fixture.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base: Value = serde_json::from_str(&line).unwrap();
    let config = dir.join(format!("bench-{components}.yaml"));
    std::fs::write(
        &config,
        format!(
            "openchoreo:\n  baseUrl: {}\n  schedule:\n    timeout: 600\n  features:\n    auth:\n      enabled: false\n",
            base["baseUrl"].as_str().unwrap()
        ),
    )
    .unwrap();
    let origin = base["baseUrl"].as_str().unwrap().to_string();
    let cache = dir.join("cache");
    let (mut alone, mut floors, mut with) = (Vec::new(), Vec::new(), Vec::new());
    let seen = || -> Vec<String> {
        let (_, seen) = host_harness::fixture::post(origin.trim_start_matches("http://"), "/__admin/requests", "");
        serde_json::from_str(&seen).unwrap()
    };
    flush_page_cache();
    for run in 0..SYNC_RUNS {
        let before = seen().len();
        let stats = cli_sync(&config, &cache, &["--no-output".as_ref()]);
        let paths = seen().split_off(before);
        assert_eq!(paths.len() as u64, stats["requests"].as_u64().unwrap(), "the fixture saw every request of the sync");
        floors.push(floor::replay(&origin, &paths).as_secs_f64());
        alone.push(stats);
        // A fresh file each time: replacing one the size of the output costs the kernel tens of
        // milliseconds of freeing its pages, which would blur the figures.
        let output = dir.join(format!("bench-{components}-{run}.json"));
        with.push(cli_sync(&config, &cache, &["--output".as_ref(), output.as_os_str()]));
        // Every run starts with no dirty pages: left to pile up (three 300 MB files at 100 000
        // components), they make the kernel throttle the next run's writes, seconds of disk state.
        std::fs::remove_file(&output).unwrap();
        flush_page_cache();
    }
    let median_by = |runs: &mut Vec<Value>, key: &str| {
        runs.sort_by(|a, b| a[key].as_f64().partial_cmp(&b[key].as_f64()).unwrap());
        runs[runs.len() / 2].clone()
    };
    let stats = median_by(&mut alone, "syncMs");
    let with_output = median_by(&mut with, "totalMs");
    floors.sort_by(f64::total_cmp);
    let floor = floors[floors.len() / 2];
    drop(fixture.stdin.take()); // closing stdin stops the fixture
    let _ = fixture.kill();
    let _ = fixture.wait();
    SyncFigures { components, stats, with_output, floor }
}

/// `sync(1)`: writes back whatever earlier runs left dirty, outside any timed part.
fn flush_page_cache() {
    let status = Command::new("sync").status().expect("sync(1) runs");
    assert!(status.success(), "sync(1) failed: {status}");
}

const TRANSLATE_RUNS: usize = 31;

/// Entities per second of `translate-scope`, the median and the best of the runs.
#[derive(Clone, Copy)]
struct Rate {
    median: f64,
    best: f64,
}

/// Node's figures, from calls interleaved with wasmtime's.
struct NodeFigures {
    rate: Rate,
    /// Medians, in ms: the round trip, the component call, reading the batch, the worker bridge.
    round_trip_ms: f64,
    call_ms: f64,
    unpack_ms: f64,
    bridge_ms: f64,
    /// The median over the runs of wasmtime's pure-call rate / Node's, each pair measured back to back.
    paired: f64,
    first_call_ms: f64,
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// The [`Rate`] of each wasmtime translator and Node's figures, the runs of all of them interleaved
/// so that they share the machine's noise. The best run is what the code can do; the median also
/// carries the machine's load.
fn translation_throughput(mut translators: Vec<Translator>, mut node: Option<NodeTranslator>) -> (usize, Vec<Rate>, Option<NodeFigures>) {
    let mut entities = 0;
    for t in &mut translators {
        entities = t.translate(); // warm-up (Node warmed itself up)
    }
    let mut rates = vec![Vec::new(); translators.len()];
    let mut node_calls = Vec::new();
    let mut paired = Vec::new();
    for _ in 0..TRANSLATE_RUNS {
        for (t, rates) in translators.iter_mut().zip(&mut rates) {
            let started = Instant::now();
            let n = t.translate();
            rates.push(n as f64 / started.elapsed().as_secs_f64());
        }
        if let Some(call) = node.as_mut().and_then(NodeTranslator::call) {
            let node_rate = node.as_ref().map_or(0, |n| n.entities) as f64 / (call.ms / 1000.0);
            paired.push(rates[0].last().copied().unwrap_or(f64::NAN) / node_rate);
            node_calls.push(call);
        }
    }
    let rate = |mut r: Vec<f64>| {
        r.sort_by(f64::total_cmp);
        Rate { median: r[r.len() / 2], best: r[r.len() - 1] }
    };
    let node = node.filter(|_| node_calls.len() == TRANSLATE_RUNS).map(|n| NodeFigures {
        rate: rate(node_calls.iter().map(|c| n.entities as f64 / (c.ms / 1000.0)).collect()),
        round_trip_ms: median(node_calls.iter().map(|c| c.ms).collect()),
        call_ms: median(node_calls.iter().map(|c| c.call_ms).collect()),
        unpack_ms: median(node_calls.iter().map(|c| c.unpack_ms).collect()),
        bridge_ms: median(node_calls.iter().map(|c| c.ms - c.call_ms - c.unpack_ms).collect()),
        paired: median(paired),
        first_call_ms: n.first_call_ms,
    });
    (entities, rates.into_iter().map(rate).collect(), node)
}

/// The snapshot Node translates: the same scope as wasmtime's translators.
fn write_snapshot(input: &ScopeInput, dir: &Path) -> PathBuf {
    let lists: Vec<Value> = input.lists.iter().map(|(endpoint, items)| serde_json::json!({"endpoint": endpoint, "items": items})).collect();
    let file = dir.join("bench-snapshot.json");
    std::fs::write(&file, serde_json::json!({ "namespace": &input.namespace, "lists": lists }).to_string()).unwrap();
    file
}

/// The provider's full run in a real Backstage backend (bench/backend.mjs): its JSON figures.
fn backstage_run(components: usize, latency_ms: u64) -> Option<Value> {
    let pkg = root().join("packages/catalog-backend-module-openchoreo");
    if !pkg.join("node_modules").exists() || !pkg.join("dist/component/catalog.js").exists() {
        return None;
    }
    let out = Command::new("node")
        .arg("--expose-gc")
        .arg(pkg.join("bench/backend.mjs"))
        .arg(cli())
        .arg(components.to_string())
        .arg(latency_ms.to_string())
        .output()
        .expect("node runs bench/backend.mjs");
    assert!(out.status.success(), "bench/backend.mjs failed: {}", String::from_utf8_lossy(&out.stderr));
    let line = out.stdout.split(|b| *b == b'\n').find(|l| l.starts_with(b"{")).expect("bench/backend.mjs prints its figures");
    Some(serde_json::from_slice(line).expect("bench/backend.mjs prints JSON"))
}

/// Wall time of one `translate` call of a Namespace: process start, component load, one mapping call.
fn cli_start(cache: &Path) -> f64 {
    let started = Instant::now();
    let mut child = Command::new(cli())
        .env("OPENCHOREO_CACHE_DIR", cache)
        .args(["translate", "--kind", "Namespace"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), br#"{"metadata":{"name":"acme"}}"#).unwrap();
    assert!(child.wait().unwrap().success());
    started.elapsed().as_secs_f64()
}

/// A sync against a closed port: it compiles the run code into `cache`, then fails at once.
fn compile_run_code(cache: &Path, dir: &Path) {
    let config = dir.join("nowhere.yaml");
    std::fs::write(&config, "openchoreo:\n  baseUrl: http://127.0.0.1:9\n  features:\n    auth:\n      enabled: false\n").unwrap();
    let out = Command::new(cli()).env("OPENCHOREO_CACHE_DIR", cache).args(["sync", "--once", "--config"]).arg(&config).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("Failed to fetch namespaces"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// (cold: the first start compiles the component into an empty cache; warm: median of 5 later starts).
fn startup(dir: &Path) -> (f64, f64) {
    let cache = dir.join("startup-cache");
    let cold = cli_start(&cache);
    let mut warm: Vec<f64> = (0..5).map(|_| cli_start(&cache)).collect();
    warm.sort_by(f64::total_cmp);
    (cold, warm[2])
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "1000,10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let latency: u64 = std::env::var("BENCH_LATENCY_MS").ok().and_then(|s| s.parse().ok()).unwrap_or(2);
    let dir = std::env::temp_dir().join(format!("openchoreo-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    // Translation first, in a fresh process: measured after the whole syncs (whose datasets leave
    // this process's heap large), its medians came out lower than in a run of translation alone.
    let data = generate(Shape::with_components(10_000));
    let input = ScopeInput::first_namespace(&data);
    let first = data.namespaces[0]["metadata"]["name"].as_str().unwrap();
    let snap_components = data.namespaced[first]["components"].len();
    eprintln!("translation throughput…");
    // BENCH_BASELINE_COMPONENT: another build's guest component (e.g. from a checkout of an earlier
    // commit), measured side by side with this one.
    let baseline = std::env::var("BENCH_BASELINE_COMPONENT").ok().map(PathBuf::from);
    let mut components = vec![Runtime::embedded()];
    if let Some(path) = &baseline {
        components.push(Runtime::new(&std::fs::read(path).unwrap()));
    }
    // This build's pure-call code, the same component as runs compile it (with epoch checks), then the baseline.
    let mut translators =
        vec![Translator::new(&components[0], &input).unwrap(), Translator::with_epoch_checks(&components[0], &input).unwrap()];
    translators.extend(components[1..].iter().map(|rt| Translator::new(rt, &input).unwrap()));
    let node = NodeTranslator::start(&root().join("packages/catalog-backend-module-openchoreo"), &write_snapshot(&input, &dir));
    let (snap_entities, rates, node) = translation_throughput(translators, node);
    let (wasm_rate, in_run_rate) = (rates[0], rates[1]);
    drop((input, data));

    let (cold_start, warm_start) = startup(&dir);
    // The syncs share one compile cache, warmed here for both the pure-call code (`translate`) and
    // the run code (a sync with nothing to reach), so they measure the sync and not cranelift.
    cli_start(&dir.join("cache"));
    compile_run_code(&dir.join("cache"), &dir);
    let mut figures = Vec::new();
    for &n in &sizes {
        eprintln!("whole sync, {n} components, {latency} ms latency…");
        figures.push(whole_sync(n, latency, &dir));
    }
    let backstage_size = 10_000;
    eprintln!("the provider in a Backstage backend, {backstage_size} components…");
    let backstage = backstage_run(backstage_size, latency);

    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Benchmarks\n\nProduced by `just bench` (`cargo build --release -p openchoreo-catalog-host && cargo bench -p integration-tests --bench sync`),"
    );
    let _ = writeln!(
        md,
        "all figures from one run. Machine: {} cores, {}; {}; wasmtime 48; {}.\n",
        nproc(),
        cpu_model(),
        rustc(),
        node_version()
    );
    let _ = writeln!(
        md,
        "## Whole sync (release CLI with a warm compile cache, fixture API on loopback, {latency} ms per request, 10 namespaces × 20 projects)\n"
    );
    let _ = writeln!(
        md,
        "| components | entities | requests | bytes received | fetch floor | sync alone | with output file | of which waiting for relations, writing | with output / floor | with output / sync alone | peak RSS, sync alone | peak RSS with output |"
    );
    let _ = writeln!(md, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for f in &figures {
        let (s, o) = (&f.stats, &f.with_output);
        let secs = |v: &Value, k: &str| v[k].as_f64().unwrap_or(0.0) / 1000.0;
        let mib = |v: &Value| v["peakRssKiB"].as_f64().unwrap_or(0.0) / 1024.0;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.1} MiB | {:.2} s | {:.2} s | {:.2} s | {:.2} s, {:.2} s | {:.2}× | {:.2}× | {:.0} MiB | {:.0} MiB |",
            f.components,
            s["entities"],
            s["requests"],
            s["bytesReceived"].as_f64().unwrap_or(0.0) / 1048576.0,
            f.floor,
            secs(s, "syncMs"),
            secs(o, "totalMs"),
            secs(o, "relationsWaitMs"),
            secs(o, "writeMs"),
            secs(o, "totalMs") / f.floor,
            secs(o, "totalMs") / secs(s, "syncMs"),
            mib(s),
            mib(o),
        );
    }
    let _ = writeln!(
        md,
        "\nThe fetch floor replays the sync's own requests, {} in flight, each list's pages in sequence (its cursor from the page before), and does nothing else: no sync can finish sooner. \"Sync alone\" is `sync --once --no-output`; \"with output file\" is `sync --once --output`, run next: the sync, with the relations of its entities computed on a second thread from the component's batched relation export as the component hands the entities over, then the file written (a new file), each document as the component wrote it with its relations spliced in; after the sync it waits for the relations of what the second thread has not yet seen, then writes. Each figure is the median of {SYNC_RUNS} runs, the three kinds measured in turn.",
        floor::IN_FLIGHT
    );
    match (&backstage, figures.iter().find(|f| f.components == backstage_size)) {
        (Some(b), Some(cli_run)) => {
            let cli_sync = cli_run.stats["syncMs"].as_f64().unwrap_or(1.0);
            let (first, steady, changed, reapplied) = (&b["first"], &b["steady"], &b["changed"], &b["reapplied"]);
            let ms = |v: &Value| v.as_f64().unwrap_or(0.0);
            let how = |v: &Value| match v["applied"].as_str() {
                Some("delta") => "applied as a delta of its changed scope",
                Some("full") => "applied in full",
                _ => "not applied",
            };
            let _ = writeln!(
                md,
                "\n## The provider in a Backstage backend ({backstage_size} components, the real catalog on SQLite in memory, the same fixture)\n\n| run | wall time | in the component (worker) | `applyMutation` | / CLI sync |\n|---|---:|---:|---:|---:|\n| at startup, into the empty catalog | | {} ms | {} ms | {:.2}× |\n| the 5 runs after it, nothing changed (median): not applied, the ledger shows the catalog holds it | {} ms | {} ms | not applied | {:.2}× |\n| steady: 5 such runs after 5 more (median) | {} ms | {} ms | not applied | **{:.2}×** |\n| the next run, after one Environment was added to the API: {} | {} ms | {} ms | {} | **{:.2}×** |\n| a run once `openchoreo.sync.reapplyAfter` (30 s here) has passed, nothing changed: {} | {} ms | {} ms | {} ms | {:.2}× |\n\nBackend RSS {} MiB before the later runs, {} MiB at their peak: {} MiB growth. The catalog was processing the first run's {} entities all through these runs, on the same two cores: it served {} of them when they began, {} when they ended. The component part is the sync itself (in a worker thread through jco, its HTTP in a second worker); just after startup V8 is still optimising both workers' hot code, hence the first runs. `applyMutation` is the catalog's own work: for the delta, the changed scope's entities, and what it removes (the provider knows what the scope held when it applied the scope as the ledger records it; a replica that did not reads it from the catalog, which waits behind the catalog's processing on SQLite's one connection); in full, all of them. Between full mutations (an hour apart by default) unchanged runs are not applied and changed ones apply their changed scopes.",
                ms(&b["initial"]["component"]),
                ms(&b["initial"]["catalog"]),
                (ms(&b["initial"]["component"]) + ms(&b["initial"]["catalog"])) / cli_sync,
                ms(&first["ms"]),
                ms(&first["component"]),
                ms(&first["ms"]) / cli_sync,
                ms(&steady["ms"]),
                ms(&steady["component"]),
                ms(&steady["ms"]) / cli_sync,
                how(changed),
                ms(&changed["ms"]),
                ms(&changed["component"]),
                match changed["readMs"].as_f64() {
                    Some(read) => format!("{} ms, of which {read} ms reading what the scope held", ms(&changed["catalog"])),
                    None => format!("{} ms (what the scope held known from the runs before: no read)", ms(&changed["catalog"])),
                },
                ms(&changed["ms"]) / cli_sync,
                how(reapplied),
                ms(&reapplied["ms"]),
                ms(&reapplied["component"]),
                ms(&reapplied["catalog"]),
                ms(&reapplied["ms"]) / cli_sync,
                b["rssBeforeMiB"],
                b["rssPeakMiB"],
                ms(&b["rssPeakMiB"]) - ms(&b["rssBeforeMiB"]),
                cli_run.stats["entities"],
                b["servedBefore"],
                b["servedAfter"],
            );
        }
        _ => {
            let _ = writeln!(
                md,
                "\n## The provider in a Backstage backend\n\nNot measured: run `npm run build --prefix packages/catalog-backend-module-openchoreo` first."
            );
        }
    }
    if let Some(f) = figures.iter().find(|f| f.components == 10_000) {
        let secs = f.stats["syncMs"].as_f64().unwrap_or(1.0) / 1000.0;
        let _ = writeln!(
            md,
            "\nAgainst the plugin we replace (its measured figures: about 36 s, 11 000 requests and 215 MiB for 10 000 components at 2 ms, measured on a machine of this kind, not in this run): **{:.0}× faster**, {:.0}× fewer requests, {:.1}× less peak memory.",
            36.0 / secs,
            11_000.0 / f.stats["requests"].as_f64().unwrap_or(1.0),
            215.0 * 1024.0 / f.stats["peakRssAfterSyncKiB"].as_f64().unwrap_or(1.0)
        );
    }
    let _ = writeln!(
        md,
        "\n## The component boundary (string bytes copied between host and component in one sync)\n\n| components | bytes received | copied into the component | / received | entity documents | copied out of the component | / documents |\n|---:|---:|---:|---:|---:|---:|---:|"
    );
    for f in &figures {
        let s = &f.stats;
        let mib = |k: &str| s[k].as_f64().unwrap_or(0.0) / 1048576.0;
        let _ = writeln!(
            md,
            "| {} | {:.1} MiB | {:.1} MiB | {:.3}× | {:.1} MiB | {:.1} MiB | {:.3}× |",
            f.components,
            mib("bytesReceived"),
            mib("boundaryBytesToGuest"),
            mib("boundaryBytesToGuest") / mib("bytesReceived"),
            mib("entityJsonBytes"),
            mib("boundaryBytesFromGuest"),
            mib("boundaryBytesFromGuest") / mib("entityJsonBytes"),
        );
    }
    let _ = writeln!(
        md,
        "\nEach response body goes in once and each entity document comes out once, as text: no JSON is re-serialised on either side of the boundary. The rest out is the batches' spans (36 bytes an entity) and scope names, request paths and log lines."
    );
    let _ = writeln!(
        md,
        "\n## Startup (`openchoreo-catalog translate` of one Namespace: process start, component load, one call)\n\n| | wall time |\n|---|---:|\n| cold (compiles the component into an empty cache) | {:.2} s |\n| warm (loads the compiled component from the cache; median of 5) | {:.3} s |\n\nCold / warm: {:.0}×.",
        cold_start,
        warm_start,
        cold_start / warm_start
    );
    let _ = writeln!(
        md,
        "\n## Translation alone (one namespace: {snap_components} components → {snap_entities} entities; {TRANSLATE_RUNS} calls in each host, interleaved, after warm-up calls: one in wasmtime, which compiles ahead of time, five in Node, whose V8 optimises hot wasm functions as they run)\n"
    );
    let row = |host: &str, r: Rate| format!("| {host} | {:.0} | {:.0} |", r.median, r.best);
    let _ = writeln!(md, "| host | entities per second, median | best |\n|---|---:|---:|");
    let _ = writeln!(md, "{}", row("wasmtime (a pure mapping call, as `translate` and the `transform` world make)", wasm_rate));
    let _ = writeln!(md, "{}", row("wasmtime, the code runs use (epoch checks for `schedule.timeout`)", in_run_rate));
    let baseline_rate = baseline.as_ref().zip(rates.get(2).copied());
    if let Some((path, base)) = baseline_rate {
        let name = path.file_name().unwrap_or(path.as_os_str()).to_string_lossy();
        let _ = writeln!(md, "{}", row(&format!("wasmtime, baseline component `{name}` (runs interleaved)"), base));
    }
    match &node {
        Some(n) => {
            let _ = writeln!(
                md,
                "{}\n\nwasmtime / Node: **{:.2}×** (the median of the {TRANSLATE_RUNS} ratios of a wasmtime call and the Node call right after it); {:.2}× (the medians).",
                row("Node (jco, in the worker)", n.rate),
                n.paired,
                wasm_rate.median / n.rate.median
            );
        }
        None => {
            let _ = writeln!(
                md,
                "| Node (jco) | not measured: run `npm run build --prefix packages/catalog-backend-module-openchoreo` first | |"
            );
        }
    }
    if let Some((_, base)) = baseline_rate {
        let _ = writeln!(
            md,
            "\nThis build / baseline in wasmtime (both pure mapping calls): {:.2}× (medians), {:.2}× (best).",
            wasm_rate.median / base.median,
            wasm_rate.best / base.best
        );
    }
    let _ = writeln!(md, "Pure-call code / the code runs use (medians): {:.2}×.", wasm_rate.median / in_run_rate.median);
    if let Some(n) = &node {
        node_breakdown(&mut md, n, snap_entities as f64 / wasm_rate.median * 1000.0);
    }
    print!("{md}");
    std::fs::write(root().join("docs/benchmarks.md"), md).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

fn nproc() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into())
}

fn rustc() -> String {
    Command::new("rustc").arg("--version").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default()
}

/// Where a Node translation's time goes, against the same call in wasmtime (`wasm_ms`). The worker
/// times the call and the reading of its batch itself; the bridge is the rest of each round trip.
fn node_breakdown(md: &mut String, n: &NodeFigures, wasm_ms: f64) {
    let (worker, call, unpack, bridge) = (n.round_trip_ms, n.call_ms, n.unpack_ms, n.bridge_ms);
    let share = |x: f64| 100.0 * x / worker;
    let _ = writeln!(
        md,
        "\nWhere Node's time goes (medians of 31 calls, so the parts need not add up exactly; the first call of a fresh worker apart):\n\n| part | ms | share of the round trip |\n|---|---:|---:|"
    );
    let _ = writeln!(
        md,
        "| the component call, timed in the worker: V8 running the wasm, jco lowering the snapshot and lifting the batch | {call:.1} | {:.0}% |",
        share(call)
    );
    let _ = writeln!(
        md,
        "| reading the batch's spans into entity strings (`src/wasm/batch.mjs`), in the worker | {unpack:.1} | {:.0}% |",
        share(unpack)
    );
    let _ =
        writeln!(md, "| the worker bridge: posting the snapshot to the worker and the answer back | {bridge:.1} | {:.0}% |", share(bridge));
    let _ = writeln!(md, "| **the round trip from the main thread** | **{worker:.1}** | 100% |");
    let _ = writeln!(md, "| the same call in wasmtime (pure-call code) | {wasm_ms:.1} | |");
    let _ = writeln!(
        md,
        "\nThe component call alone is {:.2}× wasmtime's. A fresh worker's first call takes {:.0} ms (compiling the wasm, V8's tiers not yet warm); the provider pays it once, at startup, with a warm-up call.",
        call / wasm_ms,
        n.first_call_ms,
    );
}

fn node_version() -> String {
    Command::new("node")
        .arg("--version")
        .output()
        .map(|o| format!("Node {}", String::from_utf8_lossy(&o.stdout).trim()))
        .unwrap_or_default()
}
