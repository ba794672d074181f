// Translation in Node (jco, in the worker thread the provider uses) of a scope snapshot written by the
// Rust bench driver, one call per line read from stdin, so that the driver interleaves Node's calls
// with wasmtime's and both share the machine's noise. It first makes 5 warm-up calls (V8 moves hot wasm
// functions from its baseline compiler to its optimising one only as they run; the provider runs for
// hours) and prints {"entities", "firstWorkerCallMs": the first call of a fresh worker}; then for each
// line {"ms": the round trip as the main thread sees it, "callMs": the component call timed in the
// worker (V8 running the wasm, jco lowering the snapshot and lifting the batch), "unpackMs": reading the
// batch's spans, in the worker}. The rest of a round trip is the worker bridge.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ComponentWorker } from '../src/wasm/component.mjs';

const WARM_UP = 5;
const snapshot = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;

const worker = new ComponentWorker({ logger: silent, maxHeapMb: 2048 });
let t = process.hrtime.bigint();
const { entities } = await worker.translateScope(snapshot);
const firstWorkerCallMs = ms(t);
for (let i = 1; i < WARM_UP; i++) await worker.translateScope(snapshot);
console.log(JSON.stringify({ entities, firstWorkerCallMs }));

for await (const _ of createInterface({ input: process.stdin })) {
  t = process.hrtime.bigint();
  const inside = await worker.translateScope(snapshot);
  console.log(JSON.stringify({ ms: ms(t), callMs: inside.callMs, unpackMs: inside.unpackMs }));
}
await worker.terminate();
