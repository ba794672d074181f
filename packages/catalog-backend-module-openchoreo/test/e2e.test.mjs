// The module inside a real Backstage catalog backend (new backend system, SQLite in memory), against
// the fixture OpenChoreo API over real HTTP, queried through the catalog's own HTTP API exactly as the
// user doc shows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import openchoreoModule from '../src/index.mjs';
import { openchoreoConfig, startFixture, until } from './support/fixture.mjs';

const ALLOWED = ['Component', 'System', 'Domain', 'API', 'Resource', 'Location', 'Group', 'User', 'Template', 'Environment', 'Dataplane',
  'WorkflowPlane', 'ObservabilityPlane', 'DeploymentPipeline', 'ComponentType', 'TraitType', 'Workflow', 'ClusterComponentType',
  'ClusterTraitType', 'ClusterWorkflow', 'ClusterDataplane', 'ClusterObservabilityPlane', 'ClusterWorkflowPlane'];

/** A logger keeping the plugins' info lines, to tell how a run was applied. */
function recordingLogger(lines) {
  const logger = { debug() {}, info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m), child: () => logger };
  return logger;
}

async function startCatalog(fixture, auth) {
  const scheduler = mockServices.scheduler();
  const logLines = [];
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      openchoreoModule,
      scheduler.factory(),
      createServiceFactory({ service: coreServices.logger, deps: {}, factory: () => recordingLogger(logLines) }),
      mockServices.rootConfig.factory({
        data: { catalog: { rules: [{ allow: ALLOWED }] }, openchoreo: openchoreoConfig(fixture, { auth }) },
      }),
    ],
  });
  const base = `http://localhost:${backend.server.port()}/api/catalog`;
  const get = async (path) => {
    const res = await fetch(`${base}${path}`);
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return res.json();
  };
  return { backend, scheduler, get, logLines };
}

const hasRelation = (entity, type, targetRef) => (entity?.relations ?? []).some((r) => r.type === type && r.targetRef === targetRef);

for (const auth of [true, false]) {
  describe(`catalog with the OpenChoreo module, auth ${auth ? 'on' : 'off'}`, () => {
    let fixture;
    let catalog;
    before(async () => {
      fixture = await startFixture({ auth });
      catalog = await startCatalog(fixture, auth);
    });
    after(async () => {
      await catalog?.backend.stop();
      fixture?.stop();
    });

    it('answers the user doc queries: domains, and components of a system', async () => {
      const domains = await until(() => catalog.get('/entities?filter=kind=domain'), (d) => d.length === 1);
      assert.deepEqual(domains.map((d) => d.metadata.name), ['default']);
      const comps = await until(() => catalog.get('/entities?filter=kind=component,spec.system=url-shortener'), (c) => c.length === 5);
      assert.deepEqual(comps.map((c) => c.metadata.name).sort(), ['snip-analytics-service', 'snip-api-service', 'snip-frontend', 'snip-postgres', 'snip-redis']);
    });

    it('stores the custom kinds with the OpenChoreo relations', async () => {
      const byName = (kind, ns, name) => until(() => catalog.get(`/entities/by-name/${kind}/${ns}/${name}`).catch(() => undefined), (e) => e?.relations?.length > 0);
      const pipeline = await byName('deploymentpipeline', 'default', 'default');
      assert.ok(hasRelation(pipeline, 'deploysTo', 'environment:default/production'), JSON.stringify(pipeline.relations));
      const prod = await byName('environment', 'default', 'production');
      assert.ok(hasRelation(prod, 'hostedOn', 'clusterdataplane:openchoreo-cluster/default'));
      const system = await until(() => catalog.get('/entities/by-name/system/default/url-shortener'), (e) => hasRelation(e, 'usesPipeline', 'deploymentpipeline:default/default'));
      assert.ok(hasRelation(system, 'usesPipeline', 'deploymentpipeline:default/default'), JSON.stringify(system.relations));
      const frontend = await until(() => catalog.get('/entities/by-name/component/default/snip-frontend'), (e) => hasRelation(e, 'instanceOf', 'clustercomponenttype:openchoreo-cluster/web-application'));
      assert.ok(hasRelation(frontend, 'instanceOf', 'clustercomponenttype:openchoreo-cluster/web-application'));
      assert.ok(hasRelation(frontend, 'consumesApi', 'api:default/url-shortener-snip-api-service-http'));
      const cdp = await byName('clusterdataplane', 'openchoreo-cluster', 'default');
      assert.ok(hasRelation(cdp, 'observedBy', 'clusterobservabilityplane:openchoreo-cluster/default'));
      const all = await until(
        () => catalog.get('/entities?filter=metadata.annotations.backstage.io/managed-by-location=provider:OpenChoreoEntityProvider'),
        (a) => a.length === 40,
      );
      assert.equal(all.length, 40, 'every entity, Templates included, is stored');
    });

    it('stores the newer OpenChoreo kinds with their relations', async () => {
      const db = await until(() => catalog.get('/entities/by-name/resource/default/snip-analytics-db').catch(() => undefined),
        (e) => hasRelation(e, 'instanceOf', 'clusterresourcetype:openchoreo-cluster/postgres'));
      assert.ok(hasRelation(db, 'partOf', 'system:default/url-shortener'), JSON.stringify(db.relations));
      assert.ok(hasRelation(db, 'dependencyOf', 'component:default/snip-analytics-service'), JSON.stringify(db.relations));
      const postgres = await until(() => catalog.get('/entities/by-name/clusterresourcetype/openchoreo-cluster/postgres').catch(() => undefined),
        (e) => hasRelation(e, 'hasInstance', 'resource:default/snip-analytics-db'));
      assert.deepEqual(postgres.spec.outputs, ['host', 'port', 'database', 'username', 'password', 'url', 'adminURL', 'adminPassword']);
      const system = await until(() => catalog.get('/entities/by-name/system/default/url-shortener'),
        (e) => hasRelation(e, 'instanceOf', 'clusterprojecttype:openchoreo-cluster/default'));
      assert.ok(hasRelation(system, 'instanceOf', 'clusterprojecttype:openchoreo-cluster/default'), JSON.stringify(system.relations));
      const channel = await until(
        () => catalog.get('/entities/by-name/observabilityalertsnotificationchannel/default/webhook-notification-channel-development').catch(() => undefined),
        (e) => hasRelation(e, 'notifiedBy', 'environment:default/development'));
      assert.equal(channel.spec.webhookOrigin, 'https://webhook.example.com');
      assert.equal(channel.spec.webhookConfig.url, 'https://webhook.example.com', 'the origin only: webhook paths can hold tokens');
      assert.ok(channel.spec.webhookConfig.headers['X-API-Key'].valueFrom.secretKeyRef.name, 'a secret reference names no secret');
      const dev = await until(() => catalog.get('/entities/by-name/environment/default/development'),
        (e) => hasRelation(e, 'notifies', 'observabilityalertsnotificationchannel:default/webhook-notification-channel-development'));
      assert.ok(dev);
    });

    it('stores the generated Templates without the scaffolder module, with their owner', async () => {
      const templates = await until(() => catalog.get('/entities?filter=kind=template'), (t) => t.length === 8);
      assert.deepEqual(templates.map((t) => t.metadata.name).sort(), [
        'template-project-default', 'template-resource-nats', 'template-resource-postgres', 'template-resource-valkey',
        'template-scheduled-task', 'template-service', 'template-web-application', 'template-worker',
      ]);
      const service = templates.find((t) => t.metadata.name === 'template-service');
      assert.equal(service.metadata.namespace, 'openchoreo-cluster');
      assert.ok(hasRelation(service, 'ownedBy', 'group:default/openchoreo-users'), JSON.stringify(service.relations));
    });

    if (!auth) {
      it('applies a changed run as a delta: the dropped Environment leaves the catalog and nothing else moves', async () => {
        const environments = () => catalog.get('/entities?filter=kind=environment');
        const everything = async () => (await catalog.get('/entities')).map((e) => `${e.kind}:${e.metadata.namespace}/${e.metadata.name}`).sort();
        const initial = await until(environments, (e) => e.length === 3);
        await until(everything, (all) => all.length > 20);
        const before = await everything();
        const path = '/api/v1/namespaces/default/environments';
        const listed = (await (await fetch(`${fixture.baseUrl}${path}`)).json()).items;
        const dropped = listed[0].metadata.name;
        await fixture.setList(path, listed.slice(1));
        try {
          await catalog.scheduler.triggerTask('OpenChoreoEntityProvider');
          assert.match(catalog.logLines.findLast((m) => m.startsWith('Synced ')), /a delta of 1 changed scope\(s\), 2 entities, 1 removed; what they held known from earlier runs\)$/);
          const left = await until(environments, (e) => e.length === 2, 10_000);
          assert.deepEqual(left.map((e) => e.metadata.name).sort(), initial.map((e) => e.metadata.name).filter((n) => n !== dropped).sort());
          assert.deepEqual(await everything(), before.filter((r) => r !== `Environment:default/${dropped}`), 'only the dropped Environment went');
        } finally {
          await fixture.setList(path, listed);
        }
        await catalog.scheduler.triggerTask('OpenChoreoEntityProvider');
        await until(environments, (e) => e.length === 3, 10_000);
      });
    }

    if (auth) {
      it('keeps a failed scope\'s entities on the next run', async () => {
        await until(() => catalog.get('/entities?filter=kind=component'), (c) => c.length === 5);
        const path = '/api/v1/namespaces/default/components';
        const before = (await fixture.requests()).filter((p) => p === path).length;
        await fixture.fault(path, 503);
        await catalog.scheduler.triggerTask('OpenChoreoEntityProvider');
        await until(fixture.requests, (seen) => seen.filter((p) => p === path).length >= before + 3, 10_000);
        assert.equal((await fixture.requests()).filter((p) => p === path).length, before + 3, 'the second run asked three times (with retries) and failed');
        await new Promise((r) => setTimeout(r, 1500)); // let the catalog process the mutation
        const comps = await catalog.get('/entities?filter=kind=component');
        assert.equal(comps.length, 5, 'the components of the failed scope are still in the catalog');
        await fixture.clearFaults();
      });
    }
  });
}

describe('configuration errors stop the backend with the key named', () => {
  it('rejects a schedule given as a duration object', async () => {
    await assert.rejects(
      startTestBackend({
        features: [catalogPlugin, openchoreoModule, mockServices.rootConfig.factory({
          data: { openchoreo: { baseUrl: 'http://x', schedule: { frequency: { minutes: 1 } }, features: { auth: { enabled: false } } } },
        })],
      }),
      /openchoreo\.schedule\.frequency must be a plain number of seconds/,
    );
  });

  it('rejects auth enabled without credentials', async () => {
    await assert.rejects(
      startTestBackend({ features: [catalogPlugin, openchoreoModule, mockServices.rootConfig.factory({ data: { openchoreo: { baseUrl: 'http://x' } } })] }),
      /openchoreo\.auth\.clientId, openchoreo\.auth\.clientSecret, openchoreo\.auth\.tokenUrl are required/,
    );
  });
});
