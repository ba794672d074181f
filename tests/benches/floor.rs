//! The fetch floor of a sync: the same requests the sync made, replayed with 8 in flight and each list's
//! pages in sequence (a page's cursor comes from the page before), nothing else. No sync can finish
//! before its requests have, so the floor is what sync figures are compared with.

use serde_json::Value;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const IN_FLIGHT: usize = 8;

/// One list (or single document) as the sync requested it: its path and how many pages.
struct Chain {
    path: String,
    pages: usize,
}

/// The request paths the fixture saw, in order, grouped into chains: the pages of one list share
/// its path.
fn chains(paths: &[String]) -> Vec<Chain> {
    let mut out: Vec<Chain> = Vec::new();
    for p in paths {
        match out.iter_mut().find(|c| &c.path == p) {
            Some(c) => c.pages += 1,
            None => out.push(Chain { path: p.clone(), pages: 1 }),
        }
    }
    out
}

fn fetch_chain(agent: &ureq::Agent, base: &str, chain: &Chain) {
    let list = !chain.path.ends_with("/schema");
    let mut cursor: Option<String> = None;
    for _ in 0..chain.pages {
        let mut req = agent.get(format!("{base}{}", chain.path));
        if list {
            req = req.query("limit", "100");
        }
        if let Some(c) = &cursor {
            req = req.query("cursor", c);
        }
        let body = req.call().expect("floor request").into_body().read_to_string().expect("floor body");
        if list {
            let v: Value = serde_json::from_str(&body).expect("a list page");
            cursor = v["pagination"]["nextCursor"].as_str().map(str::to_string);
        }
    }
}

/// Replays `paths` against `base` (the fixture's origin) and returns the wall time.
pub fn replay(base: &str, paths: &[String]) -> Duration {
    let queue = Mutex::new(chains(paths).into_iter().collect::<VecDeque<_>>());
    let agent: ureq::Agent = ureq::Agent::config_builder().max_idle_connections_per_host(IN_FLIGHT).build().into();
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..IN_FLIGHT {
            s.spawn(|| {
                loop {
                    // Taken in its own statement: a `while let` would hold the lock through the fetch.
                    let next = queue.lock().unwrap().pop_front();
                    let Some(chain) = next else { break };
                    fetch_chain(&agent, base, &chain);
                }
            });
        }
    });
    started.elapsed()
}
