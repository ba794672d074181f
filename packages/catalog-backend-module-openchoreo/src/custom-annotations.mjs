// Merges the annotations users set through the annotation store into our entities on every processing
// cycle, so a full mutation (which replaces the unprocessed entity) never drops them. A user's value
// wins over the mapping's for the same key, as in the plugin we replace.
import { stringifyEntityRef } from '@backstage/catalog-model';

const MANAGED_LABEL = 'openchoreo.io/managed';

export class CustomAnnotationProcessor {
  constructor(store) {
    this.store = store;
  }

  getProcessorName() {
    return 'CustomAnnotationProcessor';
  }

  async preProcessEntity(entity) {
    if (entity.metadata?.labels?.[MANAGED_LABEL] !== 'true') return entity;
    const custom = await this.store.getAnnotations(stringifyEntityRef(entity));
    if (Object.keys(custom).length === 0) return entity;
    return { ...entity, metadata: { ...entity.metadata, annotations: { ...entity.metadata.annotations, ...custom } } };
  }
}
