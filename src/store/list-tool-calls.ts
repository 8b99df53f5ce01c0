import { decodeCursor, encodeCursor } from './cursor.ts';
import type { Executor } from './sql/executor.ts';
import { Params, where } from './sql/params.ts';
import type { Filters, Page, ToolCallRow } from './store.ts';

type Raw = { call_id: string; position: number; id: string | null; name: string; arguments: string; at: number; login: string | null; agent: string | null; model: string | null; session_id: string | null };

/**
 * Tool calls newest first (`at` is the end of the call that carried them), keyset-paginated on
 * (at, call_id, position). Filters read denormalised columns, never joining calls; `outcome` is ignored.
 */
export async function listToolCalls(db: Executor, filters: Filters & { name?: string; sessionId?: string }, page: { limit: number; cursor?: string }): Promise<Page<ToolCallRow>> {
  const params = new Params();
  const terms = [
    ...(filters.from === undefined ? [] : [`at >= ${params.bind(filters.from)}`]),
    ...(filters.to === undefined ? [] : [`at < ${params.bind(filters.to)}`]),
    ...params.equals('login', filters.login),
    ...params.equals('agent', filters.agent),
    ...params.equals('model', filters.model),
    ...params.equals('provider', filters.provider),
    ...params.equals('name', filters.name),
    ...params.equals('session_id', filters.sessionId),
  ];
  if (page.cursor !== undefined) {
    const [at, callId, position] = decodeCursor(page.cursor, ['number', 'string', 'number']);
    terms.push(`(at, call_id, position) < (${params.bind(at)}, ${params.bind(callId)}, ${params.bind(position)})`);
  }
  const limit = Math.max(1, Math.min(page.limit, 1000));
  const rows = await db.query<Raw>(
    `SELECT call_id, position, id, name, arguments, at, login, agent, model, session_id
     FROM tool_calls ${where(terms)} ORDER BY at DESC, call_id DESC, position DESC LIMIT ${params.bind(limit + 1)}`,
    params.values,
  );
  const items = rows.slice(0, limit).map((row): ToolCallRow => {
    const item: ToolCallRow = { callId: String(row.call_id), at: Number(row.at), name: String(row.name), arguments: String(row.arguments) };
    if (row.id !== null) item.id = String(row.id);
    if (row.login !== null) item.login = String(row.login);
    if (row.agent !== null) item.agent = String(row.agent);
    if (row.model !== null) item.model = String(row.model);
    if (row.session_id !== null) item.sessionId = String(row.session_id);
    return item;
  });
  const last = rows[limit - 1];
  return rows.length > limit && last ? { items, nextCursor: encodeCursor([Number(last.at), String(last.call_id), Number(last.position)]) } : { items };
}
