import type { ServerResponse } from 'node:http';
import { GatewayError } from '../dialects/gateway-error.ts';
import type { Filters, Store, ToolCallRow, UsageRow } from '../store/store.ts';
import { parseFilters } from './query-params.ts';
import { sendCsv, sendJson } from './respond.ts';

export type SeriesContext = { store: Store; login: string; admin: boolean; requestId: string; now: number };

type Stack = 'user' | 'agent' | 'model' | 'provider';
const stacks: Record<Stack, keyof Filters> = { user: 'login', agent: 'agent', model: 'model', provider: 'provider' };
const HOUR = 3_600_000;
const DAY = 86_400_000;
const week = 7 * DAY;

/** Every bucket label from `from` to `to`, as the store labels them (UTC day `2026-11-01`, hour ISO). */
function bucketLabels(bucket: 'day' | 'hour', from: number, to: number): string[] {
  const step = bucket === 'day' ? DAY : HOUR;
  const labels: string[] = [];
  for (let at = Math.floor(from / step) * step; at < to && labels.length < 5000; at += step) {
    const iso = new Date(at).toISOString();
    labels.push(bucket === 'day' ? iso.slice(0, 10) : iso);
  }
  return labels;
}

const fields = ['requests', 'errors', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens', 'costUsd'] as const;
type Field = (typeof fields)[number];
type Series = { key: string; other?: boolean } & Record<Field, number[]>;

function seriesFrom(key: string, labels: string[], rows: UsageRow[]): Series {
  const byLabel = new Map(rows.map((row) => [row.key, row]));
  const series = { key } as Series;
  for (const field of fields) series[field] = labels.map((label) => byLabel.get(label)?.[field] ?? 0);
  return series;
}

/**
 * `GET /api/usage/series?stack=user|agent|model|provider&bucket=day|hour&top=N`: one time series per
 * top key plus "other", for stacked charts. Composed from rollup reads only (`Store.usage` once for
 * the ranking, once for the total, once per top key), so it stays fast whatever the number of calls.
 */
export async function usageSeries(response: ServerResponse, params: URLSearchParams, context: SeriesContext): Promise<void> {
  const { store, now, requestId } = context;
  const stack = (params.get('stack') ?? 'model') as Stack;
  if (!(stack in stacks)) throw new GatewayError('invalid_request', 'stack must be one of user, agent, model, provider');
  const filters = parseFilters(params, { login: context.login, admin: context.admin }, now, { sinceMs: week });
  const from = filters.from ?? now - week;
  const to = filters.to ?? now;
  const bucket = params.get('bucket') === 'hour' || (params.get('bucket') !== 'day' && to - from <= 2 * DAY) ? 'hour' : 'day';
  const top = Math.max(1, Math.min(Number(params.get('top') ?? 6) || 6, 12));
  const labels = bucketLabels(bucket, from, to);
  const [ranking, total] = await Promise.all([store.usage(stack, filters), store.usage(bucket, filters)]);
  const weight = (row: UsageRow) => row.inputTokens + row.outputTokens;
  const keys = [...ranking].sort((a, b) => weight(b) - weight(a) || b.requests - a.requests).slice(0, top).map((row) => row.key);
  const perKey = await Promise.all(keys.map((key) => store.usage(bucket, { ...filters, [stacks[stack]]: key })));
  const series = keys.map((key, index) => seriesFrom(key, labels, perKey[index]));
  const totals = seriesFrom('total', labels, total);
  const other = { key: 'other', other: true } as Series;
  for (const field of fields) other[field] = totals[field].map((value, i) => Math.max(0, value - series.reduce((sum, s) => sum + s[field][i], 0)));
  if (fields.some((field) => other[field].some((value) => value > 1e-12))) series.push(other);
  if (params.get('format') === 'csv') {
    const rows: Record<string, unknown>[] = [];
    for (const s of series) {
      labels.forEach((label, i) => {
        const row: Record<string, unknown> = { bucket: label, [stack]: s.key };
        for (const field of fields) row[field] = s[field][i];
        rows.push(row);
      });
    }
    sendCsv(response, rows, `usage-${bucket}-by-${stack}`, requestId);
    return;
  }
  sendJson(response, 200, { stack, bucket, from, to, buckets: labels, series }, requestId);
}

const toolCallCap = 5000;

/**
 * `GET /api/tool-use`: tool calls over time and by tool, user and agent. There is no tool-call rollup
 * in the store yet, so this reads the newest tool calls of the range (at most 5,000, keyset pages of
 * 1,000) and says when it stopped early (`sampled`).
 */
export async function toolUse(response: ServerResponse, params: URLSearchParams, context: SeriesContext): Promise<void> {
  const { store, now, requestId } = context;
  const filters = parseFilters(params, { login: context.login, admin: context.admin }, now, { sinceMs: week });
  const name = params.get('name') || undefined;
  const items: ToolCallRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listToolCalls({ ...filters, name }, { limit: 1000, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < toolCallCap);
  const from = filters.from ?? now - week;
  const to = filters.to ?? now;
  const bucket = to - from <= 2 * DAY ? 'hour' : 'day';
  const labels = bucketLabels(bucket, from, to);
  const count = (key: (row: ToolCallRow) => string | undefined) => {
    const counts = new Map<string, number>();
    for (const row of items) counts.set(key(row) ?? '', (counts.get(key(row) ?? '') ?? 0) + 1);
    return [...counts].map(([key, calls]) => ({ key, calls })).sort((a, b) => b.calls - a.calls || a.key.localeCompare(b.key));
  };
  const byTool = count((row) => row.name);
  const labelOf = (at: number) => (bucket === 'day' ? new Date(at).toISOString().slice(0, 10) : new Date(Math.floor(at / HOUR) * HOUR).toISOString());
  const topTools = byTool.slice(0, 6).map((row) => row.key);
  const index = new Map(labels.map((label, i) => [label, i]));
  const series = [...topTools, ...(byTool.length > 6 ? ['other'] : [])].map((key) => ({ key, calls: labels.map(() => 0) }));
  for (const row of items) {
    const i = index.get(labelOf(row.at));
    if (i === undefined) continue;
    const s = series.find((item) => item.key === row.name) ?? series.find((item) => item.key === 'other');
    if (s) s.calls[i] += 1;
  }
  sendJson(
    response,
    200,
    {
      from,
      to,
      bucket,
      total: items.length,
      sampled: cursor !== undefined,
      buckets: labels,
      series,
      by_tool: byTool,
      by_user: count((row) => row.login),
      by_agent: count((row) => row.agent),
      recent: items.slice(0, 100),
    },
    requestId,
  );
}
