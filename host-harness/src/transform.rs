//! The `transform` world: the mapping alone, importing nothing at all (a portal other than Backstage
//! fetches by itself and calls this). Instantiated with an empty linker, under the same memory cap as
//! the sync.

use crate::runtime::Limits;
use anyhow::Result;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder};

pub mod bindings {
    // One set of shared record types for both worlds, so an entity batch reads the same way.
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "transform",
        with: { "openchoreo:catalog/types": crate::runtime::bindings::openchoreo::catalog::types },
    });
}

pub use crate::runtime::bindings::openchoreo::catalog::types::{EntityBatch, MappingError, Relation, RelationBatch};
pub use bindings::exports::openchoreo::catalog::mapping as wit_mapping;

/// The transform component shipped inside this binary.
pub const TRANSFORM_COMPONENT: &[u8] = include_bytes!(env!("TRANSFORM_COMPONENT_PATH"));

struct State {
    limits: StoreLimits,
}

/// An instance of the transform component.
pub struct Transform {
    store: Store<State>,
    bindings: bindings::Transform,
}

impl Transform {
    pub fn new(wasm: &[u8], limits: Limits) -> Result<Self> {
        let engine = Engine::new(Config::new().wasm_component_model(true))?;
        let component = Component::new(&engine, wasm)?;
        // Nothing is linked: the component imports nothing.
        let linker = Linker::new(&engine);
        let state = State { limits: StoreLimitsBuilder::new().memory_size(limits.max_memory).build() };
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

    pub fn relations_of_batch(&mut self, text: &[u8], documents: &[u32]) -> wasmtime::Result<Result<RelationBatch, MappingError>> {
        self.bindings.openchoreo_catalog_mapping().call_relations_of_batch(&mut self.store, text, documents)
    }
}
