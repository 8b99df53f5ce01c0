import type { CallRecord } from '../recording/call-record.ts';
import { CALL_COLUMNS, callValues, epochMs } from './call-rows.ts';
import { Rollups, type FailedRollupRow, type RollupRow, type SessionModelRow, type SessionRow, type Sums } from './rollup.ts';
import type { Executor, SqlValue } from './sql/executor.ts';
import { chunkedValues } from './sql/values.ts';
import type { StoredCall } from './store.ts';

const SUM_COLUMNS = ['requests', 'errors', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd', 'unpriced_requests'];
const sumValues = (s: Sums): SqlValue[] => [s.requests, s.errors, s.inputTokens, s.outputTokens, s.cacheReadTokens, s.cacheWriteTokens, s.reasoningTokens, s.costUsd, s.unpricedRequests];
/** A totals row's failed share (RollupRow's `failed`), in that order; the max last. */
const FAILED_COLUMNS = ['failed_input_tokens', 'failed_output_tokens', 'failed_cache_read_tokens', 'failed_cache_write_tokens', 'failed_reasoning_tokens', 'failed_cost_usd', 'failed_unpriced_requests', 'failed_latency_ms_sum', 'failed_latency_ms_max'];
const failedValues = ({ failed: f }: RollupRow): SqlValue[] => [
  f.inputTokens, f.outputTokens, f.cacheReadTokens, f.cacheWriteTokens, f.reasoningTokens, f.costUsd, f.unpricedRequests, f.latencyMsSum, f.latencyMsMax,
];
const addSums = (table: string, columns: readonly string[]) => columns.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ');
// Portable max/min: PostgreSQL spells them GREATEST/LEAST, SQLite as two-argument MAX/MIN.
const larger = (table: string, c: string) => `${c} = CASE WHEN excluded.${c} > ${table}.${c} THEN excluded.${c} ELSE ${table}.${c} END`;
const smaller = (table: string, c: string) => `${c} = CASE WHEN excluded.${c} < ${table}.${c} THEN excluded.${c} ELSE ${table}.${c} END`;

/**
 * Stores calls with their tool calls, captures and rollup increments in one transaction. Idempotent by
 * record id: calls go in with ON CONFLICT DO NOTHING … RETURNING id (both databases return only the rows
 * actually inserted), and only those are rolled up, so a journal replay changes nothing.
 */
export async function insertCalls(db: Executor, calls: readonly StoredCall[]): Promise<number> {
  if (calls.length === 0) return 0;
  return db.transaction(async (tx) => {
    const fresh = await insertCallRows(tx, calls);
    if (fresh.length === 0) return 0;
    await insertToolCalls(tx, fresh.map((call) => call.record));
    await insertCaptures(tx, fresh);
    const rollups = new Rollups();
    for (const call of fresh) rollups.add(call.record);
    await applyRollups(tx, rollups);
    return fresh.length;
  });
}

/** Inserts the calls not stored yet; returns those (the first of any id repeated within `calls`). */
export async function insertCallRows(tx: Executor, calls: readonly StoredCall[]): Promise<StoredCall[]> {
  const byId = new Map<string, StoredCall>();
  for (const call of calls) if (!byId.has(call.record.id)) byId.set(call.record.id, call);
  const fresh: StoredCall[] = [];
  const statements = chunkedValues(tx.dialect, [...byId.values()], CALL_COLUMNS.length, (call) => callValues(call.record),
    (values) => `INSERT INTO calls (${CALL_COLUMNS.join(', ')}) VALUES ${values} ON CONFLICT (id) DO NOTHING RETURNING id`);
  for (const { sql, params, reuse } of statements) {
    for (const row of await tx.query<{ id: string }>(sql, params, { reuse })) fresh.push(byId.get(String(row.id))!);
  }
  return fresh;
}

export async function insertToolCalls(tx: Executor, records: readonly CallRecord[]): Promise<void> {
  const rows = records.flatMap((r) => r.toolCalls.map((tool, position): SqlValue[] => [
    r.id, position, tool.id ?? null, tool.name, tool.arguments, epochMs(r.endedAt),
    r.login ?? null, r.agent ?? null, r.model ?? null, r.provider ?? null, r.sessionId ?? null,
  ]));
  const statements = chunkedValues(tx.dialect, rows, 11, (row) => row,
    (values) => `INSERT INTO tool_calls (call_id, position, id, name, arguments, at, login, agent, model, provider, session_id) VALUES ${values} ON CONFLICT (call_id, position) DO NOTHING`);
  for (const { sql, params, reuse } of statements) await tx.run(sql, params, { reuse });
}

export async function insertCaptures(tx: Executor, calls: readonly StoredCall[]): Promise<void> {
  const withCaptures = calls.filter((call) => call.captures !== undefined);
  // Bodies can be large: at most 32 rows per statement keeps one statement's parameters to a few MB.
  const statements = chunkedValues(tx.dialect, withCaptures, 6, ({ record, captures }) => [
    record.id, epochMs(record.endedAt), captures!.headers, captures!.requestBody, captures!.responseBody, captures!.truncated ? 1 : 0,
  ], (values) => `INSERT INTO captures (call_id, ended_at, headers, request_body, response_body, truncated) VALUES ${values} ON CONFLICT (call_id) DO NOTHING`, 32);
  for (const { sql, params, reuse } of statements) await tx.run(sql, params, { reuse });
}

/**
 * Adds rollup and session increments to what is stored (an upsert per key). Tables go in one fixed
 * order, each table's rows in key order, so concurrent PostgreSQL writers never deadlock.
 */
export async function applyRollups(tx: Executor, rollups: Rollups): Promise<void> {
  const key = ['bucket', 'login', 'agent', 'model', 'provider'];
  const latency = (table: string) => `latency_ms_sum = ${table}.latency_ms_sum + excluded.latency_ms_sum, ${larger(table, 'latency_ms_max')}`;
  // Totals, with the failed calls' share of each row.
  for (const [table, map] of [['rollups_hourly', rollups.hourly], ['rollups_daily', rollups.daily]] as const) {
    const columns = [...key, ...SUM_COLUMNS, 'latency_ms_sum', 'latency_ms_max', ...FAILED_COLUMNS];
    const statements = chunkedValues(tx.dialect, Rollups.sorted(map), columns.length, (r: RollupRow) => [
      r.bucket, r.login, r.agent, r.model, r.provider, ...sumValues(r), r.latencyMsSum, r.latencyMsMax, ...failedValues(r),
    ], (values) => `INSERT INTO ${table} (${columns.join(', ')})
      VALUES ${values}
      ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${addSums(table, SUM_COLUMNS)}, ${latency(table)},
        ${addSums(table, FAILED_COLUMNS.slice(0, -1))}, ${larger(table, 'failed_latency_ms_max')}`);
    for (const { sql, params, reuse } of statements) await tx.run(sql, params, { reuse });
  }
  // Failed calls by outcome: a few percent of calls, so a few more upserts per batch.
  for (const [table, map] of [['failed_rollups_hourly', rollups.failedHourly], ['failed_rollups_daily', rollups.failedDaily]] as const) {
    const columns = [...key, 'outcome', ...SUM_COLUMNS, 'latency_ms_sum', 'latency_ms_max'];
    const statements = chunkedValues(tx.dialect, Rollups.sorted(map), columns.length, (r: FailedRollupRow) => [
      r.bucket, r.login, r.agent, r.model, r.provider, r.outcome, ...sumValues(r), r.latencyMsSum, r.latencyMsMax,
    ], (values) => `INSERT INTO ${table} (${columns.join(', ')})
      VALUES ${values}
      ON CONFLICT (${key.join(', ')}, outcome) DO UPDATE SET ${addSums(table, SUM_COLUMNS)}, ${latency(table)}`);
    for (const { sql, params, reuse } of statements) await tx.run(sql, params, { reuse });
  }
  // takesAgent() in SQL; SET expressions all read the row as it was, so agent_at's test sees the old agent.
  const takesAgent = `excluded.agent <> '' AND (sessions.agent = '' OR excluded.agent_at < sessions.agent_at
    OR (excluded.agent_at = sessions.agent_at AND excluded.agent < sessions.agent))`;
  const sessions = chunkedValues(tx.dialect, Rollups.sorted(rollups.sessions), 15, (s: SessionRow) => [
    s.sessionId, s.login, s.agent, s.agentAt, s.firstAt, s.lastAt, ...sumValues(s),
  ], (values) => `INSERT INTO sessions (session_id, login, agent, agent_at, first_at, last_at, ${SUM_COLUMNS.join(', ')})
    VALUES ${values}
    ON CONFLICT (session_id, login) DO UPDATE SET ${addSums('sessions', SUM_COLUMNS)},
      agent = CASE WHEN ${takesAgent} THEN excluded.agent ELSE sessions.agent END,
      agent_at = CASE WHEN ${takesAgent} THEN excluded.agent_at ELSE sessions.agent_at END,
      ${smaller('sessions', 'first_at')}, ${larger('sessions', 'last_at')}`);
  for (const { sql, params, reuse } of sessions) await tx.run(sql, params, { reuse });
  const models = chunkedValues(tx.dialect, Rollups.sorted(rollups.sessionModels), 4, (m: SessionModelRow) => [m.sessionId, m.login, m.model, m.provider],
    (values) => `INSERT INTO session_models (session_id, login, model, provider) VALUES ${values} ON CONFLICT (session_id, login, model, provider) DO NOTHING`);
  for (const { sql, params, reuse } of models) await tx.run(sql, params, { reuse });
}
