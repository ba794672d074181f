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
import { memoryCatalog } from './support/catalog.mjs';
import { CLIENT_ID, CLIENT_SECRET, openchoreoConfig, quietLogger, startFixture } from './support/fixture.mjs';

let fixture;
let guestLog;
let component;
let tokens;
before(async () => {
  fixture = await startFixture({ auth: true });
  guestLog = quietLogger();
  tokens = new TokenCache({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenUrl: fixture.tokenUrl });
  const credentials = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenUrl: fixture.tokenUrl };
  component = new ComponentWorker({ logger: guestLog, http: { baseUrl: fixture.baseUrl, credentials, settings: { requestTimeoutMs: 1500, baseBackoffMs: 5, maxBackoffMs: 50 } } });
  await component.configure(JSON.stringify({ ...openchoreoConfig(fixture, { auth: true }), auth: { clientId: CLIENT_ID, clientSecret: '[redacted]', tokenUrl: fixture.tokenUrl } }));
});
afterEach(() => fixture.clearFaults());
after(async () => {
  await component?.terminate();
  fixture?.stop();
});

function provider(timeoutSeconds = 30) {
  const { catalog, connection, mutations } = memoryCatalog();
  const logger = quietLogger();
  const p = new OpenChoreoEntityProvider({
    component, logger, timeoutSeconds, catalog,
    taskRunner: { run: async () => {} },
    auth: { getOwnServiceCredentials: async () => ({}) },
  });
  p.connection = connection;
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
  ['a body that is not UTF-8', '/api/v1/namespaces/default/traits', { kind: 'notutf8' }, ['ns/default/traits'], 'the response body is not UTF-8 (an invalid byte at offset 34)'],
  ['JSON of the wrong shape', '/api/v1/namespaces/default/workloads', { kind: 'wrongshape' }, ['ns/default/components']],
  ['cursors that go round', '/api/v1/namespaces/default/traits', { kind: 'cycle' }, ['ns/default/traits']],
];

for (const [name, path, fault, scopes, reason] of cases) {
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
    if (reason) {
      const keeping = guestLog.lines.filter((l) => l.message.startsWith('Keeping the last good entities of'));
      assert.ok(keeping.some((l) => l.message.includes(reason)), JSON.stringify(keeping));
    }
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

it('ends a request in flight, a slow-drip body and a hanging token fetch at the run deadline', async () => {
  const slowHttp = new HttpHost({ baseUrl: fixture.baseUrl, tokens, settings: { requestTimeoutMs: 120_000, attempts: 1 } });
  await fixture.inject('/api/v1/namespaces/default/traits', { kind: 'hang', ms: 60_000 });
  await fixture.inject('/api/v1/namespaces/default/workflows', { kind: 'drip', ms: 400 });
  slowHttp.deadline = Date.now() + 1000;
  let started = Date.now();
  const results = await slowHttp.sendBatch([{ path: '/api/v1/namespaces/default/traits', query: [] }, { path: '/api/v1/namespaces/default/workflows', query: [] }]);
  assert.ok(Date.now() - started < 2000, `the batch took ${Date.now() - started} ms past a 1 s deadline`);
  assert.deepEqual(results.map((r) => r.tag), ['err', 'err'], JSON.stringify(results));

  await fixture.idp('hang');
  const freshTokens = new TokenCache({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenUrl: fixture.tokenUrl, timeoutMs: 120_000 });
  started = Date.now();
  await assert.rejects(freshTokens.bearer(false, Date.now() + 1000), (e) => e.variant?.tag === 'unreachable');
  assert.ok(Date.now() - started < 2000, `the token fetch took ${Date.now() - started} ms past a 1 s deadline`);
});

it('treats lists an older API does not serve as empty, not stale, and says so once per process', async () => {
  const { p, mutations, logger } = provider();
  await p.refresh();
  const channels = (m) => m.entities.filter((e) => e.entity.kind === 'ObservabilityAlertsNotificationChannel').length;
  assert.ok(channels(mutations[0]) > 0, 'the sample has notification channels');
  await fixture.inject('/api/v1/namespaces/default/observabilityalertsnotificationchannels', { status: 404, body: '404 page not found' });
  await fixture.inject('/api/v1/clusterresourcetypes', { status: 404, body: '404 page not found' });
  guestLog.lines.length = 0;
  await p.refresh();
  await p.refresh();
  assert.equal(mutations.length, 3);
  assert.equal(channels(mutations[1]), 0, 'nothing is synced for a list the API does not serve');
  assert.ok(!guestLog.lines.some((l) => l.level === 'warn'), JSON.stringify(guestLog.lines));
  assert.ok(!logger.lines.some((l) => l.message.includes('stale')), JSON.stringify(logger.lines));
  const notices = guestLog.lines.filter((l) => l.message.startsWith('The OpenChoreo API does not serve'));
  assert.deepEqual(notices.map((l) => l.level).sort(), ['debug', 'debug', 'info', 'info'], JSON.stringify(notices));
});

it('escapes control characters from the API in every log line', async () => {
  const { p, logger } = provider();
  const forged = 'down\r\nerror Synced 0 entities \u001b[2J\u001b]0;pwned\u0007 \u202e';
  await fixture.inject('/api/v1/namespaces/default/environments', { status: 500, body: JSON.stringify({ message: forged }) });
  guestLog.lines.length = 0;
  await p.refresh();
  await fixture.inject('/api/v1/namespaces', { status: 500, body: JSON.stringify({ message: forged }) });
  await p.refresh();
  const lines = [...guestLog.lines, ...logger.lines];
  assert.ok(lines.some((l) => l.message.includes('down\\r\\nerror Synced 0 entities \\u{1b}[2J')), JSON.stringify(lines));
  assert.ok(logger.lines.some((l) => l.level === 'error' && l.message.includes('down\\r\\nerror')), JSON.stringify(logger.lines));
  for (const l of lines) assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202e]/.test(l.message), `raw control character in ${JSON.stringify(l.message)}`);
});

it('keeps a run against an API that answers without end within its memory, each such list failing alone', async () => {
  const { p, mutations } = provider(120);
  for (const path of ['/api/v1/namespaces/default/workflows', '/api/v1/namespaces/default/resourcetypes', '/api/v1/clusterworkflows']) {
    await fixture.inject(path, { kind: 'endless' });
  }
  await fixture.inject('/api/v1/namespaces/default/traits', { kind: 'bloat' });
  guestLog.lines.length = 0;
  await p.refresh();
  assert.equal(mutations.length, 1, 'the run completes and is applied');
  assert.equal(mutations[0].entities.filter((e) => e.entity.kind === 'Component').length, 5, 'the lists that answered still map');
  const stale = (scope) => guestLog.lines.find((l) => l.level === 'warn' && l.message.startsWith(`Keeping the last good entities of ${scope}:`))?.message ?? '';
  assert.match(stale('ns/default/traits'), /at most 256 MiB in the component/);
  assert.match(stale('cluster/workflows'), /response larger than 67108864 bytes|response budget/);
  // The component's cap (768 MiB), the bodies of a batch while they are handed over (the 64 MiB budget,
  // copied up to three times on the way into the worker) and the test process itself (about 300 MiB).
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  assert.ok(peakMiB < 768 + 3 * 64 + 300, `peak RSS ${Math.round(peakMiB)} MiB`);
});

it('fails the scheduled task when a run fails, so the scheduler shows it, after the same log line', async () => {
  let task;
  const { p, logger } = provider();
  p.taskRunner = { run: async (t) => { task = t; } };
  await p.connect({ applyMutation: async () => {} });
  await fixture.inject('/api/v1/namespaces', { status: 500 });
  await assert.rejects(task.fn(), /Failed to fetch namespaces: 500/);
  assert.ok(logger.lines.some((l) => l.level === 'error' && l.message.startsWith('Failed to run OpenChoreoEntityProvider: Failed to fetch namespaces: 500')), JSON.stringify(logger.lines));
});
