import pg from 'pg';
import { POSTGRES } from '../sql/dialect.ts';
import type { Executor, QueryOptions, Row, SqlValue } from '../sql/executor.ts';

// pg returns BIGINT (20) and NUMERIC (1700, what SUM(bigint) yields) as strings, because they may exceed
// 2^53. Token counts, byte counts and epoch milliseconds never do, and SQLite returns numbers, so both
// dialects hand the shared code the same shapes. Scoped to our pools, not pg's global type registry.
const NUMBER_OIDS = new Set([20, 1700]);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    NUMBER_OIDS.has(oid) && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

type Queryable = pg.Pool | pg.PoolClient;

// Names for statements run with `reuse`: pg parses a named statement once per connection and then only
// binds it. The texts are the fixed-size multi-row inserts (dialect.ts), a bounded set.
const statementNames = new Map<string, string>();
function config(sql: string, params: readonly SqlValue[], options: QueryOptions | undefined): pg.QueryConfig {
  if (!options?.reuse) return { text: sql, values: params as unknown[] };
  let name = statementNames.get(sql);
  if (name === undefined) statementNames.set(sql, (name = `tailgate_${statementNames.size + 1}`));
  return { name, text: sql, values: params as unknown[] };
}

/** pg's Pool behind the shared Executor seam; a transaction holds one client from the pool. */
export class PostgresExecutor implements Executor {
  readonly dialect = POSTGRES;
  readonly #pool: pg.Pool;
  readonly #on: Queryable;

  constructor(pool: pg.Pool, on: Queryable = pool) {
    this.#pool = pool;
    this.#on = on;
  }

  static open(connectionString: string, options: { max?: number } = {}): PostgresExecutor {
    const pool = new pg.Pool({ connectionString, types, max: options.max ?? 10, idleTimeoutMillis: 30_000 });
    // An idle client losing its connection (database restart) emits here; without a listener it would crash the process.
    pool.on('error', () => {});
    return new PostgresExecutor(pool);
  }

  async query<T = Row>(sql: string, params: readonly SqlValue[] = [], options?: QueryOptions): Promise<T[]> {
    const result = await this.#on.query(config(sql, params, options));
    return result.rows as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = [], options?: QueryOptions): Promise<number> {
    const result = await this.#on.query(config(sql, params, options));
    return result.rowCount ?? 0;
  }

  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    if (this.#on !== this.#pool) throw new Error('nested transactions are not supported');
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new PostgresExecutor(this.#pool, client));
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      // A client whose ROLLBACK failed is in an unknown state: destroy it rather than return it to the pool.
      const rolledBack = await client.query('ROLLBACK').then(() => true, () => false);
      client.release(!rolledBack);
      throw error;
    }
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}
