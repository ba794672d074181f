// The token cache against real token endpoints that misbehave: one that echoes the form (client secret
// included) in its error, one that redirects, one that claims absurd lifetimes.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, it } from 'node:test';
import { TokenCache } from '../src/tokens.mjs';

const SECRET = 'node-token-test-secret-91c2';
let server;
let base;
let requests = 0;

before(async () => {
  server = createServer((req, res) => {
    requests += 1;
    let form = '';
    req.on('data', (d) => (form += d));
    req.on('end', () => {
      if (req.url === '/echo') {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end(form);
      } else if (req.url === '/echo-json') {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client\r\nforged line', error_description: `got ${form}` }));
      } else if (req.url === '/redirect') {
        res.writeHead(307, { Location: '/redirect' }).end();
      } else if (req.url === '/forever') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: 'opaque', expires_in: 1e300 }));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

const cache = (path) => new TokenCache({ clientId: 'backstage', clientSecret: SECRET, tokenUrl: `${base}${path}`, timeoutMs: 5000 });

it('never quotes a body that echoes the client secret, and escapes what it quotes', async () => {
  await assert.rejects(cache('/echo').bearer(false), (e) => {
    assert.equal(e.variant.tag, 'rejected');
    assert.match(e.message, /^400 Bad Request - no OAuth2 error in the response \(\d+ bytes, not quoted\)$/);
    return !e.message.includes(SECRET);
  });
  await assert.rejects(cache('/echo-json').bearer(false), (e) => {
    assert.equal(e.message, '401 Unauthorized - invalid_client\\r\\nforged line');
    return true;
  });
});

it('does not follow a redirect of the token request', async () => {
  requests = 0;
  await assert.rejects(cache('/redirect').bearer(false), /307 redirect from .*openchoreo\.auth\.tokenUrl/);
  assert.equal(requests, 1);
});

it('reuses a token at most a day, whatever expires_in says', async () => {
  const c = cache('/forever');
  assert.equal(await c.bearer(false), 'opaque');
  assert.ok(c.cached.expiresAt <= Date.now() + 24 * 3600 * 1000, `${c.cached.expiresAt}`);
});
