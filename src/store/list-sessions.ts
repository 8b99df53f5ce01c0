import { decodeCursor, encodeCursor } from './cursor.ts';
import type { Executor } from './sql/executor.ts';
import { Params, where } from './sql/params.ts';
import type { Filters, Page, SessionSummary } from './store.ts';

type SessionDbRow = { session_id: string; login: string; agent: string; first_at: number; last_at: number; requests: number; input_tokens: number; output_tokens: number; cost_usd: number };

/**
 * Sessions most recently active first, keyset-paginated on (last_at, session_id, login). `from`/`to`
 * select sessions active in the range (overlap); `model`/`provider` those that used it. `outcome` does
 * not apply to a session and is ignored.
 */
export async function listSessions(db: Executor, filters: Filters & { sessionId?: string }, page: { limit: number; cursor?: string }): Promise<Page<SessionSummary>> {
  const params = new Params();
  const terms = [
    ...(filters.from === undefined ? [] : [`last_at >= ${params.bind(filters.from)}`]),
    ...(filters.to === undefined ? [] : [`first_at < ${params.bind(filters.to)}`]),
    ...params.equals('login', filters.login),
    ...params.equals('agent', filters.agent),
    ...params.equals('session_id', filters.sessionId),
  ];
  if (filters.model !== undefined || filters.provider !== undefined) {
    const used = [...params.equals('m.model', filters.model), ...params.equals('m.provider', filters.provider)];
    terms.push(`EXISTS (SELECT 1 FROM session_models m WHERE m.session_id = sessions.session_id AND m.login = sessions.login AND ${used.join(' AND ')})`);
  }
  if (page.cursor !== undefined) {
    const [lastAt, sessionId, login] = decodeCursor(page.cursor, ['number', 'string', 'string']);
    terms.push(`(last_at, session_id, login) < (${params.bind(lastAt)}, ${params.bind(sessionId)}, ${params.bind(login)})`);
  }
  const limit = Math.max(1, Math.min(page.limit, 1000));
  const rows = await db.query<SessionDbRow>(
    `SELECT session_id, login, agent, first_at, last_at, requests, input_tokens, output_tokens, cost_usd
     FROM sessions ${where(terms)} ORDER BY last_at DESC, session_id DESC, login DESC LIMIT ${params.bind(limit + 1)}`,
    params.values,
  );
  const pageRows = rows.slice(0, limit);
  const models = await modelsOf(db, pageRows);
  const items = pageRows.map((row): SessionSummary => {
    const summary: SessionSummary = {
      sessionId: String(row.session_id),
      firstAt: Number(row.first_at),
      lastAt: Number(row.last_at),
      requests: Number(row.requests),
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      costUsd: Number(row.cost_usd),
      models: [...(models.get(`${row.session_id}\0${row.login}`) ?? [])].sort(),
    };
    if (row.login !== '') summary.login = String(row.login);
    if (row.agent !== '') summary.agent = String(row.agent);
    return summary;
  });
  const last = pageRows.at(-1);
  return rows.length > limit && last ? { items, nextCursor: encodeCursor([Number(last.last_at), String(last.session_id), String(last.login)]) } : { items };
}

async function modelsOf(db: Executor, rows: readonly SessionDbRow[]): Promise<Map<string, Set<string>>> {
  const models = new Map<string, Set<string>>();
  if (rows.length === 0) return models;
  const params = new Params();
  const ids = [...new Set(rows.map((row) => String(row.session_id)))].map((id) => params.bind(id));
  const found = await db.query<{ session_id: string; login: string; model: string }>(
    `SELECT session_id, login, model FROM session_models WHERE session_id IN (${ids.join(', ')})`,
    params.values,
  );
  for (const row of found) {
    const key = `${row.session_id}\0${row.login}`;
    let set = models.get(key);
    if (!set) models.set(key, (set = new Set()));
    set.add(String(row.model));
  }
  return models;
}
