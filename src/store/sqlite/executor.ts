import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { SQLITE } from '../sql/dialect.ts';
import type { Executor, Row, SqlValue } from '../sql/executor.ts';

// Prepared statements are reused by SQL text: inserts come in a few fixed chunk sizes (dialect.ts), reads in
// a few filter combinations. Map iteration order makes the oldest entry the first one evicted.
const STATEMENT_CACHE = 256;

/**
 * node:sqlite behind the shared Executor seam. Synchronous underneath: in the gateway it runs only inside
 * the store's worker threads (sqlite/worker.ts), each handling one request at a time, so a transaction
 * never interleaves with another request on its connection. (The seeding script uses it directly.)
 */
export class SqliteExecutor implements Executor {
  readonly dialect = SQLITE;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, Prepared>();
  readonly #readOnly: boolean;
  #lastTransaction: Promise<void> = Promise.resolve();

  /**
   * `role`: 'writer' checkpoints only when asked (see `checkpoint`); 'reader' is read-only; 'single'
   * (the default: seeding, tests, `:memory:`) is one connection doing both, SQLite's defaults.
   */
  constructor(path: string, options: { role?: 'writer' | 'reader' | 'single' } = {}) {
    const role = options.role ?? 'single';
    this.#db = new DatabaseSync(path, { timeout: 10_000 });
    this.#readOnly = role === 'reader';
    // WAL lets the reader worker (and `tailgate usage` in another process) read while the writer writes;
    // NORMAL skips the fsync per commit — a power cut may lose the last commits, which the recording
    // journal replays, but never corrupts the file (https://www.sqlite.org/pragma.html#pragma_synchronous).
    this.#db.exec(`PRAGMA journal_mode = WAL`);
    this.#db.exec(`PRAGMA synchronous = NORMAL`);
    this.#db.exec(`PRAGMA busy_timeout = 10000`);
    // Page cache: the reader's 64 MiB serve dashboard queries over large stores. The writer touches the
    // right edge of the calls table, its indexes and the rollups, and reads the rest from the OS: 160,000
    // calls (`node bench/store/ingest.ts --count 160000`) went in at 6,600–7,200/s with 4 MiB, 6,700–7,400/s
    // with 8 MiB and 5,900–6,500/s with 2 MiB. 4 MiB it is; the gateway's peak memory falls by about as much.
    this.#db.exec(`PRAGMA cache_size = ${role === 'writer' ? -4096 : -65536}`);
    this.#db.exec(`PRAGMA temp_store = MEMORY`);
    // The reader reads straight from the OS's page cache. The writer does not: every database page it
    // maps stays counted in the gateway's RSS (2.6 MB more after 30 s of load, and growing with the
    // file), for 4% more ingest (160,000 calls: 8,601–9,232/s mapped, 8,522–8,715/s read).
    this.#db.exec(`PRAGMA mmap_size = ${role === 'writer' ? 0 : 268435456}`);
    // Checkpointing (copying the WAL back into the file, with an fsync) took ~40% of the writer's time when
    // every commit crossed the default 1000-page threshold. The writer's thread checkpoints every few
    // seconds instead (worker/host.ts), so a page rewritten by many commits (rollups, the right edge of
    // each index) is copied once; the automatic checkpoint stays only as a backstop if the WAL reaches
    // ~400 MB. After a checkpoint the WAL file is cut back to 64 MB.
    this.#db.exec(`PRAGMA journal_size_limit = 67108864`);
    if (role === 'writer') this.#db.exec(`PRAGMA wal_autocheckpoint = 100000`);
    if (this.#readOnly) this.#db.exec(`PRAGMA query_only = 1`);
    // Planner statistics, refreshed cheaply (a sampled ANALYZE only where tables changed a lot), as SQLite
    // advises for long-lived connections (https://www.sqlite.org/pragma.html#pragma_optimize).
    else this.#db.exec(`PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002`);
  }

  query<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const { statement, order } = this.#prepare(sql);
    return Promise.resolve(statement.all(...bind(params, order)) as T[]);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const { statement, order } = this.#prepare(sql);
    return Promise.resolve(Number(statement.run(...bind(params, order)).changes));
  }

  /**
   * Transactions on this connection run one after another (the seeding script starts several at once).
   * `fn` must not start another transaction: it would wait for itself.
   */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    const result = this.#lastTransaction.then(() => this.#transaction(fn));
    this.#lastTransaction = result.then(() => {}, () => {});
    return result;
  }

  async #transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    // IMMEDIATE takes the write lock up front, so a transaction never fails half-way on a lock upgrade.
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn(this);
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Copies committed WAL frames into the database file without waiting for, or blocking, the writer. */
  checkpoint(): void {
    this.#db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  }

  /** Raw statements for the seeding script's bulk path and tests; not part of the Executor seam. */
  exec(sql: string): void {
    this.#db.exec(sql);
  }

  close(): Promise<void> {
    this.#statements.clear();
    if (!this.#readOnly) this.#db.exec('PRAGMA optimize');
    this.#db.close();
    return Promise.resolve();
  }

  #prepare(sql: string): Prepared {
    let prepared = this.#statements.get(sql);
    if (prepared) return prepared;
    // PG's `$n` becomes SQLite's anonymous `?`, with the values reordered to the placeholders' order of
    // appearance. (SQLite's own numbered `?n` would do, but binding thousands of them through node:sqlite
    // is quadratic: a 500-row insert took 700 ms instead of 1 ms.)
    const order: number[] = [];
    const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
      order.push(Number(n) - 1);
      return '?';
    });
    prepared = { statement: this.#db.prepare(text), order: order.every((n, i) => n === i) ? undefined : order };
    if (this.#statements.size >= STATEMENT_CACHE) this.#statements.delete(this.#statements.keys().next().value!);
    this.#statements.set(sql, prepared);
    return prepared;
  }
}

/** A statement and, when its placeholders are not simply $1, $2, … in order, where each `?` takes its value from. */
type Prepared = { statement: StatementSync; order: number[] | undefined };

function bind(params: readonly SqlValue[], order: number[] | undefined): SQLInputValue[] {
  return (order === undefined ? params : order.map((n) => params[n])) as SQLInputValue[];
}
