//! WIT glue only: converts between the generated types and the pure modules.

use crate::diagnostic::{Diagnostic, Stale};
use crate::entity::Entity;
use crate::resource::{self, ResourceError};
use crate::scope::{self, Lists};
use crate::sync::config::{self, Config, ConfigError};
use crate::sync::transport::{self as tr, Transport};
use crate::sync::{self, SyncError};
use serde_json::Value;
use std::sync::{Mutex, Once};

wit_bindgen::generate!({ path: "../wit", world: "catalog" });

use exports::openchoreo::catalog::mapping;
use exports::openchoreo::catalog::sync as wsync;
use openchoreo::catalog::{http, log, token, types};

struct Component;
export!(Component);

static CONFIG: Mutex<Option<Config>> = Mutex::new(None);
static PANIC_HOOK: Once = Once::new();

/// A panic traps the instance; first tell the host's logger why.
fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| log::log(log::Level::Error, &format!("guest panic: {info}"))));
    });
}

fn to_wit(e: Entity) -> types::Entity {
    types::Entity { kind: e.kind, namespace: e.namespace, name: e.name, scope: e.scope, json: e.doc.to_string() }
}

fn stale_to_wit(s: Stale) -> types::StaleScope {
    types::StaleScope { scope: s.scope, reason: s.reason }
}

fn diag_to_wit(d: Diagnostic) -> types::Diagnostic {
    types::Diagnostic { location: d.location, message: d.message }
}

fn parse_json(what: &str, s: &str) -> Result<Value, types::MappingError> {
    serde_json::from_str(s).map_err(|e| types::MappingError::InvalidInput(format!("{what}: {e}")))
}

fn parse_items(endpoint: &str, s: &str) -> Result<Vec<Value>, types::MappingError> {
    match parse_json(endpoint, s)? {
        Value::Array(items) => Ok(items),
        _ => Err(types::MappingError::InvalidInput(format!("{endpoint}: expected a JSON array of items"))),
    }
}

impl mapping::Guest for Component {
    fn translate_scope(snapshot: mapping::ScopeSnapshot) -> Result<mapping::ScopeOutput, types::MappingError> {
        install_panic_hook();
        let mut lists = Lists::new();
        for l in snapshot.lists {
            let outcome = match l.outcome {
                mapping::ListOutcome::Items(s) => Ok(parse_items(&l.endpoint, &s)?),
                mapping::ListOutcome::Failed(reason) => Err(reason),
            };
            lists.insert(l.endpoint, outcome);
        }
        let out = match snapshot.scope {
            mapping::ScopeRef::Namespace(ns) => {
                let ns = parse_json("namespace", &ns)?;
                scope::translate_namespace(&ns, &lists, &snapshot.default_owner).map_err(types::MappingError::InvalidInput)?
            }
            mapping::ScopeRef::Cluster => scope::translate_cluster(&lists),
        };
        Ok(mapping::ScopeOutput {
            entities: out.entities.into_iter().map(to_wit).collect(),
            stale: out.stale.into_iter().map(stale_to_wit).collect(),
            skipped: out.skipped.into_iter().map(diag_to_wit).collect(),
        })
    }

    fn translate_resource(
        kind: String,
        namespace: Option<String>,
        json: String,
        context: Option<String>,
    ) -> Result<Vec<types::Entity>, types::MappingError> {
        install_panic_hook();
        let resource = parse_json("resource", &json)?;
        let context = context.map(|c| parse_json("context", &c)).transpose()?;
        let out = resource::translate(&kind, namespace.as_deref(), resource, context).map_err(|e| match e {
            ResourceError::Invalid(m) => types::MappingError::InvalidInput(m),
            ResourceError::Unsupported(k) => types::MappingError::UnsupportedKind(k),
        })?;
        if out.entities.is_empty()
            && let Some(d) = out.skipped.into_iter().next()
        {
            return Err(types::MappingError::InvalidInput(format!("{}: {}", d.location, d.message)));
        }
        Ok(out.entities.into_iter().map(to_wit).collect())
    }

    fn relations(entity_json: String) -> Result<Vec<types::Relation>, types::MappingError> {
        let doc = parse_json("entity", &entity_json)?;
        let rels = crate::relations::relations(&doc).map_err(types::MappingError::InvalidInput)?;
        Ok(rels.into_iter().map(|r| types::Relation { source: r.source, type_: r.rtype.to_string(), target: r.target }).collect())
    }

    fn scope_of(entity_json: String) -> Result<String, types::MappingError> {
        let doc = parse_json("entity", &entity_json)?;
        scope::scope_of(&doc).map_err(types::MappingError::InvalidInput)
    }
}

struct HostTransport;

impl Transport for HostTransport {
    fn send_batch(&mut self, requests: &[tr::Request]) -> Vec<Result<tr::Response, tr::HttpError>> {
        let wit: Vec<http::Request> =
            requests.iter().map(|r| http::Request { path: r.path.clone(), query: r.query.clone() }).collect();
        http::send_batch(&wit)
            .into_iter()
            .map(|r| match r {
                Ok(resp) => Ok(tr::Response { status: resp.status, body: resp.body }),
                Err(e) => Err(match e {
                    http::HttpError::Timeout(m) => tr::HttpError::Timeout(m),
                    http::HttpError::Connection(m) => tr::HttpError::Connection(m),
                    http::HttpError::TooLarge(n) => tr::HttpError::TooLarge(n),
                    http::HttpError::Refused(m) => tr::HttpError::Refused(m),
                    http::HttpError::Deadline(m) => tr::HttpError::Deadline(m),
                    http::HttpError::Other(m) => tr::HttpError::Other(m),
                }),
            })
            .collect()
    }

    fn ensure_token(&mut self, force_refresh: bool) -> Result<tr::TokenState, tr::TokenError> {
        match token::ensure(force_refresh) {
            Ok(token::TokenState::Disabled) => Ok(tr::TokenState::Disabled),
            Ok(token::TokenState::Ready) => Ok(tr::TokenState::Ready),
            Err(token::TokenError::MissingCredentials(m)) => Err(tr::TokenError::MissingCredentials(m)),
            Err(token::TokenError::Rejected(m)) => Err(tr::TokenError::Rejected(m)),
            Err(token::TokenError::Unreachable(m)) => Err(tr::TokenError::Unreachable(m)),
            Err(token::TokenError::InvalidResponse(m)) => Err(tr::TokenError::InvalidResponse(m)),
        }
    }

    fn log(&mut self, level: tr::Level, message: &str) {
        let level = match level {
            tr::Level::Debug => log::Level::Debug,
            tr::Level::Info => log::Level::Info,
            tr::Level::Warn => log::Level::Warn,
            tr::Level::Error => log::Level::Error,
        };
        log::log(level, message);
    }
}

impl wsync::Guest for Component {
    fn configure(config_json: String) -> Result<wsync::Settings, wsync::ConfigError> {
        install_panic_hook();
        let section: Value = serde_json::from_str(&config_json)
            .map_err(|e| wsync::ConfigError::Invalid(format!("openchoreo config is not JSON: {e}")))?;
        let cfg = config::parse(&section).map_err(|e| match e {
            ConfigError::Missing(m) => wsync::ConfigError::Missing(m),
            ConfigError::Invalid(m) => wsync::ConfigError::Invalid(m),
        })?;
        let settings = wsync::Settings {
            frequency_seconds: cfg.frequency_seconds,
            timeout_seconds: cfg.timeout_seconds,
            auth_enabled: cfg.auth_enabled,
            base_url: cfg.base_url.clone(),
        };
        *CONFIG.lock().unwrap_or_else(|p| p.into_inner()) = Some(cfg);
        Ok(settings)
    }

    fn run() -> Result<wsync::Report, wsync::SyncError> {
        install_panic_hook();
        let cfg = CONFIG.lock().unwrap_or_else(|p| p.into_inner()).clone().ok_or(wsync::SyncError::NotConfigured)?;
        let report = sync::run(&cfg, &mut HostTransport).map_err(|e| match e {
            SyncError::Namespaces(m) => wsync::SyncError::Namespaces(m),
            SyncError::Auth(m) => wsync::SyncError::Auth(m),
        })?;
        Ok(wsync::Report {
            entities: report.entities.into_iter().map(to_wit).collect(),
            stale: report.stale.into_iter().map(stale_to_wit).collect(),
            skipped: report.skipped.into_iter().map(diag_to_wit).collect(),
            stats: wsync::RunStats {
                requests: report.stats.requests,
                pages: report.stats.pages,
                bytes_received: report.stats.bytes_received,
            },
        })
    }
}
