// Translation throughput of the component in Node (jco, in the worker thread, as the provider runs it),
// on a scope snapshot written by the Rust bench driver, and where the time goes. Medians of 31 calls
// (as many as wasmtime's) after 5 warm-up calls, since V8 moves hot wasm functions from its baseline
// compiler to its optimising one only as they run (the provider runs for hours), each call split into what the worker measured itself (the component call: V8
// running the wasm, jco lowering the snapshot and lifting the batch; then reading the batch's spans)
// and the rest of the round trip (the worker bridge: posting the snapshot in and the answer back).
// Also the first call of a fresh worker. Prints one JSON object.
import { readFileSync } from 'node:fs';
import { ComponentWorker } from '../src/wasm/component.mjs';

const RUNS = 31;
const WARM_UP = 5;
const snapshot = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;

const worker = new ComponentWorker({ logger: silent, maxHeapMb: 2048 });
let t = process.hrtime.bigint();
const { entities } = await worker.translateScope(snapshot);
const firstCallMs = ms(t);
for (let i = 1; i < WARM_UP; i++) await worker.translateScope(snapshot);
const [roundTrip, call, unpack, bridge] = [[], [], [], []];
for (let i = 0; i < RUNS; i++) {
  t = process.hrtime.bigint();
  const inside = await worker.translateScope(snapshot);
  const total = ms(t);
  roundTrip.push(total);
  call.push(inside.callMs);
  unpack.push(inside.unpackMs);
  bridge.push(total - inside.callMs - inside.unpackMs);
}
await worker.terminate();

const rates = roundTrip.map((m) => entities / (m / 1000)).sort((a, b) => a - b);
console.log(
  JSON.stringify({
    entities,
    entitiesPerSecond: rates[Math.floor(RUNS / 2)],
    best: rates[RUNS - 1],
    breakdown: { workerMs: median(roundTrip), callMs: median(call), unpackMs: median(unpack), bridgeMs: median(bridge), firstWorkerCallMs: firstCallMs },
  }),
);
