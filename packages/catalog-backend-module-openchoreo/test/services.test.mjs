// The services OpenChoreo's portal takes from the catalog module, in a real backend: a consumer plugin
// that depends on both refs, as OpenChoreo's scaffolder module and backend plugin do, declared with its
// own ref objects (same ids, default factories that throw, as the plugin we replace declares them), so
// the test proves a portal only changes the package name. Once on SQLite, once on a real PostgreSQL.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBackendPlugin, createServiceRef } from '@backstage/backend-plugin-api';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import openchoreoModule, { annotationStoreFactory, immediateCatalogServiceFactory } from '../src/index.mjs';
import { ALLOWED_KINDS } from '../src/processor.mjs';
import { REPO, openchoreoConfig, startFixture, until } from './support/fixture.mjs';
import { startPostgres } from './support/postgres.mjs';

const sample = JSON.parse(readFileSync(join(REPO, 'host-harness/fixtures/sample-api.json'), 'utf8'));
const COMPONENTS = '/api/v1/namespaces/default/components';

const throwing = (id) => createServiceRef({ id, scope: 'plugin', defaultFactory: async () => { throw new Error(`${id} is not available`); } });
const immediateRef = throwing('openchoreo.immediate-catalog');
const annotationsRef = throwing('openchoreo.annotation-store');

function consumer(got) {
  return createBackendPlugin({
    pluginId: 'openchoreo-consumer',
    register(env) {
      env.registerInit({
        deps: { immediate: immediateRef, annotations: annotationsRef },
        async init({ immediate, annotations }) {
          Object.assign(got, { immediate, annotations });
        },
      });
    },
  });
}

/** A Component as OpenChoreo's scaffolder action makes it right after creating it in OpenChoreo. */
const created = (name) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', labels: { 'openchoreo.io/managed': 'true' }, annotations: { 'openchoreo.io/component': name } },
  spec: { type: 'service', lifecycle: 'experimental', owner: 'group:default/openchoreo-users', system: 'url-shortener' },
});
const inApi = (name) => ({ metadata: { name, namespace: 'default' }, spec: { owner: { projectName: 'url-shortener' }, componentType: 'deployment/service' } });

let fixture;
before(async () => {
  fixture = await startFixture({ auth: false });
});
after(() => fixture?.stop());

function scenario(database) {
  let backend;
  let scheduler;
  let base;
  const got = {};
  before(async () => {
    scheduler = mockServices.scheduler();
    const db = await database.start();
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        openchoreoModule,
        immediateCatalogServiceFactory,
        annotationStoreFactory,
        consumer(got),
        scheduler.factory(),
        ...db.features,
        mockServices.rootConfig.factory({
          data: {
            ...db.config,
            catalog: { rules: [{ allow: ALLOWED_KINDS }] },
            openchoreo: { ...openchoreoConfig(fixture, { auth: false, frequency: 3600 }), events: { enabled: false } },
          },
        }),
      ],
    });
    base = `http://localhost:${backend.server.port()}/api/catalog`;
    await scheduler.triggerTask('OpenChoreoEntityProvider');
    await until(components, (n) => n.length === 5);
  });
  after(async () => {
    await backend?.stop();
    await fixture.setList(COMPONENTS, sample.namespaced.default.components);
    await database.stop?.();
  });

  const components = async () => (await (await fetch(`${base}/entities?filter=kind=component`)).json()).map((e) => e.metadata.name).sort();
  const entity = async (ref) => {
    const [kind, rest] = ref.split(':');
    const r = await fetch(`${base}/entities/by-name/${kind}/${rest}`);
    return r.status === 200 ? r.json() : undefined;
  };
  const fullSync = async () => {
    await scheduler.triggerTask('OpenChoreoEntityProvider');
  };
  const refresh = (entityRef) =>
    fetch(`${base}/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ entityRef }) });

  it('shows an inserted entity at once, and the next full sync removes it when OpenChoreo does not have it', async () => {
    const start = Date.now();
    await got.immediate.insertEntity(created('snip-draft'));
    const names = await until(components, (n) => n.includes('snip-draft'), 10_000);
    assert.ok(names.includes('snip-draft'), `inserted entity in the catalog (${names})`);
    const shownMs = Date.now() - start;
    assert.ok(shownMs < 10_000, `within seconds, took ${shownMs} ms`);
    const stored = await entity('component:default/snip-draft');
    assert.equal(stored.metadata.annotations['backstage.io/managed-by-location'], 'provider:OpenChoreoEntityProvider', 'owned by the sync');
    await fullSync();
    const after = await until(components, (n) => !n.includes('snip-draft'), 15_000);
    assert.deepEqual(after.length, 5, `the full sync removed what OpenChoreo does not have (${after})`);
  });

  it('keeps an inserted entity through the next full sync when OpenChoreo has it, as the API describes it', async () => {
    await fixture.setList(COMPONENTS, [...sample.namespaced.default.components, inApi('snip-billing')]);
    await got.immediate.insertEntity(created('snip-billing'));
    await until(components, (n) => n.includes('snip-billing'), 10_000);
    await fullSync();
    const synced = await until(() => entity('component:default/snip-billing'), (e) => e?.metadata.annotations['openchoreo.io/project'] === 'url-shortener', 15_000);
    assert.equal(synced?.metadata.annotations['openchoreo.io/project'], 'url-shortener', 'the full sync replaced it with the mapped entity');
    assert.equal((await components()).length, 6);
  });

  it('removes an entity at once through removeEntity', async () => {
    await got.immediate.insertEntity(created('snip-tmp'));
    await until(components, (n) => n.includes('snip-tmp'), 10_000);
    await got.immediate.removeEntity('component:default/snip-tmp');
    const names = await until(components, (n) => !n.includes('snip-tmp'), 10_000);
    assert.ok(!names.includes('snip-tmp'));
  });

  it('merges a custom annotation into the entity and keeps it through a full sync that changes the entity', async () => {
    const ref = 'component:default/snip-billing';
    await got.annotations.setAnnotations(ref, { 'example.com/on-call': 'team-a', 'example.com/gone': 'x' });
    await got.annotations.setAnnotations('Component:default/snip-billing', { 'example.com/gone': null });
    assert.deepEqual(await got.annotations.getAnnotations(ref), { 'example.com/on-call': 'team-a' });
    await refresh(ref);
    const annotated = await until(() => entity(ref), (e) => e?.metadata.annotations['example.com/on-call'] === 'team-a', 15_000);
    assert.equal(annotated?.metadata.annotations['example.com/on-call'], 'team-a');
    // A change in OpenChoreo makes the full sync replace the unprocessed entity; the annotation is merged again.
    const renamed = { ...inApi('snip-billing'), metadata: { name: 'snip-billing', namespace: 'default', annotations: { 'openchoreo.dev/display-name': 'Billing' } } };
    await fixture.setList(COMPONENTS, [...sample.namespaced.default.components, renamed]);
    await fullSync();
    const resynced = await until(() => entity(ref), (e) => e?.metadata.title === 'Billing', 20_000);
    assert.equal(resynced?.metadata.title, 'Billing', 'the full sync changed the entity');
    assert.equal(resynced.metadata.annotations['example.com/on-call'], 'team-a', 'the custom annotation survived');
    await got.annotations.deleteAllAnnotations(ref);
    assert.deepEqual(await got.annotations.getAnnotations(ref), {});
  });

  it('refuses bad input naming what is wrong, and changes nothing', async () => {
    const ref = 'component:default/snip-billing';
    await got.annotations.setAnnotations(ref, { 'example.com/kept': 'yes' });
    await assert.rejects(got.annotations.setAnnotations(ref, { 'example.com/a': 'fine', 'example.com/b': 42 }), /example\.com\/b must be a string or null/);
    await assert.rejects(got.annotations.getAnnotations('not a ref'), /is not an entity ref/);
    assert.deepEqual(await got.annotations.getAnnotations(ref), { 'example.com/kept': 'yes' }, 'nothing of the refused call was written');
    await assert.rejects(got.immediate.insertEntity({ kind: 'Component', metadata: {} }), /apiVersion must be a non-empty string/);
    await assert.rejects(got.immediate.insertEntity({ apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: {} }), /Component has no metadata.name/);
    await assert.rejects(got.immediate.removeEntity(''), /is not an entity ref/);
  });
}

describe('on SQLite', () => {
  scenario({ start: async () => ({ features: [], config: {} }) });
});

describe('on a real PostgreSQL', () => {
  let pg;
  scenario({
    start: async () => {
      pg = await startPostgres('services');
      return { features: [databaseServiceFactory], config: { backend: { database: { client: 'pg', connection: pg.connection } } } };
    },
    stop: () => pg?.stop(),
  });
});
