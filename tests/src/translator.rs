//! `translate-scope` of one scope snapshot, callable the same way on the component built now and on a
//! build of interface 0.1.0 (entities as five strings each, before entity batches), so the bench and
//! the profiling example can time an earlier build side by side with this one.

use anyhow::Result;
use host_harness::fixture::Dataset;
use host_harness::logging::Logger;
use host_harness::runtime::{Instance, Limits, Runtime, wit_mapping};
use openchoreo_catalog_guest::scope::NAMESPACE_LISTS;
use wasmtime::Store;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

mod v0_1 {
    wasmtime::component::bindgen!({ path: "wit-0.1.0", world: "catalog" });
}
use v0_1::exports::openchoreo::catalog::mapping as old_mapping;

/// A namespace resource and its lists as JSON texts, keyed by endpoint.
pub struct ScopeInput {
    pub namespace: String,
    pub lists: Vec<(String, String)>,
}

impl ScopeInput {
    /// The first namespace of an installation, with every namespace list (empty when it has none).
    pub fn first_namespace(data: &Dataset) -> Self {
        let ns = &data.namespaces[0];
        let lists = &data.namespaced[ns["metadata"]["name"].as_str().expect("a named namespace")];
        let texts = NAMESPACE_LISTS
            .iter()
            .map(|e| (e.to_string(), serde_json::to_string(lists.get(*e).map(Vec::as_slice).unwrap_or(&[])).expect("JSON")))
            .collect();
        Self { namespace: ns.to_string(), lists: texts }
    }
}

/// A `translate-scope` snapshot of `input` in the types of one interface version's bindings.
macro_rules! snapshot {
    ($mapping:ident, $input:expr) => {
        $mapping::ScopeSnapshot {
            scope: $mapping::ScopeRef::Namespace($input.namespace.clone()),
            lists: $input
                .lists
                .iter()
                .map(|(endpoint, items)| $mapping::ListResponse {
                    endpoint: endpoint.clone(),
                    outcome: $mapping::ListOutcome::Items(items.clone()),
                })
                .collect(),
            default_owner: String::new(),
        }
    };
}

pub enum Translator {
    Current(Box<Instance>, wit_mapping::ScopeSnapshot),
    V0_1(Store<WasiOnly>, v0_1::Catalog, old_mapping::ScopeSnapshot),
}

pub struct WasiOnly {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for WasiOnly {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl Translator {
    /// A pure-call instance of `runtime`'s component, through whichever interface it exports.
    pub fn new(runtime: &Runtime, input: &ScopeInput) -> Result<Self> {
        match runtime.pure(Logger::capture()) {
            Ok(instance) => Ok(Self::Current(Box::new(instance), snapshot!(wit_mapping, input))),
            Err(current) => {
                Self::v0_1(runtime, input).map_err(|old| anyhow::anyhow!("neither the current interface ({current:#}) nor 0.1.0 ({old:#})"))
            }
        }
    }

    /// An instance on the code runs use (with epoch checks for the run deadline), current interface only.
    pub fn with_epoch_checks(runtime: &Runtime, input: &ScopeInput) -> Result<Self> {
        let instance = runtime.instantiate(Limits::default(), None, None, None, Logger::capture())?;
        Ok(Self::Current(Box::new(instance), snapshot!(wit_mapping, input)))
    }

    fn v0_1(runtime: &Runtime, input: &ScopeInput) -> Result<Self> {
        let (engine, component) = runtime.pure_parts()?;
        let mut linker = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        // Its sync imports are never called by `translate-scope`.
        for (interface, function) in [("http", "send-batch"), ("token", "ensure"), ("log", "log"), ("sink", "emit")] {
            linker.instance(&format!("openchoreo:catalog/{interface}@0.1.0"))?.func_new(function, move |_, _, _, _| {
                Err(wasmtime::format_err!("{interface}.{function} is not available when only translating"))
            })?;
        }
        let mut store = Store::new(engine, WasiOnly { wasi: WasiCtxBuilder::new().build(), table: ResourceTable::new() });
        store.set_hostcall_fuel(Limits::default().max_memory);
        let bindings = v0_1::Catalog::instantiate(&mut store, component, &linker)?;
        let snapshot = snapshot!(old_mapping, input);
        Ok(Self::V0_1(store, bindings, snapshot))
    }

    /// One call; the number of entities it returned.
    pub fn translate(&mut self) -> usize {
        match self {
            Self::Current(instance, snapshot) => host_harness::batch::count(&instance.translate_scope(snapshot).unwrap().unwrap().entities),
            Self::V0_1(store, bindings, snapshot) => {
                bindings.openchoreo_catalog_mapping().call_translate_scope(&mut *store, snapshot).unwrap().unwrap().entities.len()
            }
        }
    }
}
