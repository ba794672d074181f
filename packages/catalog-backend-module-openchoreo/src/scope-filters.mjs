// Catalog filters that select at least every entity of some scopes, narrowed to the kinds that can be
// in them. An entity's scope follows from its kind and namespace (a Domain's from its name), so the
// component's own `scopeOf`, asked about one probe entity of each kind, says which kinds a scope can
// hold: a delta of one changed Environment reads that namespace's Environments, not all its entities.

import { ALLOWED_KINDS } from './processor.mjs';
import { areaNamespace, scopeArea } from './scope-digests.mjs';

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
  const byArea = new Map();
  for (const scope of scopes) {
    const area = scopeArea(scope);
    if (areaNamespace(area) === undefined) return undefined;
    if (!byArea.has(area)) byArea.set(area, new Set());
    byArea.get(area).add(scope);
  }
  const probed = [...byArea.keys()].map((area) => probes(areaNamespace(area)));
  // Every area's probes in one component call.
  const probedScopes = await scopeOf(probed.flat().map((p) => JSON.stringify(p)));
  const filters = [];
  const wholeAreas = [];
  let next = 0;
  [...byArea].forEach(([area, wanted], a) => {
    const ns = areaNamespace(area);
    const explained = new Set();
    for (const probe of probed[a]) {
      const scope = probedScopes[next++];
      if (!wanted.has(scope)) continue;
      explained.add(scope);
      filters.push(probe.kind === 'Domain' ? { kind: 'Domain', 'metadata.name': ns } : { kind: probe.kind, 'metadata.namespace': ns });
    }
    if ([...wanted].some((s) => !explained.has(s))) wholeAreas.push(area);
  });
  return { filters, wholeAreas };
}
