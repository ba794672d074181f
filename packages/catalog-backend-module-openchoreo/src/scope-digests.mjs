// What each scope of a run holds, as one SHA-256 per scope over its entity documents in the order the
// component made them. Two runs whose digests differ in a few scopes differ only there: the provider
// applies those scopes as a delta instead of handing the catalog every entity again.
import { createHash } from 'node:crypto';
import { eachDocument } from './wasm/batch.mjs';

const CLUSTER_NAMESPACE = 'openchoreo-cluster';

/** scope → hex digest, from a run's packed batches (the worker's report) or its entities (`{ scope, json }`). */
export function scopeDigests(report) {
  const hashes = new Map();
  const add = (scope, document) => {
    let hash = hashes.get(scope);
    if (!hash) hashes.set(scope, (hash = createHash('sha256')));
    // Documents are compact JSON, so a newline cannot occur inside one: it ends each without ambiguity.
    hash.update(document).update('\n');
  };
  if (report.batches) for (const batch of report.batches) eachDocument(batch, add);
  else for (const e of report.entities) add(e.scope, e.json);
  return Object.fromEntries([...hashes].map(([scope, hash]) => [scope, hash.digest('hex')]));
}

/** The scopes whose digests differ between two runs, a scope present in only one of them included. */
export function changedScopes(before, after) {
  const all = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...all].filter((scope) => before[scope] !== after[scope]).sort();
}

/** The pattern of a scope's namespace (`ns/acme/*`) or of the cluster (`cluster/*`); other scopes as they are. */
export function scopeArea(scope) {
  const ns = /^ns\/([^/]+)\//.exec(scope)?.[1];
  if (ns !== undefined) return `ns/${ns}/*`;
  return scope.startsWith('cluster/') ? 'cluster/*' : scope;
}

/** Where the catalog keeps an area's entities (`ns/acme/*` → acme, `cluster/*` → openchoreo-cluster); undefined for other patterns. */
export function areaNamespace(area) {
  if (area === 'cluster/*') return CLUSTER_NAMESPACE;
  return /^ns\/([a-z0-9-]+)\/\*$/.exec(area)?.[1];
}
