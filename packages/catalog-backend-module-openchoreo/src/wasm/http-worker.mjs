// The component's HTTP and token imports, served on a thread of their own. The component worker posts a
// call here and blocks until the shared counter of posted messages moves, then takes the answer from
// its port; requests it queues (`http.queue`) are sent at most `concurrency` at a time, in order, each
// answered on its own as it finishes. So a run's requests do not wait for a busy Backstage event loop,
// and their parsing and decompression do not add to it. Connections are kept alive for the life of this
// thread (the component worker's partner).
import { workerData } from 'node:worker_threads';
import { bodyBuffers, HttpHost } from '../http.mjs';
import { TokenCache } from '../tokens.mjs';

const { signal, port, baseUrl, settings, credentials } = workerData;
const posted = new Int32Array(signal);
const tokens = credentials ? new TokenCache(credentials) : undefined;
const http = new HttpHost({ baseUrl, tokens, settings });

/** Posts a message, its response bodies moved to the component worker, not copied. */
function post(message, results) {
  port.postMessage(message, bodyBuffers(results));
  Atomics.add(posted, 0, 1);
  Atomics.notify(posted, 0);
}

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

// The queued requests of the component's current run; a queue call of a later run drops what is left.
let run;
const waiting = [];
let sending = 0;
let budget;

function sendQueued() {
  while (sending < http.settings.concurrency && waiting.length > 0) {
    const [ticket, request] = waiting.shift();
    const of = run;
    sending += 1;
    http
      .sendOne(request, budget)
      .catch((e) => ({ result: { tag: 'err', val: { tag: 'other', val: `host: ${e.message}` } }, held: 0 }))
      .then(({ result, held }) => {
        sending -= 1;
        post({ run: of, answers: [[ticket, result]] }, [result]);
        // Once posted, the body is the component worker's to hold.
        budget.held -= held ?? 0;
        sendQueued();
      });
  }
}

port.on('message', async (call) => {
  if (call.op === 'queue') {
    if (call.run !== run) {
      run = call.run;
      waiting.length = 0;
      budget = http.newBudget();
    }
    http.deadline = call.deadline;
    waiting.push(...call.args);
    sendQueued();
    return;
  }
  let reply;
  try {
    reply = await serve(call);
  } catch (e) {
    // Not expected (every failure is a result); the component must never wait for an answer forever.
    reply = call.op === 'http' ? call.args.map(() => ({ tag: 'err', val: { tag: 'other', val: `host: ${e.message}` } })) : { ok: false, error: { tag: 'unreachable', val: e.message } };
  }
  post({ reply }, call.op === 'http' ? reply : []);
});
