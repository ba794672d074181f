// The "preview your catalog" page (docs/preview) in a real headless Chromium: the transform component
// runs in the page through jco with no WASI shim (it imports nothing), the sample installation shows
// the same entities as the CLI's sync, the relation graph is drawn, an export loaded from a file works,
// and a broken one says what is wrong. The screenshot stays in target/test-artefacts/preview.png.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { chromium } from 'playwright-core';
import { buildPreview, sampleExport, serve } from '../scripts/preview.mjs';
import { launchOptions } from './support/chromium.mjs';
import { REPO } from './support/fixture.mjs';

const OUT = join(REPO, 'target/preview-test');
const ARTEFACTS = join(REPO, 'target/test-artefacts');
let server;
let browser;
let page;
const pageErrors = [];

before(async () => {
  const imports = await buildPreview(OUT);
  assert.deepEqual(imports, [], 'the transform component imports nothing');
  server = await serve(OUT);
  browser = await chromium.launch(launchOptions());
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
});
after(async () => {
  await browser?.close();
  server?.close();
});

/** The CLI's sync of the sample (the golden output), for the namespace and the cluster scope. */
function golden() {
  return JSON.parse(readFileSync(join(REPO, 'tests/snapshots/sample-entities.json'), 'utf8'));
}

it('shows the sample installation as the CLI syncs it, with the relations drawn', async () => {
  await page.click('#sample');
  await page.waitForFunction(() => /entities, \d+ relations/.test(document.getElementById('status').textContent), null, { timeout: 30_000 });
  const status = await page.textContent('#status');
  const refs = await page.$$eval('#entities summary', (s) => s.map((e) => e.textContent));
  const expected = golden().map((d) => `${d.kind.toLowerCase()}:${(d.metadata.namespace ?? 'default').toLowerCase()}/${d.metadata.name}`);
  assert.deepEqual([...refs].sort(), [...expected].sort(), 'every entity of the sync, and nothing else');
  assert.match(status, new RegExp(`^${expected.length} entities, \\d+ relations$`));
  const nodes = await page.$$eval('#graph .node', (n) => n.length);
  const edges = await page.$$eval('#graph .edge', (e) => e.map((x) => x.dataset.type));
  assert.equal(nodes, expected.length);
  assert.ok(edges.length > expected.length / 2, `${edges.length} edges drawn`);
  assert.ok(edges.includes('partOf') || edges.includes('hasPart'));
  // One entity's YAML: the document the sync writes, relations included.
  const component = golden().find((d) => d.kind === 'Component');
  const yaml = await page.$eval(`#entities details:has(summary:text-is("component:default/${component.metadata.name}")) pre`, (p) => p.textContent);
  assert.match(yaml, new RegExp(`^apiVersion: "backstage.io/v1alpha1"\\nkind: "Component"\\nmetadata:\\n  name: "${component.metadata.name}"`));
  assert.match(yaml, /\nrelations:\n {2}- type: "/);
  mkdirSync(ARTEFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTEFACTS, 'preview.png'), fullPage: false });
  assert.deepEqual(pageErrors, []);
});

it('loads an export from a file, and says what is wrong with a broken one', async () => {
  const exported = await sampleExport();
  const one = { namespace: { metadata: { name: 'acme' } }, lists: { projects: [exported.lists.projects[0]] } };
  const file = join(OUT, 'acme.json');
  writeFileSync(file, JSON.stringify(one));
  await page.setInputFiles('#file', file);
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('2 entities'), null, { timeout: 10_000 });
  assert.deepEqual(await page.$$eval('#entities summary', (s) => s.map((e) => e.textContent)), [
    'domain:default/acme', `system:acme/${exported.lists.projects[0].metadata.name}`,
  ]);
  writeFileSync(file, JSON.stringify({ lists: {} }));
  await page.setInputFiles('#file', []);
  await page.setInputFiles('#file', file);
  await page.waitForFunction(() => document.getElementById('status').classList.contains('error'), null, { timeout: 10_000 });
  assert.match(await page.textContent('#status'), /no "namespace" resource with metadata.name/);
  writeFileSync(file, '{"namespace":');
  await page.setInputFiles('#file', []);
  await page.setInputFiles('#file', file);
  await page.waitForFunction(() => /is not JSON/.test(document.getElementById('status').textContent), null, { timeout: 10_000 });
  assert.deepEqual(pageErrors, []);
});
