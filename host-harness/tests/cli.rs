//! The CLI as users run it: exit codes, one-line reasons, output files, translate and demo.

use host_harness::fixture::{Dataset, FixtureApi, FixtureAuth};
use std::process::Command;
use std::time::Duration;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_openchoreo-catalog"));
    c.env("OPENCHOREO_LOG", "warn");
    c
}

fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("openchoreo-cli-{name}-")).tempdir().unwrap()
}

#[test]
fn demo_prints_the_summary_and_writes_entities() {
    let scratch = scratch("demo");
    let dir = scratch.path();
    let out = bin().current_dir(dir).arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Component                        5"), "{stdout}");
    assert!(stdout.contains("usesPipeline     deploymentpipeline:default/default"), "{stdout}");
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("out/demo-entities.json")).unwrap()).unwrap();
    assert_eq!(written.as_array().unwrap().len(), 40);
}

#[test]
fn sync_once_against_an_api_that_needs_a_token_fails_with_the_documented_line() {
    let auth = FixtureAuth { client_id: "a".into(), client_secret: "b".into(), token_ttl: Duration::from_secs(60) };
    let api = FixtureApi::start(Dataset::sample(), Some(auth), Duration::ZERO).unwrap();
    let scratch = scratch("sync-401");
    let dir = scratch.path();
    let cfg = dir.join("app-config.yaml");
    std::fs::write(&cfg, format!("openchoreo:\n  baseUrl: {}/api/v1\n  features:\n    auth:\n      enabled: false\n", api.base_url))
        .unwrap();
    let out = bin().args(["sync", "--once", "--config"]).arg(&cfg).arg("--output").arg(dir.join("e.json")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr.lines().last().unwrap();
    assert!(
        line.starts_with("error: Failed to fetch namespaces: 401 Unauthorized - missing or invalid authentication token (check that openchoreo.features.auth.enabled"),
        "{stderr}"
    );
    assert!(!dir.join("e.json").exists(), "nothing written on failure");
}

#[test]
fn sync_once_writes_yaml_with_relations() {
    let api = FixtureApi::start(Dataset::sample(), None, Duration::ZERO).unwrap();
    let scratch = scratch("sync-yaml");
    let dir = scratch.path();
    let cfg = dir.join("app-config.yaml");
    std::fs::write(&cfg, "openchoreo:\n  baseUrl: ${OC_URL}\n  features:\n    auth:\n      enabled: false\n").unwrap();
    let out = bin()
        .env("OC_URL", &api.base_url)
        .args(["sync", "--once", "--config"])
        .arg(&cfg)
        .arg("--output")
        .arg(dir.join("e.yaml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let yaml = std::fs::read_to_string(dir.join("e.yaml")).unwrap();
    assert_eq!(yaml.matches("---\n").count(), 40);
    assert!(yaml.contains("targetRef: clusterdataplane:openchoreo-cluster/default"));
}

#[test]
fn sync_once_without_output_checks_the_sync_and_writes_only_the_state() {
    let api = FixtureApi::start(Dataset::sample(), None, Duration::ZERO).unwrap();
    let scratch = scratch("sync-no-output");
    let dir = scratch.path();
    let cfg = dir.join("app-config.yaml");
    std::fs::write(&cfg, format!("openchoreo:\n  baseUrl: {}\n  features:\n    auth:\n      enabled: false\n", api.base_url)).unwrap();
    let out = bin()
        .current_dir(dir)
        .args(["sync", "--once", "--no-output", "--stats", "--config"])
        .arg(&cfg)
        .arg("--state")
        .arg(dir.join("state.json"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["entities"], 40);
    let state: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("state.json")).unwrap()).unwrap();
    assert_eq!(state["entities"].as_array().unwrap().len(), 40);
    assert!(!dir.join("openchoreo-entities.json").exists(), "no entities file");

    let both = bin().args(["sync", "--once", "--no-output", "--output", "e.json", "--config"]).arg(&cfg).output().unwrap();
    assert_eq!(both.status.code(), Some(2), "--no-output and --output together are refused");
    assert!(String::from_utf8_lossy(&both.stderr).contains("cannot be used with"), "{}", String::from_utf8_lossy(&both.stderr));
}

#[test]
fn config_errors_exit_non_zero_naming_the_key() {
    let scratch = scratch("bad-config");
    let dir = scratch.path();
    let cfg = dir.join("app-config.yaml");
    std::fs::write(
        &cfg,
        "openchoreo:\n  baseUrl: http://x\n  schedule:\n    timeout: {minutes: 2}\n  features: {auth: {enabled: false}}\n",
    )
    .unwrap();
    let out = bin().args(["sync", "--once", "--config"]).arg(&cfg).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("openchoreo.schedule.timeout must be a plain number of seconds"));
}

#[test]
fn translate_maps_one_resource_from_stdin() {
    use std::io::Write;
    let mut child = bin()
        .args(["translate", "--kind", "Environment", "--namespace", "acme"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(br#"{"metadata":{"name":"prod"},"spec":{"isProduction":true}}"#).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let docs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(docs[0]["kind"], "Environment");
    assert_eq!(docs[0]["spec"]["type"], "production");

    let mut child = bin()
        .args(["translate", "--kind", "Gadget"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"{}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported kind Gadget"));
}
