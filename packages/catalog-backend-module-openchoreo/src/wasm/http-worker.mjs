// The component's HTTP and token imports, served on a thread of their own: the component worker posts a
// call here, blocks on the shared flag, and takes the answer from its port. So a run's requests do not
// wait for a busy Backstage event loop, and their parsing and decompression do not add to it. Connections
// are kept alive for the life of this thread (the component worker's partner).
import { workerData } from 'node:worker_threads';
import { HttpHost } from '../http.mjs';
import { TokenCache } from '../tokens.mjs';

const { signal, port, baseUrl, settings, credentials } = workerData;
const flag = new Int32Array(signal);
const tokens = credentials ? new TokenCache(credentials) : undefined;
const http = new HttpHost({ baseUrl, tokens, settings });

async function serve({ op, args, deadline }) {
  http.deadline = deadline;
  if (op === 'http') return http.sendBatch(args);
  if (!tokens) return { ok: true, value: 'disabled' };
  try {
    await tokens.bearer(args, deadline);
    return { ok: true, value: 'ready' };
  } catch (e) {
    return { ok: false, error: e.variant ?? { tag: 'unreachable', val: e.message } };
  }
}

port.on('message', async (call) => {
  let reply;
  try {
    reply = await serve(call);
  } catch (e) {
    // Not expected (every failure is a result); the component must never wait for an answer forever.
    reply = call.op === 'http' ? call.args.map(() => ({ tag: 'err', val: { tag: 'other', val: `host: ${e.message}` } })) : { ok: false, error: { tag: 'unreachable', val: e.message } };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
