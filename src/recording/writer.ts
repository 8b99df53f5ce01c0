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
  /** Most calls held in memory while the store is slow or down; past it they wait in the journal only. */
  maxQueued?: number;
  /** Journal bytes (the on-disk spool) past which new calls are dropped and logged. */
  maxSpoolBytes?: number;
  /**
   * How long calls gather before a batch leaves (unless a whole batch is ready). Fewer, larger batches
   * cost less: each transaction rewrites the last page of every index it touches, so at 25 ms SQLite
   * wrote ~2.8 pages per call (`strace -c`, c=16). Calls are durable in the journal meanwhile.
   */
  gatherMs?: number;
};

/**
 * The durable recorder: journal first (the data plane waits only for that), then batched inserts
 * into the store off the data plane. While the store is down the gateway keeps serving: calls wait
 * in memory up to `maxQueued`, then in the journal on disk up to `maxSpoolBytes`, and are written
 * when the store is back.
 */
export function createRecordWriter(options: WriterOptions): Recorder & { close(): Promise<void>; stats(): WriterStats; replay(leftovers: number[]): void } {
  const { store, journal, logger } = options;
  const batchSize = options.batchSize ?? 500;
  const maxQueued = options.maxQueued ?? 20_000;
  const maxSpoolBytes = options.maxSpoolBytes ?? 2 * 1024 ** 3;
  const gatherMs = options.gatherMs ?? 200;
  const gather = () => new Promise((resolve) => setTimeout(resolve, gatherMs));
  let queue: Pending[] = [];
  /** Segments some of whose calls were dropped from memory: they are re-read from disk once the store is back. */
  const overflowed = new Set<number>();
  let running: Promise<void> | undefined;
  let failures = 0;
  let dropped = 0;
  let stored = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

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

  async function commit(batch: Pending[]): Promise<void> {
    await store.insertCalls(await toStored(batch));
    stored += batch.length;
    const bySegment = new Map<number, number>();
    for (const pending of batch) bySegment.set(pending.segment, (bySegment.get(pending.segment) ?? 0) + 1);
    for (const [segment, count] of bySegment) await journal.commit(segment, count);
  }

  /** Re-reads journal segments whose calls fell out of memory; the store ignores ones it already has. */
  async function catchUp(): Promise<void> {
    if (overflowed.has(journal.currentSegment) && !queue.some((pending) => pending.segment === journal.currentSegment)) await journal.rotate();
    for (const sequence of [...overflowed].sort((a, b) => a - b)) {
      if (!journal.closedSegments().includes(sequence) || queue.some((pending) => pending.segment === sequence)) continue;
      const records = await journal.read(sequence);
      for (let i = 0; i < records.length; i += batchSize) await store.insertCalls(records.slice(i, i + batchSize).map((record) => ({ record })));
      overflowed.delete(sequence);
      await journal.forget(sequence);
      logger.info({ segment: sequence, calls: records.length }, 'recording caught up from the journal');
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0 || overflowed.size > 0) {
      if (queue.length < batchSize && !closed) await gather();
      const batch = queue.slice(0, batchSize);
      try {
        if (batch.length > 0) await commit(batch);
        queue = queue.slice(batch.length);
        await catchUp();
        if (failures > 0) logger.info({ after_failures: failures }, 'store is writable again');
        failures = 0;
      } catch (error) {
        failures++;
        if (failures === 1 || failures % 30 === 0) {
          logger.error({ err: (error as Error).message, queued: queue.length, spool_bytes: journal.spoolBytes }, 'cannot write calls to the store; they wait in the journal');
        }
        if (closed) return;
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 250 * 2 ** Math.min(failures, 7))));
      }
      if (queue.length === 0 && overflowed.size > 0 && journal.closedSegments().every((sequence) => !overflowed.has(sequence))) break;
    }
  }

  function schedule(): void {
    if (running || closed) return;
    running = drain().finally(() => {
      running = undefined;
      if (queue.length > 0 || overflowed.size > 0) timer = setTimeout(schedule, 1000);
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
      if (queue.length >= maxQueued) {
        overflowed.add(segment);
        if (overflowed.size === 1 && queue.length === maxQueued) logger.warn({ queued: queue.length }, 'store is behind; new calls wait in the journal only');
      } else {
        queue.push({ record, json, capture, segment });
      }
      if (!running) schedule();
    },
    /** Segments a previous run left behind (a crash, or a store that was down) are stored in the background. */
    replay(leftovers) {
      for (const sequence of leftovers) overflowed.add(sequence);
      schedule();
    },
    stats: () => ({ queued: queue.length, spoolBytes: journal.spoolBytes, dropped, stored, failing: failures > 0 }),
    async close() {
      clearTimeout(timer);
      closed = true; // a failing store is tried once more below, not retried forever: the journal keeps the rest
      await running;
      if (queue.length > 0) await drain().catch(() => {});
      await compressor.close();
      await journal.close();
    },
  };
}

export type WriterStats = { queued: number; spoolBytes: number; dropped: number; stored: number; failing: boolean };
