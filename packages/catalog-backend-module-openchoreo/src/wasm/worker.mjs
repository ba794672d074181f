// The worker thread that runs the component. Its imports are synchronous (the component model has no
// async here), so each host call posts a request to the thread that serves it (HTTP and tokens: the HTTP
// worker; template reads: the main thread, where Backstage's URL reader is), blocks on Atomics.wait, and
// then takes the answer from that thread's MessagePort with receiveMessageOnPort. Backstage's event loop
// stays free.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { WASIShim } from '@bytecodealliance/preview2-shim/instantiation';
import { packBatch, transferables, unpackBatch } from './batch.mjs';
import { WIT_VERSION, witInterface } from './wit.mjs';

const { componentDir, signal, hostPort, httpPort } = workerData;
// Counts the messages posted to this worker by the threads serving its host calls: a wait for a new
// one cannot miss it, whichever thread posts and whenever.
const posted = new Int32Array(signal);

/** The run's deadline, which the HTTP worker stops sending at; set by each run-like call. */
let deadline = Infinity;

const NO_NETWORK = { tag: 'err', val: { tag: 'refused', val: 'this instance has no network' } };
const servedByHttpWorker = (op) => op === 'http' || op === 'token';

/** The next message on `port`, blocking this thread (never the event loop of the thread serving it). */
function receive(port) {
  for (;;) {
    const seen = Atomics.load(posted, 0);
    const m = receiveMessageOnPort(port);
    if (m) return m.message;
    Atomics.wait(posted, 0, seen);
  }
}

// The requests queued through `http.queue` in this run: the HTTP worker answers each on its own, and
// its answers wait in `inbox` until `http.collect` takes them. Answers of an earlier run are dropped.
let run = 0;
let outstanding = 0;
const inbox = [];

/** Keeps an HTTP worker message that answers queued requests; returns any other (a host call's reply). */
function sortHttpMessage(m) {
  if (m.answers === undefined) return m;
  if (m.run === run) inbox.push(...m.answers);
  return undefined;
}

function hostCall(op, args) {
  if (!servedByHttpWorker(op)) {
    parentPort.postMessage({ type: 'hostcall', op, args });
    return receive(hostPort);
  }
  httpPort.postMessage({ op, args, deadline });
  for (;;) {
    const reply = sortHttpMessage(receive(httpPort));
    if (reply !== undefined) return reply.reply;
  }
}

/** Takes the answers the HTTP worker has posted so far. */
function drainHttp() {
  for (let m = receiveMessageOnPort(httpPort); m; m = receiveMessageOnPort(httpPort)) sortHttpMessage(m.message);
}

function collectAnswers(wait) {
  if (httpPort) drainHttp();
  while (wait && inbox.length === 0 && outstanding > 0) sortHttpMessage(receive(httpPort));
  const answers = inbox.splice(0);
  outstanding -= answers.length;
  return answers;
}

function newRun() {
  run += 1;
  outstanding = 0;
  inbox.length = 0;
}

function wasiImports() {
  // Deny-all: no preopens, no environment, no sockets. The guest reaches the network only via our HTTP import.
  return new WASIShim({ sandbox: { preopens: {}, env: {}, args: [], enableNetwork: false } }).getImportObject();
}

function withVersions(imports) {
  // jco may name imports with or without their package version; offer both spellings.
  const out = {};
  for (const [name, value] of Object.entries(imports)) {
    out[name] = value;
    out[`${name}@${WIT_VERSION}`] = value;
  }
  return out;
}

// A run's entities as the guest hands them over (the `sink` import, then the report), packed, and the
// SHA-256 of their text and spans in that order: what the provider compares runs by.
let collecting;

function collect(batch) {
  if (!collecting) throw new Error('sink.emit called outside a run');
  const packed = packBatch(batch);
  collecting.hash.update(packed.text).update(packed.spans);
  collecting.batches.push(packed);
}

const ours = withVersions({
  'openchoreo:catalog/types': {},
  'openchoreo:catalog/http': {
    sendBatch(requests) {
      if (!httpPort) return requests.map(() => NO_NETWORK);
      return hostCall('http', requests);
    },
    // The HTTP worker sends while the component translates, and answers each request as it finishes.
    queue(requests) {
      outstanding += requests.length;
      if (!httpPort) {
        inbox.push(...requests.map(([ticket]) => [ticket, NO_NETWORK]));
        return;
      }
      httpPort.postMessage({ op: 'queue', args: requests, deadline, run });
    },
    collect: collectAnswers,
  },
  'openchoreo:catalog/token': {
    ensure(forceRefresh) {
      if (!httpPort) return 'disabled';
      const r = hostCall('token', forceRefresh);
      if (r.ok) return r.value;
      const err = new Error(`token: ${r.error.tag}`);
      err.payload = r.error;
      throw err;
    },
  },
  'openchoreo:catalog/template-reader': {
    readBatch(urls) {
      return hostCall('templates', urls);
    },
  },
  'openchoreo:catalog/sink': {
    emit: collect,
  },
  'openchoreo:catalog/log': {
    log(level, message) {
      parentPort.postMessage({ type: 'log', level, message });
    },
  },
});

const { instantiate } = await import(join(componentDir, 'catalog.js'));
const component = await instantiate(
  (path) => readFile(join(componentDir, path)).then((bytes) => WebAssembly.compile(bytes)),
  { ...wasiImports(), ...ours },
);
const mapping = component.mapping ?? component[witInterface('mapping')];
const sync = component.sync ?? component[witInterface('sync')];

/** A guest error (WIT `result` err) arrives as a thrown ComponentError carrying `.payload`. */
function guestError(e) {
  if (e && e.payload !== undefined) return { guest: e.payload };
  return { trap: trapLine(e) };
}

/** A trap in one line: what stopped the component and the wasm function it was in, not the whole stack. */
function trapLine(e) {
  if (!(e instanceof Error)) return String(e).replace(/\s*\n\s*/g, ' | ');
  const frame = String(e.stack ?? '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith('at ') && l.includes('wasm'));
  return `${e.name}: ${e.message}${frame ? ` (${frame})` : ''}`.replace(/\s*\n\s*/g, ' | ');
}

/**
 * A run's report with its entities as packed batches (those handed over through `sink`, then the
 * report's own) and their `digest`; the batches' buffers are transferred to the main thread.
 */
function collected(call) {
  newRun();
  collecting = { batches: [], hash: createHash('sha256') };
  try {
    const { entities, ...report } = call();
    collect(entities);
    const { batches, hash } = collecting;
    return transferring({ ...report, batches, digest: hash.digest('hex') }, transferables(batches));
  } finally {
    collecting = undefined;
  }
}

const TRANSFER = Symbol('transfer');
/** A value whose buffers move to the main thread instead of being copied (a symbol key is not cloned). */
const transferring = (value, list) => Object.assign(value, { [TRANSFER]: list });

const ops = {
  configure: (json) => sync.configure(json),
  run: ({ deadline: until }) => {
    deadline = until;
    return collected(() => sync.run());
  },
  runScopes: ({ scopes, deadline: until }) => {
    deadline = until;
    let covered = [];
    const report = collected(() => {
      const scoped = sync.runScopes(scopes);
      covered = scoped.covered;
      return scoped.report;
    });
    return transferring({ report, covered }, report[TRANSFER]);
  },
  scopesOfEvent: (json) => mapping.scopesOfEvent(json),
  relations: (docs) => docs.map((d) => mapping.relations(d)),
  scopeOf: (docs) => docs.map((d) => {
    try {
      return mapping.scopeOf(d);
    } catch {
      return null;
    }
  }),
  translateResource: ({ kind, namespace, json, context }) => unpackBatch(mapping.translateResource(kind, namespace, json, context)),
  // Benchmarks: translate a snapshot in the worker and read its entities; the count, and the time the
  // call and the reading of its batch took in here.
  translateScope: ({ namespace, lists }) => {
    const started = performance.now();
    const out = mapping.translateScope({
      scope: { tag: 'namespace', val: namespace },
      lists: lists.map((l) => ({ endpoint: l.endpoint, outcome: l.failed === undefined ? { tag: 'items', val: l.items } : { tag: 'failed', val: l.failed } })),
      defaultOwner: '',
    });
    const called = performance.now();
    const entities = unpackBatch(out.entities).length;
    return { entities, callMs: called - started, unpackMs: performance.now() - called };
  },
};

parentPort.on('message', (msg) => {
  if (msg.type !== 'rpc') return;
  try {
    const value = ops[msg.op](msg.args);
    parentPort.postMessage({ type: 'result', id: msg.id, ok: true, value }, value?.[TRANSFER] ?? []);
  } catch (e) {
    parentPort.postMessage({ type: 'result', id: msg.id, ok: false, error: guestError(e) });
  }
});
parentPort.postMessage({ type: 'ready' });
