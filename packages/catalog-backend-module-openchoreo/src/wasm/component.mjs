// The component in a worker thread, seen from the main thread: RPC calls in, host calls (HTTP, token)
// served here asynchronously and handed back through a SharedArrayBuffer flag and a MessagePort.
// A trap or a timeout terminates the worker; the next call starts a fresh one.
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

export class ComponentWorker {
  /**
   * @param {{ logger: any, http?: import('../http.mjs').HttpHost, tokens?: import('../tokens.mjs').TokenCache,
   *           templates?: import('../templates.mjs').UrlTemplateReader, componentDir?: string, maxHeapMb?: number }} options
   */
  constructor({ logger, http, tokens, templates, componentDir = COMPONENT_DIR, maxHeapMb = 512 }) {
    Object.assign(this, { logger, http, tokens, templates, componentDir, maxHeapMb });
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
    const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
      workerData: { componentDir: this.componentDir, signal, hostPort: port2 },
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb },
      env: {},
    });
    this.worker = worker;
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
        Atomics.store(flag, 0, 1);
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
    if (m.op === 'http') {
      if (!this.http) return m.args.map(() => ({ tag: 'err', val: { tag: 'refused', val: 'this instance has no network' } }));
      return this.http.sendBatch(m.args);
    }
    if (m.op === 'templates') {
      if (!this.templates) return m.args.map(() => ({ tag: 'err', val: { tag: 'not-allowed', val: 'this instance reads no template URLs' } }));
      return this.templates.readBatch(m.args);
    }
    if (m.op === 'token') {
      if (!this.tokens) return { ok: true, value: 'disabled' };
      try {
        await this.tokens.bearer(m.args, this.http?.deadline);
        return { ok: true, value: 'ready' };
      } catch (e) {
        return { ok: false, error: e.variant ?? { tag: 'unreachable', val: e.message } };
      }
    }
    return undefined;
  }

  fail(error) {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    this.worker = undefined;
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
    return new RunReport(await this.callBy('run', undefined, timeoutMs));
  }

  /** A sync over named scopes (`ns/<namespace>/*`, `cluster/*`): `{ report, covered }`. */
  async runScopes(scopes, timeoutMs) {
    const { report, covered } = await this.callBy('runScopes', scopes, timeoutMs);
    return { report: new RunReport(report), covered };
  }

  /** A run-like call with the HTTP host's deadline set for it. */
  async callBy(op, args, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    if (this.http) this.http.deadline = deadline;
    const result = await this.call(op, args, timeoutMs);
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
