import type { CallRecord } from '../recording/call-record.ts';
import type { Filters, GroupBy, Page, SessionSummary, ToolCallRow, UsageRow } from './read-models.ts';

/**
 * A finished call as stored: the record plus its captures, already redacted and compressed by the
 * recording pipeline (zstd). Captures are absent under zero retention or when they were purged.
 */
export type StoredCall = {
  record: CallRecord;
  captures?: {
    /** JSON `{"request": {name: value}, "response": {name: value}}`, credentials redacted; zstd-compressed when large (recording/capture-codec.ts). */
    headers: Buffer;
    /** The bytes as they crossed the wire (a stream's verbatim), zstd-compressed when large. */
    requestBody: Buffer;
    responseBody: Buffer;
    /** True when a body was longer than the capture limit and was cut. */
    truncated: boolean;
  };
};

// The shapes reads return live apart, free of Node types, so the web UI can import them too.
export type { Filters, GroupBy, Page, SessionSummary, ToolCallRow, UsageRow } from './read-models.ts';

export type CallDetail = { record: CallRecord; captures?: { headers: unknown; requestBody: Buffer; responseBody: Buffer; truncated: boolean } };

/**
 * The only module that talks SQL. Two implementations behind it: SQLite (default, one file, WAL, in a
 * worker thread so no query blocks the data plane) and PostgreSQL (several replicas).
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Applies pending versioned migrations. */
  migrate(): Promise<void>;
  /** Inserts calls, their captures, tool calls and rollup increments in one transaction. Idempotent by record id (journal replay may repeat a call). */
  insertCalls(calls: readonly StoredCall[]): Promise<void>;
  /**
   * Stores up to `maxCalls` whole calls journaled between bytes `from` and `to` of a journal segment
   * (recording/journal-frame.ts), reading and compressing them where the store runs; returns how many
   * and the offset just past the last one.
   */
  ingestJournal(file: string, from: number, to: number, maxCalls: number): Promise<{ calls: number; end: number }>;
  usage(groupBy: GroupBy, filters: Filters): Promise<UsageRow[]>;
  /** Newest first; `cursor` is opaque. */
  listCalls(filters: Filters & { sessionId?: string }, page: { limit: number; cursor?: string }): Promise<Page<CallRecord>>;
  getCall(id: string): Promise<CallDetail | undefined>;
  /** Most recently active first. `sessionId` picks one session (`GET /api/sessions/:id`; one row per login that used the id). */
  listSessions(filters: Filters & { sessionId?: string }, page: { limit: number; cursor?: string }): Promise<Page<SessionSummary>>;
  listToolCalls(filters: Filters & { name?: string; sessionId?: string }, page: { limit: number; cursor?: string }): Promise<Page<ToolCallRow>>;
  /** Retention: drops captures (and with `toolCalls: true`, tool calls too) of calls that ended before `before`. Returns how many calls were affected. */
  purgeCaptures(before: number, options: { toolCalls: boolean }): Promise<number>;
  close(): Promise<void>;
}
