//! Configuration mistakes are startup errors that name the key and say what to write instead.

use host_harness::app_config;
use host_harness::logging::Logger;
use host_harness::runner::Syncer;
use integration_tests::runtime;

fn start(yaml: &str) -> Result<Syncer, String> {
    let app = app_config::parse(yaml, &|k| (k == "OC_SECRET").then(|| "s".to_string())).map_err(|e| format!("{e:#}"))?;
    Syncer::new(runtime(), &app, Logger::capture(), None).map_err(|e| format!("{e:#}"))
}

#[test]
fn schedule_as_an_object_is_rejected_naming_the_key() {
    let err =
        start("openchoreo:\n  baseUrl: http://x\n  schedule:\n    frequency:\n      minutes: 1\n  features: {auth: {enabled: false}}\n")
            .err()
            .unwrap();
    assert!(err.contains("openchoreo.schedule.frequency must be a plain number of seconds"), "{err}");
}

#[test]
fn auth_enabled_without_credentials_is_an_error_not_a_silent_unauthenticated_run() {
    let err = start("openchoreo:\n  baseUrl: http://x\n").err().unwrap();
    assert!(err.contains("openchoreo.auth.clientId, openchoreo.auth.clientSecret, openchoreo.auth.tokenUrl are required"), "{err}");
    let err =
        start("openchoreo:\n  baseUrl: http://x\n  auth:\n    clientId: id\n    clientSecret: ${MISSING_VAR}\n    tokenUrl: http://idp\n")
            .err()
            .unwrap();
    assert!(err.contains("openchoreo.auth.clientSecret is required"), "{err}");
}

#[test]
fn missing_base_url_and_bad_values_are_named() {
    assert!(start("openchoreo:\n  features: {auth: {enabled: false}}\n").err().unwrap().contains("openchoreo.baseUrl is required"));
    assert!(
        start("openchoreo:\n  baseUrl: http://x\n  features: {auth: {enabled: maybe}}\n")
            .err()
            .unwrap()
            .contains("openchoreo.features.auth.enabled must be true or false")
    );
    assert!(start("other: {}\n").err().unwrap().contains("openchoreo section is missing"));
    assert!(start("openchoreo: [\n").err().unwrap().contains("not valid YAML"));
}

#[test]
fn defaults_and_env_substitution() {
    let s = start("openchoreo:\n  baseUrl: http://api:8080/api/v1/\n  auth:\n    clientId: id\n    clientSecret: ${OC_SECRET}\n    tokenUrl: http://idp/token\n").unwrap();
    assert_eq!((s.settings.frequency_seconds, s.settings.timeout_seconds, s.settings.auth_enabled), (30, 120, true));
    assert_eq!(s.settings.base_url, "http://api:8080");
}
