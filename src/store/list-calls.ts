import type { CallRecord } from '../recording/call-record.ts';
import { CALL_COLUMNS, callFromRow, type CallRow } from './call-rows.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { Executor } from './sql/executor.ts';
import { outcomeTerms, Params, where } from './sql/params.ts';
import type { Filters, Page } from './store.ts';

export type CallFilters = Filters & { sessionId?: string };

/**
 * Calls newest first by keyset pagination on (started_at, id): the cursor is the last row's key and the
 * next page is everything strictly below it, so equal timestamps neither repeat nor drop rows, and a
 * deep page costs the same as the first (no OFFSET).
 */
export async function listCalls(db: Executor, filters: CallFilters, page: { limit: number; cursor?: string }): Promise<Page<CallRecord>> {
  const params = new Params();
  const terms = [
    ...(filters.from === undefined ? [] : [`started_at >= ${params.bind(filters.from)}`]),
    ...(filters.to === undefined ? [] : [`started_at < ${params.bind(filters.to)}`]),
    ...params.equals('login', filters.login),
    ...params.equals('agent', filters.agent),
    ...params.equals('model', filters.model),
    ...params.equals('provider', filters.provider),
    ...params.equals('session_id', filters.sessionId),
    ...outcomeTerms(params, filters.outcome),
  ];
  if (page.cursor !== undefined) {
    const [startedAt, id] = decodeCursor(page.cursor, ['number', 'string']);
    terms.push(`(started_at, id) < (${params.bind(startedAt)}, ${params.bind(id)})`);
  }
  const limit = Math.max(1, Math.min(page.limit, 1000));
  const rows = await db.query<CallRow>(
    `SELECT ${CALL_COLUMNS.join(', ')} FROM calls ${where(terms)} ORDER BY started_at DESC, id DESC LIMIT ${params.bind(limit + 1)}`,
    params.values,
  );
  const items = rows.slice(0, limit).map(callFromRow);
  await attachToolCalls(db, items);
  const last = items.at(-1);
  return rows.length > limit && last ? { items, nextCursor: encodeCursor([last.startedAt, last.id]) } : { items };
}

/** Fills each record's `toolCalls` from the tool_calls table (one query for the page). */
export async function attachToolCalls(db: Executor, records: CallRecord[]): Promise<void> {
  if (records.length === 0) return;
  const params = new Params();
  const ids = records.map((record) => params.bind(record.id));
  const rows = await db.query<{ call_id: string; id: string | null; name: string; arguments: string }>(
    `SELECT call_id, id, name, arguments FROM tool_calls WHERE call_id IN (${ids.join(', ')}) ORDER BY call_id, position`,
    params.values,
  );
  const byId = new Map(records.map((record) => [record.id, record]));
  for (const row of rows) {
    byId.get(String(row.call_id))?.toolCalls.push(row.id === null ? { name: row.name, arguments: row.arguments } : { id: row.id, name: row.name, arguments: row.arguments });
  }
}
