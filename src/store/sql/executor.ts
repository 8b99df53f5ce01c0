import type { Dialect } from './dialect.ts';

/** What a query may bind. Booleans are stored as 0/1 and undefined as NULL by the row mappers, never here. */
export type SqlValue = string | number | null | Uint8Array;

export type Row = Record<string, unknown>;

/** `reuse`: the text is one of a small fixed set and runs often, so the driver keeps it prepared. */
export type QueryOptions = { reuse?: boolean };

/**
 * The one seam between the shared queries and a driver: node:sqlite (inside the worker) or pg's Pool.
 * SQL is written with `$n` placeholders (see dialect.ts).
 */
export interface Executor {
  readonly dialect: Dialect;
  query<T = Row>(sql: string, params?: readonly SqlValue[], options?: QueryOptions): Promise<T[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[], options?: QueryOptions): Promise<number>;
  /** Runs `fn` in one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
