// The `translate…ToEntity` exports (src/translators.mjs): called as OpenChoreo's scaffolder actions call
// them, they give the entity the sync makes of the same resource, valid for Backstage, with the caller's
// settings applied; bad input is refused naming the function and the field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import * as t from '../src/index.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const api = JSON.parse(readFileSync(join(REPO, 'host-harness/fixtures/sample-api.json'), 'utf8'));
const golden = new Map(
  JSON.parse(readFileSync(join(REPO, 'tests/snapshots/sample-entities.json'), 'utf8')).map(({ relations: _r, ...e }) => [
    `${e.kind}:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`,
    e,
  ]),
);
const CONFIG = { locationKey: 'provider:OpenChoreoEntityProvider' };
const policies = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);
const KIND_VALIDATORS = {
  Component: componentEntityV1alpha1Validator,
  System: systemEntityV1alpha1Validator,
  Resource: resourceEntityV1alpha1Validator,
  Domain: domainEntityV1alpha1Validator,
};

async function assertValid(entity) {
  await policies.enforce(entity);
  const validator = KIND_VALIDATORS[entity.kind];
  if (validator) assert.equal(await validator.check(entity), true, `${entity.kind} passes Backstage's ${entity.kind} validator`);
}

const item = (list, name, ns = 'default') => (ns ? api.namespaced[ns][list] : api.cluster[list]).find((r) => r.metadata.name === name);
const ready = (r) => (r.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Ready' : 'Not Ready');

/** What the OpenChoreo backend hands the scaffolder: the resource flattened into 1.2.0's model. */
function flat(r) {
  const a = r.metadata.annotations ?? {};
  return {
    name: r.metadata.name,
    ...(a['openchoreo.dev/display-name'] && { displayName: a['openchoreo.dev/display-name'] }),
    ...(a['openchoreo.dev/description'] && { description: a['openchoreo.dev/description'] }),
    ...(r.metadata.uid && { uid: r.metadata.uid }),
    ...(r.metadata.creationTimestamp && { createdAt: r.metadata.creationTimestamp }),
  };
}

describe('translate…ToEntity', () => {
  it('gives, for each kind, the entity the sync makes of the same resource, and Backstage accepts it', async () => {
    const project = item('projects', 'url-shortener');
    const resource = item('resources', 'snip-analytics-db');
    const env = item('environments', 'development');
    const channel = item('observabilityalertsnotificationchannels', 'webhook-notification-channel-development');
    const cct = item('clustercomponenttypes', 'service', null);
    const crt = item('clusterresourcetypes', 'postgres', null);
    const cwf = item('clusterworkflows', 'dockerfile-builder', null);
    const ctt = item('clustertraits', 'observability-alert-rule', null);
    const cpt = item('clusterprojecttypes', 'default', null);
    const ns = api.namespaces[0];
    const owner = (ref) => ({ ...CONFIG, defaultOwner: golden.get(ref).spec.owner });
    const cases = [
      [
        'System:default/url-shortener',
        t.translateProjectToEntity(
          { ...flat(project), deploymentPipelineRef: project.spec.deploymentPipelineRef?.name, projectTypeName: project.spec.type.name, projectTypeKind: project.spec.type.kind },
          'default',
          owner('System:default/url-shortener'),
        ),
      ],
      [
        'Resource:default/snip-analytics-db',
        t.translateResourceToEntity(
          { ...flat(resource), projectName: resource.spec.owner.projectName, typeName: resource.spec.type.name, typeKind: resource.spec.type.kind, parameters: resource.spec.parameters, status: ready(resource) },
          'default',
          owner('Resource:default/snip-analytics-db'),
        ),
      ],
      [
        'Environment:default/development',
        t.translateEnvironmentToEntity({ ...flat(env), isProduction: env.spec.isProduction, dataPlaneRef: env.spec.dataPlaneRef, status: ready(env) }, 'default', CONFIG),
      ],
      [
        'ObservabilityAlertsNotificationChannel:default/webhook-notification-channel-development',
        t.translateNotificationChannelToEntity({ ...flat(channel), ...channel.spec }, 'default', CONFIG),
      ],
      [
        'ClusterComponentType:openchoreo-cluster/service',
        t.translateClusterComponentTypeToEntity(
          { ...flat(cct), workloadType: cct.spec.workloadType, allowedWorkflows: cct.spec.allowedWorkflows, allowedTraits: cct.spec.allowedTraits },
          CONFIG,
        ),
      ],
      [
        'ClusterResourceType:openchoreo-cluster/postgres',
        t.translateClusterResourceTypeToEntity({ ...flat(crt), retainPolicy: crt.spec.retainPolicy }, CONFIG),
        ['outputs'], // 1.2.0's models have no outputs or target planes
      ],
      [
        'ClusterWorkflow:openchoreo-cluster/dockerfile-builder',
        t.translateClusterWorkflowToEntity(
          { ...flat(cwf), workflowPlaneRef: cwf.spec.workflowPlaneRef, ttlAfterCompletion: cwf.spec.ttlAfterCompletion, parameters: t.extractWorkflowParameters(cwf.spec), type: 'CI' },
          CONFIG,
        ),
      ],
      ['ClusterTraitType:openchoreo-cluster/observability-alert-rule', t.translateClusterTraitToEntity(flat(ctt), CONFIG)],
      ['ClusterProjectType:openchoreo-cluster/default', t.translateClusterProjectTypeToEntity(flat(cpt), CONFIG), ['targetPlanes']],
      ['Domain:default/default', t.translateNamespaceToDomainEntity({ ...flat(ns), status: ns.status.phase }, owner('Domain:default/default'))],
    ];
    for (const [ref, entity, notInModel = []] of cases) {
      const expected = structuredClone(golden.get(ref));
      assert.ok(expected, `${ref} is in the sync's output`);
      for (const field of notInModel) delete expected.spec[field];
      assert.deepEqual(entity, expected, ref);
      await assertValid(entity);
    }
  });

  it('takes the component model as the scaffolder builds it, with the caller owner, tags, APIs and dependencies', async () => {
    const component = {
      uid: 'temp-orders',
      name: 'orders',
      displayName: 'Orders',
      description: 'Takes orders',
      type: 'deployment/service',
      componentType: { kind: 'ClusterComponentType', name: 'deployment/service' },
      projectName: 'shop',
      namespaceName: 'acme',
      status: 'Active',
      createdAt: '2026-12-01T10:00:00Z',
      autoDeploy: true,
      componentWorkflow: {
        name: 'dockerfile-builder',
        kind: 'ClusterWorkflow',
        parameters: { repository: { url: 'https://github.com/acme/orders', revision: { branch: 'main' } } },
      },
    };
    const generateTags = (type) => ['openchoreo', ...type.split('/')];
    const entity = t.translateComponentToEntity(
      component,
      'acme',
      'shop',
      { defaultOwner: 'guests', componentTypeUtils: { generateTags }, locationKey: 'provider:OpenChoreoEntityProvider' },
      ['acme/shop-orders-http'],
      ['acme/shop-payments-http'],
      ['resource:acme/orders-db'],
    );
    assert.deepEqual(entity.metadata, {
      name: 'orders',
      namespace: 'acme',
      title: 'Orders',
      description: 'Takes orders',
      tags: ['openchoreo', 'deployment', 'service'],
      annotations: {
        'backstage.io/managed-by-location': 'provider:OpenChoreoEntityProvider',
        'backstage.io/managed-by-origin-location': 'provider:OpenChoreoEntityProvider',
        'openchoreo.io/component': 'orders',
        'openchoreo.io/component-uid': 'temp-orders',
        'openchoreo.io/component-type': 'deployment/service',
        'openchoreo.io/component-type-kind': 'ClusterComponentType',
        'openchoreo.io/project': 'shop',
        'openchoreo.io/namespace': 'acme',
        'openchoreo.io/created-at': '2026-12-01T10:00:00Z',
        'openchoreo.io/status': 'Active',
        'backstage.io/source-location': 'url:https://github.com/acme/orders',
        'openchoreo.io/branch': 'main',
      },
      labels: { 'openchoreo.io/managed': 'true' },
    });
    assert.deepEqual(entity.spec, {
      type: 'deployment/service',
      lifecycle: 'active',
      owner: 'guests',
      system: 'shop',
      providesApis: ['acme/shop-orders-http'],
      consumesApis: ['acme/shop-payments-http'],
      dependsOn: ['resource:acme/orders-db'],
    });
    await assertValid(entity);

    // Without a status or a tag generator: lifecycle "unknown", no status claimed, the mapping's tags.
    const bare = t.translateComponentToEntity({ name: 'orders', type: 'deployment/service' }, 'acme', 'shop', { defaultOwner: 'guests', locationKey: 'x' });
    assert.equal(bare.spec.lifecycle, 'unknown');
    assert.equal(bare.metadata.annotations['openchoreo.io/status'], undefined);
    assert.deepEqual(bare.metadata.tags, ['openchoreo', 'component', 'deployment-service']);
    await assertValid(bare);
  });

  it('normalises type references, pipelines and workflows as 1.2.0 accepts them', async () => {
    const ct = t.translateComponentTypeToEntity(
      { name: 'service', workloadType: 'deployment', allowedTraits: ['ClusterTrait:ingress', 'autoscaler', { name: 'logs' }], allowedWorkflows: ['ClusterWorkflow:docker', 'build'] },
      'acme',
      CONFIG,
    );
    assert.deepEqual(ct.spec.allowedTraits, [
      { kind: 'ClusterTrait', name: 'ingress' },
      { kind: 'Trait', name: 'autoscaler' },
      { kind: 'Trait', name: 'logs' },
    ]);
    assert.deepEqual(ct.spec.allowedWorkflows, [
      { kind: 'ClusterWorkflow', name: 'docker' },
      { kind: 'Workflow', name: 'build' },
    ]);
    const pipeline = t.translateDeploymentPipelineToEntity(
      { name: 'standard', status: 'Ready', promotionPaths: [{ sourceEnvironment: 'dev', targetEnvironments: [{ name: 'prod', requiresApproval: true }] }] },
      'acme',
      CONFIG,
    );
    assert.deepEqual(pipeline.spec.promotionPaths, [{ sourceEnvironment: 'dev', targetEnvironments: [{ name: 'prod', requiresApproval: true }] }]);
    assert.equal(pipeline.metadata.annotations['openchoreo.io/status'], 'Ready');
    const wf = t.translateWorkflowToEntity({ name: 'build', type: 'CI', parameters: 'repoUrl: parameters.repo.url' }, 'acme', CONFIG);
    assert.equal(wf.spec.type, 'CI');
    assert.equal(wf.metadata.annotations['openchoreo.dev/component-workflow-parameters'], 'repoUrl: parameters.repo.url');
    assert.equal(t.extractWorkflowParameters({ parameters: { openAPIV3Schema: { type: 'object', properties: {} } } }), undefined);
    assert.equal(
      t.extractWorkflowParameters({
        schema: { parameters: { ocSchema: { properties: { git: { properties: { url: { 'x-openchoreo-component-parameter-repository-url': true } } } } } } },
      }),
      'repoUrl: parameters.git.url',
    );
    for (const e of [ct, pipeline, wf]) await assertValid(e);
  });

  it("keeps 1.2.0's fixes: one provider: prefix, no webhook credentials, valid names", async () => {
    for (const locationKey of ['OpenChoreoEntityProvider', 'provider:OpenChoreoEntityProvider']) {
      const system = t.translateProjectToEntity({ name: 'shop' }, 'acme', { locationKey, defaultOwner: 'team' });
      assert.equal(system.metadata.annotations['backstage.io/managed-by-location'], 'provider:OpenChoreoEntityProvider', locationKey);
    }
    const channel = t.translateNotificationChannelToEntity(
      { name: 'alerts', environment: 'prod', type: 'webhook', webhookConfig: { url: 'https://hooks.example.com/services/T0/B0/secret-token?key=abc' } },
      'acme',
      CONFIG,
    );
    assert.doesNotMatch(JSON.stringify(channel), /secret-token|key=abc/);
    assert.equal(channel.spec.webhookConfig.url, 'https://hooks.example.com');
    const long = 'a'.repeat(80);
    const env = t.translateEnvironmentToEntity({ name: long }, 'acme', CONFIG);
    assert.ok(env.metadata.name.length <= 63, env.metadata.name);
    await assertValid(env);
  });

  it('refuses bad input, naming the function and what was wrong', () => {
    const refused = [
      [() => t.translateEnvironmentToEntity({ name: '' }, 'acme', CONFIG), /translateEnvironmentToEntity: name must be a non-empty string/],
      [() => t.translateEnvironmentToEntity({ name: 'dev' }, 'acme', {}), /translateEnvironmentToEntity: config.locationKey must be a non-empty string/],
      [() => t.translateTraitToEntity({ name: 'x' }, undefined, CONFIG), /translateTraitToEntity: namespaceName must be a non-empty string/],
      [() => t.translateResourceToEntity({ name: 'db', typeName: 'pg' }, 'acme', CONFIG), /translateResourceToEntity: resource.projectName must be/],
      [() => t.translateNamespaceToDomainEntity({ name: 'Acme_Corp' }, CONFIG), /translateNamespaceToDomainEntity: .*"Acme_Corp" is not a valid Backstage namespace/],
      [() => t.translateProjectToEntity(null, 'acme', CONFIG), /translateProjectToEntity: the model must be an object/],
    ];
    for (const [call, message] of refused) assert.throws(call, message);
  });
});
