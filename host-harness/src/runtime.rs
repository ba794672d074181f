//! The component under wasmtime: compiled once per process (twice: for runs and for pure mapping
//! calls), a fresh store per call, deny-all WASI, a memory cap, and for runs a wall-clock deadline
//! through epoch interruption.

use crate::http_client::HttpClient;
use crate::logging::{Level, Logger};
use crate::reading::TemplateReader;
use crate::request_stream::RequestStream;
use crate::state::StoredEntity;
use crate::token::TokenProvider;
use anyhow::{Context, Result};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

pub mod bindings {
    wasmtime::component::bindgen!({ path: "../wit", world: "catalog" });
}

use bindings::openchoreo::catalog::{http, log, sink, template_reader, token, types};

/// Guest stderr kept per store.
const STDERR_CAPACITY: usize = 64 * 1024;

/// Epoch tick: the granularity of the run deadline.
const TICK: Duration = Duration::from_millis(50);

/// What a store may use.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Linear memory cap in bytes (the artefact itself also declares a maximum).
    pub max_memory: usize,
    /// Wall-clock time one call may take before it is interrupted.
    pub deadline: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_memory: 768 << 20, deadline: Duration::from_secs(120) }
    }
}

/// The host side of one store: WASI (deny-all), limits, and our imports.
pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    limits: StoreLimits,
    http: Option<Arc<HttpClient>>,
    token: Option<Arc<TokenProvider>>,
    templates: Option<Arc<TemplateReader>>,
    logger: Logger,
    deadline: Instant,
    /// Entities the guest handed over through `sink` during the current call, copied out of their
    /// batches at once so that no batch outlives its `emit`.
    emitted: Vec<StoredEntity>,
    /// The first emitted batch that could not be read; the run fails with it.
    bad_batch: Option<String>,
    boundary: BoundaryBytes,
    /// Where `http.queue` sends requests; made at the first (none without network).
    stream: Option<RequestStream>,
    /// Answers to queued requests that had no network to go to.
    unsent: Vec<(u32, Result<http::Response, http::HttpError>)>,
    /// Shown every entity of the run as it is handed over (the CLI's relation worker).
    observer: Option<EmitObserver>,
}

/// Sees the documents of a run's entities batch by batch, in the order the run delivers them, while the
/// run goes on: each batch's own text, handed over without a copy.
pub type EmitObserver = Arc<dyn Fn(crate::batch::Documents) + Send + Sync>;

/// String bytes copied across the component boundary by a sync (kept small: each body in once, each document out once).
/// Ideally `to_guest` is the API's response bodies once and `from_guest` the entity documents once.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BoundaryBytes {
    /// Configuration, response bodies and error texts handed to the guest.
    pub to_guest: u64,
    /// Request paths, entities, stale scopes, diagnostics and log lines handed to the host.
    pub from_guest: u64,
}

/// String bytes an answer to a request hands the guest: its body, or its error's text.
fn answer_bytes(answer: &Result<http::Response, http::HttpError>) -> u64 {
    use http::HttpError::{Connection, Deadline, Other, Refused, Timeout, TooLarge};
    match answer {
        Ok(resp) => resp.body.len() as u64,
        Err(Timeout(m) | Connection(m) | Refused(m) | Deadline(m) | Other(m)) => m.len() as u64,
        Err(TooLarge(_)) => 8,
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl types::Host for HostState {}

fn request_bytes(requests: &[http::Request]) -> u64 {
    requests.iter().map(|r| r.path.len() + r.query.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>()).sum::<usize>() as u64
}

fn no_network_error() -> http::HttpError {
    http::HttpError::Refused("this call has no network".into())
}

fn no_network(requests: &[http::Request]) -> Vec<Result<http::Response, http::HttpError>> {
    requests.iter().map(|_| Err(no_network_error())).collect()
}

impl HostState {
    /// Takes the entities of a batch the guest handed over, showing the observer their documents.
    fn hand_over(&mut self, batch: types::EntityBatch) -> Result<()> {
        let entities = crate::batch::to_stored(&batch)?;
        if let Some(observe) = &self.observer {
            observe(crate::batch::into_documents(batch));
        }
        self.emitted.extend(entities);
        Ok(())
    }

    fn received(&mut self, responses: Vec<Result<http::Response, http::HttpError>>) -> Vec<Result<http::Response, http::HttpError>> {
        self.boundary.to_guest += responses.iter().map(answer_bytes).sum::<u64>();
        responses
    }
}

impl http::Host for HostState {
    fn send_batch(&mut self, requests: Vec<http::Request>) -> Vec<Result<http::Response, http::HttpError>> {
        self.boundary.from_guest += request_bytes(&requests);
        let responses = match &self.http {
            Some(client) => client.send_batch(requests, self.deadline),
            None => no_network(&requests),
        };
        self.received(responses)
    }

    fn queue(&mut self, requests: Vec<(u32, http::Request)>) {
        self.boundary.from_guest += requests.iter().map(|(_, r)| request_bytes(std::slice::from_ref(r))).sum::<u64>();
        let Some(client) = &self.http else {
            self.unsent.extend(requests.into_iter().map(|(ticket, _)| (ticket, Err(no_network_error()))));
            return;
        };
        let deadline = self.deadline;
        self.stream.get_or_insert_with(|| RequestStream::new(Arc::clone(client))).queue(requests, deadline);
    }

    fn collect(&mut self, wait: bool) -> Vec<(u32, Result<http::Response, http::HttpError>)> {
        let mut answers = std::mem::take(&mut self.unsent);
        if answers.is_empty() {
            answers = self.stream.as_mut().map(|s| s.collect(wait)).unwrap_or_default();
        }
        self.boundary.to_guest += answers.iter().map(|(_, r)| answer_bytes(r)).sum::<u64>();
        answers
    }
}

impl token::Host for HostState {
    fn ensure(&mut self, force_refresh: bool) -> Result<token::TokenState, token::TokenError> {
        match &self.token {
            None => Ok(token::TokenState::Disabled),
            Some(t) => t.ensure(force_refresh, self.deadline).map(|()| token::TokenState::Ready),
        }
    }
}

impl template_reader::Host for HostState {
    fn read_batch(&mut self, urls: Vec<String>) -> Vec<Result<String, template_reader::ReadError>> {
        self.boundary.from_guest += urls.iter().map(|u| u.len() as u64).sum::<u64>();
        let read = match &self.templates {
            Some(reader) => reader.read_batch(&urls, self.deadline),
            None => urls.iter().map(|_| Err(template_reader::ReadError::NotAllowed("this host reads no template URLs".into()))).collect(),
        };
        self.boundary.to_guest += read
            .iter()
            .map(|r| match r {
                Ok(text) => text.len() as u64,
                Err(template_reader::ReadError::NotAllowed(m) | template_reader::ReadError::Failed(m)) => m.len() as u64,
            })
            .sum::<u64>();
        read
    }
}

impl sink::Host for HostState {
    fn emit(&mut self, entities: types::EntityBatch) {
        self.boundary.from_guest += crate::batch::byte_size(&entities);
        if let Err(e) = self.hand_over(entities) {
            self.bad_batch.get_or_insert(format!("{e:#}"));
        }
    }
}

impl log::Host for HostState {
    fn log(&mut self, level: log::Level, message: String) {
        self.boundary.from_guest += message.len() as u64;
        let level = match level {
            log::Level::Debug => Level::Debug,
            log::Level::Info => Level::Info,
            log::Level::Warn => Level::Warn,
            log::Level::Error => Level::Error,
        };
        // The component's info lines are notices about the installation (a list the API does not
        // serve): said once per process, not on every scheduled run.
        if level == Level::Info { self.logger.log_once(level, &message) } else { self.logger.log(level, &message) }
    }
}

/// One compilation of the component: an engine, the code it compiled, and the imports.
struct Compiled {
    engine: Engine,
    component: Component,
    linker: Linker<HostState>,
    interruptible: bool,
}

impl Compiled {
    fn new(wasm: &[u8], interruptible: bool) -> Result<Self> {
        let mut config = Config::new();
        config.wasm_component_model(true).epoch_interruption(interruptible);
        // A profiling aid: under `perf record`, the guest's functions get their names (perf map files).
        if std::env::var_os("OPENCHOREO_PERFMAP").is_some() {
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let engine = Engine::new(&config)?;
        let component = crate::compile_cache::load(&engine, wasm).context("compiling the guest component")?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        bindings::Catalog::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)?;
        if interruptible {
            spawn_epoch_ticker(&engine);
        }
        Ok(Self { engine, component, linker, interruptible })
    }
}

/// The component, compiled twice over: runs need a deadline, and wasmtime can only interrupt code
/// compiled with epoch checks, which cost about a quarter of the mapping's time. So runs use code with
/// the checks, and pure mapping calls (bounded work on bounded input, under the memory cap) use code
/// without them. Each is compiled (or loaded from the cache) the first time it is needed, so a process
/// that only translates or only syncs compiles once; each is instantiated per call.
pub struct Runtime {
    wasm: Vec<u8>,
    interruptible: OnceLock<Compiled>,
    pure: OnceLock<Compiled>,
}

impl Runtime {
    /// Compiling waits for the first instance, and a `wasm` that is not a valid component fails there.
    pub fn new(wasm: &[u8]) -> Self {
        Self { wasm: wasm.to_vec(), interruptible: OnceLock::new(), pure: OnceLock::new() }
    }

    /// The component shipped inside this binary.
    pub fn embedded() -> Self {
        Self::new(crate::GUEST_COMPONENT)
    }

    fn compiled(&self, interruptible: bool) -> Result<&Compiled> {
        let cell = if interruptible { &self.interruptible } else { &self.pure };
        if let Some(c) = cell.get() {
            return Ok(c);
        }
        let compiled = Compiled::new(&self.wasm, interruptible)?;
        Ok(cell.get_or_init(|| compiled))
    }

    /// The engine and component that pure mapping calls use (for hosts of another interface version).
    pub fn pure_parts(&self) -> Result<(&Engine, &Component)> {
        self.compiled(false).map(|c| (&c.engine, &c.component))
    }

    /// A fresh instance for a run: interrupted once `limits.deadline` has passed. Without `http`, the
    /// guest has no network at all; without `templates`, it can read no template URL.
    pub fn instantiate(
        &self,
        limits: Limits,
        http: Option<Arc<HttpClient>>,
        token: Option<Arc<TokenProvider>>,
        templates: Option<Arc<TemplateReader>>,
        logger: Logger,
    ) -> Result<Instance> {
        instantiate(self.compiled(true)?, limits, http, token, templates, logger)
    }

    /// A fresh instance for pure mapping calls (translate, relations, scope-of): no network, the
    /// default memory cap, and no deadline.
    pub fn pure(&self, logger: Logger) -> Result<Instance> {
        instantiate(self.compiled(false)?, Limits::default(), None, None, None, logger)
    }
}

fn instantiate(
    compiled: &Compiled,
    limits: Limits,
    http: Option<Arc<HttpClient>>,
    token: Option<Arc<TokenProvider>>,
    templates: Option<Arc<TemplateReader>>,
    logger: Logger,
) -> Result<Instance> {
    let deadline = Instant::now() + limits.deadline;
    // Deny-all WASI; stderr goes to a small capped buffer so a guest's panic message is not lost.
    let stderr = MemoryOutputPipe::new(STDERR_CAPACITY);
    let state = HostState {
        wasi: WasiCtxBuilder::new().stderr(stderr.clone()).build(),
        table: ResourceTable::new(),
        limits: StoreLimitsBuilder::new().memory_size(limits.max_memory).instances(4).build(),
        http,
        token,
        templates,
        logger,
        deadline,
        emitted: Vec::new(),
        bad_batch: None,
        boundary: BoundaryBytes::default(),
        stream: None,
        unsent: Vec::new(),
        observer: None,
    };
    let mut store = Store::new(&compiled.engine, state);
    store.limiter(|s| &mut s.limits);
    // Bytes the host may lift from one call: a run's report can be hundreds of MiB at 100k
    // components, and the guest cannot hold more than its memory cap anyway.
    store.set_hostcall_fuel(limits.max_memory);
    if compiled.interruptible {
        let ticks = limits.deadline.as_millis().div_ceil(TICK.as_millis()).max(1) as u64;
        store.set_epoch_deadline(ticks);
        store.epoch_deadline_trap();
    }
    let catalog = bindings::Catalog::instantiate(&mut store, &compiled.component, &compiled.linker)?;
    Ok(Instance { store, catalog, stderr })
}

/// Ticks the engine's epoch until the engine is dropped (the thread holds only a weak handle).
fn spawn_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("epoch-ticker".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(TICK);
            }
        })
        .expect("spawning the epoch ticker");
}

/// One instantiated component. Outer `Err` is a trap (limit, deadline, guest bug): a `wasmtime::Error`
/// that downcasts to `wasmtime::Trap`.
pub struct Instance {
    store: Store<HostState>,
    catalog: bindings::Catalog,
    stderr: MemoryOutputPipe,
}

pub use bindings::exports::openchoreo::catalog::mapping as wit_mapping;
pub use bindings::exports::openchoreo::catalog::sync as wit_sync;
pub use types::{EntityBatch, MappingError, Relation as WitRelation, RelationBatch};

/// What a run delivered: every entity, the emitted ones first, and the rest of its report.
pub struct Delivered {
    pub entities: Vec<StoredEntity>,
    pub stale: Vec<types::StaleScope>,
    pub skipped: Vec<types::Diagnostic>,
    pub stats: wit_sync::RunStats,
}

impl Instance {
    /// What the guest wrote to stderr (at most 64 KiB), e.g. a panic message before a trap.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.contents()).trim().to_string()
    }

    pub fn configure(&mut self, config_json: &str) -> wasmtime::Result<Result<wit_sync::Settings, wit_sync::ConfigError>> {
        self.store.data_mut().boundary.to_guest += config_json.len() as u64;
        self.catalog.openchoreo_catalog_sync().call_configure(&mut self.store, config_json)
    }

    /// One sync, with the entities the guest emitted along the way. A batch whose spans do not fit
    /// its text fails the run (outer `Err`), as a trap does.
    pub fn run(&mut self) -> wasmtime::Result<Result<Delivered, wit_sync::SyncError>> {
        self.start_run();
        let result = self.catalog.openchoreo_catalog_sync().call_run(&mut self.store);
        self.deliver(result)
    }

    /// A sync over named scopes (`ns/<namespace>/*`, `cluster/*`), with the scope patterns it speaks for.
    pub fn run_scopes(&mut self, scopes: &[String]) -> wasmtime::Result<Result<(Delivered, Vec<String>), wit_sync::SyncError>> {
        self.start_run();
        self.store.data_mut().boundary.to_guest += scopes.iter().map(String::len).sum::<usize>() as u64;
        let result = self.catalog.openchoreo_catalog_sync().call_run_scopes(&mut self.store, scopes);
        let (result, covered) = match result {
            Ok(Ok(scoped)) => (Ok(Ok(scoped.report)), scoped.covered),
            Ok(Err(e)) => (Ok(Err(e)), Vec::new()),
            Err(trap) => (Err(trap), Vec::new()),
        };
        Ok(self.deliver(result)?.map(|d| (d, covered)))
    }

    /// Shows `observer` every entity of this instance's runs as it is handed over.
    pub fn observe(&mut self, observer: Option<EmitObserver>) {
        self.store.data_mut().observer = observer;
    }

    fn start_run(&mut self) {
        let state = self.store.data_mut();
        state.emitted.clear();
        state.bad_batch = None;
        state.unsent.clear();
        if let Some(stream) = &mut state.stream {
            stream.reset();
        }
    }

    fn deliver(
        &mut self,
        result: wasmtime::Result<Result<wit_sync::Report, wit_sync::SyncError>>,
    ) -> wasmtime::Result<Result<Delivered, wit_sync::SyncError>> {
        let result = result?;
        let state = self.store.data_mut();
        if let Some(e) = state.bad_batch.take() {
            return Err(wasmtime::format_err!("{e}"));
        }
        let report = match result {
            Ok(report) => report,
            Err(e) => return Ok(Err(e)),
        };
        let texts = report.stale.iter().map(|s| s.scope.len() + s.reason.len()).sum::<usize>()
            + report.skipped.iter().map(|d| d.location.len() + d.message.len()).sum::<usize>();
        state.boundary.from_guest += crate::batch::byte_size(&report.entities) + texts as u64;
        state.hand_over(report.entities).map_err(|e| wasmtime::format_err!("{e:#}"))?;
        let entities = std::mem::take(&mut state.emitted);
        Ok(Ok(Delivered { entities, stale: report.stale, skipped: report.skipped, stats: report.stats }))
    }

    /// The scopes an OpenChoreo change event can affect (pure).
    pub fn scopes_of_event(&mut self, event_json: &str) -> wasmtime::Result<Result<Vec<String>, MappingError>> {
        self.catalog.openchoreo_catalog_mapping().call_scopes_of_event(&mut self.store, event_json)
    }

    /// Whether this instance's run deadline has passed: a run that reached it is not trusted, even if
    /// the guest finished (its late requests were refused and their lists reported stale).
    pub fn past_deadline(&self) -> bool {
        Instant::now() >= self.store.data().deadline
    }

    /// What crossed the boundary since this instance was made.
    pub fn boundary_bytes(&self) -> BoundaryBytes {
        self.store.data().boundary
    }

    pub fn translate_resource(
        &mut self,
        kind: &str,
        namespace: Option<&str>,
        json: &str,
        context: Option<&str>,
    ) -> wasmtime::Result<Result<EntityBatch, MappingError>> {
        self.catalog.openchoreo_catalog_mapping().call_translate_resource(&mut self.store, kind, namespace, json, context)
    }

    pub fn translate_scope(
        &mut self,
        snapshot: &wit_mapping::ScopeSnapshot,
    ) -> wasmtime::Result<Result<wit_mapping::ScopeOutput, MappingError>> {
        self.catalog.openchoreo_catalog_mapping().call_translate_scope(&mut self.store, snapshot)
    }

    pub fn relations(&mut self, entity_json: &str) -> wasmtime::Result<Result<Vec<WitRelation>, MappingError>> {
        self.catalog.openchoreo_catalog_mapping().call_relations(&mut self.store, entity_json)
    }

    pub fn relations_of_batch(&mut self, text: &[u8], documents: &[u32]) -> wasmtime::Result<Result<RelationBatch, MappingError>> {
        self.catalog.openchoreo_catalog_mapping().call_relations_of_batch(&mut self.store, text, documents)
    }

    pub fn scope_of(&mut self, entity_json: &str) -> wasmtime::Result<Result<String, MappingError>> {
        self.catalog.openchoreo_catalog_mapping().call_scope_of(&mut self.store, entity_json)
    }
}

/// A readable one-line form of a mapping error.
pub fn mapping_error_text(e: &MappingError) -> String {
    match e {
        MappingError::InvalidInput(m) => format!("invalid input: {m}"),
        MappingError::UnsupportedKind(k) => format!("unsupported kind {k}"),
    }
}
