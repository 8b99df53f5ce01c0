import type { CallRecord, Outcome } from '../recording/call-record.ts';
import type { EndpointId } from '../dialects/dialect.ts';
import type { Usage } from '../metering/usage.ts';
import type { SqlValue } from './sql/executor.ts';

/** The `calls` columns in insert order; `callValues` lists a record's values in the same order. */
export const CALL_COLUMNS = [
  'id', 'started_at', 'first_byte_at', 'ended_at', 'overhead_ms', 'method', 'path', 'endpoint',
  'login', 'identity_source', 'node', 'tags', 'user_agent', 'agent', 'session_id', 'provider', 'model',
  'upstream_model', 'response_model', 'stream', 'status', 'outcome', 'error_kind',
  'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'cache_write_5m_tokens',
  'cache_write_1h_tokens', 'reasoning_tokens', 'cost_usd', 'cost_basis', 'finish_reason', 'bytes_in', 'bytes_out',
] as const;

export type CallRow = Record<(typeof CALL_COLUMNS)[number], unknown>;

/** Columns are BIGINT: epoch milliseconds are whole numbers (Date.now()); a fractional one is rounded. */
export function epochMs(value: number): number {
  return Math.round(value);
}

const opt = (value: string | number | undefined): SqlValue => value ?? null;
const optMs = (value: number | undefined): SqlValue => (value === undefined ? null : epochMs(value));

export function callValues(r: CallRecord): SqlValue[] {
  const u = r.usage;
  return [
    r.id, epochMs(r.startedAt), optMs(r.firstByteAt), epochMs(r.endedAt), r.overheadMs, r.method, r.path, opt(r.endpoint),
    opt(r.login), opt(r.identitySource), opt(r.node), r.tags === undefined ? null : JSON.stringify(r.tags), opt(r.userAgent),
    opt(r.agent), opt(r.sessionId), opt(r.provider), opt(r.model),
    opt(r.upstreamModel), opt(r.responseModel), r.stream ? 1 : 0, r.status, r.outcome, opt(r.errorKind),
    opt(u.inputTokens), opt(u.outputTokens), opt(u.cacheReadTokens), opt(u.cacheWriteTokens), opt(u.cacheWrite5mTokens),
    opt(u.cacheWrite1hTokens), opt(u.reasoningTokens), opt(r.costUsd), opt(r.costBasis), opt(r.finishReason), r.bytesIn, r.bytesOut,
  ];
}

// NULL columns become absent keys, so a record read back equals the record written (no `key: undefined`).
function put<T extends object, K extends keyof T>(target: T, key: K, value: unknown, as: (v: unknown) => T[K]): void {
  if (value !== null && value !== undefined) target[key] = as(value);
}
const str = (v: unknown) => String(v);
const num = (v: unknown) => Number(v);

/** A `calls` row back into a CallRecord; tool calls come from their own table (`toolCalls` fills them). */
export function callFromRow(row: CallRow): CallRecord {
  const usage: Usage = {};
  put(usage, 'inputTokens', row.input_tokens, num);
  put(usage, 'outputTokens', row.output_tokens, num);
  put(usage, 'cacheReadTokens', row.cache_read_tokens, num);
  put(usage, 'cacheWriteTokens', row.cache_write_tokens, num);
  put(usage, 'cacheWrite5mTokens', row.cache_write_5m_tokens, num);
  put(usage, 'cacheWrite1hTokens', row.cache_write_1h_tokens, num);
  put(usage, 'reasoningTokens', row.reasoning_tokens, num);
  const record: CallRecord = {
    id: String(row.id),
    startedAt: Number(row.started_at),
    endedAt: Number(row.ended_at),
    overheadMs: Number(row.overhead_ms),
    method: String(row.method),
    path: String(row.path),
    stream: Number(row.stream) === 1,
    status: Number(row.status),
    outcome: String(row.outcome) as Outcome,
    usage,
    toolCalls: [],
    bytesIn: Number(row.bytes_in),
    bytesOut: Number(row.bytes_out),
  };
  put(record, 'firstByteAt', row.first_byte_at, num);
  put(record, 'endpoint', row.endpoint, (v) => String(v) as EndpointId);
  put(record, 'login', row.login, str);
  put(record, 'identitySource', row.identity_source, str);
  put(record, 'node', row.node, str);
  put(record, 'tags', row.tags, (v) => JSON.parse(String(v)) as string[]);
  put(record, 'userAgent', row.user_agent, str);
  put(record, 'agent', row.agent, str);
  put(record, 'sessionId', row.session_id, str);
  put(record, 'provider', row.provider, str);
  put(record, 'model', row.model, str);
  put(record, 'upstreamModel', row.upstream_model, str);
  put(record, 'responseModel', row.response_model, str);
  put(record, 'errorKind', row.error_kind, str);
  put(record, 'costUsd', row.cost_usd, num);
  put(record, 'costBasis', row.cost_basis, str);
  put(record, 'finishReason', row.finish_reason, str);
  return record;
}
