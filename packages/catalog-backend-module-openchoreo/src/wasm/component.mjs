// The component in a worker thread, seen from the main thread: RPC calls in; its HTTP and token calls
// served by a second worker (http-worker.mjs), its template reads here, each answer handed back through
// a MessagePort and a SharedArrayBuffer counter of the messages posted. A trap or a timeout terminates both workers; the next call
// starts a fresh pair.
import { MessageChannel, Worker } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printable } from '../printable.mjs';
import { RunReport } from './run-report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const COMPONENT_DIR = join(here, '../../dist/component');

export class GuestError extends Error {
  constructor(payload) {
    super(typeof payload?.val === 'string' ? payload.val : JSON.stringify(payload));
    this.payload = payload;
  }
}

export class RunTimeout extends Error {}

/** The HTTP worker's heap: a batch's bodies (at most the batch budget, 64 MiB by default) as bytes and strings. */
const HTTP_HEAP_MB = 512;

export class ComponentWorker {
  /**
   * @param {{ logger: any,
   *           http?: { baseUrl: string, settings?: Partial<typeof import('../http.mjs').DEFAULT_HTTP>,
   *                    credentials?: ConstructorParameters<typeof import('../tokens.mjs').TokenCache>[0] },
   *           templates?: import('../templates.mjs').UrlTemplateReader, componentDir?: string, maxHeapMb?: number }} options
   *   `http` is what the HTTP worker is made from (without it the component has no network).
   */
  constructor({ logger, http, templates, componentDir = COMPONENT_DIR, maxHeapMb = 512 }) {
    Object.assign(this, { logger, http, templates, componentDir, maxHeapMb });
    this.worker = undefined;
    this.pending = new Map();
    this.nextId = 1;
    this.said = new Set();
  }

  async ensureStarted() {
    if (this.worker) return this.starting;
    const signal = new SharedArrayBuffer(4);
    const flag = new Int32Array(signal);
    const { port1, port2 } = new MessageChannel();
    const http = this.http ? this.startHttpWorker(signal) : undefined;
    const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
      workerData: { componentDir: this.componentDir, signal, hostPort: port2, httpPort: http?.port },
      transferList: [port2, ...(http ? [http.port] : [])],
      resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb },
      env: {},
    });
    this.worker = worker;
    this.httpWorker = http?.worker;
    this.starting = new Promise((resolve, reject) => {
      worker.once('error', reject);
      const onReady = (m) => {
        if (m.type === 'ready') {
          worker.off('message', onReady);
          resolve();
        }
      };
      worker.on('message', onReady);
    });
    worker.on('message', (m) => this.onMessage(m, port1, flag));
    // A terminated worker's late events must not touch its replacement.
    worker.on('error', (e) => this.worker === worker && this.fail(e));
    worker.on('exit', (code) => this.worker === worker && this.fail(new Error(`component worker exited (${code})`)));
    await this.starting;
    // A recreated worker starts blank: give it the configuration the previous one had.
    if (this.configJson !== undefined) await this.post('configure', this.configJson);
    if (this.pending.size === 0) worker.unref();
  }

  /** The component worker's partner for HTTP and tokens; it never holds the process open. */
  startHttpWorker(signal) {
    const { port1, port2 } = new MessageChannel();
    const { baseUrl, settings, credentials } = this.http;
    const worker = new Worker(new URL('./http-worker.mjs', import.meta.url), {
      workerData: { signal, port: port1, baseUrl, settings, credentials },
      transferList: [port1],
      resourceLimits: { maxOldGenerationSizeMb: HTTP_HEAP_MB },
      env: {},
    });
    worker.unref();
    // It fails only if it cannot start or runs out of memory; the component would wait for it: stop the pair.
    worker.on('error', (e) => {
      if (this.httpWorker !== worker) return;
      const component = this.worker;
      this.fail(new Error(`the HTTP worker failed: ${e.message}`));
      component?.terminate();
    });
    return { worker, port: port2 };
  }

  onMessage(m, port, flag) {
    if (m.type === 'log') {
      const message = printable(m.message);
      let level = m.level === 'warn' || m.level === 'error' || m.level === 'info' ? m.level : 'debug';
      // The component's info lines are notices about the installation (a list the API does not serve):
      // said once per process, at debug after that, not on every scheduled run.
      if (level === 'info' && this.said.has(message)) level = 'debug';
      else if (level === 'info') this.said.add(message);
      this.logger[level](message);
    } else if (m.type === 'hostcall') {
      this.serveHostCall(m).then((reply) => {
        port.postMessage(reply);
        Atomics.add(flag, 0, 1);
        Atomics.notify(flag, 0);
      });
    } else if (m.type === 'result') {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!p) return;
      if (m.ok) p.resolve(m.value);
      else if (m.error.guest !== undefined) p.reject(new GuestError(m.error.guest));
      else {
        p.reject(new Error(`component trapped: ${m.error.trap}`));
        this.terminate();
      }
    }
  }

  async serveHostCall(m) {
    if (m.op === 'templates') {
      if (!this.templates) return m.args.map(() => ({ tag: 'err', val: { tag: 'not-allowed', val: 'this instance reads no template URLs' } }));
      return this.templates.readBatch(m.args);
    }
    return undefined;
  }

  fail(error) {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    this.worker = undefined;
    this.httpWorker?.terminate();
    this.httpWorker = undefined;
  }

  terminate() {
    const w = this.worker;
    this.fail(new Error('component worker terminated'));
    return w?.terminate();
  }

  /** The worker holds the event loop only while calls are pending (idle, it never keeps a process alive). */
  post(op, args) {
    const id = this.nextId++;
    const worker = this.worker;
    const result = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    worker.ref();
    worker.postMessage({ type: 'rpc', id, op, args });
    const settle = () => {
      if (this.pending.size === 0) worker.unref();
    };
    result.then(settle, settle);
    return result;
  }

  async call(op, args, timeoutMs) {
    await this.ensureStarted();
    const result = this.post(op, args);
    if (!timeoutMs) return result;
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => {
        reject(new RunTimeout(`run exceeded ${timeoutMs / 1000}s`)); // first, so the race reports the timeout
        this.terminate();
      }, timeoutMs);
    });
    try {
      return await Promise.race([result, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async configure(json) {
    const settings = await this.call('configure', json);
    this.configJson = json;
    return settings;
  }

  /**
   * One sync, as a RunReport; the HTTP host stops sending at the deadline and the worker is terminated
   * past it.
   */
  async run(timeoutMs) {
    return new RunReport(await this.callBy('run', {}, timeoutMs));
  }

  /** A sync over named scopes (`ns/<namespace>/*`, `cluster/*`): `{ report, covered }`. */
  async runScopes(scopes, timeoutMs) {
    const { report, covered } = await this.callBy('runScopes', { scopes }, timeoutMs);
    return { report: new RunReport(report), covered };
  }

  /** A run-like call with its deadline, which the HTTP worker stops sending at. */
  async callBy(op, args, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    const result = await this.call(op, { ...args, deadline }, timeoutMs);
    // Late requests were refused and their lists reported stale: a run that reached its deadline is
    // not trusted, even when the component finished before its timer fired.
    if (Date.now() >= deadline) throw new RunTimeout(`run reached its ${timeoutMs / 1000}s deadline`);
    return result;
  }

  /** The scopes an OpenChoreo change event can affect (throws a GuestError naming why it is refused). */
  scopesOfEvent(eventJson) {
    return this.call('scopesOfEvent', eventJson);
  }

  relations(docs) {
    return this.call('relations', docs);
  }

  scopeOf(docs) {
    return this.call('scopeOf', docs);
  }

  translateResource(args) {
    return this.call('translateResource', args);
  }

  /** Benchmarks only: the number of entities a scope snapshot translates to. */
  translateScope(snapshot) {
    return this.call('translateScope', snapshot);
  }
}
