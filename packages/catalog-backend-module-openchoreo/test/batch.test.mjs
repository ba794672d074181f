// Reading the component's entity batches (src/wasm/batch.mjs): ASCII text (sliced from one decoding)
// and UTF-8 text (decoded part by part) give the same entities; spans that do not fit are named. The
// per-scope digests (src/scope-digests.mjs) read packed batches as they read entities.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { packBatch, readPacked, unpackBatch } from '../src/wasm/batch.mjs';
import { RunReport } from '../src/wasm/run-report.mjs';
import { changedScopes, scopeArea, scopeDigests } from '../src/scope-digests.mjs';

/** A batch as jco lifts it: documents in one text, nine numbers per entity (its parts' byte spans, its scope). */
function batch(docs, scopes = ['ns/acme/components']) {
  const enc = new TextEncoder();
  const parts = [];
  const spans = [];
  let at = 0;
  const span = (s) => {
    const bytes = enc.encode(s);
    parts.push(bytes);
    spans.push(at, bytes.length);
    at += bytes.length;
  };
  for (const d of docs) {
    for (const part of [JSON.stringify(d), d.kind, d.metadata.namespace, d.metadata.name]) span(part);
    spans.push(scopes.indexOf(d.scope ?? scopes[0]));
  }
  const text = new Uint8Array(at);
  let o = 0;
  for (const p of parts) {
    text.set(p, o);
    o += p.length;
  }
  return { text, scopes, spans: Uint32Array.from(spans) };
}

/** Points the name span (numbers 6 and 7) of a batch's first entity elsewhere. */
const nameSpan = (b, start, len) => b.spans.set([start, len], 6);

const doc = (name, title) => ({ kind: 'Component', metadata: { name, namespace: 'acme', title }, spec: {} });

it('reads ASCII and UTF-8 batches to the same entities', () => {
  for (const docs of [[doc('a', 'Orders'), doc('b', 'Payments')], [doc('a', 'Bestellungen für Kunden ✓'), doc('b', '支払い')]]) {
    const got = unpackBatch(batch(docs));
    assert.deepEqual(
      got.map((e) => [e.kind, e.namespace, e.name, e.scope, JSON.parse(e.json)]),
      docs.map((d) => ['Component', 'acme', d.metadata.name, 'ns/acme/components', d]),
    );
  }
});

it('names the entity and the span that does not fit, on either path', () => {
  for (const title of ['ascii', 'ünïcödé']) {
    const b = batch([doc('a', title)]);
    nameSpan(b, 3, b.text.length);
    assert.throws(() => unpackBatch(b), /entity #0 of a batch: its name span 3\.\.\d+ is outside the text/);
  }
  const split = batch([doc('a', 'ü')]);
  const at = new TextDecoder().decode(split.text).indexOf('ü');
  nameSpan(split, new TextEncoder().encode(new TextDecoder().decode(split.text).slice(0, at)).length, 1);
  assert.throws(() => unpackBatch(split), /is not UTF-8 or splits a character/);
});

it('refuses spans that are not nine numbers an entity, and a scope that does not exist', () => {
  const b = batch([doc('a', 'A')]);
  assert.throws(() => packBatch({ ...b, spans: Uint32Array.from([...b.spans, 0, 2]) }), /the entity batch has 11 span numbers, not 9 per entity/);
  const scoped = batch([doc('a', 'A')]);
  scoped.spans[8] = 1;
  assert.throws(() => packBatch(scoped), /entity #0 of a batch: scope #1 of 1 does not exist/);
});

it('digests each scope alike from packed batches and from entities, however the batches split', () => {
  const scopes = ['ns/acme/components', 'ns/acme/environments'];
  const docs = [doc('a', 'A'), { ...doc('dev', 'Dev'), scope: scopes[1] }, doc('b', 'Bé')];
  const whole = scopeDigests({ batches: [packBatch(batch(docs, scopes))] });
  const split = scopeDigests({ batches: [packBatch(batch(docs.slice(0, 2), scopes)), packBatch(batch(docs.slice(2), scopes))] });
  const read = scopeDigests({ entities: unpackBatch(batch(docs, scopes)) });
  assert.deepEqual(Object.keys(whole).sort(), scopes);
  assert.deepEqual(split, whole);
  assert.deepEqual(read, whole);
  const renamed = scopeDigests({ batches: [packBatch(batch([docs[0], { ...doc('qa', 'Dev'), scope: scopes[1] }, docs[2]], scopes))] });
  assert.deepEqual(changedScopes(whole, renamed), ['ns/acme/environments']);
  assert.deepEqual(changedScopes(whole, { [scopes[0]]: whole[scopes[0]] }), ['ns/acme/environments'], 'a scope gone is a change');
  assert.deepEqual(changedScopes({}, whole), scopes, 'a scope new is a change');
});

it('reads the entities of some scopes alone, in order, from packed batches as from read ones', () => {
  const scopes = ['ns/acme/components', 'ns/acme/environments', 'ns/acme/projects'];
  const docs = [doc('a', 'A'), { ...doc('dev', 'Dev'), scope: scopes[1] }, doc('b', 'Bé'), { ...doc('shop', 'Shop'), scope: scopes[2] }];
  const batches = () => [packBatch(batch(docs.slice(0, 3), scopes)), packBatch(batch(docs.slice(3), scopes))];
  const wanted = new Set([scopes[0], scopes[2]]);
  const names = (entities) => entities.map((e) => `${e.scope} ${e.name}`);
  const expected = ['ns/acme/components a', 'ns/acme/components b', 'ns/acme/projects shop'];
  assert.deepEqual(names(batches().flatMap((b) => readPacked(b, wanted))), expected);
  assert.deepEqual(readPacked(batches()[0], new Set(['ns/other/components'])), [], 'a batch with none of them');
  const report = new RunReport({ stale: [], stats: {}, digest: '', batches: batches() });
  assert.deepEqual(names(report.entitiesOf(wanted)), expected, 'before the whole run is read');
  assert.equal(report.entities.length, 4);
  assert.deepEqual(names(report.entitiesOf(wanted)), expected, 'after it');
});

it('names the area of a scope the catalog is read by', () => {
  assert.equal(scopeArea('ns/acme/environments'), 'ns/acme/*');
  assert.equal(scopeArea('cluster/traits'), 'cluster/*');
  assert.equal(scopeArea('other'), 'other');
});
