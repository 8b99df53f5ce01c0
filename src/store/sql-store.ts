import type { CallRecord } from '../recording/call-record.ts';
import { readFrames } from '../recording/journal-frame.ts';
import { getCall } from './get-call.ts';
import { listCalls, type CallFilters } from './list-calls.ts';
import { listSessions } from './list-sessions.ts';
import { listToolCalls } from './list-tool-calls.ts';
import { migrate } from './migrations.ts';
import { purgeAll, purgeStep, PURGE_BATCH } from './purge.ts';
import type { Executor } from './sql/executor.ts';
import type { CallDetail, Filters, GroupBy, Page, SessionSummary, Store, StoredCall, ToolCallRow, UsageRow } from './store.ts';
import { usage } from './usage.ts';
import { insertCalls } from './write.ts';

/**
 * The Store over any Executor: the one set of queries both databases run. PostgreSQL uses it directly
 * on a pool; SQLite runs it inside its worker thread (sqlite/worker.ts) behind a message-passing proxy.
 */
export class SqlStore implements Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly db: Executor;

  constructor(db: Executor) {
    this.db = db;
    this.kind = db.dialect.name;
  }

  async migrate(): Promise<void> {
    await migrate(this.db);
  }

  async insertCalls(calls: readonly StoredCall[]): Promise<void> {
    await insertCalls(this.db, calls);
  }

  async ingestJournal(file: string, from: number, to: number, maxCalls: number): Promise<{ calls: number; end: number }> {
    const { calls, end } = readFrames(file, from, to, maxCalls);
    if (calls.length > 0) await insertCalls(this.db, calls);
    return { calls: calls.length, end };
  }

  usage(groupBy: GroupBy, filters: Filters): Promise<UsageRow[]> {
    return usage(this.db, groupBy, filters);
  }

  listCalls(filters: CallFilters, page: { limit: number; cursor?: string }): Promise<Page<CallRecord>> {
    return listCalls(this.db, filters, page);
  }

  getCall(id: string): Promise<CallDetail | undefined> {
    return getCall(this.db, id);
  }

  listSessions(filters: Filters & { sessionId?: string }, page: { limit: number; cursor?: string }): Promise<Page<SessionSummary>> {
    return listSessions(this.db, filters, page);
  }

  listToolCalls(filters: Filters & { name?: string; sessionId?: string }, page: { limit: number; cursor?: string }): Promise<Page<ToolCallRow>> {
    return listToolCalls(this.db, filters, page);
  }

  purgeStep(before: number, options: { toolCalls: boolean }, limit = PURGE_BATCH): Promise<{ captures: number; toolCalls: number }> {
    return purgeStep(this.db, before, options, limit);
  }

  purgeCaptures(before: number, options: { toolCalls: boolean }): Promise<number> {
    return purgeAll((limit) => this.purgeStep(before, options, limit));
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
