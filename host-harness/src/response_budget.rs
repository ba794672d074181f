//! What the response bodies a host holds at once may take: those being read and those read but not yet
//! handed to the component. When the bodies being read would pass it, the largest of them fails, not
//! the one whose bytes tipped it: one huge response costs its own list only.

use std::sync::{Mutex, MutexGuard};

pub struct Budget {
    limit: u64,
    state: Mutex<Held>,
}

#[derive(Default)]
struct Held {
    total: u64,
    next_id: u64,
    /// The bodies being read: their id and the bytes each has taken.
    reading: Vec<(u64, u64)>,
}

/// A body being read, from [`Budget::start_reading`] until [`Budget::stop_reading`].
pub struct Reading(u64);

impl Budget {
    pub fn new(limit: u64) -> Self {
        Self { limit, state: Mutex::new(Held::default()) }
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    fn lock(&self) -> MutexGuard<'_, Held> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn start_reading(&self) -> Reading {
        let mut held = self.lock();
        held.next_id += 1;
        let id = held.next_id;
        held.reading.push((id, 0));
        Reading(id)
    }

    /// Takes `bytes` more for `body`. Past the limit, the largest body being read gives its bytes back
    /// and fails: `false` when that is `body` (or it failed so earlier), which must then stop reading.
    pub fn grow(&self, body: &Reading, bytes: u64) -> bool {
        let mut held = self.lock();
        let Some(at) = held.reading.iter().position(|r| r.0 == body.0) else { return false };
        held.reading[at].1 += bytes;
        held.total += bytes;
        while held.total > self.limit {
            let (largest, _) = held.reading.iter().enumerate().max_by_key(|(_, r)| r.1).expect("the body growing is being read");
            let (id, size) = held.reading.swap_remove(largest);
            held.total -= size;
            if id == body.0 {
                return false;
            }
        }
        true
    }

    /// The body is read (`keep`: its bytes stay taken until given back) or failed (given back now).
    pub fn stop_reading(&self, body: Reading, keep: bool) {
        let mut held = self.lock();
        if let Some(at) = held.reading.iter().position(|r| r.0 == body.0) {
            let (_, size) = held.reading.swap_remove(at);
            if !keep {
                held.total -= size;
            }
        }
    }

    /// Bytes of bodies read earlier, given back once their holder has let them go.
    pub fn give_back(&self, bytes: u64) {
        let mut held = self.lock();
        held.total = held.total.saturating_sub(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_body_fails_when_another_tips_the_budget_and_its_bytes_come_back() {
        let budget = Budget::new(100);
        let (big, small) = (budget.start_reading(), budget.start_reading());
        assert!(budget.grow(&big, 80));
        assert!(budget.grow(&small, 30), "the smaller body goes on");
        assert!(!budget.grow(&big, 1), "the larger one failed");
        assert!(budget.grow(&small, 60), "its bytes came back: 90 of 100 held");
        assert!(!budget.grow(&small, 20), "alone past the limit, a body fails itself");
        budget.stop_reading(small, false);
        let next = budget.start_reading();
        assert!(budget.grow(&next, 100), "everything was given back");
    }

    #[test]
    fn a_read_body_keeps_its_bytes_until_given_back() {
        let budget = Budget::new(100);
        let first = budget.start_reading();
        assert!(budget.grow(&first, 70));
        budget.stop_reading(first, true);
        let second = budget.start_reading();
        assert!(!budget.grow(&second, 40), "70 are still held by a body that is no longer read");
        budget.stop_reading(second, false);
        budget.give_back(70);
        let third = budget.start_reading();
        assert!(budget.grow(&third, 100));
    }
}
