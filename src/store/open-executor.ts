import { PostgresExecutor } from './postgres/executor.ts';
import type { Executor } from './sql/executor.ts';
import { SqliteExecutor } from './sqlite/executor.ts';

/** The file a `sqlite:` storage URL names (`sqlite:PATH`, `sqlite://PATH`, `sqlite::memory:`), or undefined for other URLs. */
export function sqlitePath(url: string): string | undefined {
  if (!url.startsWith('sqlite:')) return undefined;
  const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
  if (file === '') throw new Error(`storage.url "${url}" names no file`);
  return file;
}

export function isPostgresUrl(url: string): boolean {
  return url.startsWith('postgres://') || url.startsWith('postgresql://');
}

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
