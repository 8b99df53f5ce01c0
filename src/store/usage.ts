import { ANY_ERROR } from './read-models.ts';
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

type Grain = 'hourly' | 'daily';
type Range = { grain: Grain; from?: number; to?: number };

/**
 * Which rollup rows cover [from, to), in the totals and the failed rollups alike. Rollups answer at
 * hour resolution: a partial hour at either end counts whole. Whole UTC days inside the range are read
 * from the daily table (24× fewer rows) and only the ragged ends from the hourly one, so "the last 90
 * days" reads ~90 daily buckets plus ≤ 48 hourly ones.
 */
export function coveringRanges(groupBy: GroupBy, from?: number, to?: number): Range[] {
  const lo = from === undefined ? undefined : Math.floor(from / HOUR_MS) * HOUR_MS;
  const hi = to === undefined ? undefined : Math.ceil(to / HOUR_MS) * HOUR_MS;
  if (groupBy === 'hour') return [{ grain: 'hourly', from: lo, to: hi }];
  const dayStart = lo === undefined ? undefined : Math.ceil(lo / DAY_MS) * DAY_MS;
  const dayEnd = hi === undefined ? undefined : Math.floor(hi / DAY_MS) * DAY_MS;
  if (dayStart !== undefined && dayEnd !== undefined && dayEnd <= dayStart) return [{ grain: 'hourly', from: lo, to: hi }];
  const ranges: Range[] = [{ grain: 'daily', from: dayStart, to: dayEnd }];
  if (lo !== undefined && lo < dayStart!) ranges.push({ grain: 'hourly', from: lo, to: dayStart });
  if (hi !== undefined && dayEnd! < hi) ranges.push({ grain: 'hourly', from: dayEnd, to: hi });
  return ranges;
}

type Num = number | string;
type Raw = { k: string | number; requests: Num; errors: Num; input_tokens: Num; output_tokens: Num; cache_read_tokens: Num; cache_write_tokens: Num; reasoning_tokens: Num; cost_usd: Num; unpriced_requests: Num; latency_ms_sum: Num; latency_ms_max: Num | null; failed_max?: Num | null };
const SUMMED = ['requests', 'errors', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd', 'unpriced_requests', 'latency_ms_sum'] as const;
type Summed = (typeof SUMMED)[number];

/**
 * What a usage read sums: every call (`all`); one failed outcome, from the failed rollups (`outcome`);
 * or from the totals rows, their failed share (`errors`) or the rest (`ok`).
 */
type Source = 'all' | 'outcome' | 'errors' | 'ok';

const sums = (expression: (column: Summed) => string) => Object.fromEntries(SUMMED.map((c) => [c, expression(c)])) as Record<Summed, string>;
/**
 * Per source, the expression summed for each column of a rollup row. A totals row's failed share is
 * `errors` (their count) and a failed_* column for each other sum.
 */
const SUMS: Record<Source, Record<Summed, string>> = {
  all: sums((c) => c),
  outcome: sums((c) => c),
  errors: sums((c) => (c === 'requests' || c === 'errors' ? 'errors' : `failed_${c}`)),
  ok: sums((c) => (c === 'requests' ? 'requests - errors' : c === 'errors' ? '0' : `${c} - failed_${c}`)),
};

/**
 * Per source, the latency max. Filtered to `ok` the slowest ok call is not stored, only each row's
 * slowest call and slowest failed call; failed_max is the latter over the rows that had failures.
 */
const MAX: Record<Source, string> = {
  all: 'MAX(latency_ms_max) AS latency_ms_max',
  outcome: 'MAX(latency_ms_max) AS latency_ms_max',
  errors: 'MAX(failed_latency_ms_max) AS latency_ms_max',
  ok: 'MAX(latency_ms_max) AS latency_ms_max, MAX(CASE WHEN errors > 0 THEN failed_latency_ms_max END) AS failed_max',
};

/**
 * Usage grouped one way, from rollups only (never raw calls). Without an outcome filter it sums the
 * totals (rollups_*), which count every call. Each totals row also keeps its failed calls' share
 * (`errors` and the failed_* columns), so a filter to every error (ANY_ERROR) sums that share and one to
 * `ok` sums the row minus it: both read the same rows as an unfiltered read, exact for every sum. A
 * filter to one failed outcome reads the failed rollups (failed_rollups_*), keyed by outcome.
 *
 * `latencyMsMax` is exact where it is known and null where it is not. Every error, and one outcome: the
 * slowest such call, which is stored. `ok`: the slowest ok call is not stored, so it is the group's
 * slowest call when that is known to be ok (it is slower than the group's slowest failure), and null
 * otherwise.
 */
export async function usage(db: Executor, groupBy: GroupBy, filters: Filters): Promise<UsageRow[]> {
  const params = new Params();
  const source: Source = filters.outcome === undefined ? 'all' : filters.outcome === 'ok' ? 'ok' : filters.outcome === ANY_ERROR ? 'errors' : 'outcome';
  const table = source === 'outcome' ? 'failed_rollups' : 'rollups';
  // Each range is aggregated on its own (an index range scan) and the partial sums are added up outside.
  const branches = coveringRanges(groupBy, filters.from, filters.to).map(({ grain, from, to }) => {
    const terms = [
      ...(from === undefined ? [] : [`bucket >= ${params.bind(from)}`]),
      ...(to === undefined ? [] : [`bucket < ${params.bind(to)}`]),
      ...params.equals('login', filters.login),
      ...params.equals('agent', filters.agent),
      ...params.equals('model', filters.model),
      ...params.equals('provider', filters.provider),
      ...(source === 'outcome' ? params.equals('outcome', filters.outcome) : []),
      // Rows without a failed call have nothing to add to the errors' sums.
      ...(source === 'errors' ? ['errors > 0'] : []),
    ];
    return `SELECT ${KEY[groupBy]} AS k, ${SUMMED.map((c) => `SUM(${SUMS[source][c]}) AS ${c}`).join(', ')}, ${MAX[source]}
      FROM ${table}_${grain} ${where(terms)} GROUP BY ${KEY[groupBy]}`;
  });
  const timeKey = groupBy === 'day' || groupBy === 'hour';
  // Filtered to ok, a group whose every call failed comes out with no requests: it has no ok calls to show.
  const [failedMax, having] = source === 'ok' ? [', MAX(failed_max) AS failed_max', 'HAVING SUM(requests) > 0'] : ['', ''];
  const rows = await db.query<Raw>(
    `SELECT k, ${SUMMED.map((c) => `SUM(${c}) AS ${c}`).join(', ')}, MAX(latency_ms_max) AS latency_ms_max${failedMax}
     FROM (${branches.join(' UNION ALL ')}) AS parts GROUP BY k ${having}
     ORDER BY ${timeKey ? 'k' : 'requests DESC, k'}`,
    params.values,
  );
  return rows.map((row) => {
    const requests = Number(row.requests);
    const max = Number(row.latency_ms_max);
    const okMaxKnown = source !== 'ok' || row.failed_max === null || row.failed_max === undefined || max > Number(row.failed_max);
    return {
      key: timeKey ? timeLabel(Number(row.k), groupBy) : String(row.k),
      requests,
      errors: Number(row.errors),
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      cacheReadTokens: Number(row.cache_read_tokens),
      cacheWriteTokens: Number(row.cache_write_tokens),
      reasoningTokens: Number(row.reasoning_tokens),
      costUsd: Number(row.cost_usd),
      unpricedRequests: Number(row.unpriced_requests),
      latencyMsAvg: requests === 0 ? 0 : Number(row.latency_ms_sum) / requests,
      latencyMsMax: okMaxKnown ? max : null,
    };
  });
}

/** `2025-06-01` for a day, `2025-06-01T13:00:00.000Z` for an hour (UTC). */
function timeLabel(bucket: number, groupBy: 'day' | 'hour' | GroupBy): string {
  const iso = new Date(bucket).toISOString();
  return groupBy === 'day' ? iso.slice(0, 10) : iso;
}
