import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { CallRecord } from '../../recording/call-record.ts';
import type { CallFilters } from '../list-calls.ts';
import { sqlitePath } from '../open-executor.ts';
import { purgeAll } from '../purge.ts';
import type { CallDetail, Filters, GroupBy, Page, SessionSummary, Store, StoredCall, ToolCallRow, UsageRow } from '../store.ts';
import { WorkerClient } from './client.ts';

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * The Store the gateway uses: a proxy that posts each call to the thread(s) running the shared queries
 * (worker/host.ts), so no SQL work ever runs on the gateway's event loop.
 *
 * SQLite file: two threads, a writer (migrations, inserts, retention) and a read-only reader (dashboard
 * queries, WAL checkpoints); WAL lets the reader see committed data while the writer writes, so a slow
 * usage query never delays ingest. PostgreSQL (and `:memory:`): one thread; pg's pool runs its requests
 * side by side.
 */
export class WorkerStore implements Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly #writer: WorkerClient;
  readonly #reader: WorkerClient;

  private constructor(kind: 'sqlite' | 'postgres', writer: WorkerClient, reader: WorkerClient) {
    this.kind = kind;
    this.#writer = writer;
    this.#reader = reader;
  }

  static async open(url: string, options: { poolSize?: number } = {}): Promise<WorkerStore> {
    const file = sqlitePath(url);
    if (file === undefined || file === ':memory:') {
      // PostgreSQL needs no second thread; a private in-memory SQLite database exists only on its one connection.
      const only = await WorkerClient.start({ url, role: 'single', ...(options.poolSize ? { poolSize: options.poolSize } : {}) });
      return new WorkerStore(file === undefined ? 'postgres' : 'sqlite', only, only);
    }
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    // The writer opens first: it creates the file and switches it to WAL before the reader attaches.
    const writer = await WorkerClient.start({ url, role: 'writer' });
    const reader = await WorkerClient.start({ url, role: 'reader' }).catch(async (error: unknown) => {
      await writer.close();
      throw error;
    });
    return new WorkerStore('sqlite', writer, reader);
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
    return this.#reader.call('usage', [groupBy, filters]);
  }

  listCalls(filters: CallFilters, page: { limit: number; cursor?: string }): Promise<Page<CallRecord>> {
    return this.#reader.call('listCalls', [filters, page]);
  }

  async getCall(id: string): Promise<CallDetail | undefined> {
    const detail = await this.#reader.call<CallDetail | undefined>('getCall', [id]);
    // Buffers cross the thread boundary as plain Uint8Arrays; hand callers Buffers again (no copy).
    if (detail?.captures) {
      detail.captures.requestBody = asBuffer(detail.captures.requestBody);
      detail.captures.responseBody = asBuffer(detail.captures.responseBody);
    }
    return detail;
  }

  listSessions(filters: Filters & { sessionId?: string }, page: { limit: number; cursor?: string }): Promise<Page<SessionSummary>> {
    return this.#reader.call('listSessions', [filters, page]);
  }

  listToolCalls(filters: Filters & { name?: string; sessionId?: string }, page: { limit: number; cursor?: string }): Promise<Page<ToolCallRow>> {
    return this.#reader.call('listToolCalls', [filters, page]);
  }

  /** One message per bounded step, so inserts queued behind the purge run between its steps. */
  purgeCaptures(before: number, options: { toolCalls: boolean }): Promise<number> {
    return purgeAll((limit) => this.#writer.call('purgeStep', [before, options, limit]));
  }

  async close(): Promise<void> {
    if (this.#reader !== this.#writer) await this.#reader.close();
    await this.#writer.close();
  }
}
