import type { Logger } from '../logger.ts';
import type { Store, StoredCall } from '../store/store.ts';
import type { CallRecord } from './call-record.ts';
import type { CallCapture, Recorder } from './recorder.ts';
import type { Journal } from './journal.ts';
import { compressFromBytes } from './capture-codec.ts';
import { compact, createCompressor } from './compressor.ts';
import { redactHeaders, redactRawHeaders } from './redact.ts';

type Pending = { record: CallRecord; json: string; capture?: CallCapture; segment: number };

export type WriterOptions = {
  store: Store;
  journal: Journal;
  logger: Logger;
  /** Calls per store transaction. */
  batchSize?: number;
  /** Most calls handed to the store and not yet stored; past it new calls wait in the journal only. */
  maxQueued?: number;
  /** Journal bytes (the on-disk spool) past which new calls are dropped and logged. */
  maxSpoolBytes?: number;
  /** How long calls gather before a batch leaves (unless a whole batch is ready). */
  gatherMs?: number;
  /** First wait before a failing store is tried again; it doubles up to 30 s. */
  retryMs?: number;
};

export type WriterStats = { queued: number; spoolBytes: number; dropped: number; stored: number; failing: boolean };

/**
 * The durable recorder: journal first (the data plane waits only for that), then batched inserts
 * into the store off the data plane.
 *
 * Each batch is handed to the store as soon as it is gathered, without waiting for the previous one:
 * the store's thread queues what it has not written yet, so a backlog (a store slower than the
 * traffic, or one starved of CPU by a saturated data plane, see background-thread.ts) never sits on
 * the gateway's heap, where every garbage collection would copy it. While the store fails, or past
 * `maxQueued` calls in its queue, calls wait in the journal on disk (up to `maxSpoolBytes`) and are
 * re-read from there once the store takes them; its inserts are idempotent, so a call read twice is
 * stored once.
 */
export function createRecordWriter(options: WriterOptions): Recorder & { close(): Promise<void>; stats(): WriterStats; replay(leftovers: number[]): void } {
  const { store, journal, logger } = options;
  const batchSize = options.batchSize ?? 500;
  const maxQueued = options.maxQueued ?? 20_000;
  const maxSpoolBytes = options.maxSpoolBytes ?? 2 * 1024 ** 3;
  const gatherMs = options.gatherMs ?? 25;
  const retryMs = options.retryMs ?? 250;

  let gathering: Pending[] = [];
  let gatherTimer: NodeJS.Timeout | undefined;
  /** Calls handed to the store and not yet stored (or failed). */
  let queued = 0;
  /** Calls per journal segment that are gathering or queued: such a segment is not replayed from disk yet. */
  const inMemory = new Map<number, number>();
  const sending = new Set<Promise<void>>();
  /** Segments with calls that are only in the journal: re-read from disk once the store takes them. */
  const overflowed = new Set<number>();
  let catchingUp: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let dropped = 0;
  let stored = 0;
  let closed = false;

  const compressor = createCompressor();

  /**
   * Redacts here; compresses large parts in the worker (one round trip per batch, and none when every
   * part is too small to be worth compressing — they are stored as they are, see capture-codec.ts).
   */
  async function toStored(batch: Pending[]): Promise<StoredCall[]> {
    const parts = batch.map(({ capture }) =>
      capture && {
        headers: compact([Buffer.from(JSON.stringify({ request: redactRawHeaders(capture.requestHeaders), response: redactHeaders(capture.responseHeaders) }))]),
        request: compact([capture.requestBody]),
        response: compact(capture.responseChunks),
      },
    );
    const large = parts.filter((part) => part && (part.headers.length >= compressFromBytes || part.request.length >= compressFromBytes || part.response.length >= compressFromBytes));
    const compressed = new Map(large.length === 0 ? [] : (await compressor.compress(large.map((part) => ({ ...part!, headers: Buffer.from(part!.headers).toString() })))).map((done, index) => [large[index], done]));
    return batch.map((pending, index) => {
      const part = parts[index];
      if (!part) return { record: pending.record, json: pending.json };
      const done = compressed.get(part);
      const bytes = (value: Uint8Array) => Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      return {
        record: pending.record,
        json: pending.json,
        captures: {
          headers: done?.headers ?? bytes(part.headers),
          requestBody: done?.request ?? bytes(part.request),
          responseBody: done?.response ?? bytes(part.response),
          truncated: pending.capture!.truncated,
        },
      };
    });
  }

  function countBySegment(batch: readonly Pending[]): Map<number, number> {
    const counts = new Map<number, number>();
    for (const pending of batch) counts.set(pending.segment, (counts.get(pending.segment) ?? 0) + 1);
    return counts;
  }

  function release(counts: Map<number, number>): void {
    for (const [segment, count] of counts) {
      const left = (inMemory.get(segment) ?? 0) - count;
      if (left > 0) inMemory.set(segment, left);
      else inMemory.delete(segment);
    }
  }

  function failed(error: unknown): void {
    failures++;
    if (failures === 1 || failures % 30 === 0) {
      logger.error({ err: (error as Error).message, queued, spool_bytes: journal.spoolBytes }, 'cannot write calls to the store; they wait in the journal');
    }
  }

  function recovered(): void {
    if (failures > 0) logger.info({ after_failures: failures }, 'store is writable again');
    failures = 0;
  }

  function send(batch: Pending[]): void {
    const counts = countBySegment(batch);
    queued += batch.length;
    const sent = (async () => {
      try {
        await store.insertCalls(await toStored(batch));
        stored += batch.length;
        for (const [segment, count] of counts) await journal.commit(segment, count);
        recovered();
      } catch (error) {
        for (const segment of counts.keys()) overflowed.add(segment);
        failed(error);
      } finally {
        queued -= batch.length;
        release(counts);
      }
      scheduleCatchUp();
    })();
    sending.add(sent);
    void sent.finally(() => sending.delete(sent));
  }

  function flush(): void {
    clearTimeout(gatherTimer);
    gatherTimer = undefined;
    for (let start = 0; start < gathering.length; start += batchSize) send(gathering.slice(start, start + batchSize));
    gathering = [];
  }

  /** Re-reads journal segments whose calls are only on disk; the store ignores ones it already has. Returns how many it stored. */
  async function catchUp(): Promise<number> {
    let done = 0;
    if (overflowed.has(journal.currentSegment) && !inMemory.has(journal.currentSegment)) await journal.rotate();
    for (const sequence of [...overflowed].sort((a, b) => a - b)) {
      if (!journal.closedSegments().includes(sequence) || inMemory.has(sequence)) continue;
      const records = await journal.read(sequence);
      for (let i = 0; i < records.length; i += batchSize) await store.insertCalls(records.slice(i, i + batchSize).map((record) => ({ record })));
      stored += records.length;
      overflowed.delete(sequence);
      await journal.forget(sequence);
      logger.info({ segment: sequence, calls: records.length }, 'recording caught up from the journal');
      done++;
    }
    return done;
  }

  function scheduleCatchUp(): void {
    if (catchingUp || retryTimer || overflowed.size === 0 || closed) return;
    // Only a segment actually stored proves a failing store writable again.
    catchingUp = catchUp().then((done) => void (done > 0 && recovered()), failed).finally(() => {
      catchingUp = undefined;
      if (overflowed.size === 0 || closed) return;
      // Failing: back off. Otherwise a segment was still open or in memory: look again shortly.
      const wait = failures > 0 ? Math.min(30_000, retryMs * 2 ** Math.min(failures - 1, 7)) : 1000;
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        scheduleCatchUp();
      }, wait);
    });
  }

  return {
    async record(record, capture) {
      if (journal.spoolBytes > maxSpoolBytes) {
        dropped++;
        if (dropped === 1 || dropped % 1000 === 0) logger.error({ dropped, spool_bytes: journal.spoolBytes }, 'recording spool is full; calls are being dropped');
        return;
      }
      const json = JSON.stringify(record);
      const segment = await journal.append(json);
      if (failures > 0 || queued + gathering.length >= maxQueued) {
        if (failures === 0 && !overflowed.has(segment)) logger.warn({ queued }, 'store is behind; new calls wait in the journal only');
        overflowed.add(segment);
        scheduleCatchUp();
        return;
      }
      gathering.push({ record, json, capture, segment });
      inMemory.set(segment, (inMemory.get(segment) ?? 0) + 1);
      if (gathering.length >= batchSize) flush();
      else gatherTimer ??= setTimeout(flush, gatherMs);
    },
    /** Segments a previous run left behind (a crash, or a store that was down) are stored in the background. */
    replay(leftovers) {
      for (const sequence of leftovers) overflowed.add(sequence);
      scheduleCatchUp();
    },
    stats: () => ({ queued: queued + gathering.length, spoolBytes: journal.spoolBytes, dropped, stored, failing: failures > 0 }),
    /** Writes what is gathered and waits for the store; a failing store is not retried: the journal keeps the rest. */
    async close() {
      flush();
      closed = true;
      clearTimeout(retryTimer);
      await Promise.allSettled([...sending]);
      await catchingUp;
      await compressor.close();
      await journal.close();
    },
  };
}
