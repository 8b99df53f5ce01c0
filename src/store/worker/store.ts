import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { CallRecord } from '../../recording/call-record.ts';
import type { CallFilters } from '../list-calls.ts';
import { sqlitePath } from '../storage-url.ts';
import { purgeAll } from '../purge.ts';
import type { CallDetail, Filters, GroupBy, Page, SessionSummary, Store, StoredCall, ToolCallRow, UsageRow } from '../store.ts';
import { WorkerClient } from './client.ts';
import type { WorkerMethod, WorkerOptions } from './protocol.ts';

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A SQLite reader thread that served no read for this long ends; the next read starts another. */
const DEFAULT_READER_IDLE_MS = 60_000;

/**
 * The Store the gateway uses: a proxy that posts each call to the thread(s) running the shared queries
 * (worker/host.ts), so no SQL work ever runs on the gateway's event loop.
 *
 * SQLite file: a writer thread (migrations, inserts, retention, WAL checkpoints) and, while someone reads
 * (dashboard, usage API), a read-only reader thread; WAL lets the reader see committed data while the
 * writer writes, so a slow usage query never delays ingest. The reader starts with the first read and
 * ends after a minute without one: a gateway nobody is looking at keeps one thread (and its heap
 * and page cache, some 20 MB) instead of two. PostgreSQL (and `:memory:`): one thread; pg's pool runs
 * its requests side by side.
 */
export class WorkerStore implements Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly #writer: WorkerClient;
  /** Set for a SQLite file: how to start its reader thread. */
  readonly #readerOptions: WorkerOptions | undefined;
  readonly #readerIdleMs: number;
  #reader: Promise<WorkerClient> | undefined;
  #readerIdle: NodeJS.Timeout | undefined;

  private constructor(kind: 'sqlite' | 'postgres', writer: WorkerClient, readerOptions?: WorkerOptions, readerIdleMs = DEFAULT_READER_IDLE_MS) {
    this.kind = kind;
    this.#writer = writer;
    this.#readerOptions = readerOptions;
    this.#readerIdleMs = readerIdleMs;
  }

  static async open(url: string, options: { poolSize?: number; readerIdleMs?: number } = {}): Promise<WorkerStore> {
    const file = sqlitePath(url);
    if (file === undefined || file === ':memory:') {
      // PostgreSQL needs no second thread; a private in-memory SQLite database exists only on its one connection.
      const only = await WorkerClient.start({ url, role: 'single', ...(options.poolSize ? { poolSize: options.poolSize } : {}) });
      return new WorkerStore(file === undefined ? 'postgres' : 'sqlite', only);
    }
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    // The writer opens first: it creates the file and switches it to WAL before any reader attaches.
    const writer = await WorkerClient.start({ url, role: 'writer' });
    return new WorkerStore('sqlite', writer, { url, role: 'reader' }, options.readerIdleMs);
  }

  /** A read on the reader thread (started if none runs), or on the only thread. */
  async #read<T>(method: WorkerMethod, args: unknown[]): Promise<T> {
    if (!this.#readerOptions) return this.#writer.call<T>(method, args);
    const starting = (this.#reader ??= WorkerClient.start(this.#readerOptions));
    let reader: WorkerClient;
    try {
      reader = await starting;
    } catch (error) {
      if (this.#reader === starting) this.#reader = undefined; // the next read tries again
      throw error;
    }
    try {
      return await reader.call<T>(method, args);
    } finally {
      this.#stopWhenIdle(reader, starting);
    }
  }

  #stopWhenIdle(reader: WorkerClient, started: Promise<WorkerClient>): void {
    if (this.#readerIdle) return void this.#readerIdle.refresh();
    this.#readerIdle = setTimeout(() => {
      this.#readerIdle = undefined;
      if (this.#reader !== started) return;
      if (!reader.idle) return this.#stopWhenIdle(reader, started);
      this.#reader = undefined;
      void reader.close().catch(() => {});
    }, this.#readerIdleMs);
    this.#readerIdle.unref();
  }

  migrate(): Promise<void> {
    return this.#writer.call('migrate');
  }

  /**
   * The records cross to the thread as one JSON string: structured clone walks every property of
   * every record on the event loop, a string is one copy.
   */
  insertCalls(calls: readonly StoredCall[]): Promise<void> {
    const records = `[${calls.map((call) => JSON.stringify(call.record)).join(',')}]`;
    return this.#writer.call('insertCalls', [records, calls.map((call) => call.captures ?? null)]);
  }

  /** The store's thread reads the journal itself: only offsets cross, never the calls. */
  ingestJournal(file: string, from: number, to: number, maxCalls: number): Promise<{ calls: number; end: number }> {
    return this.#writer.call('ingestJournal', [file, from, to, maxCalls]);
  }

  usage(groupBy: GroupBy, filters: Filters): Promise<UsageRow[]> {
    return this.#read('usage', [groupBy, filters]);
  }

  listCalls(filters: CallFilters, page: { limit: number; cursor?: string }): Promise<Page<CallRecord>> {
    return this.#read('listCalls', [filters, page]);
  }

  async getCall(id: string): Promise<CallDetail | undefined> {
    const detail = await this.#read<CallDetail | undefined>('getCall', [id]);
    // Buffers cross the thread boundary as plain Uint8Arrays; hand callers Buffers again (no copy).
    if (detail?.captures) {
      detail.captures.requestBody = asBuffer(detail.captures.requestBody);
      detail.captures.responseBody = asBuffer(detail.captures.responseBody);
    }
    return detail;
  }

  listSessions(filters: Filters & { sessionId?: string }, page: { limit: number; cursor?: string }): Promise<Page<SessionSummary>> {
    return this.#read('listSessions', [filters, page]);
  }

  listToolCalls(filters: Filters & { name?: string; sessionId?: string }, page: { limit: number; cursor?: string }): Promise<Page<ToolCallRow>> {
    return this.#read('listToolCalls', [filters, page]);
  }

  /** One message per bounded step, so inserts queued behind the purge run between its steps. */
  purgeCaptures(before: number, options: { toolCalls: boolean }): Promise<number> {
    return purgeAll((limit) => this.#writer.call('purgeStep', [before, options, limit]));
  }

  async close(): Promise<void> {
    clearTimeout(this.#readerIdle);
    const reader = await this.#reader?.catch(() => undefined);
    this.#reader = undefined;
    await reader?.close();
    await this.#writer.close();
  }
}
