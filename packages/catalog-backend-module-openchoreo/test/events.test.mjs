// OpenChoreo's change events: POSTed to Backstage's events backend (its HTTP ingress, topic `openchoreo`)
// they re-fetch the namespace they name and change the catalog within seconds while the full sync is an
// hour away; a burst is coalesced; malformed events and unknown kinds change nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import openchoreoModule from '../src/index.mjs';
import { ALLOWED_KINDS } from '../src/processor.mjs';
import { OpenChoreoEntityProvider, catalogFilters } from '../src/provider.mjs';
import { ComponentWorker } from '../src/wasm/component.mjs';
import { memoryCatalog } from './support/catalog.mjs';
import { REPO, openchoreoConfig, quietLogger, startFixture, until } from './support/fixture.mjs';

const sample = JSON.parse(readFileSync(join(REPO, 'host-harness/fixtures/sample-api.json'), 'utf8'));
const WORKLOADS = '/api/v1/namespaces/default/workloads';
const DROPPED_API = 'url-shortener-snip-analytics-service-http';
const EVENT = { kind: 'Workload', name: 'snip-analytics-service', namespace: 'default', action: 'updated' };

/** The sample's workloads with snip-analytics-service's endpoints removed. */
const withoutAnalyticsEndpoints = () =>
  sample.namespaced.default.workloads.map((w) => (w.metadata.name === 'snip-analytics-service' ? { ...w, spec: { ...w.spec, endpoints: {} } } : w));

describe('events in a real backend with the events backend plugin', () => {
  let fixture;
  let backend;
  let base;
  before(async () => {
    fixture = await startFixture({ auth: false });
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        eventsPlugin,
        eventsServiceFactory,
        openchoreoModule,
        mockServices.scheduler.factory(),
        mockServices.rootConfig.factory({
          data: {
            catalog: { rules: [{ allow: ALLOWED_KINDS }] },
            events: { http: { topics: ['openchoreo'] } },
            openchoreo: openchoreoConfig(fixture, { auth: false, frequency: 3600 }),
          },
        }),
      ],
    });
    base = `http://localhost:${backend.server.port()}`;
  });
  after(async () => {
    await backend?.stop();
    fixture?.stop();
  });

  it('changes the catalog within seconds of an event while the full sync is an hour away', async () => {
    const api = () => fetch(`${base}/api/catalog/entities/by-name/api/default/${DROPPED_API}`);
    await until(api, (r) => r.status === 200, 60_000);
    await fixture.setList(WORKLOADS, withoutAnalyticsEndpoints());
    const sent = Date.now();
    const res = await fetch(`${base}/api/events/http/openchoreo`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(EVENT) });
    assert.ok(res.status < 300, `the ingress took the event: ${res.status}`);
    const gone = await until(api, (r) => r.status === 404, 15_000);
    assert.equal(gone.status, 404, 'the removed endpoint’s API left the catalog');
    console.error(`event to catalog change: ${Date.now() - sent} ms`);
    const component = await (await fetch(`${base}/api/catalog/entities/by-name/component/default/snip-analytics-service`)).json();
    assert.equal(component.metadata.name, 'snip-analytics-service', 'the component itself stays');
  });
});

describe('the provider with events', () => {
  let fixture;
  before(async () => {
    fixture = await startFixture({ auth: false });
  });
  after(() => fixture?.stop());

  it('coalesces a burst into two re-fetches of its namespace and refuses malformed events and unknown kinds', async () => {
    const logger = quietLogger();
    const component = new ComponentWorker({ logger, http: { baseUrl: fixture.baseUrl } });
    await component.configure(JSON.stringify(openchoreoConfig(fixture, { auth: false })));
    const { catalog, connection, mutations } = memoryCatalog();
    const p = new OpenChoreoEntityProvider({
      component, logger, catalog, timeoutSeconds: 30,
      taskRunner: { run: async () => {} },
      auth: { getOwnServiceCredentials: async () => ({}) },
    });
    p.connection = connection;
    try {
      await p.refresh();
      await fixture.setList(WORKLOADS, withoutAnalyticsEndpoints());
      await fixture.clearFaults();
      const before = (await fixture.requests()).length;
      await p.onEvent('{not json');
      await p.onEvent({ ...EVENT, kind: 'ReleaseBinding' });
      assert.equal(p.rejected, 2);
      assert.ok(logger.lines.some((l) => l.level === 'debug' && l.message.includes('kind "ReleaseBinding" is not one this mapping reads')), JSON.stringify(logger.lines));
      for (let i = 0; i < 50; i++) await p.onEvent(EVENT);
      await until(async () => mutations.length, (n) => n >= 3, 10_000);
      await new Promise((r) => setTimeout(r, 3_000));
      assert.equal(mutations.length, 3, 'the full run, then one leading and one trailing re-fetch');
      const delta = mutations[1];
      assert.equal(delta.type, 'delta');
      assert.deepEqual(delta.removed.map((r) => r.entity.metadata.name), [DROPPED_API]);
      assert.ok(delta.added.every((a) => a.entity.metadata.namespace === 'default' || a.entity.kind === 'Domain'), 'only the namespace is re-fetched');
      const paths = (await fixture.requests()).slice(before);
      assert.equal(paths.filter((q) => q === '/api/v1/namespaces/default/components').length, 2, JSON.stringify(paths));
      assert.ok(paths.every((q) => q.startsWith('/api/v1/namespaces/default')), JSON.stringify(paths));
    } finally {
      await component.terminate();
    }
  });
});

it('reads only the covered namespaces from the catalog for a delta, their Domains included', () => {
  assert.deepEqual(catalogFilters(['ns/acme/*', 'cluster/*']), [
    { 'metadata.namespace': 'acme' },
    { kind: 'Domain', 'metadata.name': 'acme' },
    { 'metadata.namespace': 'openchoreo-cluster' },
  ]);
  assert.deepEqual(catalogFilters(['ns/acme/components']), [{}], 'a pattern of another form reads everything');
});
