import type { Config } from '../config/config.ts';
import type { Logger } from '../logger.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import type { Recorder } from './recorder.ts';
import { Journal } from './journal.ts';
import { createLogRecorder } from './log-recorder.ts';
import { startRetention } from './retention.ts';
import { createRecordWriter, type WriterStats } from './writer.ts';

/** Keeps trying to apply migrations while the database is down; the journal holds calls meanwhile. */
async function migrateWhenReachable(store: Store, logger: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await store.migrate();
      if (attempt > 1) logger.info({ attempt }, 'store reachable; migrations applied');
      return;
    } catch (error) {
      if (attempt === 1) logger.error({ err: (error as Error).message }, 'store unreachable at start; serving anyway, calls wait in the journal');
      await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 500 * attempt)));
    }
  }
}

/**
 * The recording pipeline of `tailgate serve`: every call to the access log and, durably, to the
 * journal and then the store; retention in the background.
 */
export async function openRecording(config: () => Config, logger: Logger): Promise<{ recorder: Recorder; store?: Store; stats?: () => WriterStats; close(): Promise<void> }> {
  const initial = config();
  const log = createLogRecorder(logger);
  if (initial.storage.url === 'none') {
    logger.warn('storage.url is none: calls are logged but not stored; the usage API is off');
    return { recorder: log, close: async () => {} };
  }
  const store = await openStore(initial.storage.url);
  const migrated = migrateWhenReachable(store, logger);
  // Calls an earlier run left in the journal (a crash, a store that was down) are stored first.
  const journal = await Journal.open(initial.storage.journalDir);
  const writer = createRecordWriter({ store, journal, logger, ready: migrated });
  const retention = startRetention(store, () => config().retention, logger);
  const recorder: Recorder = {
    record(call, capture) {
      const { retention: policy } = config();
      // Zero retention with purge of tools: not even tool arguments are written anywhere.
      if (policy.zero && policy.purgeToolCalls) call.toolCalls = call.toolCalls.map(({ id, name }) => ({ id, name, arguments: '' }));
      void log.record(call);
      return writer.record(call, capture);
    },
  };
  return {
    recorder,
    store,
    stats: writer.stats,
    async close() {
      retention.stop();
      await writer.close();
      await store.close();
    },
  };
}
