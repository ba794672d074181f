// Translation throughput of the component in Node (jco), on a scope snapshot written by the Rust bench
// driver, and where the time goes. Medians of 15 calls after a warm-up:
// - `worker`: the provider's path (the component in its worker thread, the call posted to it);
// - `call`: the same component code called in this thread (the transform component, sync instantiation):
//   V8 running the wasm plus jco lowering the snapshot in and lifting the batch out;
// - `unpack`: reading the batch's spans into entity strings (src/wasm/batch.mjs);
// - `firstCall`: the very first call of a fresh instance (compilation and V8's tiers not yet warm).
// Prints one JSON object.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unpackBatch } from '../src/wasm/batch.mjs';
import { ComponentWorker } from '../src/wasm/component.mjs';

const RUNS = 15;
const snapshot = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;

const worker = new ComponentWorker({ logger: silent, maxHeapMb: 2048 });
let t = process.hrtime.bigint();
const entities = await worker.translateScope(snapshot);
const firstWorkerCall = ms(t);
const workerMs = [];
for (let i = 0; i < RUNS; i++) {
  t = process.hrtime.bigint();
  await worker.translateScope(snapshot);
  workerMs.push(ms(t));
}
await worker.terminate();

const dir = join(dirname(fileURLToPath(import.meta.url)), '../dist/transform');
t = process.hrtime.bigint();
const { instantiate } = createRequire(import.meta.url)(join(dir, 'transform.js'));
const { mapping } = instantiate((f) => new WebAssembly.Module(readFileSync(join(dir, f))), { 'openchoreo:catalog/types@0.5.0': {} });
const instantiateMs = ms(t);
const input = {
  scope: { tag: 'namespace', val: snapshot.namespace },
  lists: snapshot.lists.map((l) => ({ endpoint: l.endpoint, outcome: { tag: 'items', val: l.items } })),
  defaultOwner: '',
};
t = process.hrtime.bigint();
mapping.translateScope(input);
const firstCall = ms(t);
const callMs = [];
const unpackMs = [];
for (let i = 0; i < RUNS; i++) {
  t = process.hrtime.bigint();
  const out = mapping.translateScope(input);
  callMs.push(ms(t));
  t = process.hrtime.bigint();
  unpackBatch(out.entities);
  unpackMs.push(ms(t));
}

const rates = workerMs.map((m) => entities / (m / 1000)).sort((a, b) => a - b);
console.log(
  JSON.stringify({
    entities,
    entitiesPerSecond: rates[Math.floor(RUNS / 2)],
    best: rates[RUNS - 1],
    breakdown: {
      workerMs: median(workerMs),
      callMs: median(callMs),
      unpackMs: median(unpackMs),
      firstCallMs: firstCall,
      firstWorkerCallMs: firstWorkerCall,
      instantiateMs,
    },
  }),
);
