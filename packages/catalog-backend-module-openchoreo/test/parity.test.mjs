// The Backstage module and the wasmtime CLI produce the same entities for the same OpenChoreo API.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { ComponentWorker } from '../src/wasm/component.mjs';
import { CLI, CLIENT_ID, CLIENT_SECRET, openchoreoConfig, quietLogger, startFixture } from './support/fixture.mjs';

let fixture;
before(async () => {
  fixture = await startFixture({ auth: true });
});
after(() => fixture?.stop());

const byRef = (docs) => new Map(docs.map((d) => [`${d.kind}:${d.metadata.namespace ?? 'default'}/${d.metadata.name}`, d]));

it('gives the same entities through Node (jco) and through the CLI (wasmtime)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parity-'));
  const config = openchoreoConfig(fixture, { auth: true });
  writeFileSync(join(dir, 'app-config.yaml'), JSON.stringify({ openchoreo: config })); // JSON is YAML
  execFileSync(CLI, ['sync', '--once', '--config', join(dir, 'app-config.yaml'), '--output', join(dir, 'cli.json')], { env: { OPENCHOREO_LOG: 'warn' } });
  const cli = JSON.parse(readFileSync(join(dir, 'cli.json'), 'utf8'));

  const credentials = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenUrl: fixture.tokenUrl };
  const component = new ComponentWorker({ logger: quietLogger(), http: { baseUrl: fixture.baseUrl, credentials } });
  try {
    await component.configure(JSON.stringify({ ...config, auth: { ...config.auth, clientSecret: '[redacted]' } }));
    const report = await component.run(60_000);
    const node = report.entities.map((e) => JSON.parse(e.json));
    const relations = await component.relations(report.entities.map((e) => e.json));

    const cliDocs = byRef(cli.map(({ relations: _r, ...doc }) => doc));
    const nodeDocs = byRef(node);
    assert.deepEqual([...nodeDocs.keys()].sort(), [...cliDocs.keys()].sort());
    for (const [ref, doc] of nodeDocs) assert.deepEqual(doc, cliDocs.get(ref), ref);

    // Relations: what the CLI attaches to each entity is what the component reports with that entity as source.
    const bySource = new Map();
    for (const r of relations.flat()) {
      const key = r.source;
      if (!bySource.has(key)) bySource.set(key, new Set());
      bySource.get(key).add(`${r.type} ${r.target}`);
    }
    for (const doc of cli) {
      const ref = `${doc.kind.toLowerCase()}:${(doc.metadata.namespace ?? 'default').toLowerCase()}/${doc.metadata.name}`;
      assert.deepEqual(doc.relations.map((r) => `${r.type} ${r.targetRef}`).sort(), [...(bySource.get(ref) ?? [])].sort(), ref);
    }
  } finally {
    await component.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
});
