// The plugin we replace exports a second provider for immediate insertions. Ours are deltas of the sync's
// own provider (see services/immediate-catalog.mjs); this class stays for code that builds one itself:
// given the sync provider, it forwards to it; alone, it applies deltas on its own connection, as before.
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { LOCATION_KEY } from './config.mjs';

export class ScaffolderEntityProvider {
  constructor(logger, mainProviderName = 'OpenChoreoEntityProvider', syncProvider = undefined) {
    Object.assign(this, { logger, mainProviderName, syncProvider, connection: undefined });
  }

  getProviderName() {
    return 'ScaffolderEntityProvider';
  }

  async connect(connection) {
    this.connection = connection;
  }

  async insertEntity(entity) {
    if (this.syncProvider) return this.syncProvider.insertImmediately(entity);
    if (!this.connection) throw new Error('ScaffolderEntityProvider is not connected to the catalog');
    await this.connection.applyMutation({ type: 'delta', added: [{ entity, locationKey: LOCATION_KEY }], removed: [] });
  }

  async removeEntity(entityRef) {
    if (this.syncProvider) return this.syncProvider.removeImmediately(entityRef);
    if (!this.connection) throw new Error('ScaffolderEntityProvider is not connected to the catalog');
    const ref = stringifyEntityRef(parseEntityRef(entityRef));
    await this.connection.applyMutation({ type: 'delta', added: [], removed: [{ entityRef: ref, locationKey: LOCATION_KEY }] });
  }
}
