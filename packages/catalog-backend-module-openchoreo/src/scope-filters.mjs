// Catalog filters that select at least every entity of some scopes, narrowed to the kinds that can be
// in them. An entity's scope follows from its kind and namespace (a Domain's from its name), so the
// component's own `scopeOf`, asked about one probe entity of each kind, says which kinds a scope can
// hold: a delta of one changed Environment reads that namespace's Environments, not all its entities.

import { ALLOWED_KINDS } from './processor.mjs';

const CLUSTER_NAMESPACE = 'openchoreo-cluster';

/** The catalog namespace of a scope's entities (`ns/acme/…` → acme, `cluster/…`), or undefined. */
function namespaceOf(scope) {
  const ns = /^ns\/([a-z0-9-]+)\//.exec(scope)?.[1];
  if (ns !== undefined) return ns;
  return scope.startsWith('cluster/') ? CLUSTER_NAMESPACE : undefined;
}

/** One probe entity of each kind in `namespace`; a Domain probe is named after it (its scope is the namespace's). */
function probes(namespace) {
  return ALLOWED_KINDS.map((kind) =>
    kind === 'Domain'
      ? { kind, metadata: { name: namespace, namespace: 'default' } }
      : { kind, metadata: { name: 'probe', namespace } },
  );
}

/**
 * Filters for the entities of `scopes`, by kind where the probes explain a scope, and `wholeAreas`:
 * the area patterns (`ns/acme/*`, `cluster/*`) of scopes no probe explains (a Template's, named after
 * its type), or undefined when a scope is of neither form, for the caller to read more widely.
 * `scopeOf(docs)` is the component's: a scope per JSON document, null where it has none.
 */
export async function kindFilters(scopes, scopeOf) {
  const byNamespace = new Map();
  for (const scope of scopes) {
    const ns = namespaceOf(scope);
    if (ns === undefined) return undefined;
    if (!byNamespace.has(ns)) byNamespace.set(ns, new Set());
    byNamespace.get(ns).add(scope);
  }
  const filters = [];
  const wholeAreas = [];
  for (const [ns, wanted] of byNamespace) {
    const kinds = probes(ns);
    const probed = await scopeOf(kinds.map((p) => JSON.stringify(p)));
    const explained = new Set();
    kinds.forEach((probe, i) => {
      if (!wanted.has(probed[i])) return;
      explained.add(probed[i]);
      filters.push(probe.kind === 'Domain' ? { kind: 'Domain', 'metadata.name': ns } : { kind: probe.kind, 'metadata.namespace': ns });
    });
    if ([...wanted].some((s) => !explained.has(s))) wholeAreas.push(ns === CLUSTER_NAMESPACE ? 'cluster/*' : `ns/${ns}/*`);
  }
  return { filters, wholeAreas };
}
