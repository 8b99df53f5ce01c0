import type { CallRecord } from '../recording/call-record.ts';

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

export type GroupBy = 'user' | 'agent' | 'model' | 'provider' | 'day' | 'hour';

/** Filters every read takes. `login` set = the viewer is a user and sees only their own calls. */
export type Filters = {
  from?: number;
  to?: number;
  login?: string;
  model?: string;
  agent?: string;
  provider?: string;
  outcome?: string;
};

/** One row of `GET /api/usage`, aggregated from rollups (never from raw calls). */
export type UsageRow = {
  key: string;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costUsd: number;
  /** Calls whose cost was unknown (unpriced model or unreported usage): not counted as $0 silently. */
  unpricedRequests: number;
  latencyMsAvg: number;
  latencyMsMax: number;
};

export type Page<T> = { items: T[]; nextCursor?: string };

export type SessionSummary = {
  sessionId: string;
  login?: string;
  agent?: string;
  firstAt: number;
  lastAt: number;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  models: string[];
};

export type ToolCallRow = { callId: string; at: number; login?: string; agent?: string; model?: string; sessionId?: string; id?: string; name: string; arguments: string };

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
