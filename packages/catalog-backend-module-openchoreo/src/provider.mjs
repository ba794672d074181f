// The entity provider: runs one sync through the component per scheduled run, keeps the last-known-good
// entities of stale scopes (seeded from the catalog after a restart), and applies a full mutation.
import { ANNOTATION_LOCATION, stringifyEntityRef } from '@backstage/catalog-model';
import { LOCATION_KEY, PROVIDER_NAME } from './config.mjs';
import { printable } from './printable.mjs';
import { GuestError, RunTimeout } from './wasm/component.mjs';

/** Fields the catalog adds to stored entities; an entity handed back to applyMutation must not carry them. */
function unprocessed(entity) {
  const { relations: _r, status: _s, ...rest } = entity;
  const { uid: _u, etag: _e, generation: _g, ...metadata } = rest.metadata;
  return { ...rest, metadata };
}

function fingerprint(entries) {
  return entries.map((e) => `${stringifyEntityRef(e.entity)} ${JSON.stringify(e.entity)}`).sort().join('\n');
}

export class OpenChoreoEntityProvider {
  constructor({ component, logger, taskRunner, catalog, auth, timeoutSeconds }) {
    Object.assign(this, { component, logger, taskRunner, catalog, auth, timeoutSeconds });
    this.connection = undefined;
    this.last = undefined;
    this.running = false;
  }

  getProviderName() {
    return PROVIDER_NAME;
  }

  async connect(connection) {
    this.connection = connection;
    await this.taskRunner.run({ id: PROVIDER_NAME, fn: () => this.refresh() });
  }

  /** One run; never throws (the scheduler only sees success), logs why it changed nothing. */
  async refresh() {
    if (this.running) {
      this.logger.info('An OpenChoreo sync is still running; this run is skipped');
      return;
    }
    this.running = true;
    try {
      await this.refreshOnce();
    } catch (e) {
      this.logger.error(printable(`Failed to run ${PROVIDER_NAME}: ${e.message}`));
    } finally {
      this.running = false;
    }
  }

  async refreshOnce() {
    if (!this.connection) throw new Error('not connected');
    this.last ??= await this.seedFromCatalog();
    let report;
    try {
      report = await this.component.run(this.timeoutSeconds * 1000);
    } catch (e) {
      if (e instanceof RunTimeout) throw new Error(`the run exceeded openchoreo.schedule.timeout (${this.timeoutSeconds}s) and was cancelled; previous entities kept`);
      if (e instanceof GuestError) throw new Error(e.message);
      throw e;
    }
    const stale = report.stale.map((s) => s.scope);
    // A stale scope covers an entity's scope exactly, or as a `prefix*` wildcard (the guest's rule).
    const covered = (scope) => stale.some((s) => (s.endsWith('*') ? scope.startsWith(s.slice(0, -1)) : s === scope));
    if (stale.length > 0 && this.last === null) {
      this.logger.warn(`Not applying this run: ${stale.length} scope(s) failed and the previous entities could not be read from the catalog`);
      this.last = undefined;
      return;
    }
    const fresh = report.entities.map((e) => ({ scope: e.scope, entity: JSON.parse(e.json) }));
    const kept = (this.last ?? []).filter((e) => covered(e.scope));
    const all = [...fresh, ...kept];
    const changed = this.last === null || fingerprint(this.last ?? []) !== fingerprint(all);
    await this.connection.applyMutation({ type: 'full', entities: all.map((e) => ({ entity: e.entity, locationKey: LOCATION_KEY })) });
    this.last = all;
    const summary = `${all.length} entities (${report.stats.requests} requests${stale.length ? `, ${stale.length} stale scopes kept` : ''})`;
    if (changed) this.logger.info(`Synced ${summary}`);
    else this.logger.debug(`No changes: ${summary}`);
  }

  /** Last-known-good after a restart: what the catalog holds for this provider. `null` when unreadable. */
  async seedFromCatalog() {
    try {
      const credentials = await this.auth.getOwnServiceCredentials();
      const { items } = await this.catalog.getEntities({ filter: { [`metadata.annotations.${ANNOTATION_LOCATION}`]: LOCATION_KEY } }, { credentials });
      const docs = items.map(unprocessed);
      const scopes = docs.length ? await this.component.scopeOf(docs.map((d) => JSON.stringify(d))) : [];
      const seeded = docs.map((entity, i) => ({ entity, scope: scopes[i] })).filter((e) => e.scope);
      this.logger.debug(`Seeded ${seeded.length} last-known-good entities from the catalog`);
      return seeded;
    } catch (e) {
      this.logger.warn(`Could not read the previous OpenChoreo entities from the catalog: ${e.message}`);
      return null;
    }
  }
}
