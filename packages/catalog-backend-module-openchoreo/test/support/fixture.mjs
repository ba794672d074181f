// The same fixture OpenChoreo API the Rust tests use (sample data, real token endpoint), served by
// the CLI built from this repository, with fault injection through its admin endpoint.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildRust } from '../../scripts/build-rust.mjs';
import { ComponentWorker } from '../../src/wasm/component.mjs';

export const REPO = resolve(fileURLToPath(import.meta.url), '../../../../..');
export const CLI = join(REPO, 'target/debug/openchoreo-catalog');
export const CLIENT_ID = 'openchoreo-backstage-client';
export const CLIENT_SECRET = 'backstage-portal-secret';

export function ensureCli() {
  if (!existsSync(CLI)) buildRust();
}

export async function startFixture({ auth }) {
  ensureCli();
  const child = spawn(CLI, ['serve-fixture', ...(auth ? ['--auth'] : [])], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolveLine, reject) => {
    child.once('error', reject);
    createInterface({ input: child.stdout }).once('line', resolveLine);
  });
  const { baseUrl, tokenUrl } = JSON.parse(line);
  const admin = (path, body) => fetch(`${baseUrl}/__admin/${path}`, { method: 'POST', body: JSON.stringify(body ?? {}) });
  return {
    baseUrl,
    tokenUrl,
    fault: (path, status, times) => admin('fault', { path, status, times }),
    /**
     * Any fault kind: `{ kind: 'hang', ms }`, `{ kind: 'drip', ms }` (a byte per `ms`), `{ kind: 'endless' }`, `{ kind: 'bloat' }` (pages of 4 MB without end), `{ kind: 'cycle' }` (cursors a → b → c → a),
     * `{ kind: 'cut' }`, `{ kind: 'badjson' }`, `{ kind: 'wrongshape' }`, `{ kind: 'revoke' }`, `{ status, retryAfter, body }`.
     */
    inject: (path, fault) => admin('fault', { path, ...fault }),
    /** The token endpoint: `'up'`, `'down'` or `'hang'` (takes the request, answers nothing for a minute). */
    idp: (mode) => admin('idp', { mode }),
    clearFaults: () => Promise.all([admin('clear'), admin('idp', { mode: 'up' })]),
    /** Replaces a list's content (`/api/v1/namespaces/<ns>/<list>` or `/api/v1/cluster<list>`). */
    setList: (path, items) => admin('list', { path, items }),
    requests: () => admin('requests').then((r) => r.json()),
    stop: () => {
      child.stdin.end();
      child.kill();
    },
  };
}

export function openchoreoConfig(fixture, { auth, frequency = 600, timeout = 60 } = {}) {
  return {
    baseUrl: `${fixture.baseUrl}/api/v1`,
    schedule: { frequency, timeout },
    ...(auth ? { auth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenUrl: fixture.tokenUrl } } : {}),
    features: { auth: { enabled: auth } },
  };
}

/** A component worker configured for `fixture` without auth, as the provider tests run it. */
export async function configuredComponent(fixture, { logger = quietLogger(), settings = { attempts: 1 } } = {}) {
  const component = new ComponentWorker({ logger, http: { baseUrl: fixture.baseUrl, settings } });
  await component.configure(JSON.stringify(openchoreoConfig(fixture, { auth: false })));
  return component;
}

export const quietLogger = () => {
  const lines = [];
  const log = (level) => (message) => lines.push({ level, message });
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => quietLogger() };
};

/** Polls `fn` until `ok(value)` holds or the time runs out; returns the last value. */
export async function until(fn, ok, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  let value;
  while (Date.now() < end) {
    value = await fn();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  return value;
}
