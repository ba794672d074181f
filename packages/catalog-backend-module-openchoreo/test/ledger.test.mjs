// The ledger of applied full runs (src/ledger.mjs) and how the provider uses it: a run that makes what
// the catalog was last given is not applied again until openchoreo.sync.reapplyAfter has passed; an
// event's delta or an immediate insertion makes the next run apply; a claim or a record that lost to
// another mutation leaves no digest standing (the table in a real SQLite database through knex).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import knexFactory from 'knex';
import { DatabaseLedger, LEDGER_TABLE, MemoryLedger, migrateLedgerTable } from '../src/ledger.mjs';
import { OpenChoreoEntityProvider } from '../src/provider.mjs';
import { memoryCatalog } from './support/catalog.mjs';
import { REPO, configuredComponent, quietLogger, startFixture } from './support/fixture.mjs';

const sample = JSON.parse(readFileSync(join(REPO, 'host-harness/fixtures/sample-api.json'), 'utf8'));
const COMPONENTS = '/api/v1/namespaces/default/components';
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

function provider({ ledger, reapplyAfterSeconds } = {}) {
  const shared = memoryCatalog();
  const clock = { now: 1_000_000 };
  const logger = quietLogger();
  const p = new OpenChoreoEntityProvider({
    component, logger, catalog: shared.catalog, timeoutSeconds: 30, ledger, reapplyAfterSeconds, now: () => clock.now,
    taskRunner: { run: async () => {} },
    auth: { getOwnServiceCredentials: async () => ({}) },
  });
  p.connection = shared.connection;
  const fullRuns = () => shared.mutations.filter((m) => m.type === 'full').length;
  return { p, shared, clock, logger, fullRuns };
}

describe('a provider with a ledger', () => {
  it('does not apply a run that makes what the catalog was last given, until reapplyAfter has passed', async () => {
    const { p, clock, logger, fullRuns } = provider({ ledger: new MemoryLedger(), reapplyAfterSeconds: 60 });
    await p.refresh();
    assert.equal(fullRuns(), 1);
    await p.refresh();
    assert.equal(fullRuns(), 1, 'the same entities: not applied again');
    assert.match(logger.lines.at(-1).message, /^No changes: \d+ entities \(\d+ requests; component \d+ ms, not applied: the catalog has held them since 1970-01-01T00:16:40\.000Z\)$/);
    assert.equal(logger.lines.at(-1).level, 'debug');

    await fixture.setList(COMPONENTS, [...sample.namespaced.default.components, added]);
    try {
      await p.refresh();
      assert.equal(fullRuns(), 2, 'a changed API is applied');
      assert.match(logger.lines.at(-1).message, /^Synced /);
    } finally {
      await fixture.setList(COMPONENTS, sample.namespaced.default.components);
    }
    await p.refresh();
    assert.equal(fullRuns(), 3, 'and changed back, applied again');

    clock.now += 59_000;
    await p.refresh();
    assert.equal(fullRuns(), 3);
    clock.now += 1_000;
    await p.refresh();
    assert.equal(fullRuns(), 4, 'reapplyAfter passed: applied though unchanged (an entity deleted by hand comes back)');
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
    assert.deepEqual(await ledger.read(), { digest: null, generation: 0, appliedAt: null });
    const claimed = await ledger.claim(0);
    assert.equal(claimed, 1);
    assert.equal(await ledger.recordApplied('d1', claimed, 1234), true);
    assert.deepEqual(await ledger.read(), { digest: 'd1', generation: 1, appliedAt: 1234 });
    assert.equal((await knex(LEDGER_TABLE).select()).length, 1);
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
