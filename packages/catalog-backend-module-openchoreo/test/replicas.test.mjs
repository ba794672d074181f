// Two backend replicas writing to one catalog: last-known-good comes from what the catalog holds at the
// time of the run, so a replica whose scope fails never rolls back or deletes what another replica
// applied since its own last run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { HttpHost } from '../src/http.mjs';
import { OpenChoreoEntityProvider } from '../src/provider.mjs';
import { ComponentWorker } from '../src/wasm/component.mjs';
import { memoryCatalog } from './support/catalog.mjs';
import { REPO, openchoreoConfig, quietLogger, startFixture } from './support/fixture.mjs';

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
  const component = new ComponentWorker({ logger: quietLogger(), http: new HttpHost({ baseUrl: fixture.baseUrl, settings: { attempts: 1 } }) });
  workers.push(component);
  await component.configure(JSON.stringify(openchoreoConfig(fixture, { auth: false })));
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
