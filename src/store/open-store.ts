import { isPostgresUrl, sqlitePath } from './storage-url.ts';
import type { Store } from './store.ts';
import { WorkerStore } from './worker/store.ts';

/** The embedded default: one file beside the gateway. */
export const DEFAULT_STORAGE_URL = 'sqlite:./tailgate-data/tailgate.db';

/**
 * Opens the store `storage.url` names — `sqlite:PATH` (also `sqlite://PATH`, `sqlite::memory:`) or
 * `postgres://…` / `postgresql://…` (libpq URL; `?options=-c search_path=…` picks a schema) — running
 * in worker threads (worker/store.ts). PostgreSQL is not contacted until the first query, so a gateway
 * starts while its database is down; the caller applies migrations with `store.migrate()` (and may
 * retry it), or passes `{ migrate: true }`.
 */
export async function openStore(url: string = DEFAULT_STORAGE_URL, options: { migrate?: boolean; poolSize?: number; readerIdleMs?: number } = {}): Promise<Store> {
  if (sqlitePath(url) === undefined && !isPostgresUrl(url)) {
    throw new Error(`storage.url must start with sqlite: or postgres:// (got "${url.split(':')[0]}:…")`);
  }
  const store = await WorkerStore.open(url, options);
  if (options.migrate === true) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close().catch(() => {});
      throw error;
    }
  }
  return store;
}
