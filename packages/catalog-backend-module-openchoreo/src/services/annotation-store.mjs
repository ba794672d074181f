// `openchoreo.annotation-store`: annotations users set on OpenChoreo entities (through OpenChoreo's
// backend plugin), kept in the catalog plugin's database, table `entity_custom_annotations` (the same
// table and columns as the plugin we replace, so existing rows carry over), and merged into our
// entities on every processing cycle by CustomAnnotationProcessor, so they survive full mutations.
import { createServiceFactory, createServiceRef } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ATTACH, Hub } from './attach.mjs';

export const ANNOTATIONS_TABLE = 'entity_custom_annotations';
const MAX_KEY = 255;

/** @type {import('@backstage/backend-plugin-api').ServiceRef<any, 'plugin'>} */
export const annotationStoreRef = createServiceRef({
  id: 'openchoreo.annotation-store',
  scope: 'plugin',
  defaultFactory: async () => annotationStoreFactory,
});

export const annotationStoreFactory = createServiceFactory({
  service: annotationStoreRef,
  deps: {},
  createRootContext: () => new Hub('The OpenChoreo annotation store'),
  factory: (_deps, hub) => ({
    getAnnotations: async (entityRef) => (await hub.get()).getAnnotations(entityRef),
    setAnnotations: async (entityRef, annotations) => (await hub.get()).setAnnotations(entityRef, annotations),
    deleteAllAnnotations: async (entityRef) => (await hub.get()).deleteAllAnnotations(entityRef),
    [ATTACH]: (store) => hub.attach(store),
  }),
});

/** `Component:Default/x` and `component:default/x` are one entity: refs are stored as the catalog writes them. */
function normalRef(entityRef) {
  if (typeof entityRef !== 'string' || entityRef.trim() === '') throw new TypeError(`entityRef must be a non-empty string, got ${JSON.stringify(entityRef)}`);
  try {
    return stringifyEntityRef(parseEntityRef(entityRef)).toLocaleLowerCase('en-US');
  } catch (e) {
    throw new TypeError(`entityRef ${JSON.stringify(entityRef)} is not an entity ref (kind:namespace/name): ${e.message}`);
  }
}

/** Creates the table once; replicas starting together may race, and the loser finds it made. */
export async function migrateAnnotationTable(knex) {
  if (await knex.schema.hasTable(ANNOTATIONS_TABLE)) return;
  try {
    await knex.schema.createTable(ANNOTATIONS_TABLE, (t) => {
      t.string('entity_ref', 255).notNullable();
      t.string('annotation_key', 255).notNullable();
      t.text('annotation_value').notNullable();
      t.timestamp('updated_at').defaultTo(knex.fn.now());
      t.primary(['entity_ref', 'annotation_key']);
      t.index(['entity_ref'], 'idx_entity_custom_annotations_ref');
    });
  } catch (e) {
    if (!(await knex.schema.hasTable(ANNOTATIONS_TABLE))) throw e;
  }
}

export class DatabaseAnnotationStore {
  constructor(knex) {
    this.knex = knex;
  }

  async getAnnotations(entityRef) {
    const rows = await this.knex(ANNOTATIONS_TABLE).where({ entity_ref: normalRef(entityRef) }).select('annotation_key', 'annotation_value');
    return Object.fromEntries(rows.map((r) => [r.annotation_key, r.annotation_value]));
  }

  /** Upserts each key; `null` deletes it. All or nothing: one bad key changes nothing. */
  async setAnnotations(entityRef, annotations) {
    const ref = normalRef(entityRef);
    if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations)) {
      throw new TypeError(`annotations must be an object of key to string or null, got ${JSON.stringify(annotations)}`);
    }
    const entries = Object.entries(annotations);
    for (const [key, value] of entries) {
      if (key === '' || key.length > MAX_KEY) throw new TypeError(`annotation key ${JSON.stringify(key)} must have 1 to ${MAX_KEY} characters`);
      if (value !== null && typeof value !== 'string') throw new TypeError(`annotation ${key} must be a string or null, got ${JSON.stringify(value)}`);
    }
    await this.knex.transaction(async (tx) => {
      for (const [key, value] of entries) {
        const row = { entity_ref: ref, annotation_key: key };
        if (value === null) await tx(ANNOTATIONS_TABLE).where(row).delete();
        else {
          await tx(ANNOTATIONS_TABLE)
            .insert({ ...row, annotation_value: value, updated_at: tx.fn.now() })
            .onConflict(['entity_ref', 'annotation_key'])
            .merge(['annotation_value', 'updated_at']);
        }
      }
    });
  }

  async deleteAllAnnotations(entityRef) {
    await this.knex(ANNOTATIONS_TABLE).where({ entity_ref: normalRef(entityRef) }).delete();
  }
}
