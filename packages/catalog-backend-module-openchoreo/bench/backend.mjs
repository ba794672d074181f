// The provider's full run inside a real Backstage backend (the real catalog on SQLite in memory), from
// the run's start to its mutation applied, against the synthetic fixture API. Started by the Rust
// bench driver: `node bench/backend.mjs <release CLI> <components> <latency ms>`. Prints
// {"initial": the run at startup into an empty catalog, "first": the median of the 5 runs after it with
// nothing changed (not applied: the catalog holds what they make), "steady": the median of 5 such runs
// after 5 more (V8 has optimised the workers' hot code by then), "changed": a run after one
// Environment was added to the API (its scope applied as a delta), "reapplied": a run once
// openchoreo.sync.reapplyAfter (30 s here) has passed since the first (applied in full, nothing
// changed), each with the provider's own split ("component" ms: the sync in the worker; "catalog" ms:
// applyMutation, null when not applied, and for a delta "readMs", the part of it spent reading what the
// changed scopes held; "applied": "delta", "full" or null) and the later runs' wall
// time ("ms"), "rssBeforeMiB", "rssPeakMiB" (the backend process during them), "servedBefore",
// "servedAfter" (the entities the catalog served, processed and stitched, before and after them)}.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import openchoreoModule from '../src/index.mjs';
import { ALLOWED_KINDS } from '../src/processor.mjs';

const [cli, components, latencyMs] = process.argv.slice(2);
const REAPPLY_AFTER_S = 30;
const fixture = spawn(cli, ['serve-fixture', '--synthetic', components, '--latency-ms', latencyMs], { stdio: ['pipe', 'pipe', 'inherit'] });
const { baseUrl } = JSON.parse(await new Promise((resolve) => createInterface({ input: fixture.stdout }).once('line', resolve)));

const mib = (b) => Math.round(b / 1048576);
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 5);

// The provider's summary line says how its run split: `…; component N ms, catalog M ms: a delta…`
// (or `: a full mutation`, or `; applied again…` after reapplyAfter), or `component N ms, not
// applied…` when the catalog already held what the run made.
const splits = [];
const quiet = {
  debug: (m) => note(m), info: (m) => note(m), warn() {}, error() {},
  child: () => quiet,
};
function note(message) {
  const m = /component (\d+) ms, (?:catalog (\d+) ms(?:: (a delta)|: a full mutation|; applied again)|not applied)/.exec(message);
  if (!m) return;
  const applied = m[2] === undefined ? null : m[3] ? 'delta' : 'full';
  // A delta's catalog time: its read of what the changed scopes held, then applyMutation.
  const read = /reading what they held (\d+) ms/.exec(message);
  splits.push({ component: Number(m[1]), catalog: m[2] === undefined ? null : Number(m[2]), applied, ...(read ? { readMs: Number(read[1]) } : {}) });
}

const scheduler = mockServices.scheduler();
const backend = await startTestBackend({
  features: [
    catalogPlugin,
    openchoreoModule,
    scheduler.factory(),
    createServiceFactory({ service: coreServices.logger, deps: {}, factory: () => quiet }),
    createServiceFactory({ service: coreServices.rootLogger, deps: {}, factory: () => quiet }),
    mockServices.rootConfig.factory({
      data: {
        catalog: { rules: [{ allow: ALLOWED_KINDS }] },
        openchoreo: {
          baseUrl: `${baseUrl}/api/v1`,
          schedule: { frequency: 3600, timeout: 600 },
          sync: { reapplyAfter: REAPPLY_AFTER_S },
          features: { auth: { enabled: false } },
          events: { enabled: false },
        },
      },
    }),
  ],
});

/** One more Environment in the first namespace, through the fixture's admin endpoint. */
async function addEnvironment() {
  const get = async (path) => (await (await fetch(`${baseUrl}${path}`)).json()).items;
  const [ns] = await get('/api/v1/namespaces');
  const path = `/api/v1/namespaces/${ns.metadata.name}/environments`;
  const items = await get(path);
  const extra = { ...items[0], metadata: { ...items[0].metadata, name: 'bench-extra', uid: 'bench-extra-uid' } };
  const res = await fetch(`${baseUrl}/__admin/list`, { method: 'POST', body: JSON.stringify({ path, items: [...items, extra] }) });
  if (!res.ok) throw new Error(`the fixture refused the new list: ${res.status}`);
}

async function run() {
  const started = process.hrtime.bigint();
  const before = splits.length;
  await scheduler.triggerTask('OpenChoreoEntityProvider');
  const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
  if (splits.length !== before + 1) throw new Error(`a run logged ${splits.length - before} summary lines, not one`);
  return { ms, ...splits.at(-1) };
}

// The scheduler runs the task once when the provider connects, into the empty catalog.
while (splits.length === 0) await new Promise((r) => setTimeout(r, 50));
const initial = splits[0];
const initialAppliedAt = Date.now();
await new Promise((r) => setTimeout(r, 2000));
global.gc?.();
const rssBefore = process.memoryUsage().rss;
peak = rssBefore;
/** The median (by wall time) of `n` runs. */
async function median(n) {
  const runs = [];
  for (let i = 0; i < n; i++) runs.push(await run());
  runs.sort((a, b) => a.ms - b.ms);
  return runs[n >> 1];
}
// Just after startup V8 is still optimising the hot code of both workers (the component's glue and
// its HTTP client): those runs are measured apart from the runs after it.
const catalogApi = `http://localhost:${backend.server.port()}/api/catalog`;
/** How many entities the catalog serves: those it has processed and stitched. */
async function served() {
  const res = await fetch(`${catalogApi}/entities/by-query?limit=1`);
  if (!res.ok) throw new Error(`the catalog answered ${res.status} to a count`);
  return (await res.json()).totalItems;
}
const servedBefore = await served();
const first = await median(5);
await median(5);
const steady = await median(5);
await addEnvironment();
const changed = await run();
await new Promise((r) => setTimeout(r, Math.max(0, initialAppliedAt + REAPPLY_AFTER_S * 1000 + 1000 - Date.now())));
const reapplied = await run();
clearInterval(sampler);
const servedAfter = await served();
// Each run must have been applied as its row says, or the figures describe something else.
const ways = { first: first.applied, steady: steady.applied, changed: changed.applied, reapplied: reapplied.applied };
if (ways.first !== null || ways.steady !== null || ways.changed !== 'delta' || ways.reapplied !== 'full') {
  throw new Error(`the runs were not applied as expected (steady: not, changed: delta, reapplied: full): ${JSON.stringify(ways)}`);
}
console.log(JSON.stringify({ initial, first, steady, changed, reapplied, rssBeforeMiB: mib(rssBefore), rssPeakMiB: mib(peak), servedBefore, servedAfter }));
await backend.stop();
fixture.stdin.end();
fixture.kill();
process.exit(0);
