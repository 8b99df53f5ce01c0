import { DAY_MS, HOUR_MS } from './rollup.ts';
import type { Executor } from './sql/executor.ts';
import { Params, where } from './sql/params.ts';
import type { Filters, GroupBy, UsageRow } from './store.ts';

const KEY: Record<GroupBy, string> = {
  user: 'login',
  agent: 'agent',
  model: 'model',
  provider: 'provider',
  // Daily buckets are already whole days; hourly ones are floored to their day.
  day: `bucket - bucket % ${DAY_MS}`,
  hour: 'bucket',
};

type Range = { table: 'rollups_hourly' | 'rollups_daily'; from?: number; to?: number };

/**
 * Which rollup rows cover [from, to). Rollups answer at hour resolution: a partial hour at either end
 * counts whole. Whole UTC days inside the range are read from rollups_daily (24× fewer rows) and only
 * the ragged ends from rollups_hourly, so "the last 90 days" reads ~90 daily buckets plus ≤ 48 hourly ones.
 */
export function coveringRanges(groupBy: GroupBy, from?: number, to?: number): Range[] {
  const lo = from === undefined ? undefined : Math.floor(from / HOUR_MS) * HOUR_MS;
  const hi = to === undefined ? undefined : Math.ceil(to / HOUR_MS) * HOUR_MS;
  if (groupBy === 'hour') return [{ table: 'rollups_hourly', from: lo, to: hi }];
  const dayStart = lo === undefined ? undefined : Math.ceil(lo / DAY_MS) * DAY_MS;
  const dayEnd = hi === undefined ? undefined : Math.floor(hi / DAY_MS) * DAY_MS;
  if (dayStart !== undefined && dayEnd !== undefined && dayEnd <= dayStart) return [{ table: 'rollups_hourly', from: lo, to: hi }];
  const ranges: Range[] = [{ table: 'rollups_daily', from: dayStart, to: dayEnd }];
  if (lo !== undefined && lo < dayStart!) ranges.push({ table: 'rollups_hourly', from: lo, to: dayStart });
  if (hi !== undefined && dayEnd! < hi) ranges.push({ table: 'rollups_hourly', from: dayEnd, to: hi });
  return ranges;
}

type Raw = { k: string | number; requests: number; errors: number; input_tokens: number; output_tokens: number; cache_read_tokens: number; cache_write_tokens: number; reasoning_tokens: number; cost_usd: number; unpriced_requests: number; latency_ms_sum: number; latency_ms_max: number };
const SUMMED = ['requests', 'errors', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd', 'unpriced_requests', 'latency_ms_sum'];

/** Usage grouped one way, from rollups only (never raw calls). `outcome` is not a rollup key and is ignored. */
export async function usage(db: Executor, groupBy: GroupBy, filters: Filters): Promise<UsageRow[]> {
  const params = new Params();
  // Each range is aggregated on its own (an index range scan) and the partial sums are added up outside.
  const branches = coveringRanges(groupBy, filters.from, filters.to).map(({ table, from, to }) => {
    const terms = [
      ...(from === undefined ? [] : [`bucket >= ${params.bind(from)}`]),
      ...(to === undefined ? [] : [`bucket < ${params.bind(to)}`]),
      ...params.equals('login', filters.login),
      ...params.equals('agent', filters.agent),
      ...params.equals('model', filters.model),
      ...params.equals('provider', filters.provider),
    ];
    return `SELECT ${KEY[groupBy]} AS k, ${SUMMED.map((c) => `SUM(${c}) AS ${c}`).join(', ')}, MAX(latency_ms_max) AS latency_ms_max
      FROM ${table} ${where(terms)} GROUP BY ${KEY[groupBy]}`;
  });
  const timeKey = groupBy === 'day' || groupBy === 'hour';
  const rows = await db.query<Raw>(
    `SELECT k, ${SUMMED.map((c) => `SUM(${c}) AS ${c}`).join(', ')}, MAX(latency_ms_max) AS latency_ms_max
     FROM (${branches.join(' UNION ALL ')}) AS parts GROUP BY k
     ORDER BY ${timeKey ? 'k' : 'requests DESC, k'}`,
    params.values,
  );
  return rows.map((row) => ({
    key: timeKey ? timeLabel(Number(row.k), groupBy) : String(row.k),
    requests: Number(row.requests),
    errors: Number(row.errors),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cacheReadTokens: Number(row.cache_read_tokens),
    cacheWriteTokens: Number(row.cache_write_tokens),
    reasoningTokens: Number(row.reasoning_tokens),
    costUsd: Number(row.cost_usd),
    unpricedRequests: Number(row.unpriced_requests),
    latencyMsAvg: Number(row.requests) === 0 ? 0 : Number(row.latency_ms_sum) / Number(row.requests),
    latencyMsMax: Number(row.latency_ms_max),
  }));
}

/** `2025-06-01` for a day, `2025-06-01T13:00:00.000Z` for an hour (UTC). */
function timeLabel(bucket: number, groupBy: 'day' | 'hour' | GroupBy): string {
  const iso = new Date(bucket).toISOString();
  return groupBy === 'day' ? iso.slice(0, 10) : iso;
}
