// What the provider last applied as a full mutation: the digest of its entities, when, and a
// generation that every mutation of the provider moves on. A full run whose digest matches what the
// catalog was last given, with nothing applied in between, need not hand the catalog the same 20 000
// entities again.
//
// In the module the ledger is one row in the catalog plugin's database, so every backend replica sees
// what any of them applied. The protocol, with any interleaving of replicas:
// - a full run reads the record, claims the generation it read (compare-and-set to the next one, the
//   digest cleared), applies, then records its digest if the generation is still the one it claimed;
// - any other mutation (an event's delta, an immediate insertion) invalidates before and after it
//   applies (the generation moves on, the digest is cleared).
// So a digest stands in the ledger only while the catalog holds exactly what that full run applied:
// a mutation applied before the claim fails the claim, one applied after it fails the record or clears it.

export const LEDGER_TABLE = 'openchoreo_catalog_applied';

/** @typedef {{ digest: string | null, generation: number, appliedAt: number | null }} LedgerRecord */

/** The ledger of one process, for a provider used without a database. */
export class MemoryLedger {
  /** @type {LedgerRecord} */
  #record = { digest: null, generation: 0, appliedAt: null };

  async read() {
    return { ...this.#record };
  }

  /** Another mutation changes the catalog: what was applied no longer describes it. */
  async invalidate() {
    this.#record = { digest: null, generation: this.#record.generation + 1, appliedAt: null };
  }

  /** A full run is about to apply: the next generation, or null when the ledger moved on since `generation` was read. */
  async claim(generation) {
    if (this.#record.generation !== generation) return null;
    this.#record = { digest: null, generation: generation + 1, appliedAt: null };
    return generation + 1;
  }

  /** Records a full mutation applied, unless the ledger moved on since it was claimed. */
  async recordApplied(digest, generation, appliedAt) {
    if (this.#record.generation !== generation) return false;
    this.#record = { digest, generation, appliedAt };
    return true;
  }
}

/** Creates the table and the provider's row once; replicas starting together may race, and the loser finds them made. */
export async function migrateLedgerTable(knex, provider) {
  if (!(await knex.schema.hasTable(LEDGER_TABLE))) {
    try {
      await knex.schema.createTable(LEDGER_TABLE, (t) => {
        t.string('provider', 255).primary();
        t.string('digest', 64).nullable();
        t.bigInteger('generation').notNullable().defaultTo(0);
        // Milliseconds since the epoch, by the clock of the replica that applied.
        t.bigInteger('applied_at').nullable();
      });
    } catch (e) {
      if (!(await knex.schema.hasTable(LEDGER_TABLE))) throw e;
    }
  }
  await knex(LEDGER_TABLE).insert({ provider, digest: null, generation: 0, applied_at: null }).onConflict('provider').ignore();
}

/** The ledger as one row of LEDGER_TABLE, shared by every replica on the database. */
export class DatabaseLedger {
  constructor(knex, provider) {
    this.knex = knex;
    this.provider = provider;
  }

  async read() {
    const row = await this.#query('read', (rows) => rows.where({ provider: this.provider }).first());
    if (!row) throw new Error(`table ${LEDGER_TABLE} has no row for ${this.provider} (the module creates it at startup)`);
    return { digest: row.digest ?? null, generation: Number(row.generation), appliedAt: row.applied_at === null ? null : Number(row.applied_at) };
  }

  async invalidate() {
    await this.#query('invalidate', (rows) =>
      rows.where({ provider: this.provider }).update({ digest: null, applied_at: null, generation: this.knex.raw('generation + 1') }),
    );
  }

  async claim(generation) {
    const updated = await this.#query('claim', (rows) =>
      rows.where({ provider: this.provider, generation }).update({ digest: null, applied_at: null, generation: generation + 1 }),
    );
    return updated > 0 ? generation + 1 : null;
  }

  async recordApplied(digest, generation, appliedAt) {
    const updated = await this.#query('record', (rows) => rows.where({ provider: this.provider, generation }).update({ digest, applied_at: appliedAt }));
    return updated > 0;
  }

  async #query(what, build) {
    try {
      return await build(this.knex(LEDGER_TABLE));
    } catch (e) {
      throw new Error(`could not ${what} the ledger of applied runs (table ${LEDGER_TABLE}): ${e.message}`);
    }
  }
}
