import { isPostgresUrl, sqlitePath } from './open-executor.ts';
import { PostgresExecutor } from './postgres/executor.ts';
import { SqlStore } from './sql-store.ts';
import { SqliteStore } from './sqlite/store.ts';
import type { Store } from './store.ts';

/** The embedded default: one file beside the gateway. */
export const DEFAULT_STORAGE_URL = 'sqlite:./tailgate-data/tailgate.db';

/**
 * Opens the store `storage.url` names — `sqlite:PATH` (also `sqlite://PATH`, `sqlite::memory:`) or
 * `postgres://…` / `postgresql://…` (libpq URL; `?options=-c search_path=…` picks a schema) — and applies
 * pending migrations unless told not to, so a caller gets a store that is ready to write.
 */
export async function openStore(url: string = DEFAULT_STORAGE_URL, options: { migrate?: boolean; poolSize?: number } = {}): Promise<Store> {
  const store = await open(url, options.poolSize);
  if (options.migrate !== false) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close().catch(() => {});
      throw error;
    }
  }
  return store;
}

async function open(url: string, poolSize: number | undefined): Promise<Store> {
  const file = sqlitePath(url);
  if (file !== undefined) return SqliteStore.open(file);
  if (isPostgresUrl(url)) return new SqlStore(PostgresExecutor.open(url, { max: poolSize }));
  throw new Error(`storage.url must start with sqlite: or postgres:// (got "${url.split(':')[0]}:…")`);
}
