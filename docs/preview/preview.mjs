// The page's logic: runs the transform component (transpiled by jco, no WASI shim: it imports
// nothing) on an OpenChoreo installation's lists, shows each entity as YAML and draws the relations.
import { mapping } from './component/transform.js';

const ENDPOINTS = ['environments', 'dataplanes', 'workflowplanes', 'observabilityplanes', 'projects', 'deploymentpipelines', 'components',
  'workloads', 'componenttypes', 'traits', 'workflows', 'resourcetypes', 'projecttypes', 'resources', 'observabilityalertsnotificationchannels'];
const CLUSTER_ENDPOINTS = ['clustercomponenttypes', 'clustertraits', 'clusterworkflows', 'clusterdataplanes', 'clusterobservabilityplanes',
  'clusterworkflowplanes', 'clusterresourcetypes', 'clusterprojecttypes'];

const $ = (id) => document.getElementById(id);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** One scope through `translate-scope`; lists left out of the export count as empty, not as failed. */
function translate(scope, lists, endpoints) {
  const all = { ...Object.fromEntries(endpoints.map((e) => [e, []])), ...lists };
  const out = mapping.translateScope({
    scope,
    lists: Object.entries(all).map(([endpoint, items]) => ({ endpoint, outcome: { tag: 'items', val: JSON.stringify(items) } })),
    defaultOwner: '',
  });
  // Nine numbers per entity (WIT `entity-batch.spans`); the first two are its document's (start, length).
  const { text, spans } = out.entities;
  const docs = [];
  for (let i = 0; i < spans.length; i += 9) docs.push(JSON.parse(decoder.decode(text.subarray(spans[i], spans[i] + spans[i + 1]))));
  return { docs, stale: out.stale, skipped: out.skipped };
}

function relationsOf(docs) {
  const texts = docs.map((d) => encoder.encode(JSON.stringify(d)));
  const all = new Uint8Array(texts.reduce((n, t) => n + t.length, 0));
  const spans = new Uint32Array(texts.length * 2);
  let at = 0;
  texts.forEach((t, i) => {
    all.set(t, at);
    spans[2 * i] = at;
    spans[2 * i + 1] = t.length;
    at += t.length;
  });
  const batch = mapping.relationsOfBatch(all, spans);
  const s = batch.spans;
  const str = (i) => decoder.decode(batch.text.subarray(s[i], s[i] + s[i + 1]));
  const out = [];
  for (let i = 0; i < s.length; i += 6) out.push({ source: str(i), type: str(i + 2), target: str(i + 4) });
  return out;
}

const refOf = (d) => `${d.kind.toLowerCase()}:${(d.metadata.namespace ?? 'default').toLowerCase()}/${d.metadata.name}`;

/** YAML for a JSON value: enough for entity documents (quoted strings, block maps and lists). */
function yaml(v, indent = '') {
  const scalar = (x) => (typeof x === 'string' ? JSON.stringify(x) : String(x));
  if (Array.isArray(v)) {
    if (v.length === 0) return ' []';
    return v.map((x) => `\n${indent}- ${typeof x === 'object' && x !== null ? yaml(x, `${indent}  `).trimStart() : scalar(x)}`).join('');
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0) return ' {}';
    return entries.map(([k, x]) => `\n${indent}${k}:${typeof x === 'object' && x !== null ? yaml(x, `${indent}  `) : ` ${scalar(x)}`}`).join('');
  }
  return ` ${scalar(v)}`;
}

/** Nodes in one column per kind, a line per relation (each pair drawn once, its forward type named). */
function graph(docs, relations) {
  const kinds = [...new Set(docs.map((d) => d.kind))];
  const pos = new Map();
  const colW = 190;
  const rowH = 22;
  const rows = kinds.map((k) => docs.filter((d) => d.kind === k));
  rows.forEach((col, c) => col.forEach((d, r) => pos.set(refOf(d), { x: 20 + c * colW, y: 40 + r * rowH, d })));
  const height = 60 + Math.max(...rows.map((c) => c.length)) * rowH;
  const width = 40 + kinds.length * colW;
  const seen = new Set();
  const edges = [];
  for (const r of relations) {
    const a = pos.get(r.source);
    const b = pos.get(r.target);
    const key = [r.source, r.target].sort().join(' ');
    if (!a || !b || seen.has(key)) continue;
    seen.add(key);
    edges.push(`<line class="edge" data-type="${r.type}" x1="${a.x + 80}" y1="${a.y}" x2="${b.x + 80}" y2="${b.y}" stroke="#9aa" stroke-width="0.7"><title>${r.source} ${r.type} ${r.target}</title></line>`);
  }
  const heads = kinds.map((k, c) => `<text x="${20 + c * colW}" y="20" font-weight="bold">${k}</text>`);
  const nodes = [...pos.entries()].map(([ref, p]) =>
    `<g class="node" data-ref="${ref}"><rect x="${p.x}" y="${p.y - 8}" width="160" height="16" rx="3" fill="#e8f0fe" stroke="#4a6fa5"/><text x="${p.x + 4}" y="${p.y + 4}">${p.d.metadata.name.slice(0, 28)}</text></g>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${edges.join('')}${heads.join('')}${nodes.join('')}</svg>`;
}

function escape(s) {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

function show(exported) {
  const status = $('status');
  try {
    if (!exported?.namespace?.metadata?.name) throw new Error('the export has no "namespace" resource with metadata.name');
    const ns = translate({ tag: 'namespace', val: JSON.stringify(exported.namespace) }, exported.lists ?? {}, ENDPOINTS);
    const cluster = exported.cluster ? translate({ tag: 'cluster' }, exported.cluster.lists ?? {}, CLUSTER_ENDPOINTS) : { docs: [], stale: [], skipped: [] };
    const docs = [...ns.docs, ...cluster.docs];
    const relations = relationsOf(docs);
    const bySource = new Map();
    for (const r of relations) {
      if (!bySource.has(r.source)) bySource.set(r.source, []);
      bySource.get(r.source).push({ type: r.type, targetRef: r.target });
    }
    $('entities').innerHTML = docs
      .map((d) => {
        const withRelations = { ...d, relations: bySource.get(refOf(d)) ?? [] };
        return `<details><summary>${escape(refOf(d))}</summary><pre>${escape(yaml(withRelations).trimStart())}</pre></details>`;
      })
      .join('');
    $('graph').innerHTML = graph(docs, relations);
    $('result').hidden = false;
    const skipped = [...ns.skipped, ...cluster.skipped];
    status.className = '';
    status.textContent = `${docs.length} entities, ${relations.length} relations` + (skipped.length ? `; ${skipped.length} resources skipped: ${skipped.map((s) => `${s.location}: ${s.message}`).join('; ')}` : '');
  } catch (e) {
    status.className = 'error';
    status.textContent = `Could not translate this export: ${e.payload?.val ?? e.message}`;
  }
}

$('sample').addEventListener('click', async () => show(await (await fetch('sample.json')).json()));
$('file').addEventListener('change', async (ev) => {
  const file = ev.target.files[0];
  if (!file) return;
  try {
    show(JSON.parse(await file.text()));
  } catch (e) {
    $('status').className = 'error';
    $('status').textContent = `${file.name} is not JSON: ${e.message}`;
  }
});
