// A run's report on the main thread: its stale scopes and stats at once, its entities read from the
// packed batches only when asked for (a run whose digest shows no change never reads them).
import { entityCount, readPacked } from './batch.mjs';

export class RunReport {
  #entities;

  /** @param {{ stale: any[], stats: any, batches: any[], digest: string }} report as the worker sends it */
  constructor({ batches, ...report }) {
    Object.assign(this, report);
    this.batches = batches;
    /** How many entities the run made, without reading them. */
    this.count = entityCount(batches);
  }

  /** `{ kind, namespace, name, scope, json }` per entity, in the order the component made them. */
  get entities() {
    this.#entities ??= this.batches.flatMap((b) => readPacked(b));
    return this.#entities;
  }

  /** The entities of the scopes in `scopes` (a Set) alone, in order: a delta reads no others. */
  entitiesOf(scopes) {
    return this.#entities ? this.#entities.filter((e) => scopes.has(e.scope)) : this.batches.flatMap((b) => readPacked(b, scopes));
  }
}
