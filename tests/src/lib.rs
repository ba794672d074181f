//! Shared set-up for the integration tests: one compiled component per test process, the fixture
//! OpenChoreo API with a real token endpoint, and a syncer wired to it.

pub mod template_server;
pub mod translator;

use host_harness::app_config;
use host_harness::fixture::{Dataset, FixtureApi, FixtureAuth};
use host_harness::http_client::HttpSettings;
use host_harness::logging::Logger;
use host_harness::runner::Syncer;
use host_harness::runtime::Runtime;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub const CLIENT_ID: &str = "openchoreo-backstage-client";
pub const CLIENT_SECRET: &str = "backstage-portal-secret-7d1f";

pub fn runtime() -> Arc<Runtime> {
    static RT: OnceLock<Arc<Runtime>> = OnceLock::new();
    RT.get_or_init(|| Arc::new(Runtime::embedded())).clone()
}

pub fn fixture_auth() -> FixtureAuth {
    FixtureAuth { client_id: CLIENT_ID.into(), client_secret: CLIENT_SECRET.into(), token_ttl: Duration::from_secs(3600) }
}

/// The sample installation behind a real token endpoint.
pub fn sample_api() -> FixtureApi {
    FixtureApi::start(Dataset::sample(), Some(fixture_auth()), Duration::ZERO).expect("fixture starts")
}

pub fn app_config_yaml(api: &FixtureApi, extra: &str) -> String {
    format!(
        "openchoreo:\n  baseUrl: {}/api/v1\n  auth:\n    clientId: {CLIENT_ID}\n    clientSecret: {CLIENT_SECRET}\n    tokenUrl: {}\n{extra}",
        api.base_url,
        api.token_url()
    )
}

/// Short backoffs so fault tests run quickly; timeouts stay generous enough for a loaded 2-core CI
/// machine running tests in parallel (injected hangs are longer than `request_timeout`).
pub fn fast_http() -> HttpSettings {
    HttpSettings {
        request_timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(1),
        base_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(100),
        ..HttpSettings::default()
    }
}

pub fn syncer(api: &FixtureApi, extra: &str, logger: Logger, state: Option<PathBuf>) -> Syncer {
    let app = app_config::parse(&app_config_yaml(api, extra), &|_| None).expect("config parses");
    Syncer::new(runtime(), &app, logger, state).expect("config is valid").with_http_settings(fast_http())
}

/// A fresh directory for files a test writes, removed when the test ends (pass or fail).
pub fn scratch_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("openchoreo-catalog-{name}-")).tempdir().expect("scratch dir")
}
