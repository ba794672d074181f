//! A hostile API against the CLI as users run it: lists whose bodies never end and a list whose pages
//! never end. The run still completes, each such list fails alone naming its limit, the rest of the
//! installation maps, and the process stays within the documented memory: the component's cap, the
//! host's response budget and the process itself (README, "Security and limits").

use host_harness::fixture::{Dataset, Fault, FaultKind, FixtureApi};
use host_harness::http_client::{BATCH_BUDGET, MAX_BODY};
use std::process::Command;
use std::time::{Duration, Instant};

const GUEST_CAP_MIB: u64 = 768;
/// The process without any data: its code, wasmtime and the compiled component.
const PROCESS_BASE_MIB: u64 = 160;

#[test]
fn a_hostile_api_cannot_grow_the_process_past_its_stated_memory_or_fail_the_whole_run() {
    let api = FixtureApi::start(Dataset::sample(), None, Duration::ZERO).unwrap();
    for path in ["/api/v1/namespaces/default/workflows", "/api/v1/namespaces/default/resourcetypes", "/api/v1/clusterworkflows"] {
        api.add_fault(Fault { path: path.into(), kind: FaultKind::Endless, times: None });
    }
    api.add_fault(Fault { path: "/api/v1/namespaces/default/traits".into(), kind: FaultKind::Bloat, times: None });
    let scratch = tempfile::Builder::new().prefix("openchoreo-hostile-memory-").tempdir().unwrap();
    let dir = scratch.path();
    let cfg = dir.join("app-config.yaml");
    std::fs::write(&cfg, format!("openchoreo:\n  baseUrl: {}/api/v1\n  features:\n    auth:\n      enabled: false\n", api.base_url))
        .unwrap();

    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_openchoreo-catalog"))
        .env("OPENCHOREO_LOG", "warn")
        .args(["sync", "--once", "--stats", "--config"])
        .arg(&cfg)
        .arg("--output")
        .arg(dir.join("entities.json"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the run completes: {stderr}");
    assert!(started.elapsed() < Duration::from_secs(120), "took {:?}", started.elapsed());

    let line = |needle: &str| stderr.lines().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("no line with {needle:?} in {stderr}"));
    let bloated = line("Keeping the last good entities of ns/default/traits");
    assert!(bloated.contains("traits for namespace default") && bloated.contains("at most 256 MiB in the component"), "{bloated}");
    let endless = line("Keeping the last good entities of cluster/workflows");
    assert!(
        endless.contains(&format!("response larger than {MAX_BODY} bytes")) || endless.contains("response budget"),
        "an endless body is cut at the cap per response or at the batch budget: {endless}"
    );
    assert_eq!(stderr.lines().count(), stderr.lines().filter(|l| !l.contains('\r')).count());

    let written: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(dir.join("entities.json")).unwrap()).unwrap();
    assert_eq!(written.iter().filter(|e| e["kind"] == "Component").count(), 5, "the lists that answered still map");

    let stats: serde_json::Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    let peak_mib = stats["peakRssKiB"].as_u64().unwrap() / 1024;
    let bound = GUEST_CAP_MIB + (BATCH_BUDGET >> 20) + PROCESS_BASE_MIB;
    eprintln!("hostile run: peak RSS {peak_mib} MiB (bound {bound} MiB), {:?}", started.elapsed());
    assert!(peak_mib < bound, "peak RSS {peak_mib} MiB, more than the component's cap, the response budget and the process ({bound} MiB)");
}
