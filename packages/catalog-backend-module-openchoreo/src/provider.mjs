// The entity provider: one full sync through the component per scheduled run, applied as a full
// mutation unless the ledger shows the catalog already holds exactly that (nothing applied) or that
// but for a few scopes (those applied as a delta); OpenChoreo's change events
// re-fetch only the scopes they can affect, applied as exact delta mutations. Last-known-good (what a
// failed scope keeps, what a delta removes from) is read from the catalog when a run needs it: every
// backend replica then works from the same shared state, and a replica never re-emits an older copy of
// its own. The one exception is a changed run's delta over scopes whose digests in the shared ledger
// are those this process applied: the same digest means the same entities, so it knows their refs.
// Full runs are the scheduler's global task: one replica at a time.
import { createHash } from 'node:crypto';
import { ANNOTATION_LOCATION, ANNOTATION_ORIGIN_LOCATION, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Coalescer } from './coalesce.mjs';
import { LOCATION_KEY, PROVIDER_NAME } from './config.mjs';
import { MemoryLedger } from './ledger.mjs';
import { ProviderMetrics } from './metrics.mjs';
import { printable } from './printable.mjs';
import { isOurs } from './processor.mjs';
import { areaNamespace, changedScopes, scopeArea, scopeDigests } from './scope-digests.mjs';
import { kindFilters } from './scope-filters.mjs';
import { GuestError, RunTimeout } from './wasm/component.mjs';

/** Fields the catalog adds to stored entities; an entity handed back to applyMutation must not carry them. */
function unprocessed(entity) {
  const { relations: _r, status: _s, ...rest } = entity;
  const { uid: _u, etag: _e, generation: _g, ...metadata } = rest.metadata;
  return { ...rest, metadata };
}

const refOf = (kind, namespace, name) => `${kind.toLowerCase()}:${(namespace || 'default').toLowerCase()}/${name}`;

/**
 * What a full run applies, as one SHA-256: the digest of the component's own text (the worker hashes
 * its batches as they arrive, so the text is never re-serialised), then the catalog's copies kept for
 * stale scopes as `ref JSON` lines sorted by ref.
 */
function runDigest(report, kept) {
  const h = createHash('sha256');
  if (report.digest !== undefined) h.update(report.digest);
  else for (const e of report.entities) h.update(e.json).update('\n'); // a component of the caller's own
  const lines = kept.map((e) => [refOf(e.entity.kind, e.entity.metadata.namespace, e.entity.metadata.name), JSON.stringify(e.entity)]);
  lines.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [ref, text] of lines) h.update('\n').update(ref).update(' ').update(text);
  return h.digest('hex');
}

/** Whether a scope pattern (`prefix*` or exact, the component's rule) covers an entity's scope. */
const covers = (patterns, scope) => patterns.some((s) => (s.endsWith('*') ? scope.startsWith(s.slice(0, -1)) : s === scope));

export class OpenChoreoEntityProvider {
  constructor({ component, logger, taskRunner, catalog, auth, timeoutSeconds, ledger, reapplyAfterSeconds = 3600, metrics = new ProviderMetrics(), now = Date.now }) {
    Object.assign(this, { component, logger, taskRunner, catalog, auth, timeoutSeconds, metrics, now });
    this.connection = undefined;
    // Without a ledger shared by the replicas every run applies (a process's own memory cannot know
    // what another replica applied); the memory ledger then only tells a changed run from the same one.
    this.ledger = ledger ?? new MemoryLedger();
    /** How long a full mutation that changed nothing may go unapplied: 0 applies every run. */
    this.reapplyMs = ledger ? reapplyAfterSeconds * 1000 : 0;
    this.running = false;
    /** Runs (full and event-driven) are applied one at a time, in order. */
    this.queue = Promise.resolve();
    this.coalescer = new Coalescer();
    /**
     * scope → { digest, refs }: the entity refs of the scopes this process last applied, by the
     * scope's digest. A scope's digest in the ledger that matches says the catalog holds exactly those
     * refs there (the same documents), whichever replica applied them: a delta then need not read them.
     */
    this.held = new Map();
    this.rejected = 0;
    this.timer = undefined;
  }

  getProviderName() {
    return PROVIDER_NAME;
  }

  async connect(connection) {
    this.connection = connection;
    await this.taskRunner.run({ id: PROVIDER_NAME, fn: () => this.refresh({ rethrow: true }) });
  }

  /**
   * One full run. Logs why it changed nothing; with `rethrow` (the scheduler's call) a failed run also
   * fails the task, so the scheduler's task metrics show it.
   */
  async refresh({ rethrow = false } = {}) {
    if (this.running) {
      this.logger.info('An OpenChoreo sync is still running; this run is skipped');
      return;
    }
    this.running = true;
    try {
      await this.serially(() => this.metrics.run('full', () => this.refreshOnce()));
    } catch (e) {
      this.logger.error(printable(`Failed to run ${PROVIDER_NAME}: ${e.message}`));
      if (rethrow) throw e;
    } finally {
      this.running = false;
    }
  }

  serially(fn) {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  async runComponent(call) {
    try {
      return await call();
    } catch (e) {
      if (e instanceof RunTimeout) throw new Error(`the run exceeded openchoreo.schedule.timeout (${this.timeoutSeconds}s) and was cancelled; previous entities kept`);
      if (e instanceof GuestError) throw new Error(e.message);
      throw e;
    }
  }

  async refreshOnce() {
    if (!this.connection) throw new Error('not connected');
    const started = performance.now();
    const report = await this.runComponent(() => this.component.run(this.timeoutSeconds * 1000));
    const ran = performance.now();
    const stale = report.stale.map((s) => s.scope);
    // What the catalog holds now (shared by every replica), not an older copy of this process's own.
    const shared = stale.length > 0 ? await this.readFromCatalog() : [];
    if (shared === null) {
      this.logger.warn(`Not applying this run: ${stale.length} scope(s) failed and the previous entities could not be read from the catalog`);
      return;
    }
    const kept = shared.filter((e) => covers(stale, e.scope));
    const applied = runDigest(report, kept);
    const count = (report.count ?? report.entities.length) + kept.length;
    this.metrics.entities.record(count);
    this.metrics.stale.record(stale.length);
    const ms = (a, b) => Math.round(b - a);
    const summary = (timing) => `${count} entities (${report.stats.requests} requests${stale.length ? `, ${stale.length} stale scopes kept` : ''}; component ${ms(started, ran)} ms, ${timing})`;
    const record = await this.ledger.read();
    // What the ledger records still describes the catalog, and is recent enough to trust over a full mutation.
    const trusted = record.digest !== null && this.now() - record.appliedAt < this.reapplyMs;
    if (trusted && record.digest === applied) {
      this.logger.debug(`No changes: ${summary(`not applied: the catalog holds them, last applied in full at ${new Date(record.appliedAt).toISOString()}`)}`);
      return;
    }
    const claimed = await this.ledger.claim(record.generation);
    const scopes = stale.length === 0 ? scopeDigests(report) : null;
    const applying = performance.now();
    const delta = trusted && claimed !== null && record.scopes && scopes ? await this.deltaOf(report, record.scopes, scopes) : null;
    let how;
    if (delta) {
      const { changed, added, removed, readMs } = delta;
      if (added.length || removed.length) await this.connection.applyMutation({ type: 'delta', added, removed });
      const read = readMs === null ? 'what they held known from earlier runs' : `reading what they held ${readMs} ms`;
      how = `a delta of ${changed.length} changed scope(s), ${added.length} entities, ${removed.length} removed; ${read}`;
    } else {
      const entities = report.entities.map((e) => ({ entity: JSON.parse(e.json), locationKey: LOCATION_KEY }));
      for (const e of kept) entities.push({ entity: e.entity, locationKey: LOCATION_KEY });
      await this.connection.applyMutation({ type: 'full', entities });
      how = 'a full mutation';
    }
    const catalogMs = ms(applying, performance.now());
    // Lost to another replica's mutation: the digest stays cleared, and the next run applies in full.
    if (claimed !== null) {
      // A delta keeps the time of the full mutation it builds on: reapplyAfter counts from that.
      const fullAt = delta ? record.appliedAt : this.now();
      const recorded = await this.ledger.recordApplied(applied, claimed, fullAt, scopes).catch((e) => {
        this.logger.warn(`Applied ${count} entities, but could not record them, so the next run applies them again: ${e.message}`);
        return false;
      });
      if (recorded && scopes) this.rememberHeld(scopes, delta ? delta.fresh : report.entities, delta?.changed);
      else this.held.clear();
    } else {
      this.held.clear();
    }
    if (record.digest !== applied) this.logger.info(`Synced ${summary(`catalog ${catalogMs} ms: ${how}`)}`);
    else this.logger.debug(`No changes: ${summary(`catalog ${catalogMs} ms; applied again after openchoreo.sync.reapplyAfter`)}`);
  }

  /**
   * A changed full run as a delta of its changed scopes, when the catalog holds exactly the run the
   * ledger recorded (`before`: its scope digests): the entities of those scopes added, and what the
   * catalog has in them that the run no longer makes removed. Null (apply in full) when more than half
   * the scopes or half the run's entities changed (a delta would cost what a full mutation does), or
   * the catalog cannot be read.
   */
  async deltaOf(report, before, after) {
    const changed = changedScopes(before, after);
    const scopes = new Set([...Object.keys(before), ...Object.keys(after)]).size;
    if (changed.length > scopes / 2) return null;
    const inChanged = new Set(changed);
    const fresh = report.entitiesOf ? report.entitiesOf(inChanged) : report.entities.filter((e) => inChanged.has(e.scope));
    if (fresh.length > (report.count ?? report.entities.length) / 2) return null;
    // What the catalog holds in a changed scope: known when this process applied the scope as the
    // ledger records it (or the ledger records nothing there), else read from the catalog.
    const known = (scope) => before[scope] === undefined || this.held.get(scope)?.digest === before[scope];
    const unknown = new Set(changed.filter((scope) => !known(scope)));
    const reading = performance.now();
    const previous = unknown.size ? await this.readFromCatalog(await this.filtersFor([...unknown])) : [];
    if (previous === null) return null;
    const readMs = unknown.size ? Math.round(performance.now() - reading) : null;
    const added = fresh.map((e) => ({ entity: JSON.parse(e.json), locationKey: LOCATION_KEY }));
    const addedRefs = new Set(added.map((a) => stringifyEntityRef(a.entity)));
    const removed = [
      ...changed
        .filter(known)
        .flatMap((scope) => this.held.get(scope)?.refs ?? [])
        .filter((ref) => !addedRefs.has(ref))
        .map((entityRef) => ({ entityRef, locationKey: LOCATION_KEY })),
      ...previous
        .filter((e) => unknown.has(e.scope) && !addedRefs.has(stringifyEntityRef(e.entity)))
        .map((e) => ({ entity: e.entity, locationKey: LOCATION_KEY })),
    ];
    return { changed, fresh, added, removed, readMs };
  }

  /**
   * Remembers the refs the catalog now holds in each scope, by the digests just recorded: all scopes
   * after a full mutation (`entities`: the run's), the changed ones after a delta (`entities`: theirs).
   */
  rememberHeld(digests, entities, changed) {
    if (!changed) this.held.clear();
    const refs = new Map((changed ?? Object.keys(digests)).map((scope) => [scope, []]));
    for (const e of entities) refs.get(e.scope)?.push(stringifyEntityRef({ kind: e.kind, namespace: e.namespace, name: e.name }));
    for (const [scope, list] of refs) {
      if (digests[scope] === undefined) this.held.delete(scope);
      else this.held.set(scope, { digest: digests[scope], refs: list });
    }
  }

  /** Catalog filters for the entities of `scopes`: by kind where the component can say, else their whole namespaces. */
  async filtersFor(scopes) {
    const areas = () => catalogFilters([...new Set(scopes.map(scopeArea))]);
    let narrowed;
    try {
      narrowed = await kindFilters(scopes, (docs) => this.component.scopeOf(docs));
    } catch (e) {
      this.logger.debug(`Reading whole namespaces for a delta: the component could not name the kinds of its scopes: ${e.message}`);
      return areas();
    }
    if (!narrowed) return areas();
    const { filters, wholeAreas } = narrowed;
    return wholeAreas.length ? [...filters, ...catalogFilters(wholeAreas)] : filters;
  }

  /**
   * An OpenChoreo change event (`{kind, name, namespace, action}`), from the events service. It only
   * says where to look: the component names the scopes it can affect, and they are re-fetched.
   */
  async onEvent(payload) {
    const json = typeof payload === 'string' ? payload : JSON.stringify(payload ?? null);
    let scopes;
    try {
      scopes = await this.component.scopesOfEvent(json);
    } catch (e) {
      this.rejected += 1;
      this.metrics.events.add(1, { outcome: 'rejected' });
      this.logger.debug(printable(`Rejected an OpenChoreo event: ${e instanceof GuestError ? guestReason(e) : e.message}`));
      return;
    }
    const coalescedBefore = this.coalescer.coalesced;
    this.coalescer.event(scopes);
    this.metrics.events.add(1, { outcome: 'received' });
    if (this.coalescer.coalesced > coalescedBefore) this.metrics.events.add(1, { outcome: 'coalesced' });
    this.pump();
  }

  /** Fetches the scopes that are due, then sleeps until the next ones are. */
  pump() {
    clearTimeout(this.timer);
    const due = this.coalescer.due();
    if (due.length) {
      this.serially(() => this.metrics.run('scoped', () => this.refreshScopes(due))).catch((e) => this.logger.error(printable(`Failed to re-fetch ${due.join(' ')}: ${e.message}`)));
    }
    const next = this.coalescer.nextAt();
    if (next !== undefined) {
      this.timer = setTimeout(() => this.pump(), Math.max(0, next - Date.now()));
      this.timer.unref?.();
    }
  }

  /** One run over named scopes, applied as a delta: within what it covers, what the API no longer has goes. */
  async refreshScopes(scopes) {
    if (!this.connection) throw new Error('not connected');
    const { report, covered } = await this.runComponent(() => this.component.runScopes(scopes, this.timeoutSeconds * 1000));
    const before = await this.readFromCatalog(catalogFilters(covered));
    if (before === null) throw new Error('the previous entities could not be read from the catalog; nothing applied');
    const stale = report.stale.map((s) => s.scope);
    const fresh = report.entities.map((e) => ({ scope: e.scope, entity: JSON.parse(e.json) }));
    const freshRefs = new Set(fresh.map((e) => stringifyEntityRef(e.entity)));
    const removed = before.filter((e) => covers(covered, e.scope) && !covers(stale, e.scope) && !freshRefs.has(stringifyEntityRef(e.entity)));
    await this.applyDelta({
      type: 'delta',
      added: fresh.map((e) => ({ entity: e.entity, locationKey: LOCATION_KEY })),
      removed: removed.map((e) => ({ entity: e.entity, locationKey: LOCATION_KEY })),
    });
    this.metrics.events.add(1, { outcome: 'applied' });
    this.metrics.stale.record(stale.length);
    this.logger.info(
      `Synced ${covered.join(' ')}: ${fresh.length} entities, ${removed.length} removed (${report.stats.requests} requests${stale.length ? `, ${stale.length} stale scopes kept` : ''}); events: ${this.coalescer.received} received, ${this.coalescer.coalesced} coalesced, ${this.rejected} rejected`,
    );
  }

  /**
   * An entity made elsewhere (OpenChoreo's scaffolder actions, through the immediate catalog service),
   * shown at once as a delta of this provider: the next full sync keeps it if the API has it and removes
   * it if not. It gets this provider's location annotations when it has none, so runs read it back.
   */
  async insertImmediately(entity) {
    const problem = entityProblem(entity);
    if (problem) throw new TypeError(`insertEntity: ${problem}`);
    const annotations = { [ANNOTATION_LOCATION]: LOCATION_KEY, [ANNOTATION_ORIGIN_LOCATION]: LOCATION_KEY, ...entity.metadata.annotations };
    const stamped = { ...entity, metadata: { ...entity.metadata, annotations } };
    await this.immediately({ type: 'delta', added: [{ entity: stamped, locationKey: LOCATION_KEY }], removed: [] });
    this.logger.info(`Inserted ${stringifyEntityRef(stamped)} at once; the next full sync keeps it if OpenChoreo has it`);
  }

  async removeImmediately(entityRef) {
    let ref;
    try {
      ref = stringifyEntityRef(parseEntityRef(entityRef));
    } catch (e) {
      throw new TypeError(`removeEntity: ${JSON.stringify(entityRef)} is not an entity ref (kind:namespace/name): ${e.message}`);
    }
    await this.immediately({ type: 'delta', added: [], removed: [{ entityRef: ref, locationKey: LOCATION_KEY }] });
    this.logger.info(`Removed ${ref} at once`);
  }

  /** Applied in order with the runs, so a run that started earlier never lands after it. */
  immediately(mutation) {
    if (!this.connection) return Promise.reject(new Error('the OpenChoreo entity provider is not connected to the catalog yet'));
    return this.serially(() => this.applyDelta(mutation));
  }

  /**
   * A delta, with the ledger invalidated before it (a crash after applying leaves no digest standing)
   * and after it (a full run another replica recorded meanwhile no longer describes the catalog).
   */
  async applyDelta(mutation) {
    await this.ledger.invalidate();
    await this.connection.applyMutation(mutation);
    await this.ledger.invalidate();
  }

  /**
   * What the catalog holds for this provider (or the part of it `filters` select), each entity with its
   * scope; `null` when unreadable.
   */
  async readFromCatalog(filters = [{}]) {
    try {
      const credentials = await this.auth.getOwnServiceCredentials();
      const ours = { [`metadata.annotations.${ANNOTATION_LOCATION}`]: LOCATION_KEY };
      // Hand-authored Templates are managed by their URL: read them by their stamp, then check it whole.
      const stamped = { kind: 'template', 'metadata.annotations.openchoreo.io/ctd-generated': 'false' };
      const filter = filters.flatMap((f) => [{ ...ours, ...f }, { ...stamped, ...f }]);
      const { items } = await this.catalog.getEntities({ filter }, { credentials });
      const docs = items.map(unprocessed).filter(isOurs);
      const scopes = docs.length ? await this.component.scopeOf(docs.map((d) => JSON.stringify(d))) : [];
      return docs.map((entity, i) => ({ entity, scope: scopes[i] })).filter((e) => e.scope);
    } catch (e) {
      this.logger.warn(`Could not read the previous OpenChoreo entities from the catalog: ${e.message}`);
      return null;
    }
  }
}

/**
 * Catalog filters that select at least every entity of the covered scopes: a namespace's entities live in
 * that namespace, except its Domain (in `default`, named after it); the cluster's in `openchoreo-cluster`.
 * A pattern of another form reads everything. The delta itself is decided on the scopes, not on these.
 */
export function catalogFilters(covered) {
  const filters = [];
  for (const pattern of covered) {
    const ns = areaNamespace(pattern);
    if (ns === undefined) return [{}];
    filters.push({ 'metadata.namespace': ns });
    if (pattern !== 'cluster/*') filters.push({ kind: 'Domain', 'metadata.name': ns });
  }
  return filters.length ? filters : [{}];
}

/** Why an entity handed to insertEntity cannot go into the catalog, or undefined. */
function entityProblem(entity) {
  if (entity === null || typeof entity !== 'object') return `the entity must be an object, got ${JSON.stringify(entity)}`;
  for (const key of ['apiVersion', 'kind']) {
    if (typeof entity[key] !== 'string' || entity[key] === '') return `${key} must be a non-empty string`;
  }
  if (typeof entity.metadata?.name !== 'string' || entity.metadata.name === '') return `${entity.kind} has no metadata.name`;
  const a = entity.metadata.annotations;
  if (a !== undefined && (a === null || typeof a !== 'object' || Array.isArray(a))) return `metadata.annotations of ${entity.kind} ${entity.metadata.name} must be an object`;
  return undefined;
}

function guestReason(e) {
  const p = e.payload;
  if (p?.tag === 'unsupported-kind') return `kind ${JSON.stringify(p.val)} is not one this mapping reads`;
  return e.message;
}
