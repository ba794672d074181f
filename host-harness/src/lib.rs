//! wasmtime host for the openchoreo-catalog component: HTTP, OAuth2 client-credentials tokens and
//! scheduling as host imports; config, state and output handling; the fixture API and the demo.

pub mod app_config;
pub mod batch;
pub mod coalesce;
pub mod compile_cache;
pub mod demo;
pub mod dist;
pub mod events;
pub mod fixture;
pub mod http_client;
pub mod lock;
pub mod logging;
pub mod output;
pub mod parallel_format;
pub mod reading;
pub mod reading_rules;
pub mod relation_worker;
pub mod request_stream;
pub mod response_budget;
pub mod runner;
pub mod runtime;
pub mod state;
pub mod synthetic;
pub mod token;
pub mod token_response;
pub mod transform;

/// The guest component, built by `build.rs` for `wasm32-wasip2`.
pub const GUEST_COMPONENT: &[u8] = include_bytes!(env!("GUEST_COMPONENT_PATH"));
