// `openchoreo.immediate-catalog`: what OpenChoreo's scaffolder actions call to show a created resource
// at once. The entity goes in as a delta mutation of the sync's own provider, so the next full sync
// owns it: kept when the API has it, removed when it does not (docs/compatibility.md, W15).
import { createServiceFactory, createServiceRef } from '@backstage/backend-plugin-api';
import { ATTACH, Hub } from './attach.mjs';

/** @type {import('@backstage/backend-plugin-api').ServiceRef<any, 'plugin'>} */
export const immediateCatalogServiceRef = createServiceRef({
  id: 'openchoreo.immediate-catalog',
  scope: 'plugin',
  // Works without the portal registering the factory; a portal that does (as OpenChoreo's does) gets the same.
  defaultFactory: async () => immediateCatalogServiceFactory,
});

export const immediateCatalogServiceFactory = createServiceFactory({
  service: immediateCatalogServiceRef,
  deps: {},
  createRootContext: () => new Hub('The OpenChoreo immediate catalog service'),
  factory: (_deps, hub) => ({
    insertEntity: async (entity) => (await hub.get()).insertImmediately(entity),
    removeEntity: async (entityRef) => (await hub.get()).removeImmediately(entityRef),
    [ATTACH]: (provider) => hub.attach(provider),
  }),
});
