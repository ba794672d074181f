//! `sync --events-listen ADDR`: the HTTP endpoint OpenChoreo's control plane POSTs its change events
//! to (`POST /api/events/http/openchoreo`, as Backstage's events backend takes them). Each body goes
//! through the component's `scopes-of-event`: an event only says which scopes to re-fetch, it never
//! changes an entity itself. Accepted events answer 202 and go to the sync loop; malformed bodies and
//! unknown kinds answer 400 with the reason and are logged at debug.

use crate::logging::{Logger, printable};
use crate::runtime::{Runtime, mapping_error_text};
use anyhow::{Context, Result};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

pub const EVENTS_PATH: &str = "/api/events/http/openchoreo";
/// An event is a few hundred bytes; anything much larger is not one.
const MAX_EVENT_BYTES: usize = 64 * 1024;

pub struct EventListener {
    pub addr: SocketAddr,
    pub scopes: Receiver<Vec<String>>,
    pub rejected: Arc<AtomicU64>,
}

pub fn listen(addr: &str, runtime: Arc<Runtime>, logger: Logger) -> Result<EventListener> {
    let listener = TcpListener::bind(addr).with_context(|| format!("--events-listen {addr}: cannot listen there"))?;
    let bound = listener.local_addr()?;
    let (tx, rx) = channel();
    let rejected = Arc::new(AtomicU64::new(0));
    let counter = rejected.clone();
    std::thread::Builder::new().name("events-listener".into()).spawn(move || {
        for stream in listener.incoming().flatten() {
            let (tx, runtime, logger, counter) = (tx.clone(), runtime.clone(), logger.clone(), counter.clone());
            std::thread::spawn(move || serve(stream, &tx, &runtime, &logger, &counter));
        }
    })?;
    Ok(EventListener { addr: bound, scopes: rx, rejected })
}

fn serve(stream: TcpStream, tx: &Sender<Vec<String>>, runtime: &Runtime, logger: &Logger, rejected: &AtomicU64) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(mut writer) = stream.try_clone() else { return };
    let mut reader = BufReader::new(stream);
    let (status, body) = match read_request(&mut reader) {
        Err(why) => (400, why),
        Ok((method, path, _)) if path != EVENTS_PATH => (404, format!("{method} {path}: events go to POST {EVENTS_PATH}")),
        Ok((method, _, _)) if method != "POST" => (405, format!("{method}: events are POSTed")),
        Ok((_, _, event)) => match scopes_of(runtime, logger, &event) {
            Ok(scopes) => {
                let reply = serde_json::json!({ "scopes": scopes }).to_string();
                let _ = tx.send(scopes);
                (202, reply)
            }
            Err(why) => {
                rejected.fetch_add(1, Ordering::Relaxed);
                logger.debug(&format!("Rejected an OpenChoreo event: {why}"));
                (400, why)
            }
        },
    };
    let body = if status == 202 { body } else { serde_json::json!({ "error": printable(&body) }).to_string() };
    let reason = match status {
        202 => "Accepted",
        400 => "Bad Request",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    let _ = write!(
        writer,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn scopes_of(runtime: &Runtime, logger: &Logger, event: &str) -> Result<Vec<String>, String> {
    let mut pure = runtime.pure(logger.clone()).map_err(|e| format!("the component could not start: {e:#}"))?;
    match pure.scopes_of_event(event) {
        Ok(Ok(scopes)) => Ok(scopes),
        Ok(Err(e)) => Err(mapping_error_text(&e)),
        Err(trap) => Err(format!("the component failed: {}", trap.root_cause())),
    }
}

/// Method, path and body of one request (Content-Length bodies of at most 64 KiB).
fn read_request(reader: &mut BufReader<TcpStream>) -> Result<(String, String, String), String> {
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| format!("reading the request: {e}"))?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or_default().to_string(), parts.next().unwrap_or_default());
    let path = target.split('?').next().unwrap_or_default().to_string();
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).map_err(|e| format!("reading the headers: {e}"))? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().map_err(|_| "Content-Length is not a number".to_string())?;
        }
    }
    if length > MAX_EVENT_BYTES {
        return Err(format!("the body has {length} bytes; an event has at most {MAX_EVENT_BYTES}"));
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).map_err(|e| format!("reading the body: {e}"))?;
    let body = String::from_utf8(body).map_err(|_| "the body is not UTF-8".to_string())?;
    Ok((method, path, body))
}
