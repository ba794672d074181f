// After a restart the provider seeds last-known-good from what the catalog holds, so a restart followed
// by a failing scope deletes nothing; when the catalog cannot be read, a run with stale scopes is not applied.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { OpenChoreoEntityProvider } from '../src/provider.mjs';
import { configuredComponent, quietLogger, startFixture } from './support/fixture.mjs';

let fixture;
let component;
const guestLog = quietLogger();
before(async () => {
  fixture = await startFixture({ auth: false });
  component = await configuredComponent(fixture, { logger: guestLog, settings: { baseBackoffMs: 5 } });
});
after(async () => {
  await component?.terminate();
  fixture?.stop();
});

function provider(catalogEntities) {
  const mutations = [];
  const logger = quietLogger();
  const p = new OpenChoreoEntityProvider({
    component,
    logger,
    taskRunner: { run: async () => {} },
    catalog: {
      getEntities: async () => {
        if (catalogEntities instanceof Error) throw catalogEntities;
        return { items: catalogEntities };
      },
    },
    auth: { getOwnServiceCredentials: async () => ({}) },
    timeoutSeconds: 30,
  });
  p.connection = { applyMutation: async (m) => mutations.push(m) };
  return { p, mutations, logger };
}

/** What the catalog returns for stored entities: our documents plus the fields it adds. */
const asStored = (entities) =>
  entities.map(({ entity }, i) => ({ ...entity, metadata: { ...entity.metadata, uid: `uid-${i}`, etag: `e${i}` }, relations: [] }));

const names = (m) => m.entities.map((e) => `${e.entity.kind}:${e.entity.metadata.name}`).sort();

it('re-emits the seeded entities of a scope that fails after a restart', async () => {
  const first = provider([]);
  await first.p.refresh();
  assert.equal(first.mutations.length, 1);
  const applied = first.mutations[0];
  assert.equal(applied.entities.filter((e) => e.entity.kind === 'Component').length, 5);

  await fixture.fault('/api/v1/namespaces/default/components', 503);
  try {
    const restarted = provider(asStored(applied.entities));
    await restarted.p.refresh();
    assert.equal(restarted.mutations.length, 1);
    assert.deepEqual(names(restarted.mutations[0]), names(applied), 'nothing deleted');
    const comp = restarted.mutations[0].entities.find((e) => e.entity.kind === 'Component').entity;
    assert.equal(comp.metadata.uid, undefined, 'catalog-added fields are stripped before re-applying');
    assert.equal(comp.relations, undefined);
    const warned = (l) => l.level === 'warn' && l.message.startsWith('Keeping the last good entities of ns/default/components: Failed to fetch components');
    assert.ok(guestLog.lines.some(warned), 'the guest warns with the scope and the reason');
    const synced = restarted.logger.lines.find((l) => l.message.startsWith('Synced'));
    assert.match(synced?.message ?? '', /^Synced \d+ entities \(\d+ requests, 1 stale scopes kept;/);
  } finally {
    await fixture.clearFaults();
  }
});

it('does not apply a run with stale scopes when the previous entities are unknown', async () => {
  await fixture.fault('/api/v1/namespaces/default/projects', 503);
  try {
    const blind = provider(new Error('catalog unavailable'));
    await blind.p.refresh();
    assert.equal(blind.mutations.length, 0);
    assert.ok(blind.logger.lines.some((l) => l.level === 'warn' && l.message.startsWith('Not applying this run')));
  } finally {
    await fixture.clearFaults();
  }
});

it('fails a run whose namespace list fails, changing nothing, with the documented message', async () => {
  await fixture.fault('/api/v1/namespaces', 401);
  try {
    const p = provider([]);
    await p.p.refresh();
    assert.equal(p.mutations.length, 0);
    const error = p.logger.lines.find((l) => l.level === 'error');
    assert.match(error.message, /^Failed to run OpenChoreoEntityProvider: Failed to fetch namespaces: 401 Unauthorized/);
  } finally {
    await fixture.clearFaults();
  }
});
