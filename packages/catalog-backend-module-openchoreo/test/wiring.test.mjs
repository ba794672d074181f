// Module wiring in a test backend with a fake catalog extension point: the schedule comes from config,
// the provider name is stable, the processor accepts our kinds, and the processing-error handler names
// the rejected entity at warn level.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import openchoreoModule from '../src/index.mjs';
import { openchoreoConfig, quietLogger, startFixture } from './support/fixture.mjs';

let fixture;
let backend;
const added = { providers: [], processors: [], errorHandler: undefined };
const schedules = [];
const logs = quietLogger();

before(async () => {
  fixture = await startFixture({ auth: false });
  const fakeCatalog = {
    addEntityProvider: (...p) => added.providers.push(...p.flat()),
    addProcessor: (...p) => added.processors.push(...p.flat()),
    addPlaceholderResolver() {},
    setOnProcessingErrorHandler: (h) => {
      added.errorHandler = h;
    },
  };
  backend = await startTestBackend({
    extensionPoints: [[catalogProcessingExtensionPoint, fakeCatalog]],
    features: [
      openchoreoModule,
      mockServices.rootConfig.factory({ data: { openchoreo: openchoreoConfig(fixture, { auth: false, frequency: 45, timeout: 90 }) } }),
      createServiceFactory({ service: coreServices.logger, deps: {}, factory: () => logs }),
      createServiceFactory({
        service: coreServices.scheduler,
        deps: {},
        factory: () => ({
          createScheduledTaskRunner: (schedule) => {
            schedules.push(schedule);
            return { run: async () => {} };
          },
          scheduleTask: async () => {},
          triggerTask: async () => {},
          getScheduledTasks: async () => [],
        }),
      }),
    ],
  });
});
after(async () => {
  await backend?.stop();
  fixture?.stop();
});

it('schedules the provider from openchoreo.schedule in seconds', () => {
  assert.deepEqual(schedules, [{ frequency: { seconds: 45 }, timeout: { seconds: 90 } }]);
  assert.equal(added.providers.length, 1);
  assert.equal(added.providers[0].getProviderName(), 'OpenChoreoEntityProvider');
});

const ours = () => added.processors.find((p) => p.getProcessorName() === 'OpenChoreoEntityProcessor');

it('registers the custom-annotation processor and the mapping processor', () => {
  assert.deepEqual(added.processors.map((p) => p.getProcessorName()), ['CustomAnnotationProcessor', 'OpenChoreoEntityProcessor']);
});

it('accepts every custom kind it emits and nothing else', async () => {
  const processor = ours();
  for (const kind of ['Environment', 'Dataplane', 'DeploymentPipeline', 'ClusterWorkflowPlane', 'ComponentType']) {
    assert.equal(await processor.validateEntityKind({ apiVersion: 'backstage.io/v1alpha1', kind }), true, kind);
  }
  assert.equal(await processor.validateEntityKind({ apiVersion: 'backstage.io/v1alpha1', kind: 'Component' }), false);
  assert.equal(await processor.validateEntityKind({ apiVersion: 'example.com/v1', kind: 'Environment' }), false);
});

it('logs processing errors of our entities at warn with the ref and the reason', async () => {
  const ours = { apiVersion: 'backstage.io/v1alpha1', kind: 'Environment', metadata: { name: 'prod', namespace: 'acme', annotations: { 'backstage.io/managed-by-location': 'provider:OpenChoreoEntityProvider' } } };
  await added.errorHandler({ unprocessedEntity: ours, errors: [new Error('No processor recognized the entity')] });
  const other = { ...ours, metadata: { name: 'x', annotations: {} } };
  await added.errorHandler({ unprocessedEntity: other, errors: [new Error('boom')] });
  const warns = logs.lines.filter((l) => l.level === 'warn' && l.message.startsWith('The catalog rejected'));
  assert.deepEqual(warns.map((w) => w.message), ['The catalog rejected OpenChoreo entity environment:acme/prod: No processor recognized the entity']);
});

it('emits the custom relations of an entity through the component, built-in ones left to Backstage', async () => {
  const processor = ours();
  const emitted = [];
  const env = { apiVersion: 'backstage.io/v1alpha1', kind: 'Environment', metadata: { name: 'prod', namespace: 'acme', annotations: {
    'backstage.io/managed-by-location': 'provider:OpenChoreoEntityProvider', 'openchoreo.io/data-plane-ref-kind': 'ClusterDataPlane' } },
    spec: { type: 'production', domain: 'default/acme', dataPlaneRef: 'shared' } };
  await processor.postProcessEntity(env, { type: 'url', target: 'x' }, (r) => emitted.push(r));
  const rel = (r) => `${r.relation.source.kind}:${r.relation.source.namespace}/${r.relation.source.name} ${r.relation.type} ${r.relation.target.kind}:${r.relation.target.namespace}/${r.relation.target.name}`;
  assert.ok(emitted.map(rel).includes('environment:acme/prod hostedOn clusterdataplane:openchoreo-cluster/shared'));
  assert.ok(emitted.map(rel).includes('domain:default/acme hasPart environment:acme/prod'));

  const comp = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'c', namespace: 'acme', annotations: {
    'backstage.io/managed-by-location': 'provider:OpenChoreoEntityProvider', 'openchoreo.io/component-type': 'deployment/service' } },
    spec: { type: 'deployment/service', owner: 'group:default/x', system: 'shop', lifecycle: 'ready' } };
  const compRels = [];
  await processor.postProcessEntity(comp, { type: 'url', target: 'x' }, (r) => compRels.push(r));
  assert.deepEqual(compRels.map((r) => r.relation.type).sort(), ['hasInstance', 'instanceOf'], 'ownedBy/partOf come from Backstage itself');
});
