// The HTTP host's own transport (src/http.mjs) against a real local server: compressed bodies are
// decoded (and capped after decoding), an encoding it cannot decode fails that request with its name,
// the largest body fails when the bodies being read would pass the budget,
// and connections are kept alive: a run's requests reuse one connection per request in flight.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { HttpHost } from '../src/http.mjs';

const BODY = JSON.stringify({ success: true, data: { items: Array.from({ length: 50 }, (_, i) => ({ name: `c-${i}`, ünïcode: '✓' })) } });
const ENCODERS = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };

let server;
let baseUrl;
let connections = 0;
const seen = [];
before(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers['accept-encoding']);
    const encoding = new URL(req.url, 'http://x').searchParams.get('encoding');
    if (encoding === 'bomb') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      return res.end(gzipSync(Buffer.alloc(4 * 1024 * 1024, 32)));
    }
    if (encoding === 'big') {
      // 1.5 MiB at once, the rest 200 ms later: it holds most of a 2 MiB budget when `late` arrives.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(Buffer.alloc(1536 * 1024, 32));
      setTimeout(() => res.destroyed || res.end(Buffer.alloc(1024 * 1024, 32)), 200);
      return undefined;
    }
    if (encoding === 'late') {
      setTimeout(() => res.end(JSON.stringify({ items: [], padding: 'x'.repeat(700 * 1024) })), 50);
      return undefined;
    }
    if (encoding === 'zstd-unknown') {
      res.writeHead(200, { 'content-encoding': 'zstd-unknown' });
      return res.end('whatever');
    }
    const headers = { 'content-type': 'application/json', ...(encoding ? { 'content-encoding': encoding } : {}) };
    res.writeHead(200, headers);
    res.end(encoding ? ENCODERS[encoding](Buffer.from(BODY)) : BODY);
  });
  server.on('connection', () => connections++);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
});
after(() => server?.close());

const request = (encoding) => ({ path: '/api/v1/namespaces', query: encoding ? [['encoding', encoding]] : [] });

it('decodes gzip, deflate and brotli bodies, and asks for them', async () => {
  const host = new HttpHost({ baseUrl });
  const results = await host.sendBatch([request(), request('gzip'), request('deflate'), request('br')]);
  // Undecoded: the component checks the bytes are UTF-8.
  for (const r of results) assert.deepEqual(r, { tag: 'ok', val: { status: 200, body: new Uint8Array(Buffer.from(BODY)) } });
  assert.ok(seen.every((h) => h === 'gzip, deflate, br'), JSON.stringify(seen));
});

it('caps a body after decoding it, and names an encoding it cannot decode', async () => {
  const host = new HttpHost({ baseUrl, settings: { maxBodyBytes: 1024 * 1024, attempts: 1 } });
  const [bomb, unknown, plain] = await host.sendBatch([request('bomb'), request('zstd-unknown'), request()]);
  assert.deepEqual(bomb, { tag: 'err', val: { tag: 'too-large', val: 1024n * 1024n } });
  assert.deepEqual(unknown, { tag: 'err', val: { tag: 'other', val: 'the response has Content-Encoding "zstd-unknown", which this host does not decode' } });
  assert.equal(plain.tag, 'ok', 'the other requests of the batch are unaffected');
});

it('fails the largest body being read when the bodies would pass the budget, not the one that tipped it', async () => {
  const host = new HttpHost({ baseUrl, settings: { batchBudgetBytes: 2 * 1024 * 1024, attempts: 1 } });
  const [big, late] = await host.sendBatch([request('big'), request('late')]);
  assert.equal(late.tag, 'ok', JSON.stringify(late).slice(0, 200));
  assert.equal(big.tag, 'err');
  assert.match(big.val.val, /would hold more than 2 MiB at once \(the host's response budget\)/);
});

it('keeps one connection per request in flight across batches', async () => {
  const host = new HttpHost({ baseUrl, settings: { concurrency: 4 } });
  const before = connections;
  for (let batch = 0; batch < 5; batch++) {
    const results = await host.sendBatch(Array.from({ length: 12 }, () => request('gzip')));
    assert.ok(results.every((r) => r.tag === 'ok'));
  }
  assert.ok(connections - before <= 4, `60 requests, 4 in flight, opened ${connections - before} connections`);
});
