// What the provider last applied as a full run: the digest of its entities, the digest of each of its
// scopes, when, and a generation that every mutation of the provider moves on. A full run whose digest
// matches what the catalog was last given, with nothing applied in between, need not hand the catalog
// the same 20 000 entities again; one that differs in a few scopes applies only those.
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

/**
 * `scopes`: scope → digest of what that run made there, or null when the run kept stale scopes from
 * the catalog (then only the whole digest says what the catalog holds).
 * @typedef {{ digest: string | null, generation: number, appliedAt: number | null, scopes: Record<string, string> | null }} LedgerRecord
 */

const EMPTY = { digest: null, appliedAt: null, scopes: null };

/** The ledger of one process, for a provider used without a database. */
export class MemoryLedger {
  /** @type {LedgerRecord} */
  #record = { ...EMPTY, generation: 0 };

  async read() {
    return { ...this.#record };
  }

  /** Another mutation changes the catalog: what was applied no longer describes it. */
  async invalidate() {
    this.#record = { ...EMPTY, generation: this.#record.generation + 1 };
  }

  /** A full run is about to apply: the next generation, or null when the ledger moved on since `generation` was read. */
  async claim(generation) {
    if (this.#record.generation !== generation) return null;
    this.#record = { ...EMPTY, generation: generation + 1 };
    return generation + 1;
  }

  /** Records a full run applied, unless the ledger moved on since it was claimed. */
  async recordApplied(digest, generation, appliedAt, scopes = null) {
    if (this.#record.generation !== generation) return false;
    this.#record = { digest, generation, appliedAt, scopes };
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
        t.text('scope_digests').nullable();
      });
    } catch (e) {
      if (!(await knex.schema.hasTable(LEDGER_TABLE))) throw e;
    }
  }
  // A table made by a version before per-scope digests.
  if (!(await knex.schema.hasColumn(LEDGER_TABLE, 'scope_digests'))) {
    try {
      await knex.schema.alterTable(LEDGER_TABLE, (t) => t.text('scope_digests').nullable());
    } catch (e) {
      if (!(await knex.schema.hasColumn(LEDGER_TABLE, 'scope_digests'))) throw e;
    }
  }
  await knex(LEDGER_TABLE).insert({ provider, digest: null, generation: 0, applied_at: null }).onConflict('provider').ignore();
}

const CLEARED = { digest: null, applied_at: null, scope_digests: null };

/**
 * The per-scope digests as stored; anything but an object of strings (a row edited by hand) reads as
 * none, which only makes the next changed run a full one.
 */
function parseScopes(text) {
  if (text === null || text === undefined) return null;
  try {
    const scopes = JSON.parse(text);
    const valid = scopes !== null && typeof scopes === 'object' && !Array.isArray(scopes) && Object.values(scopes).every((d) => typeof d === 'string');
    return valid ? scopes : null;
  } catch {
    return null;
  }
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
    return {
      digest: row.digest ?? null,
      generation: Number(row.generation),
      appliedAt: row.applied_at === null ? null : Number(row.applied_at),
      scopes: parseScopes(row.scope_digests),
    };
  }

  async invalidate() {
    await this.#query('invalidate', (rows) =>
      rows.where({ provider: this.provider }).update({ ...CLEARED, generation: this.knex.raw('generation + 1') }),
    );
  }

  async claim(generation) {
    const updated = await this.#query('claim', (rows) => rows.where({ provider: this.provider, generation }).update({ ...CLEARED, generation: generation + 1 }));
    return updated > 0 ? generation + 1 : null;
  }

  async recordApplied(digest, generation, appliedAt, scopes = null) {
    const row = { digest, applied_at: appliedAt, scope_digests: scopes === null ? null : JSON.stringify(scopes) };
    const updated = await this.#query('record', (rows) => rows.where({ provider: this.provider, generation }).update(row));
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
