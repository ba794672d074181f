// The same guarantees in the Node host as in the wasmtime harness: for each fault injected into the
// fixture API over real HTTP, the affected scopes keep exactly their previous entities; runs that
// cannot be trusted change nothing; overlapping runs do not interleave; a hung run is cancelled and
// the worker recreated; secrets stay out of the logs.
import assert from 'node:assert/strict';
import { after, afterEach, before, it } from 'node:test';
import { HttpHost } from '../src/http.mjs';
import { OpenChoreoEntityProvider } from '../src/provider.mjs';
import { TokenCache } from '../src/tokens.mjs';
import { ComponentWorker } from '../src/wasm/component.mjs';
import { CLIENT_ID, CLIENT_SECRET, openchoreoConfig, quietLogger, startFixture } from './support/fixture.mjs';

let fixture;
let guestLog;
let component;
let tokens;
before(async () => {
  fixture = await startFixture({ auth: true });
  guestLog = quietLogger();
  tokens = new TokenCache({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenUrl: fixture.tokenUrl });
  const http = new HttpHost({ baseUrl: fixture.baseUrl, tokens, settings: { requestTimeoutMs: 1500, baseBackoffMs: 5, maxBackoffMs: 50 } });
  component = new ComponentWorker({ logger: guestLog, http, tokens });
  await component.configure(JSON.stringify({ ...openchoreoConfig(fixture, { auth: true }), auth: { clientId: CLIENT_ID, clientSecret: '[redacted]', tokenUrl: fixture.tokenUrl } }));
});
afterEach(() => fixture.clearFaults());
after(async () => {
  await component?.terminate();
  fixture?.stop();
});

function provider(timeoutSeconds = 30) {
  const mutations = [];
  const logger = quietLogger();
  const p = new OpenChoreoEntityProvider({
    component, logger, timeoutSeconds,
    taskRunner: { run: async () => {} },
    catalog: { getEntities: async () => ({ items: [] }) },
    auth: { getOwnServiceCredentials: async () => ({}) },
  });
  p.connection = { applyMutation: async (m) => mutations.push(m) };
  return { p, mutations, logger };
}

const snapshot = (m) => m.entities.map((e) => JSON.stringify(e.entity)).sort();

const cases = [
  ['a persistent 503 on projects', '/api/v1/namespaces/default/projects', { status: 503 }, ['ns/default/projects', 'ns/default/components', 'ns/default/deploymentpipelines', 'ns/default/resources']],
  ['a 429 on cluster traits', '/api/v1/clustertraits', { status: 429 }, ['cluster/traits']],
  ['a 403 on environments', '/api/v1/namespaces/default/environments', { status: 403 }, ['ns/default/environments']],
  ['a hung request', '/api/v1/namespaces/default/traits', { kind: 'hang', ms: 2500 }, ['ns/default/traits']],
  ['a body cut mid-way', '/api/v1/namespaces/default/components', { kind: 'cut' }, ['ns/default/components']],
  ['invalid JSON', '/api/v1/clusterworkflows', { kind: 'badjson' }, ['cluster/workflows']],
  ['JSON of the wrong shape', '/api/v1/namespaces/default/workloads', { kind: 'wrongshape' }, ['ns/default/components']],
];

for (const [name, path, fault, scopes] of cases) {
  it(`keeps exactly the previous entities of the affected scopes on ${name}`, async () => {
    const { p, mutations } = provider();
    await p.refresh();
    await fixture.inject(path, fault);
    guestLog.lines.length = 0;
    await p.refresh();
    assert.equal(mutations.length, 2);
    assert.deepEqual(snapshot(mutations[1]), snapshot(mutations[0]));
    const warned = guestLog.lines.filter((l) => l.level === 'warn' && l.message.startsWith('Keeping the last good entities of')).map((l) => l.message.split(':')[0].replace('Keeping the last good entities of ', ''));
    assert.deepEqual(warned, scopes);
  });
}

it('refreshes a token revoked mid-run once and applies everything', async () => {
  const { p, mutations } = provider();
  await p.refresh();
  await fixture.inject('/api/v1/namespaces/default/projects', { kind: 'revoke', times: 1 });
  await p.refresh();
  assert.equal(mutations.length, 2);
  assert.deepEqual(snapshot(mutations[1]), snapshot(mutations[0]));
});

it('does not let two runs interleave', async () => {
  const { p, mutations, logger } = provider();
  await fixture.inject('/api/v1/namespaces/default/traits', { kind: 'hang', ms: 800, times: 1 });
  await Promise.all([p.refresh(), p.refresh()]);
  assert.equal(mutations.length, 1);
  assert.ok(logger.lines.some((l) => l.message === 'An OpenChoreo sync is still running; this run is skipped'));
});

it('cancels a run past the timeout, changes nothing, and recreates the worker', async () => {
  const { p, mutations, logger } = provider(1);
  await fixture.inject('/api/v1/namespaces/default/environments', { kind: 'hang', ms: 1400 });
  await fixture.inject('/api/v1/clustertraits', { kind: 'hang', ms: 1400 });
  await p.refresh();
  assert.equal(mutations.length, 0);
  assert.ok(logger.lines.some((l) => l.level === 'error' && l.message.includes('exceeded openchoreo.schedule.timeout (1s)')), JSON.stringify(logger.lines));
  await fixture.clearFaults();
  const [rels] = await component.relations([JSON.stringify({ kind: 'Domain', metadata: { name: 'x' }, spec: { owner: 'group:default/y' } })]);
  assert.equal(rels.length, 2, 'a fresh worker answers the next call');
  await p.refresh();
  assert.equal(mutations.length, 1, 'and the next run works, configured as before');
});

it('never logs the client secret or a token', async () => {
  const { p, logger } = provider();
  await fixture.inject('/api/v1/namespaces/default/traits', { status: 500, times: 3 });
  await p.refresh();
  const token = await tokens.bearer(false);
  const all = [...logger.lines, ...guestLog.lines].map((l) => l.message).join('\n');
  assert.ok(all.length > 0);
  assert.ok(!all.includes(CLIENT_SECRET));
  assert.ok(!all.includes(token));
});
