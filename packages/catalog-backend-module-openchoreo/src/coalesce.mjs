// Coalescing OpenChoreo change events per scope (the same rule as the CLI's host-harness/src/coalesce.rs).
// The first event on a quiet scope is fetched at once (leading); every event also (re)arms one trailing
// fetch a quiet period after the last event of its burst, at most LONGEST_WAIT after its first. A burst
// of any size costs at most two fetches of its scope, and the trailing one catches changes the event
// source dropped (OpenChoreo drops updates within a second of each other).

export const QUIET_MS = 2_000;
export const LONGEST_WAIT_MS = 10_000;

export class Coalescer {
  constructor() {
    this.leading = new Set();
    /** scope → { at, began } */
    this.trailing = new Map();
    this.received = 0;
    this.coalesced = 0;
  }

  event(scopes, now = Date.now()) {
    this.received += 1;
    let added = false;
    for (const scope of scopes) {
      const t = this.trailing.get(scope);
      if (t) {
        t.at = Math.min(now + QUIET_MS, t.began + LONGEST_WAIT_MS);
      } else {
        added = true;
        this.leading.add(scope);
        this.trailing.set(scope, { at: now + QUIET_MS, began: now });
      }
    }
    if (!added) this.coalesced += 1;
  }

  /** The scopes to fetch now, sorted. */
  due(now = Date.now()) {
    const due = new Set(this.leading);
    this.leading.clear();
    for (const [scope, t] of this.trailing) {
      if (t.at <= now) {
        this.trailing.delete(scope);
        due.add(scope);
      }
    }
    return [...due].sort();
  }

  /** When `due` next has something, or undefined. */
  nextAt(now = Date.now()) {
    if (this.leading.size) return now;
    let next;
    for (const t of this.trailing.values()) next = next === undefined ? t.at : Math.min(next, t.at);
    return next;
  }
}
