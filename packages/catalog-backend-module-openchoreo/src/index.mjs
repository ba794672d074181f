// `backend.add(import('@openchoreo-catalog/catalog-backend-module-openchoreo'))`
export { catalogModuleOpenChoreo as default } from './module.mjs';
export { OpenChoreoEntityProvider } from './provider.mjs';
export { OpenChoreoEntityProcessor, CUSTOM_KINDS } from './processor.mjs';
