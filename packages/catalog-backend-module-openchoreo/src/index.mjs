// `backend.add(import('@openchoreo-catalog/catalog-backend-module-openchoreo'))`, and the exports of the
// module it replaces (`@openchoreo/backstage-plugin-catalog-backend-module` 1.2.0): its service refs
// and factories under the same ids, the provider classes, the relation constants and the
// `translate…ToEntity` functions.
export { catalogModuleOpenChoreo as default } from './module.mjs';
export { OpenChoreoEntityProvider } from './provider.mjs';
export { ScaffolderEntityProvider } from './scaffolder-provider.mjs';
export { OpenChoreoEntityProcessor, CUSTOM_KINDS } from './processor.mjs';
export { CustomAnnotationProcessor } from './custom-annotations.mjs';
export { immediateCatalogServiceRef, immediateCatalogServiceFactory } from './services/immediate-catalog.mjs';
export { annotationStoreRef, annotationStoreFactory } from './services/annotation-store.mjs';
export { RELATION_DEPLOYS_TO, RELATION_DEPLOYED_BY } from './relations.mjs';
export {
  translateComponentToEntity,
  translateProjectToEntity,
  translateEnvironmentToEntity,
  translateComponentTypeToEntity,
  translateResourceTypeToEntity,
  translateProjectTypeToEntity,
  translateResourceToEntity,
  translateTraitToEntity,
  translateWorkflowToEntity,
  translateNamespaceToDomainEntity,
  translateClusterComponentTypeToEntity,
  translateClusterResourceTypeToEntity,
  translateClusterProjectTypeToEntity,
  translateClusterTraitToEntity,
  translateClusterWorkflowToEntity,
  translateDeploymentPipelineToEntity,
  translateNotificationChannelToEntity,
  extractWorkflowParameters,
} from './translators.mjs';
