import type { RetentionConfig } from '../config/validate-storage.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';

/**
 * Enforces `database.retention` in the background: captures (and tool-call arguments when asked) of
 * calls older than the window are purged in bounded batches by the store, never on the data plane.
 * Call metadata — tokens, cost, model, status — is always kept (aperture.md §2.10).
 */
export function startRetention(store: Store, retention: () => RetentionConfig, logger: Logger, everyMs = 10 * 60_000): { run(): Promise<number>; stop(): void } {
  let running = false;
  async function run(): Promise<number> {
    const { durationMs, purgeToolCalls } = retention();
    if (durationMs === undefined || running) return 0;
    running = true;
    try {
      const purged = await store.purgeCaptures(Date.now() - durationMs, { toolCalls: purgeToolCalls });
      if (purged > 0) logger.info({ purged, older_than_ms: durationMs }, 'retention: purged captures');
      return purged;
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'retention: purge failed; will retry');
      return 0;
    } finally {
      running = false;
    }
  }
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  setTimeout(() => void run(), 5_000).unref();
  return { run, stop: () => clearInterval(timer) };
}
