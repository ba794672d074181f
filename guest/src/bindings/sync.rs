//! The `catalog` world's extra glue: the transport over the host imports, and the sync export.

use super::exports::openchoreo::catalog::sync as wsync;
use super::openchoreo::catalog::{http, log, sink, template_reader, token};
use super::{Component, diag_to_wit, install_panic_hook, stale_to_wit, to_wit};
use crate::entity::Entity;
use crate::sync::config::{self, Config, ConfigError};
use crate::sync::transport::{self as tr, Transport};
use crate::sync::{self, SyncError};
use serde_json::Value;
use std::sync::Mutex;

static CONFIG: Mutex<Option<Config>> = Mutex::new(None);

struct HostTransport;

fn wit_requests(requests: &[tr::Request]) -> Vec<http::Request> {
    requests.iter().map(|r| http::Request { path: r.path.clone(), query: r.query.clone() }).collect()
}

fn from_wit(results: Vec<Result<http::Response, http::HttpError>>) -> Vec<Result<tr::Response, tr::HttpError>> {
    results
        .into_iter()
        .map(|r| match r {
            Ok(resp) => match String::from_utf8(resp.body) {
                Ok(body) => Ok(tr::Response { status: resp.status, body }),
                Err(e) => Err(tr::HttpError::Other(not_utf8(e.utf8_error()))),
            },
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

/// Hosts hand bodies over undecoded: this is where every host's bad body is named the same way.
fn not_utf8(e: std::str::Utf8Error) -> String {
    format!("the response body is not UTF-8 (an invalid byte at offset {})", e.valid_up_to())
}

impl Transport for HostTransport {
    fn send_batch(&mut self, requests: &[tr::Request]) -> Vec<Result<tr::Response, tr::HttpError>> {
        from_wit(http::send_batch(&wit_requests(requests)))
    }

    fn queue(&mut self, requests: Vec<(u32, tr::Request)>) -> Vec<(u32, Result<tr::Response, tr::HttpError>)> {
        let requests: Vec<(u32, http::Request)> =
            requests.into_iter().map(|(ticket, r)| (ticket, http::Request { path: r.path, query: r.query })).collect();
        http::queue(&requests);
        Vec::new()
    }

    fn collect(&mut self, wait: bool) -> Vec<(u32, Result<tr::Response, tr::HttpError>)> {
        let (tickets, results): (Vec<u32>, Vec<_>) = http::collect(wait).into_iter().unzip();
        tickets.into_iter().zip(from_wit(results)).collect()
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
        log::log(level, &crate::printable::printable(message));
    }

    fn read_templates(&mut self, urls: &[String]) -> Vec<Result<String, tr::ReadError>> {
        template_reader::read_batch(urls)
            .into_iter()
            .map(|r| {
                r.map_err(|e| match e {
                    template_reader::ReadError::NotAllowed(m) => tr::ReadError::NotAllowed(m),
                    template_reader::ReadError::Failed(m) => tr::ReadError::Failed(m),
                })
            })
            .collect()
    }

    fn emit(&mut self, entities: &mut Vec<Entity>) {
        if entities.is_empty() {
            return;
        }
        sink::emit(&to_wit(std::mem::take(entities)));
    }
}

impl wsync::Guest for Component {
    fn configure(config_json: String) -> Result<wsync::Settings, wsync::ConfigError> {
        install_panic_hook();
        let section: Value =
            serde_json::from_str(&config_json).map_err(|e| wsync::ConfigError::Invalid(format!("openchoreo config is not JSON: {e}")))?;
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
        let report = sync::run(&cfg, &mut HostTransport).map_err(sync_error)?;
        Ok(report_to_wit(report))
    }

    fn run_scopes(scopes: Vec<String>) -> Result<wsync::ScopedReport, wsync::SyncError> {
        install_panic_hook();
        let cfg = CONFIG.lock().unwrap_or_else(|p| p.into_inner()).clone().ok_or(wsync::SyncError::NotConfigured)?;
        let scoped = sync::run_scopes(&cfg, &mut HostTransport, &scopes).map_err(sync_error)?;
        Ok(wsync::ScopedReport { report: report_to_wit(scoped.report), covered: scoped.covered })
    }
}

fn sync_error(e: SyncError) -> wsync::SyncError {
    match e {
        SyncError::Namespaces(m) => wsync::SyncError::Namespaces(m),
        SyncError::Auth(m) => wsync::SyncError::Auth(m),
        SyncError::Scopes(m) => wsync::SyncError::Scopes(m),
    }
}

fn report_to_wit(report: sync::Report) -> wsync::Report {
    wsync::Report {
        entities: to_wit(report.entities),
        stale: report.stale.into_iter().map(stale_to_wit).collect(),
        skipped: report.skipped.into_iter().map(diag_to_wit).collect(),
        stats: wsync::RunStats { requests: report.stats.requests, pages: report.stats.pages, bytes_received: report.stats.bytes_received },
    }
}
