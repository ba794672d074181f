//! One sync run through the component, and what the host does with the result: keep the
//! last-known-good entities of stale scopes, tell whether anything changed, persist the state.

use crate::app_config::AppConfig;
use crate::http_client::{HttpClient, HttpSettings};
use crate::lock::{LockError, StateLock};
use crate::logging::Logger;
use crate::reading::TemplateReader;
use crate::runtime::{BoundaryBytes, EmitObserver, Limits, Runtime, wit_sync};
use crate::state::{self, StoredEntity};
use crate::token::TokenProvider;
use anyhow::{Result, anyhow};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Why a run produced nothing to apply. The previous entities stay as they were.
#[derive(Debug)]
pub enum RunFailure {
    /// The namespace list or the token failed: the guest's one-line reason.
    Sync(String),
    /// The run exceeded `schedule.timeout` and was interrupted.
    Timeout(u32),
    /// The guest trapped (a bug or a limit such as memory).
    Trap(String),
    /// Another sync holds this state file; this run was skipped.
    Busy(String),
    /// The state file or its lock could not be written.
    State(String),
}

impl std::fmt::Display for RunFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunFailure::Sync(m) | RunFailure::State(m) => write!(f, "{m}"),
            RunFailure::Timeout(s) => {
                write!(f, "the run exceeded openchoreo.schedule.timeout ({s}s) and was cancelled; previous entities kept")
            }
            RunFailure::Trap(m) => write!(f, "the component failed: {m}; previous entities kept"),
            RunFailure::Busy(m) => write!(f, "{m}"),
        }
    }
}

#[derive(Debug)]
pub struct RunOutcome {
    /// Shared with the syncer's last-known-good: one copy, however large the run.
    pub entities: Arc<Vec<StoredEntity>>,
    pub stale: Vec<(String, String)>,
    pub skipped: Vec<(String, String)>,
    pub requests: u32,
    pub bytes_received: u64,
    /// String bytes copied into and out of the component during the run.
    pub boundary: BoundaryBytes,
    pub changed: bool,
    /// For a run over named scopes: what it added, changed and removed.
    pub delta: Option<Delta>,
}

pub struct Syncer {
    runtime: Arc<Runtime>,
    guest_config: String,
    pub settings: wit_sync::Settings,
    http: Arc<HttpClient>,
    token: Option<Arc<TokenProvider>>,
    templates: Arc<TemplateReader>,
    logger: Logger,
    last: Option<Arc<Vec<StoredEntity>>>,
    state_path: Option<PathBuf>,
    max_memory: usize,
    observer: Option<EmitObserver>,
}

impl Syncer {
    /// Validates the config through the component (a config error is returned as is, naming the key)
    /// and loads the last-known-good state when a state file is given.
    pub fn new(runtime: Arc<Runtime>, app: &AppConfig, logger: Logger, state_path: Option<PathBuf>) -> Result<Self> {
        for var in &app.unset_env {
            logger.warn(&format!("environment variable {var} is not set; the config value that uses it is treated as absent"));
        }
        let guest_config = app.guest_section.to_string();
        let mut probe = runtime.instantiate(Limits::default(), None, None, None, logger.clone())?;
        let settings = probe.configure(&guest_config)?.map_err(|e| anyhow!(config_error_text(&e)))?;
        let token = match (settings.auth_enabled, &app.credentials) {
            (true, Some(c)) => Some(Arc::new(TokenProvider::new(c.clone(), Duration::from_secs(app.request_timeout_seconds)))),
            (true, None) => return Err(anyhow!("openchoreo.auth credentials are required when openchoreo.features.auth.enabled is true")),
            (false, _) => None,
        };
        let http_settings = HttpSettings {
            concurrency: app.concurrency,
            request_timeout: Duration::from_secs(app.request_timeout_seconds),
            ..HttpSettings::default()
        };
        let http = Arc::new(HttpClient::new(&settings.base_url, http_settings, token.clone()));
        let templates = Arc::new(TemplateReader::new(app.reading.clone(), Duration::from_secs(app.request_timeout_seconds)));
        let last = match &state_path {
            Some(p) => state::load(p, &settings.base_url)?.map(Arc::new),
            None => None,
        };
        Ok(Self {
            runtime,
            guest_config,
            settings,
            http,
            token,
            templates,
            logger,
            last,
            state_path,
            max_memory: Limits::default().max_memory,
            observer: None,
        })
    }

    /// Replaces the HTTP settings (tests use short timeouts and backoffs).
    pub fn with_http_settings(mut self, settings: HttpSettings) -> Self {
        self.http = Arc::new(HttpClient::new(&self.settings.base_url, settings, self.token.clone()));
        self
    }

    /// Caps the guest's linear memory below the default (tests, constrained hosts).
    pub fn with_max_memory(mut self, bytes: usize) -> Self {
        self.max_memory = bytes;
        self
    }

    /// Shows `observer` the entities of the next runs as the component hands them over: the fresh
    /// ones, which come first in the outcome's entities, before those kept from last-known-good.
    pub fn observe(&mut self, observer: Option<EmitObserver>) {
        self.observer = observer;
    }

    /// Seeds last-known-good (the Backstage host seeds it from the catalog).
    pub fn seed(&mut self, entities: impl Into<Arc<Vec<StoredEntity>>>) {
        self.last = Some(entities.into());
    }

    pub fn last(&self) -> Option<&[StoredEntity]> {
        self.last.as_deref().map(Vec::as_slice)
    }

    /// A full sync: every scope, the stale ones filled from last-known-good.
    pub fn run_once(&mut self) -> Result<RunOutcome, RunFailure> {
        self.run_over(None)
    }

    /// A sync of named scopes (`ns/<namespace>/*`, `cluster/*`, as `scopes-of-event` names them),
    /// applied to last-known-good as an exact delta: within the scopes it covers, what the API no longer
    /// has is removed, unless its scope went stale. Without a previous run it is a full run.
    pub fn run_scopes(&mut self, scopes: &[String]) -> Result<RunOutcome, RunFailure> {
        if self.last.is_none() {
            return self.run_over(None);
        }
        self.run_over(Some(scopes))
    }

    fn run_over(&mut self, scopes: Option<&[String]>) -> Result<RunOutcome, RunFailure> {
        let _lock = match &self.state_path {
            Some(p) => Some(StateLock::acquire(p).map_err(|e| match e {
                LockError::Held { path, pid } => {
                    let holder = if pid == 0 { "another sync".to_string() } else { format!("another sync (pid {pid})") };
                    let msg = format!("{holder} holds {}; this run is skipped", path.display());
                    self.logger.warn(&msg);
                    RunFailure::Busy(msg)
                }
                LockError::Unusable { path, error } => RunFailure::State(format!(
                    "cannot create the lock file {} beside the state file: {error}; check that its directory exists and is writable",
                    path.display()
                )),
            })?),
            None => None,
        };
        let timeout = self.settings.timeout_seconds;
        let limits = Limits { deadline: Duration::from_secs(u64::from(timeout)), max_memory: self.max_memory };
        let mut instance = self
            .runtime
            .instantiate(limits, Some(self.http.clone()), self.token.clone(), Some(self.templates.clone()), self.logger.clone())
            .map_err(|e| RunFailure::Trap(format!("{e:#}")))?;
        instance.observe(self.observer.clone());
        instance
            .configure(&self.guest_config)
            .map_err(|e| RunFailure::Trap(format!("{e:#}")))?
            .map_err(|e| RunFailure::Sync(config_error_text(&e)))?;
        let result = match scopes {
            None => instance.run().map(|r| r.map(|d| (d, None))),
            Some(scopes) => instance.run_scopes(scopes).map(|r| r.map(|(d, covered)| (d, Some(covered)))),
        };
        let (delivered, covered) = match result {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return Err(RunFailure::Sync(sync_error_text(e))),
            Err(trap) if trap.downcast_ref::<wasmtime::Trap>() == Some(&wasmtime::Trap::Interrupt) => {
                return Err(RunFailure::Timeout(timeout));
            }
            Err(trap) => return Err(RunFailure::Trap(trap_line(&trap, &instance.stderr()))),
        };
        if instance.past_deadline() {
            return Err(RunFailure::Timeout(timeout));
        }
        let fresh = delivered.entities;
        let stale: Vec<(String, String)> = delivered.stale.into_iter().map(|s| (s.scope, s.reason)).collect();
        let skipped: Vec<(String, String)> = delivered.skipped.into_iter().map(|d| (d.location, d.message)).collect();
        let stats = delivered.stats;
        let kept_from_last = |e: &StoredEntity| {
            let is_stale = stale.iter().any(|(s, _)| stale_covers(s, &e.scope));
            match &covered {
                None => is_stale,
                Some(covered) => is_stale || !covered.iter().any(|c| stale_covers(c, &e.scope)),
            }
        };
        let delta =
            covered.as_ref().map(|_| Delta::between(self.last.as_deref().map(Vec::as_slice).unwrap_or(&[]), &fresh, &kept_from_last));
        let mut entities = fresh;
        if let Some(last) = &self.last {
            entities.extend(last.iter().filter(|e| kept_from_last(e)).cloned());
        }
        let changed = !same_entities(self.last.as_deref().map(Vec::as_slice), &entities);
        let summary = format!(
            "{} entities ({} requests, {} bytes){}{}",
            entities.len(),
            stats.requests,
            stats.bytes_received,
            if stale.is_empty() { String::new() } else { format!(", {} stale scopes kept", stale.len()) },
            match (&delta, &covered) {
                (Some(d), Some(c)) => format!(", {} added or changed and {} removed in {}", d.upserted.len(), d.removed.len(), c.join(" ")),
                _ => String::new(),
            }
        );
        if changed {
            self.logger.info(&format!("Synced {summary}"));
        } else {
            self.logger.debug(&format!("No changes: {summary}"));
        }
        if let Some(p) = &self.state_path {
            state::save(p, &self.settings.base_url, &entities).map_err(|e| RunFailure::State(format!("saving state: {e:#}")))?;
        }
        let entities = Arc::new(entities);
        self.last = Some(entities.clone());
        Ok(RunOutcome {
            entities,
            stale,
            skipped,
            requests: stats.requests,
            bytes_received: stats.bytes_received,
            boundary: instance.boundary_bytes(),
            changed,
            delta,
        })
    }
}

/// What a run over named scopes changed, by entity ref (`kind:namespace/name`, lower-case kind).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delta {
    /// Entities that are new, or whose document changed.
    pub upserted: Vec<String>,
    /// Entities the covered scopes no longer have.
    pub removed: Vec<String>,
}

impl Delta {
    fn between(last: &[StoredEntity], fresh: &[StoredEntity], kept_from_last: &dyn Fn(&StoredEntity) -> bool) -> Self {
        use std::collections::HashMap;
        let before: HashMap<String, &str> = last.iter().map(|e| (e.entity_ref(), e.entity.get())).collect();
        let now: HashMap<String, &str> = fresh.iter().map(|e| (e.entity_ref(), e.entity.get())).collect();
        let mut upserted: Vec<String> = now.iter().filter(|(r, doc)| before.get(*r) != Some(*doc)).map(|(r, _)| r.clone()).collect();
        let mut removed: Vec<String> =
            last.iter().filter(|e| !kept_from_last(e)).map(StoredEntity::entity_ref).filter(|r| !now.contains_key(r)).collect();
        upserted.sort();
        removed.sort();
        Self { upserted, removed }
    }
}

/// A trap in one line: what stopped the component, the function it was in, and what it wrote to
/// stderr (a panic message), without wasmtime's multi-line backtrace.
fn trap_line(trap: &wasmtime::Error, stderr: &str) -> String {
    let mut line = trap.root_cause().to_string();
    if let Some(frame) = trap.downcast_ref::<wasmtime::WasmBacktrace>().and_then(|bt| bt.frames().first()) {
        line.push_str(&format!(" in {}", frame.func_name().unwrap_or("an unnamed function")));
    }
    let said: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if !said.is_empty() {
        line.push_str(&format!(" (guest stderr: {})", said.join(" | ").chars().take(500).collect::<String>()));
    }
    crate::logging::printable(&line).into_owned()
}

/// Whether a stale scope covers an entity's scope: exactly, or as a `prefix*` wildcard (the guest's rule).
pub fn stale_covers(stale: &str, scope: &str) -> bool {
    match stale.strip_suffix('*') {
        Some(prefix) => scope.starts_with(prefix),
        None => stale == scope,
    }
}

/// Whether two entity sets are equal, compared through one hash per entity (ref and document), so
/// a 100k-entity run is not copied again just to decide the log level.
fn same_entities(last: Option<&[StoredEntity]>, now: &[StoredEntity]) -> bool {
    use std::hash::{Hash, Hasher};
    let Some(last) = last else { return false };
    if last.len() != now.len() {
        return false;
    }
    let digests = |set: &[StoredEntity]| {
        let mut v: Vec<u64> = set
            .iter()
            .map(|e| {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                e.kind.hash(&mut h);
                e.namespace.hash(&mut h);
                e.name.hash(&mut h);
                e.entity.get().hash(&mut h);
                h.finish()
            })
            .collect();
        v.sort_unstable();
        v
    };
    digests(last) == digests(now)
}

pub fn config_error_text(e: &wit_sync::ConfigError) -> String {
    match e {
        wit_sync::ConfigError::Missing(m) | wit_sync::ConfigError::Invalid(m) => m.clone(),
    }
}

fn sync_error_text(e: wit_sync::SyncError) -> String {
    match e {
        wit_sync::SyncError::NotConfigured => "the component was not configured".into(),
        wit_sync::SyncError::Namespaces(m) | wit_sync::SyncError::Auth(m) | wit_sync::SyncError::Scopes(m) => m,
    }
}
