/**
 * The few places where SQLite and PostgreSQL disagree. Everything else — every query the store runs —
 * is one SQL text written with PostgreSQL's `$n` placeholders; the SQLite executor rewrites them to
 * SQLite's equivalent `?n` (same numbering, so a parameter may be used twice).
 */
export type DialectName = 'sqlite' | 'postgres';

export type Dialect = {
  readonly name: DialectName;
  /** Bound parameters one statement may carry (SQLite's SQLITE_MAX_VARIABLE_NUMBER, PG's protocol Int16). */
  readonly maxParams: number;
  /** Column type for raw bytes. */
  readonly blob: string;
  /** Suffix for tables that are only ever reached by their primary key (SQLite clusters them on it). */
  readonly clusteredByKey: string;
  /**
   * Rows per multi-row INSERT, largest first; a remainder smaller than all of them becomes one
   * statement of its own. Recurring sizes keep the set of statement texts small, so the driver keeps
   * them prepared (SQLite: preparing costs as much as running; PostgreSQL: parsing and planning a
   * 17,000-parameter VALUES list was a third of the insert's time).
   */
  readonly chunkRows: readonly number[];
  /** Serialises concurrent migrators (several PG replicas starting at once); SQLite's BEGIN IMMEDIATE already does. */
  readonly migrationLock?: string;
};

export const SQLITE: Dialect = {
  name: 'sqlite',
  maxParams: 32_766,
  blob: 'BLOB',
  clusteredByKey: 'WITHOUT ROWID',
  // No round trip to save: small statements are as fast as big ones and cheaper to prepare; ending in 1 means no remainder.
  chunkRows: [64, 16, 4, 1],
};

export const POSTGRES: Dialect = {
  name: 'postgres',
  maxParams: 65_535,
  blob: 'BYTEA',
  clusteredByKey: '',
  // Each statement is a round trip: a writer's batch of 500 calls is one statement; smaller sets (rollup
  // rows, tool calls) go in one unprepared statement.
  chunkRows: [500],
  // A transaction-scoped lock: released by the migration transaction's COMMIT or ROLLBACK.
  migrationLock: `SELECT pg_advisory_xact_lock(7466716174650001)`,
};

/** Fills a DDL template's `{blob}` and `{clustered}` slots for one dialect. */
export function ddl(dialect: Dialect, template: string): string {
  return template.replaceAll('{blob}', dialect.blob).replaceAll('{clustered}', dialect.clusteredByKey);
}
