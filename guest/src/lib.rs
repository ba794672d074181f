//! openchoreo-catalog guest: the mapping (pure) and the sync (through a transport), plus the
//! component bindings that expose both over WIT when built for `wasm32-wasip2`.

pub mod batch;
pub mod diagnostic;
pub mod entity;
pub mod escape;
pub mod events;
pub mod items;
pub mod json;
pub mod kinds;
pub mod lenient;
pub mod meta;
pub mod names;
pub mod printable;
pub mod refs;
pub mod relation_batch;
pub mod relation_input;
pub mod relations;
pub mod resource;
pub mod scan;
pub mod scope;
pub mod sync;
pub mod validate;

// The generated bindings need `unsafe` (exports, canonical ABI); nothing else in the guest does.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod bindings;
