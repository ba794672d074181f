// The `translate…ToEntity` exports of the module this one replaces (1.2.0), with its signatures: each takes
// the flattened model its callers (OpenChoreo's scaffolder actions) build, turns it back into the
// OpenChoreo resource it describes, and has the component translate that, so an entity inserted at once
// is the entity the next sync makes (docs/compatibility.md, "translate…ToEntity"). What the model states
// and a resource cannot (a status string, a workflow's type) and what the caller decides (owner,
// location, API and dependency lists, tags) are then applied on top.
import { translateResource } from './wasm/transform.mjs';

const CLUSTER_NAMESPACE = 'openchoreo-cluster';
const LOCATION = 'backstage.io/managed-by-location';
const ORIGIN = 'backstage.io/managed-by-origin-location';
const STATUS = 'openchoreo.io/status';

function required(value, what, fn) {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${fn}: ${what} must be a non-empty string`);
  return value;
}

function metadata(model, namespace, fn) {
  if (!model || typeof model !== 'object') throw new TypeError(`${fn}: the model must be an object`);
  const annotations = {};
  if (model.displayName) annotations['openchoreo.dev/display-name'] = model.displayName;
  if (model.description) annotations['openchoreo.dev/description'] = model.description;
  return {
    name: required(model.name, 'name', fn),
    ...(namespace && { namespace }),
    ...(model.uid && { uid: model.uid }),
    ...(model.createdAt && { creationTimestamp: model.createdAt }),
    ...(model.deletionTimestamp && { deletionTimestamp: model.deletionTimestamp }),
    annotations,
  };
}

/** 1.2.0 takes `locationKey` bare for components and prefixes `provider:` elsewhere; never twice here. */
const location = (key) => (key.startsWith('provider:') ? key : `provider:${key}`);

/** Translates `resource` and returns its entity of `kind`, with the caller's location and settings. */
function translate(fn, kind, { openchoreoKind, namespace, resource, config, defaultOwner }) {
  if (!config || typeof config !== 'object') throw new TypeError(`${fn}: config must be an object`);
  const locationKey = location(required(config.locationKey, 'config.locationKey', fn));
  const context = defaultOwner ? { defaultOwner } : undefined;
  let entities;
  try {
    entities = translateResource(openchoreoKind, namespace, resource, context);
  } catch (err) {
    throw new Error(`${fn}: ${err.message}`, { cause: err });
  }
  const found = entities.find((e) => e.kind === kind);
  if (!found) throw new Error(`${fn}: the mapping made no ${kind} of ${resource.metadata.name}`);
  const entity = JSON.parse(found.json);
  entity.metadata.annotations = { ...entity.metadata.annotations, [LOCATION]: locationKey, [ORIGIN]: locationKey };
  return entity;
}

/** The model's own status string, where 1.2.0 shows one; a resource would say only "Ready" / "Not Ready". */
function withStatus(entity, status) {
  if (status) entity.metadata.annotations[STATUS] = status;
  else delete entity.metadata.annotations[STATUS];
  return entity;
}

const namespaced = (fn, namespaceName) => required(namespaceName, 'namespaceName', fn);

export function translateComponentToEntity(component, namespaceName, projectName, config, providesApis, consumesApis, dependsOn) {
  const fn = 'translateComponentToEntity';
  const ns = namespaced(fn, namespaceName);
  required(projectName, 'projectName', fn);
  const typeName = component?.componentType?.name ?? component?.type;
  const componentType = component?.componentType?.kind ? { kind: component.componentType.kind, name: typeName } : typeName;
  const workflow = component?.componentWorkflow;
  const entity = translate(fn, 'Component', {
    openchoreoKind: 'Component',
    namespace: ns,
    config,
    defaultOwner: config?.defaultOwner,
    resource: {
      metadata: metadata(component, ns, fn),
      spec: {
        owner: { projectName },
        ...(componentType && { componentType }),
        ...(component.autoDeploy !== undefined && { autoDeploy: component.autoDeploy }),
        ...(workflow?.name && { workflow: { kind: workflow.kind ?? 'Workflow', name: workflow.name, parameters: workflow.parameters ?? {} } }),
      },
    },
  });
  withStatus(entity, component.status);
  entity.spec.lifecycle = component.status ? component.status.toLowerCase() : 'unknown';
  if (config.defaultOwner) entity.spec.owner = config.defaultOwner;
  if (typeof config.componentTypeUtils?.generateTags === 'function') {
    entity.metadata.tags = config.componentTypeUtils.generateTags(component.type || 'unknown');
  }
  for (const [field, list] of [['providesApis', providesApis], ['consumesApis', consumesApis], ['dependsOn', dependsOn]]) {
    if (Array.isArray(list) && list.length > 0) entity.spec[field] = [...list];
  }
  return entity;
}

export function translateProjectToEntity(project, namespaceName, config) {
  const fn = 'translateProjectToEntity';
  const ns = namespaced(fn, namespaceName);
  const entity = translate(fn, 'System', {
    openchoreoKind: 'Project',
    namespace: ns,
    config,
    defaultOwner: config?.defaultOwner,
    resource: {
      metadata: metadata(project, ns, fn),
      spec: {
        ...(project.deploymentPipelineRef && { deploymentPipelineRef: { name: project.deploymentPipelineRef } }),
        ...(project.projectTypeName && { type: { kind: project.projectTypeKind ?? 'ProjectType', name: project.projectTypeName } }),
      },
    },
  });
  if (config.defaultOwner) entity.spec.owner = config.defaultOwner;
  return entity;
}

export function translateEnvironmentToEntity(environment, namespaceName, config) {
  const fn = 'translateEnvironmentToEntity';
  const ns = namespaced(fn, namespaceName);
  const entity = translate(fn, 'Environment', {
    openchoreoKind: 'Environment',
    namespace: ns,
    config,
    resource: {
      metadata: metadata(environment, ns, fn),
      spec: {
        ...(environment.dataPlaneRef && { dataPlaneRef: environment.dataPlaneRef }),
        ...(environment.isProduction !== undefined && { isProduction: environment.isProduction }),
        ...(environment.gateway && { gateway: environment.gateway }),
      },
    },
  });
  if (environment.dnsPrefix) {
    entity.metadata.annotations['openchoreo.io/dns-prefix'] = environment.dnsPrefix;
    entity.spec.dnsPrefix = environment.dnsPrefix;
  }
  return withStatus(entity, environment.status);
}

export function translateNotificationChannelToEntity(channel, namespaceName, config) {
  const fn = 'translateNotificationChannelToEntity';
  const ns = namespaced(fn, namespaceName);
  const { environment, isEnvDefault, type, emailConfig, webhookConfig } = channel ?? {};
  return translate(fn, 'ObservabilityAlertsNotificationChannel', {
    openchoreoKind: 'ObservabilityAlertsNotificationChannel',
    namespace: ns,
    config,
    resource: {
      metadata: metadata(channel, ns, fn),
      spec: { environment, ...(isEnvDefault !== undefined && { isEnvDefault }), type, emailConfig, webhookConfig },
    },
  });
}

/** Allowed traits and workflows go in as the model has them: the mapping normalises `Kind:name` and `name`. */
function componentType(fn, openchoreoKind, ct, namespace, config) {
  return translate(fn, openchoreoKind, {
    openchoreoKind,
    namespace,
    config,
    resource: {
      metadata: metadata(ct, namespace, fn),
      spec: {
        ...(ct.workloadType && { workloadType: ct.workloadType }),
        ...(ct.allowedWorkflows && { allowedWorkflows: ct.allowedWorkflows }),
        ...(ct.allowedTraits && { allowedTraits: ct.allowedTraits }),
      },
    },
  });
}

export function translateComponentTypeToEntity(ct, namespaceName, config) {
  const fn = 'translateComponentTypeToEntity';
  return componentType(fn, 'ComponentType', ct, namespaced(fn, namespaceName), config);
}

export function translateClusterComponentTypeToEntity(ct, config) {
  return componentType('translateClusterComponentTypeToEntity', 'ClusterComponentType', ct, undefined, config);
}

function workflow(fn, openchoreoKind, wf, namespace, config) {
  const entity = translate(fn, openchoreoKind, {
    openchoreoKind,
    namespace,
    config,
    resource: {
      metadata: metadata(wf, namespace, fn),
      spec: {
        ...(wf.workflowPlaneRef?.name && { workflowPlaneRef: wf.workflowPlaneRef }),
        ...(wf.ttlAfterCompletion && { ttlAfterCompletion: wf.ttlAfterCompletion }),
      },
    },
  });
  // The model carries what 1.2.0 derived from the resource: the parameter mapping and the type.
  if (wf.parameters) entity.metadata.annotations['openchoreo.dev/component-workflow-parameters'] = wf.parameters;
  if (wf.type) entity.spec.type = wf.type;
  else delete entity.spec.type;
  return entity;
}

export function translateWorkflowToEntity(wf, namespaceName, config) {
  const fn = 'translateWorkflowToEntity';
  return workflow(fn, 'Workflow', wf, namespaced(fn, namespaceName), config);
}

export function translateClusterWorkflowToEntity(wf, config) {
  return workflow('translateClusterWorkflowToEntity', 'ClusterWorkflow', wf, undefined, config);
}

/** Types whose model is only metadata (and a retain policy for resource types). */
function plainType(fn, openchoreoKind, kind, model, namespace, config) {
  return translate(fn, kind, {
    openchoreoKind,
    namespace,
    config,
    resource: { metadata: metadata(model, namespace, fn), spec: { ...(model?.retainPolicy && { retainPolicy: model.retainPolicy }) } },
  });
}

export function translateTraitToEntity(trait, namespaceName, config) {
  const fn = 'translateTraitToEntity';
  return plainType(fn, 'Trait', 'TraitType', trait, namespaced(fn, namespaceName), config);
}

export function translateClusterTraitToEntity(trait, config) {
  return plainType('translateClusterTraitToEntity', 'ClusterTrait', 'ClusterTraitType', trait, undefined, config);
}

export function translateResourceTypeToEntity(rt, namespaceName, config) {
  const fn = 'translateResourceTypeToEntity';
  return plainType(fn, 'ResourceType', 'ResourceType', rt, namespaced(fn, namespaceName), config);
}

export function translateClusterResourceTypeToEntity(crt, config) {
  return plainType('translateClusterResourceTypeToEntity', 'ClusterResourceType', 'ClusterResourceType', crt, undefined, config);
}

export function translateProjectTypeToEntity(pt, namespaceName, config) {
  const fn = 'translateProjectTypeToEntity';
  return plainType(fn, 'ProjectType', 'ProjectType', pt, namespaced(fn, namespaceName), config);
}

export function translateClusterProjectTypeToEntity(cpt, config) {
  return plainType('translateClusterProjectTypeToEntity', 'ClusterProjectType', 'ClusterProjectType', cpt, undefined, config);
}

export function translateResourceToEntity(resource, namespaceName, config) {
  const fn = 'translateResourceToEntity';
  const ns = namespaced(fn, namespaceName);
  required(resource?.projectName, 'resource.projectName', fn);
  required(resource?.typeName, 'resource.typeName', fn);
  const entity = translate(fn, 'Resource', {
    openchoreoKind: 'Resource',
    namespace: ns,
    config,
    defaultOwner: config?.defaultOwner,
    resource: {
      metadata: metadata(resource, ns, fn),
      spec: {
        owner: { projectName: resource.projectName },
        type: { kind: resource.typeKind ?? 'ResourceType', name: resource.typeName },
        ...(resource.parameters && { parameters: resource.parameters }),
      },
    },
  });
  if (config.defaultOwner) entity.spec.owner = config.defaultOwner;
  return withStatus(entity, resource.status);
}

export function translateNamespaceToDomainEntity(namespace, config) {
  const fn = 'translateNamespaceToDomainEntity';
  const entity = translate(fn, 'Domain', {
    openchoreoKind: 'Namespace',
    config,
    defaultOwner: config?.defaultOwner,
    resource: { metadata: metadata(namespace, undefined, fn), ...(namespace.status && { status: { phase: namespace.status } }) },
  });
  if (config.defaultOwner) entity.spec.owner = config.defaultOwner;
  return entity;
}

export function translateDeploymentPipelineToEntity(pipeline, namespaceName, config) {
  const fn = 'translateDeploymentPipelineToEntity';
  const ns = namespaced(fn, namespaceName);
  const paths = Array.isArray(pipeline?.promotionPaths) ? pipeline.promotionPaths : [];
  const entity = translate(fn, 'DeploymentPipeline', {
    openchoreoKind: 'DeploymentPipeline',
    namespace: ns,
    config,
    resource: {
      metadata: metadata(pipeline, ns, fn),
      spec: {
        promotionPaths: paths.map((p) => ({
          sourceEnvironmentRef: { name: p.sourceEnvironment },
          targetEnvironmentRefs: (p.targetEnvironments ?? []).map(({ name, requiresApproval, isManualApprovalRequired }) => ({
            name,
            ...(requiresApproval !== undefined && { requiresApproval }),
            ...(isManualApprovalRequired !== undefined && { isManualApprovalRequired }),
          })),
        })),
      },
    },
  });
  return withStatus(entity, pipeline.status);
}

/**
 * A workflow spec's repository parameter mapping (`repoUrl: parameters.repository.url`, one line per
 * field marked with an `x-openchoreo-component-parameter-repository-*` extension), as the sync reads it;
 * `undefined` when there is none.
 */
export function extractWorkflowParameters(spec) {
  if (!spec || typeof spec !== 'object') return undefined;
  const [entity] = translateResource('Workflow', 'default', { metadata: { name: 'workflow' }, spec });
  return JSON.parse(entity.json).metadata.annotations['openchoreo.dev/component-workflow-parameters'];
}
