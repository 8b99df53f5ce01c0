import { PostgresExecutor } from './postgres/executor.ts';
import type { Executor } from './sql/executor.ts';
import { SqliteExecutor } from './sqlite/executor.ts';
import { isPostgresUrl, sqlitePath } from './storage-url.ts';

/**
 * A bare executor on the calling thread, for tools that are not the gateway (seeding, tests). The
 * gateway goes through openStore, which keeps SQLite off its event loop.
 */
export function openExecutor(url: string, options: { poolSize?: number } = {}): Executor {
  const file = sqlitePath(url);
  if (file !== undefined) return new SqliteExecutor(file);
  if (isPostgresUrl(url)) return PostgresExecutor.open(url, { max: options.poolSize });
  throw new Error(`storage.url must start with sqlite: or postgres:// (got "${url.split(':')[0]}:…")`);
}
