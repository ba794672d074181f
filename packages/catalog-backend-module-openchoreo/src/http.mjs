// The HTTP import, served in the component's HTTP worker (wasm/http-worker.mjs): GETs to the configured
// API origin only, bounded concurrency, timeouts, a body cap per response and a budget for the bodies
// held at once, bounded retries with exponential backoff and jitter honouring Retry-After, and the
// run deadline. The bearer token is added here; the guest never sees it. Requests go through
// node:http(s) with kept-alive connections, one per request in flight: a run makes hundreds of small
// GETs, and fetch() costs more CPU per request.
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

export const DEFAULT_HTTP = {
  concurrency: 8,
  requestTimeoutMs: 30_000,
  // A page holds at most 100 items: 64 MiB is far past any real one. Counted after decompression.
  maxBodyBytes: 64 * 1024 * 1024,
  // Body bytes the responses of one batch, or the ones waiting to be posted to the component, hold at once. A third of the CLI's: here a body is copied up to three
  // times on its way into the worker (bytes, string, message), so a run stays under 1 GiB with the
  // component's 768 MiB cap.
  batchBudgetBytes: 64 * 1024 * 1024,
  attempts: 3,
  baseBackoffMs: 200,
  maxBackoffMs: 10_000,
};

const PLAIN_PATH = /^[A-Za-z0-9/\-._~%]*$/;

/** Only `/api/v1/...` paths of plain characters: the guest cannot steer to another origin. */
export function urlFor(baseUrl, path) {
  if (!(path === '/api/v1' || path.startsWith('/api/v1/')) || !PLAIN_PATH.test(path) || path.includes('//') || path.includes('/../')) {
    return undefined;
  }
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class HttpHost {
  constructor({ baseUrl, tokens, settings = {} }) {
    this.baseUrl = baseUrl;
    this.tokens = tokens;
    this.settings = { ...DEFAULT_HTTP, ...settings };
    this.deadline = Infinity;
    // Idle kept-alive sockets do not hold the process open (the agent unrefs them).
    const options = { keepAlive: true, maxSockets: this.settings.concurrency, maxFreeSockets: this.settings.concurrency };
    this.agents = { 'http:': new http.Agent(options), 'https:': new https.Agent(options) };
  }

  /** A budget for the bodies held at once (`held` bytes of `limit`; `reading`: the bodies being read). */
  newBudget() {
    return { limit: this.settings.batchBudgetBytes, held: 0, reading: new Set() };
  }

  /** One result per request, in order: `{tag:'ok', val:{status, body}}` or `{tag:'err', val:{tag, val}}`. */
  async sendBatch(requests) {
    const results = new Array(requests.length);
    const budget = this.newBudget();
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const i = next++;
        results[i] = (await this.sendOne(requests[i], budget)).result;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.settings.concurrency, requests.length) }, worker));
    return results;
  }

  /** One request, retried as configured: its result, and the bytes its body holds of `budget` (the caller gives them back). */
  async sendOne(req, budget) {
    const url = urlFor(this.baseUrl, req.path);
    if (!url) return { result: err('refused', `path ${JSON.stringify(req.path)} is not an OpenChoreo API path on the configured origin`), held: 0 };
    for (let attempt = 1; ; attempt++) {
      if (Date.now() >= this.deadline) return { result: err('deadline', `not sending ${req.path}`), held: 0 };
      const { result, retryAfterMs, held } = await this.sendOnce(url, req, budget);
      const retryable =
        (result.tag === 'ok' && (result.val.status === 429 || result.val.status >= 500)) ||
        (result.tag === 'err' && result.val.tag === 'connection');
      if (!retryable || attempt >= this.settings.attempts) return { result, held: held ?? 0 };
      const backoff = this.settings.baseBackoffMs * 2 ** (attempt - 1);
      const wait = Math.min(retryAfterMs ?? backoff / 2 + Math.random() * (backoff / 2), this.settings.maxBackoffMs);
      if (Date.now() + wait >= this.deadline) return { result, held: held ?? 0 };
      budget.held -= held ?? 0;
      await sleep(wait);
    }
  }

  async sendOnce(url, req, budget) {
    const target = new URL(url);
    for (const [k, v] of req.query) target.searchParams.append(k, v);
    const headers = { Accept: 'application/json', 'Accept-Encoding': 'gzip, deflate, br' };
    if (this.tokens) {
      try {
        headers.Authorization = `Bearer ${await this.tokens.bearer(false, this.deadline)}`;
      } catch (e) {
        return { result: err('other', `no token: ${e.message}`) };
      }
    }
    let res;
    try {
      // One signal for the headers and the body: a slow-drip body ends with the request timeout or the
      // run deadline, whichever comes first.
      const left = Math.max(1, this.deadline - Date.now());
      res = await get(target, headers, AbortSignal.timeout(Math.min(this.settings.requestTimeoutMs, left)), this.agents[target.protocol]);
    } catch (e) {
      return { result: classify(e) };
    }
    const retryAfter = Number.parseInt(res.headers['retry-after'] ?? '', 10);
    try {
      const { body, size } = await readCapped(decoded(res), this.settings.maxBodyBytes, budget);
      return { result: { tag: 'ok', val: { status: res.statusCode, body } }, retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined, held: size };
    } catch (e) {
      if (e.tooLarge) return { result: { tag: 'err', val: { tag: 'too-large', val: BigInt(this.settings.maxBodyBytes) } } };
      if (e.unsupported) return { result: err('other', e.message) };
      if (e.overBudget) {
        const mib = Math.floor(budget.limit / 1024 / 1024);
        return { result: err('other', `the responses held for the component would hold more than ${mib} MiB at once (the host's response budget); the list is fetched again on the next run`) };
      }
      return { result: classify(e) };
    }
  }
}

/** One GET; redirects are not followed (a 3xx reaches the component as it is). */
function get(url, headers, signal, agent) {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, { headers, signal, agent }, resolve);
    req.once('error', reject);
    req.end();
  });
}

const DECODERS = { gzip: createGunzip, 'x-gzip': createGunzip, deflate: createInflate, br: createBrotliDecompress };

/** The response body as the server meant it: decompressed per Content-Encoding. */
function decoded(res) {
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return res;
  const decoder = DECODERS[encoding];
  if (!decoder) {
    res.destroy();
    throw Object.assign(new Error(`the response has Content-Encoding ${JSON.stringify(encoding)}, which this host does not decode`), { unsupported: true });
  }
  return pipeline(res, decoder(), () => {});
}

function err(tag, message) {
  return { tag: 'err', val: { tag, val: message } };
}

function classify(e) {
  const name = e?.name ?? '';
  if (name === 'TimeoutError' || name === 'AbortError') return err('timeout', e.message);
  return err('connection', `${e.message}${e.cause ? `: ${e.cause.message ?? e.cause}` : ''}`);
}

/**
 * The decompressed body, its bytes taken from `budget` as they arrive. When the bodies being read would
 * hold more than the budget, the largest of them fails: one huge response costs its own list only.
 */
async function readCapped(body, cap, budget) {
  const chunks = [];
  const reading = { size: 0, evicted: false, stop: () => body.destroy() };
  budget.reading.add(reading);
  const overBudget = () => Object.assign(new Error('over the response budget'), { overBudget: true });
  try {
    for await (const value of body) {
      if (reading.evicted) throw overBudget();
      reading.size += value.byteLength;
      budget.held += value.byteLength;
      if (reading.size > cap) {
        body.destroy();
        throw Object.assign(new Error('body too large'), { tooLarge: true });
      }
      while (budget.held > budget.limit) {
        const largest = [...budget.reading].reduce((a, b) => (b.size > a.size ? b : a));
        if (largest === reading) {
          body.destroy();
          throw overBudget();
        }
        evict(largest, budget);
      }
      chunks.push(value);
    }
  } catch (e) {
    budget.held -= reading.size;
    throw reading.evicted ? overBudget() : e;
  } finally {
    budget.reading.delete(reading);
  }
  return { body: ownBytes(chunks, reading.size), size: reading.size };
}

/**
 * The chunks as one Uint8Array that owns its ArrayBuffer (Buffer.concat may hand out a slice of a
 * shared pool), so the HTTP worker can transfer it to the component's. The bytes stay undecoded: the
 * component checks they are UTF-8, as it does for every host.
 */
function ownBytes(chunks, size) {
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

/** The ArrayBuffers of the bodies in some results (`result<response, http-error>`), for a transfer list. */
export const bodyBuffers = (results) => results.flatMap((r) => (r.tag === 'ok' ? [r.val.body.buffer] : []));

/** Fails another body being read: its bytes go back to the budget now, and its read stops. */
function evict(reading, budget) {
  budget.held -= reading.size;
  reading.size = 0;
  reading.evicted = true;
  budget.reading.delete(reading);
  reading.stop();
}
