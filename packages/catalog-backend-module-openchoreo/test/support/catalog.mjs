// A stand-in for the catalog a provider writes to and reads from: it stores what the mutations apply
// (full and delta) and returns it as the catalog returns stored entities, with the fields it adds.

export function memoryCatalog() {
  const mutations = [];
  let stored = new Map();
  let reads = 0;
  const ref = (e) => `${e.kind}:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`.toLowerCase();
  return {
    mutations,
    /** How many times the catalog was read. */
    get reads() {
      return reads;
    },
    connection: {
      applyMutation: async (m) => {
        mutations.push(m);
        if (m.type === 'full') stored = new Map(m.entities.map((d) => [ref(d.entity), d.entity]));
        else {
          for (const r of m.removed) stored.delete(r.entityRef ?? ref(r.entity));
          for (const a of m.added) stored.set(ref(a.entity), a.entity);
        }
      },
    },
    catalog: {
      /** Honours the filters the provider sends: an array of objects (any may match), each of `key: value` (all must). */
      getEntities: async ({ filter } = {}) => {
        reads += 1;
        const anyOf = Array.isArray(filter) ? filter : filter ? [filter] : [{}];
        const value = (e, key) => {
          if (key.startsWith('metadata.annotations.')) return e.metadata.annotations?.[key.slice('metadata.annotations.'.length)];
          return key.split('.').reduce((v, k) => v?.[k], { ...e, metadata: { namespace: 'default', ...e.metadata } });
        };
        const matches = (e) => anyOf.some((f) => Object.entries(f).every(([k, v]) => String(value(e, k)).toLowerCase() === String(v).toLowerCase()));
        return {
          items: [...stored.values()].filter(matches).map((e, i) => ({ ...e, metadata: { ...e.metadata, uid: `uid-${i}`, etag: `e${i}` }, relations: [] })),
        };
      },
    },
  };
}
