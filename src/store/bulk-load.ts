import { Rollups } from './rollup.ts';
import type { Executor } from './sql/executor.ts';
import type { StoredCall } from './store.ts';
import { applyRollups, insertCallRows, insertCaptures, insertToolCalls } from './write.ts';

/**
 * Seeding path for an empty store (the 10M-call benchmark): calls, tool calls and captures go in with the
 * same statements as `insertCalls`, in large transactions, while rollups and sessions accumulate in
 * memory through the same `Rollups` class and are written once at the end. The result equals what
 * `insertCalls` would have produced (bulk-load.test.ts checks it row by row) at a fraction of the upserts.
 * Not for a live store: rollups of calls loaded here are invisible until `finish()`.
 */
export class BulkLoader {
  readonly rollups = new Rollups();
  readonly #db: Executor;

  constructor(db: Executor) {
    this.#db = db;
  }

  /** Stores one batch in one transaction; several batches may be in flight on PostgreSQL's pool. */
  load(calls: readonly StoredCall[]): Promise<number> {
    return this.#db.transaction(async (tx) => {
      const fresh = await insertCallRows(tx, calls);
      await insertToolCalls(tx, fresh.map((call) => call.record));
      await insertCaptures(tx, fresh);
      for (const call of fresh) this.rollups.add(call.record);
      return fresh.length;
    });
  }

  /** Writes the accumulated rollups and sessions. */
  finish(): Promise<void> {
    return this.#db.transaction((tx) => applyRollups(tx, this.rollups));
  }
}
