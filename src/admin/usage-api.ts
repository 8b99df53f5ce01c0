import type { ServerResponse } from 'node:http';
import type { Access } from '../access/access.ts';
import { GatewayError } from '../dialects/gateway-error.ts';
import type { Identity } from '../identity/identity.ts';
import type { CallRecord } from '../recording/call-record.ts';
import type { Store } from '../store/store.ts';
import { describeCall } from './call-detail.ts';
import { parseFilters, parseGroupBy, parseLimit } from './query-params.ts';
import { sendCsv, sendJson } from './respond.ts';

export type ApiContext = { store: Store; identity: Identity; access: Access; requestId: string; now: number };

const week = 7 * 86_400_000;

/** A call as one flat CSV row. */
function callRow(call: CallRecord): Record<string, unknown> {
  const { usage, toolCalls, tags, ...rest } = call;
  return { ...rest, ...usage, tags: tags?.join(' '), toolCalls: toolCalls.map((tool) => tool.name).join(' ') };
}

/**
 * The usage API (`/api/usage`, `/api/calls`, `/api/sessions`, `/api/tool-calls`). Admins see everyone;
 * anyone else sees only their own calls — another user's call is "not found", not "forbidden".
 * Returns false when the path is not one of ours.
 */
export async function handleUsageApi(response: ServerResponse, path: string, params: URLSearchParams, context: ApiContext): Promise<boolean> {
  const { store, requestId, now } = context;
  const viewer = { login: context.identity.login, admin: context.access.role === 'admin' };
  const csv = params.get('format') === 'csv';
  const page = () => ({ limit: parseLimit(params.get('limit')), cursor: params.get('cursor') || undefined });
  const mine = (call: CallRecord | undefined) => call !== undefined && (viewer.admin || call.login === viewer.login);

  if (path === '/api/usage') {
    const groupBy = parseGroupBy(params.get('group_by'));
    const filters = parseFilters(params, viewer, now, { sinceMs: week });
    const rows = await store.usage(groupBy, filters);
    if (csv) sendCsv(response, rows.map(({ key, ...totals }) => ({ [groupBy]: key, ...totals })), `usage-by-${groupBy}`, requestId);
    else sendJson(response, 200, { group_by: groupBy, from: filters.from, to: filters.to ?? now, rows }, requestId);
    return true;
  }
  if (path === '/api/calls') {
    const result = await store.listCalls({ ...parseFilters(params, viewer, now), sessionId: params.get('session') || undefined }, page());
    if (csv) sendCsv(response, result.items.map(callRow), 'calls', requestId);
    else sendJson(response, 200, { items: result.items, next_cursor: result.nextCursor ?? null }, requestId);
    return true;
  }
  const callMatch = /^\/api\/calls\/([\w-]+)$/.exec(path);
  if (callMatch) {
    const detail = await store.getCall(callMatch[1]);
    if (!detail || !mine(detail.record)) throw new GatewayError('not_found', 'no such call');
    sendJson(response, 200, describeCall(detail), requestId);
    return true;
  }
  if (path === '/api/sessions') {
    const result = await store.listSessions(parseFilters(params, viewer, now), page());
    if (csv) sendCsv(response, result.items.map((session) => ({ ...session, models: session.models.join(' ') })), 'sessions', requestId);
    else sendJson(response, 200, { items: result.items, next_cursor: result.nextCursor ?? null }, requestId);
    return true;
  }
  const sessionMatch = /^\/api\/sessions\/([^/]+)$/.exec(path);
  if (sessionMatch) {
    const sessionId = decodeURIComponent(sessionMatch[1]);
    const result = await store.listCalls({ login: viewer.admin ? undefined : viewer.login, sessionId }, { limit: 1000 });
    if (result.items.length === 0) throw new GatewayError('not_found', 'no such session');
    const calls = result.items;
    const total = (pick: (call: CallRecord) => number | undefined) => calls.reduce((sum, call) => sum + (pick(call) ?? 0), 0);
    sendJson(
      response,
      200,
      {
        session_id: sessionId,
        login: calls[0].login,
        agent: calls[0].agent,
        first_at: Math.min(...calls.map((call) => call.startedAt)),
        last_at: Math.max(...calls.map((call) => call.endedAt)),
        requests: calls.length,
        input_tokens: total((call) => call.usage.inputTokens),
        output_tokens: total((call) => call.usage.outputTokens),
        cost_usd: total((call) => call.costUsd),
        calls,
        next_cursor: result.nextCursor ?? null,
      },
      requestId,
    );
    return true;
  }
  if (path === '/api/tool-calls') {
    const result = await store.listToolCalls({ ...parseFilters(params, viewer, now), name: params.get('name') || undefined }, page());
    if (csv) sendCsv(response, result.items, 'tool-calls', requestId);
    else sendJson(response, 200, { items: result.items, next_cursor: result.nextCursor ?? null }, requestId);
    return true;
  }
  return false;
}
