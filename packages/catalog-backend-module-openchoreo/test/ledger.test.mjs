// The ledger of applied full runs (src/ledger.mjs) and how the provider uses it: a run that makes what
// the catalog was last given is not applied again until openchoreo.sync.reapplyAfter has passed; an
// event's delta or an immediate insertion makes the next run apply; a claim or a record that lost to
// another mutation leaves no digest standing (the table in a real SQLite database through knex).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import knexFactory from 'knex';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { LOCATION_KEY } from '../src/config.mjs';
import { DatabaseLedger, LEDGER_TABLE, MemoryLedger, migrateLedgerTable } from '../src/ledger.mjs';
import { OpenChoreoEntityProvider } from '../src/provider.mjs';
import { kindFilters } from '../src/scope-filters.mjs';
import { memoryCatalog } from './support/catalog.mjs';
import { REPO, configuredComponent, quietLogger, startFixture } from './support/fixture.mjs';

const sample = JSON.parse(readFileSync(join(REPO, 'host-harness/fixtures/sample-api.json'), 'utf8'));
const COMPONENTS = '/api/v1/namespaces/default/components';
const ENVIRONMENTS = '/api/v1/namespaces/default/environments';
const environments = sample.namespaced.default.environments;
const renamed = (env, name) => ({ ...env, metadata: { ...env.metadata, name, labels: { 'openchoreo.dev/name': name } } });
const added = { metadata: { name: 'snip-billing', namespace: 'default' }, spec: { owner: { projectName: 'url-shortener' } } };

let fixture;
let component;
before(async () => {
  fixture = await startFixture({ auth: false });
  component = await configuredComponent(fixture);
});
after(async () => {
  await component?.terminate();
  fixture?.stop();
});

function provider({ ledger, reapplyAfterSeconds, shared = memoryCatalog() } = {}) {
  const clock = { now: 1_000_000 };
  const logger = quietLogger();
  const p = new OpenChoreoEntityProvider({
    component, logger, catalog: shared.catalog, timeoutSeconds: 30, ledger, reapplyAfterSeconds, now: () => clock.now,
    taskRunner: { run: async () => {} },
    auth: { getOwnServiceCredentials: async () => ({}) },
  });
  p.connection = shared.connection;
  const fullRuns = () => shared.mutations.filter((m) => m.type === 'full').length;
  const deltas = () => shared.mutations.filter((m) => m.type === 'delta');
  return { p, shared, clock, logger, fullRuns, deltas };
}

describe('a provider with a ledger', () => {
  it('does not apply a run that makes what the catalog was last given, until reapplyAfter has passed', async () => {
    const { p, shared, clock, logger, fullRuns } = provider({ ledger: new MemoryLedger(), reapplyAfterSeconds: 60 });
    const applied = () => shared.mutations.length;
    await p.refresh();
    assert.equal(fullRuns(), 1);
    await p.refresh();
    assert.equal(fullRuns(), 1, 'the same entities: not applied again');
    assert.match(logger.lines.at(-1).message, /^No changes: \d+ entities \(\d+ requests; component \d+ ms, not applied: the catalog holds them, last applied in full at 1970-01-01T00:16:40\.000Z\)$/);
    assert.equal(logger.lines.at(-1).level, 'debug');

    await fixture.setList(COMPONENTS, [...sample.namespaced.default.components, added]);
    try {
      await p.refresh();
      assert.equal(applied(), 2, 'a changed API is applied');
      assert.match(logger.lines.at(-1).message, /^Synced /);
    } finally {
      await fixture.setList(COMPONENTS, sample.namespaced.default.components);
    }
    await p.refresh();
    assert.equal(applied(), 3, 'and changed back, applied again');

    clock.now += 59_000;
    await p.refresh();
    assert.equal(applied(), 3);
    clock.now += 1_000;
    await p.refresh();
    assert.equal(fullRuns(), 2, 'reapplyAfter passed: applied in full though unchanged (an entity deleted by hand comes back)');
    assert.match(logger.lines.at(-1).message, /^No changes: .*catalog \d+ ms; applied again after openchoreo\.sync\.reapplyAfter\)$/);
  });

  it('applies the next run after an immediate insertion or removal changed the catalog', async () => {
    const { p, fullRuns, shared } = provider({ ledger: new MemoryLedger(), reapplyAfterSeconds: 3600 });
    await p.refresh();
    await p.refresh();
    assert.equal(fullRuns(), 1);
    await p.insertImmediately({ apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'made-elsewhere', namespace: 'default' }, spec: {} });
    await p.refresh();
    assert.equal(fullRuns(), 2, 'the insertion is not in the API: the full run applies and removes it');
    const names = (await shared.catalog.getEntities()).items.map((e) => e.metadata.name);
    assert.ok(!names.includes('made-elsewhere'));
    await p.removeImmediately('component:default/snip-shortener');
    await p.refresh();
    assert.equal(fullRuns(), 3, 'the removal is undone by the next full run');
  });

  it('applies the next run after an event re-fetched a namespace', async () => {
    const { p, fullRuns } = provider({ ledger: new MemoryLedger(), reapplyAfterSeconds: 3600 });
    await p.refresh();
    await p.refreshScopes(['ns/default/*']);
    await p.refresh();
    assert.equal(fullRuns(), 2);
  });

  it('applies every run with reapplyAfter 0, and every run without a ledger', async () => {
    for (const options of [{ ledger: new MemoryLedger(), reapplyAfterSeconds: 0 }, {}]) {
      const { p, fullRuns, logger } = provider(options);
      await p.refresh();
      await p.refresh();
      assert.equal(fullRuns(), 2);
      assert.equal(logger.lines.at(-1).level, 'debug', 'the second run changed nothing and says so at debug');
    }
  });

  it('applies without recording when the ledger moved on between the read and the claim', async () => {
    const ledger = new MemoryLedger();
    const { p, fullRuns } = provider({ ledger, reapplyAfterSeconds: 3600 });
    await p.refresh();
    const read = ledger.read.bind(ledger);
    ledger.read = async () => {
      const record = await read();
      await ledger.invalidate(); // another replica's delta, between this replica's read and its claim
      return record;
    };
    await fixture.setList(COMPONENTS, [...sample.namespaced.default.components, added]);
    try {
      await p.refresh();
    } finally {
      ledger.read = read;
      await fixture.setList(COMPONENTS, sample.namespaced.default.components);
    }
    assert.equal(fullRuns(), 2);
    assert.equal((await ledger.read()).digest, null, 'no digest recorded: the catalog may hold the delta');
  });

  it('warns when a run it applied cannot be recorded, and applies the next run again', async () => {
    const ledger = new MemoryLedger();
    ledger.recordApplied = async () => {
      throw new Error('the database went away');
    };
    const { p, fullRuns, logger } = provider({ ledger, reapplyAfterSeconds: 3600 });
    await p.refresh();
    assert.equal(fullRuns(), 1);
    assert.match(logger.lines.find((l) => l.level === 'warn')?.message ?? '', /^Applied \d+ entities, but could not record them, so the next run applies them again: the database went away$/);
    assert.ok(!logger.lines.some((l) => l.level === 'error'), 'the run itself did not fail');
    await p.refresh();
    assert.equal(fullRuns(), 2);
  });
});

/** What the catalog holds, by ref, without the fields the catalog adds: comparable across providers. */
/** The refs a delta removes, in either form the catalog takes. */
const removedRefs = (delta) => delta.removed.map((r) => r.entityRef ?? stringifyEntityRef(r.entity));

async function held(shared) {
  const { items } = await shared.catalog.getEntities();
  return new Map(items.map(({ relations: _r, ...e }) => {
    const { uid: _u, etag: _e, ...metadata } = e.metadata;
    return [`${e.kind}:${metadata.namespace ?? 'default'}/${metadata.name}`.toLowerCase(), { ...e, metadata }];
  }));
}

/** Runs with the API changed by `change`, then puts the list back. */
async function withList(path, items, run) {
  await fixture.setList(path, items);
  try {
    return await run();
  } finally {
    await fixture.setList(path, sample.namespaced.default[path.split('/').at(-1)]);
  }
}

describe('a changed run applied as a delta of its changed scopes', () => {
  it('reads the catalog for the kinds the changed scopes can hold, and whole namespaces for scopes no kind explains', async () => {
    const scopeOf = (docs) => component.scopeOf(docs);
    const byKind = (filters) => filters.map((f) => `${f.kind} ${f['metadata.namespace'] ?? `named ${f['metadata.name']}`}`).sort();
    const { filters, wholeAreas } = await kindFilters(['ns/acme/environments', 'ns/acme/components', 'ns/acme/namespace', 'cluster/dataplanes'], scopeOf);
    assert.deepEqual(byKind(filters), ['API acme', 'ClusterDataplane openchoreo-cluster', 'Component acme', 'Domain named acme', 'Environment acme']);
    assert.deepEqual(wholeAreas, []);
    const templates = await kindFilters(['ns/acme/environments', 'ns/acme/templates/service'], scopeOf);
    assert.deepEqual(byKind(templates.filters), ['Environment acme']);
    assert.deepEqual(templates.wholeAreas, ['ns/acme/*'], "a Template's scope is named after its type: its namespace is read whole");
    assert.equal(await kindFilters(['ns/acme/environments', 'elsewhere'], scopeOf), undefined);
  });

  it('adds and removes only what changed, and leaves the catalog as a full mutation would', async () => {
    const { p, shared, fullRuns, deltas, logger } = provider({ ledger: new MemoryLedger(), reapplyAfterSeconds: 3600 });
    await p.refresh();
    const readsBefore = shared.reads;
    const changedApi = [...environments.slice(1), renamed(environments[0], 'qa')];
    await withList(ENVIRONMENTS, changedApi, async () => {
      await p.refresh();
      assert.equal(fullRuns(), 1, 'no second full mutation');
      const [delta] = deltas();
      assert.deepEqual(delta.added.map((a) => `${a.entity.kind}:${a.entity.metadata.name}`).sort(), ['Environment:production', 'Environment:qa', 'Environment:staging']);
      assert.deepEqual(removedRefs(delta), ['environment:default/development']);
      assert.ok(delta.added.every((a) => a.locationKey === LOCATION_KEY) && delta.removed.every((r) => r.locationKey === LOCATION_KEY));
      assert.match(logger.lines.at(-1).message, /^Synced \d+ entities \(\d+ requests; component \d+ ms, catalog \d+ ms: a delta of 1 changed scope\(s\), 3 entities, 1 removed; what they held known from earlier runs\)$/);
      assert.equal(shared.reads, readsBefore, 'this provider applied the scope as the ledger records it: the catalog is not read');

      const full = provider({});
      await full.p.refresh();
      assert.deepEqual(await held(shared), await held(full.shared), 'the same catalog as a full mutation of the changed API');
    });
    const readsChecking = shared.reads; // the check above read it
    await p.refresh();
    assert.equal(deltas().length, 2, 'changed back: a delta again');
    assert.deepEqual(removedRefs(deltas()[1]), ['environment:default/qa'], 'what the first delta applied is known too');
    assert.equal(shared.reads, readsChecking);
    await p.refresh();
    assert.equal(shared.mutations.length, 3, 'unchanged: nothing applied');
  });

  it('reads what a changed scope held from the catalog when another replica applied it', async () => {
    const ledger = new MemoryLedger();
    const first = provider({ ledger, reapplyAfterSeconds: 3600 });
    await first.p.refresh();
    const replica = provider({ ledger, reapplyAfterSeconds: 3600, shared: first.shared });
    const readsBefore = first.shared.reads;
    await withList(ENVIRONMENTS, environments.slice(1), () => replica.p.refresh());
    const [delta] = first.deltas();
    assert.deepEqual(removedRefs(delta), ['environment:default/development']);
    assert.ok(first.shared.reads > readsBefore, 'the replica knows nothing of what the first applied: it reads the catalog');
    assert.match(replica.logger.lines.at(-1).message, /1 removed; reading what they held \d+ ms\)$/);
    // The first provider's memory of the scope no longer matches the ledger's digest: it reads too.
    const readsThen = first.shared.reads;
    await first.p.refresh();
    assert.deepEqual(removedRefs(first.deltas()[1]), [], 'changed back: development comes back, nothing goes');
    assert.ok(first.shared.reads > readsThen);
  });

  it('removes a scope the API emptied as a delta, and applies in full when half the entities changed, after a run that kept stale scopes, and once reapplyAfter has passed', async () => {
    const { p, clock, fullRuns, deltas } = provider({ ledger: new MemoryLedger(), reapplyAfterSeconds: 3600 });
    await p.refresh();
    await withList(ENVIRONMENTS, [], () => p.refresh());
    assert.equal(fullRuns(), 1);
    assert.deepEqual(removedRefs(deltas()[0]).sort(), ['environment:default/development', 'environment:default/production', 'environment:default/staging'], 'a scope gone is emptied');
    assert.deepEqual(deltas()[0].added, []);

    const [first] = sample.namespaced.default.components;
    const many = Array.from({ length: 30 }, (_, i) => ({ ...first, metadata: { ...first.metadata, name: `bulk-${i}`, uid: `bulk-${i}` } }));
    await withList(COMPONENTS, many, () => p.refresh());
    assert.equal(fullRuns(), 2, 'most entities changed: one full mutation rather than a delta as large');

    await fixture.fault(ENVIRONMENTS, 500, 1000);
    try {
      await p.refresh();
    } finally {
      await fixture.clearFaults();
    }
    assert.equal(fullRuns(), 3, 'a run that keeps a stale scope applies in full');
    await withList(ENVIRONMENTS, environments.slice(1), () => p.refresh());
    assert.equal(fullRuns(), 4, 'and so does the next changed run: the ledger has no scope digests of a run that kept entities');
    const before = deltas().length;
    await p.refresh();
    assert.equal(deltas().length, before + 1, 'then changes are deltas again');

    clock.now += 3_599_000;
    await withList(ENVIRONMENTS, environments.slice(1), () => p.refresh());
    assert.equal(deltas().length, before + 2, 'a delta does not restart the reapplyAfter clock');
    clock.now += 1_000;
    await p.refresh();
    assert.equal(fullRuns(), 5, 'reapplyAfter passed since the last full mutation: the changed run applies in full');
    assert.equal(deltas().length, before + 2);
  });
});

describe('the ledger in a database', () => {
  let knex;
  before(async () => {
    knex = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    await migrateLedgerTable(knex, 'p');
    await migrateLedgerTable(knex, 'p'); // a second replica starting: nothing changes
  });
  after(() => knex?.destroy());

  it('starts empty, claims, records and reads back', async () => {
    const ledger = new DatabaseLedger(knex, 'p');
    assert.deepEqual(await ledger.read(), { digest: null, generation: 0, appliedAt: null, scopes: null });
    const claimed = await ledger.claim(0);
    assert.equal(claimed, 1);
    const scopes = { 'ns/acme/environments': 'e1', 'cluster/traits': 't1' };
    assert.equal(await ledger.recordApplied('d1', claimed, 1234, scopes), true);
    assert.deepEqual(await ledger.read(), { digest: 'd1', generation: 1, appliedAt: 1234, scopes });
    assert.equal((await knex(LEDGER_TABLE).select()).length, 1);
    await ledger.invalidate();
    assert.deepEqual(await ledger.read(), { digest: null, generation: 2, appliedAt: null, scopes: null }, 'invalidation clears the scope digests too');
  });

  it('reads scope digests edited into something else as none', async () => {
    const ledger = new DatabaseLedger(knex, 'p');
    const claimed = await ledger.claim((await ledger.read()).generation);
    await ledger.recordApplied('d3', claimed, 1, { a: 'x' });
    for (const text of ['not json', '[1]', '{"a":1}', 'null']) {
      await knex(LEDGER_TABLE).where({ provider: 'p' }).update({ scope_digests: text });
      assert.equal((await ledger.read()).scopes, null, text);
    }
  });

  it('adds the scope digests column to a table made before it, keeping the row', async () => {
    const old = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    try {
      await old.schema.createTable(LEDGER_TABLE, (t) => {
        t.string('provider', 255).primary();
        t.string('digest', 64).nullable();
        t.bigInteger('generation').notNullable().defaultTo(0);
        t.bigInteger('applied_at').nullable();
      });
      await old(LEDGER_TABLE).insert({ provider: 'p', digest: 'kept', generation: 7, applied_at: 99 });
      await migrateLedgerTable(old, 'p');
      assert.deepEqual(await new DatabaseLedger(old, 'p').read(), { digest: 'kept', generation: 7, appliedAt: 99, scopes: null });
    } finally {
      await old.destroy();
    }
  });

  it('fails a claim made on a generation another mutation moved on', async () => {
    const ledger = new DatabaseLedger(knex, 'p');
    const { generation } = await ledger.read();
    await ledger.invalidate();
    assert.equal(await ledger.claim(generation), null);
    assert.equal((await ledger.read()).digest, null);
  });

  it('refuses to record a run another mutation overtook after its claim', async () => {
    const ledger = new DatabaseLedger(knex, 'p');
    const claimed = await ledger.claim((await ledger.read()).generation);
    await ledger.invalidate();
    assert.equal(await ledger.recordApplied('d2', claimed, 5678), false);
    const record = await ledger.read();
    assert.equal(record.digest, null);
    assert.equal(record.generation, claimed + 1);
  });

  it('names the table when it cannot be read', async () => {
    const other = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    try {
      await assert.rejects(new DatabaseLedger(other, 'p').read(), /could not read the ledger of applied runs \(table openchoreo_catalog_applied\): .*no such table/);
    } finally {
      await other.destroy();
    }
  });
});
