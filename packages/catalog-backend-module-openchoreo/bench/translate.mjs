// Translation throughput of the component in Node (jco, in the worker thread), on a scope snapshot
// written by the Rust bench driver. Prints {"entitiesPerSecond": median, "best": N} of 15 calls after a warm-up.
import { readFileSync } from 'node:fs';
import { ComponentWorker } from '../src/wasm/component.mjs';

const snapshot = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const c = new ComponentWorker({ logger: silent, maxHeapMb: 2048 });
await c.translateScope(snapshot);
const rates = [];
for (let i = 0; i < 15; i++) {
  const t = process.hrtime.bigint();
  const n = await c.translateScope(snapshot);
  rates.push(n / (Number(process.hrtime.bigint() - t) / 1e9));
}
rates.sort((a, b) => a - b);
console.log(JSON.stringify({ entitiesPerSecond: rates[7], best: rates[14] }));
await c.terminate();
