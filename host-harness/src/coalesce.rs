//! Coalescing OpenChoreo change events per scope. The first event on a quiet scope is fetched at once
//! (leading); every event also (re)arms one trailing fetch a quiet period after the last event of its
//! burst, capped at a longest wait. A burst of any size on one scope costs at most two fetches, and the
//! trailing one catches changes the event source dropped (OpenChoreo drops updates within a second of
//! each other). Runs are applied one at a time, in order, so no result overwrites a newer one.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// After the last event of a burst, this long before the trailing fetch.
pub const QUIET: Duration = Duration::from_secs(2);
/// However long a burst goes on, a scope's trailing fetch waits at most this long after its first event.
pub const LONGEST_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Default)]
pub struct Coalescer {
    leading: BTreeSet<String>,
    /// scope → (when to fetch, when the burst began)
    trailing: BTreeMap<String, (Instant, Instant)>,
    /// Events received, and events that did not add a fetch of their own.
    pub received: u64,
    pub coalesced: u64,
}

impl Coalescer {
    pub fn event(&mut self, scopes: Vec<String>, now: Instant) {
        self.received += 1;
        let mut added = false;
        for s in scopes {
            match self.trailing.get_mut(&s) {
                Some((at, began)) => *at = (now + QUIET).min(*began + LONGEST_WAIT),
                None => {
                    added = true;
                    self.leading.insert(s.clone());
                    self.trailing.insert(s, (now + QUIET, now));
                }
            }
        }
        if !added {
            self.coalesced += 1;
        }
    }

    /// The scopes to fetch now (the leading ones and the trailing ones that are due), in order.
    pub fn due(&mut self, now: Instant) -> Vec<String> {
        let mut due = std::mem::take(&mut self.leading);
        let ripe: Vec<String> = self.trailing.iter().filter(|(_, (at, _))| *at <= now).map(|(s, _)| s.clone()).collect();
        for s in ripe {
            self.trailing.remove(&s);
            due.insert(s);
        }
        due.into_iter().collect()
    }

    /// When `due` next has something: now for leading scopes, else the earliest trailing fetch.
    pub fn next_at(&self, now: Instant) -> Option<Instant> {
        if !self.leading.is_empty() {
            return Some(now);
        }
        self.trailing.values().map(|(at, _)| *at).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(s: &str) -> Vec<String> {
        vec![s.to_string()]
    }

    #[test]
    fn a_burst_on_one_scope_costs_a_leading_and_a_trailing_fetch() {
        let t0 = Instant::now();
        let mut c = Coalescer::default();
        let mut fetches = Vec::new();
        for i in 0..50 {
            let now = t0 + Duration::from_millis(i * 20);
            c.event(scope("ns/a/*"), now);
            fetches.extend(c.due(now));
        }
        assert_eq!(fetches, vec!["ns/a/*"], "the first event is fetched at once, the rest wait");
        let last = t0 + Duration::from_millis(49 * 20);
        assert_eq!(c.next_at(last), Some(last + QUIET));
        assert!(c.due(last + QUIET - Duration::from_millis(1)).is_empty());
        assert_eq!(c.due(last + QUIET), vec!["ns/a/*"]);
        assert_eq!(c.next_at(last + QUIET), None, "nothing left after the trailing fetch");
        assert_eq!((c.received, c.coalesced), (50, 49));
    }

    #[test]
    fn a_burst_that_never_ends_still_fetches_within_the_longest_wait() {
        let t0 = Instant::now();
        let mut c = Coalescer::default();
        c.event(scope("ns/a/*"), t0);
        c.due(t0);
        let mut now = t0;
        while now < t0 + Duration::from_secs(30) {
            now += Duration::from_millis(500);
            c.event(scope("ns/a/*"), now);
            if !c.due(now).is_empty() {
                break;
            }
        }
        assert!(now <= t0 + LONGEST_WAIT + Duration::from_millis(500), "trailing fetch at {:?}", now - t0);
    }

    #[test]
    fn scopes_are_coalesced_apart() {
        let t0 = Instant::now();
        let mut c = Coalescer::default();
        c.event(scope("ns/a/*"), t0);
        c.event(scope("cluster/*"), t0);
        c.event(scope("ns/a/*"), t0);
        assert_eq!(c.due(t0), vec!["cluster/*", "ns/a/*"]);
        assert_eq!(c.due(t0 + QUIET), vec!["cluster/*", "ns/a/*"]);
    }
}
