//! The `transform` world: the mapping alone, with no imports of ours (a portal other than Backstage
//! fetches by itself and calls this). Same deny-all WASI and limits as the sync.

use crate::runtime::Limits;
use anyhow::Result;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

pub mod bindings {
    // One set of shared record types for both worlds, so an entity batch reads the same way.
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "transform",
        with: { "openchoreo:catalog/types": crate::runtime::bindings::openchoreo::catalog::types },
    });
}

pub use crate::runtime::bindings::openchoreo::catalog::types::{EntityBatch, MappingError, Relation};
pub use bindings::exports::openchoreo::catalog::mapping as wit_mapping;

/// The transform component shipped inside this binary.
pub const TRANSFORM_COMPONENT: &[u8] = include_bytes!(env!("TRANSFORM_COMPONENT_PATH"));

struct State {
    wasi: WasiCtx,
    table: ResourceTable,
    limits: StoreLimits,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl crate::runtime::bindings::openchoreo::catalog::types::Host for State {}

/// An instance of the transform component.
pub struct Transform {
    store: Store<State>,
    bindings: bindings::Transform,
}

impl Transform {
    pub fn new(wasm: &[u8], limits: Limits) -> Result<Self> {
        let engine = Engine::new(Config::new().wasm_component_model(true))?;
        let component = Component::new(&engine, wasm)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        bindings::Transform::add_to_linker::<State, wasmtime::component::HasSelf<State>>(&mut linker, |s| s)?;
        let state = State {
            wasi: WasiCtxBuilder::new().build(),
            table: ResourceTable::new(),
            limits: StoreLimitsBuilder::new().memory_size(limits.max_memory).build(),
        };
        let mut store = Store::new(&engine, state);
        store.limiter(|s| &mut s.limits);
        let bindings = bindings::Transform::instantiate(&mut store, &component, &linker)?;
        Ok(Self { store, bindings })
    }

    pub fn translate_resource(
        &mut self,
        kind: &str,
        namespace: Option<&str>,
        json: &str,
        context: Option<&str>,
    ) -> wasmtime::Result<Result<EntityBatch, MappingError>> {
        self.bindings.openchoreo_catalog_mapping().call_translate_resource(&mut self.store, kind, namespace, json, context)
    }

    pub fn translate_scope(
        &mut self,
        snapshot: &wit_mapping::ScopeSnapshot,
    ) -> wasmtime::Result<Result<wit_mapping::ScopeOutput, MappingError>> {
        self.bindings.openchoreo_catalog_mapping().call_translate_scope(&mut self.store, snapshot)
    }

    pub fn relations(&mut self, entity_json: &str) -> wasmtime::Result<Result<Vec<Relation>, MappingError>> {
        self.bindings.openchoreo_catalog_mapping().call_relations(&mut self.store, entity_json)
    }
}
