import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { Journal } from './journal.ts';
import { encodeFrame } from './journal-frame.ts';
import type { Recorder } from './recorder.ts';

export type WriterOptions = {
  store: Store;
  journal: Journal;
  logger: Logger;
  /** The store takes calls from then on (migrations applied); until then they wait in the journal. */
  ready?: Promise<void>;
  /** Most calls per store transaction. */
  batchSize?: number;
  /** Journal bytes (the on-disk spool) past which new calls are dropped and logged. */
  maxSpoolBytes?: number;
  /** How long calls gather in the journal before the store reads them (unless a whole batch is waiting). */
  gatherMs?: number;
  /** First wait before a failing store is tried again; it doubles up to 30 s. */
  retryMs?: number;
  /** How long `close()` keeps storing what is journaled before it leaves the rest for the next start. */
  closeDrainMs?: number;
};

export type WriterStats = { queued: number; spoolBytes: number; dropped: number; stored: number; failing: boolean };

/**
 * The durable recorder. The data plane waits only for the journal write of the call (record and
 * capture, journal-frame.ts). The store then reads the journal behind the writes, in its own thread and
 * one batch at a time: whatever it has not taken yet, because it is slow, starved of CPU by a
 * saturated data plane (background-thread.ts) or down, waits on disk, never in the gateway's memory.
 * Calls left in the journal by a crash or a failing store are stored once it takes them again; its
 * inserts are idempotent, so a call read twice is stored once.
 */
export function createRecordWriter(options: WriterOptions): Recorder & { close(): Promise<void>; stats(): WriterStats } {
  const { store, journal, logger } = options;
  const batchSize = options.batchSize ?? 500;
  const maxSpoolBytes = options.maxSpoolBytes ?? 2 * 1024 ** 3;
  const gatherMs = options.gatherMs ?? 25;
  const retryMs = options.retryMs ?? 250;

  let ready = options.ready === undefined;
  let timer: NodeJS.Timeout | undefined;
  let storing: Promise<void> | undefined;
  let failures = 0;
  let journaled = 0;
  let stored = 0;
  let dropped = 0;
  let closed = false;

  /** Stores the oldest journaled calls (one transaction); true when a whole batch was taken, so more may wait. */
  async function storeBatch(): Promise<boolean> {
    const backlog = journal.backlog();
    if (!backlog) return false;
    const { calls, end } = await store.ingestJournal(backlog.file, backlog.from, backlog.to, batchSize);
    if (end === backlog.from) {
      // No whole frame where one should start: the torn tail a crash left, or damage. Skip the rest.
      logger.warn({ segment: backlog.sequence, offset: backlog.from, bytes: backlog.to - backlog.from }, 'skipped an unreadable end of a journal segment');
      await journal.abandon(backlog.sequence);
      return true;
    }
    stored += calls;
    await journal.consumed(backlog.sequence, end);
    if (failures > 0) logger.info({ after_failures: failures }, 'store is writable again');
    failures = 0;
    // More is waiting at once when this read stopped short (a full batch) or a later segment waits too;
    // otherwise the next batch gathers first.
    const next = journal.backlog();
    return next !== undefined && (end < backlog.to || next.sequence !== backlog.sequence);
  }

  function schedule(delay: number): void {
    if (!ready || closed || storing || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      storing = storeWhileFull().finally(() => {
        storing = undefined;
        if (failures > 0) schedule(Math.min(30_000, retryMs * 2 ** Math.min(failures - 1, 7)));
        else if (journal.backlog()) schedule(gatherMs);
      });
    }, delay);
  }

  async function storeWhileFull(): Promise<void> {
    try {
      while (!closed && (await storeBatch()));
    } catch (error) {
      failures++;
      if (failures === 1 || failures % 30 === 0) {
        logger.error({ err: (error as Error).message, spool_bytes: journal.spoolBytes }, 'cannot write calls to the store; they wait in the journal');
      }
    }
  }

  void options.ready?.then(() => {
    ready = true;
    schedule(0);
  });

  return {
    async record(record, capture) {
      if (journal.bytesOnDisk > maxSpoolBytes) {
        dropped++;
        if (dropped === 1 || dropped % 1000 === 0) logger.error({ dropped, spool_bytes: journal.bytesOnDisk }, 'recording spool is full; calls are being dropped');
        return;
      }
      await journal.append(encodeFrame(JSON.stringify(record), capture));
      journaled++;
      schedule(gatherMs);
    },
    stats: () => ({ queued: Math.max(0, journaled - stored), spoolBytes: journal.spoolBytes, dropped, stored, failing: failures > 0 }),
    /** Stores what is journaled for up to `closeDrainMs` unless the store is failing; the journal keeps the rest for the next start. */
    async close() {
      closed = true;
      clearTimeout(timer);
      await storing;
      const deadline = Date.now() + (options.closeDrainMs ?? 5000);
      try {
        while (ready && failures === 0 && Date.now() < deadline && journal.backlog()) await storeBatch();
      } catch {
        // the journal keeps them
      }
      await journal.close();
    },
  };
}
