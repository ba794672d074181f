// Makes the catalog accept our custom kinds (without a processor that recognises them, Backstage drops
// them with "No processor recognized the entity", visible only at debug level) and emits the OpenChoreo
// relations, computed by the component's relation export rather than re-implemented here.
import { ANNOTATION_LOCATION, parseEntityRef } from '@backstage/catalog-model';
import { processingResult } from '@backstage/plugin-catalog-node';
import { LOCATION_KEY } from './config.mjs';

export const CUSTOM_KINDS = new Set([
  'Environment', 'Dataplane', 'WorkflowPlane', 'ObservabilityPlane', 'DeploymentPipeline', 'ComponentType', 'TraitType', 'Workflow',
  'ClusterComponentType', 'ClusterTraitType', 'ClusterWorkflow', 'ClusterDataplane', 'ClusterObservabilityPlane', 'ClusterWorkflowPlane',
  'ResourceType', 'ClusterResourceType', 'ProjectType', 'ClusterProjectType', 'ObservabilityAlertsNotificationChannel',
]);

/** What `catalog.rules` must allow for every entity this module emits (Backstage's kinds, then ours). */
export const ALLOWED_KINDS = ['Component', 'System', 'Domain', 'API', 'Resource', 'Location', 'Template', ...CUSTOM_KINDS];

/** Relations Backstage's built-in processor already derives for its own kinds. */
const BUILTIN_RELATIONS = new Set(['ownedBy', 'ownerOf', 'partOf', 'hasPart', 'providesApi', 'apiProvidedBy', 'consumesApi', 'apiConsumedBy', 'dependsOn', 'dependencyOf']);

const TEMPLATE_URL = 'scaffolder.openchoreo.dev/backstage-template-url';

/**
 * An entity this module emitted: managed by its provider location, or a hand-authored Template it
 * stamped, which is managed by the URL it was read from (so relative paths resolve against it).
 */
export function isOurs(entity) {
  const annotations = entity?.metadata?.annotations;
  if (annotations?.[ANNOTATION_LOCATION] === LOCATION_KEY) return true;
  return isStampedTemplate(entity);
}

function isStampedTemplate(entity) {
  const annotations = entity?.metadata?.annotations;
  const url = annotations?.[TEMPLATE_URL];
  return (
    entity?.kind === 'Template' &&
    typeof url === 'string' &&
    annotations['openchoreo.io/ctd-generated'] === 'false' &&
    typeof annotations['openchoreo.io/ctd-name'] === 'string' &&
    annotations[ANNOTATION_LOCATION] === `url:${url}`
  );
}

export class OpenChoreoEntityProcessor {
  constructor(component) {
    this.component = component;
  }

  getProcessorName() {
    return 'OpenChoreoEntityProcessor';
  }

  /**
   * Our custom kinds, and our own generated Templates: those are then accepted (and get their owner
   * relations) whether or not the scaffolder's entity-model module is installed; with it, the duplicate
   * relations are merged by the catalog.
   */
  async validateEntityKind(entity) {
    if (entity.apiVersion === 'backstage.io/v1alpha1' && CUSTOM_KINDS.has(entity.kind)) return true;
    return entity.apiVersion === 'scaffolder.backstage.io/v1beta3' && entity.kind === 'Template' && isOurs(entity);
  }

  async postProcessEntity(entity, location, emit) {
    if (!isOurs(entity)) return entity;
    let relations;
    try {
      [relations] = await this.component.relations([JSON.stringify(entity)]);
    } catch (e) {
      emit(processingResult.generalError(location, `OpenChoreo relations of ${entity.kind} ${entity.metadata.name}: ${e.message}`));
      return entity;
    }
    const builtinKind = !CUSTOM_KINDS.has(entity.kind) && entity.kind !== 'Template';
    for (const r of relations) {
      if (builtinKind && BUILTIN_RELATIONS.has(r.type)) continue;
      emit(processingResult.relation({ source: parseEntityRef(r.source), type: r.type, target: parseEntityRef(r.target) }));
    }
    return entity;
  }
}
