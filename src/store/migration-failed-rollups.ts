import type { Migration } from './migrations.ts';
import { DAY_MS, HOUR_MS } from './rollup.ts';

// The columns as of this migration, spelled out here rather than shared with usage.ts or migration 1:
// a migration's SQL must stay what it was when it ran, whatever later code reads.
const KEY = ['bucket', 'login', 'agent', 'model', 'provider', 'outcome'];
const SUMMED = ['requests', 'errors', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd', 'unpriced_requests', 'latency_ms_sum'];
const COLUMNS = [...KEY, ...SUMMED, 'latency_ms_max'].join(', ');

/**
 * Migration 1's rollup table with `outcome` added to the key, for failed calls only (outcome not `ok`).
 * `outcome` is last, so the key still ranges by bucket; `errors` always equals `requests`, kept so that a
 * row reads like a totals row.
 */
const tables = (grain: string) => [
  `CREATE TABLE failed_rollups_${grain} (
    bucket BIGINT NOT NULL,
    login TEXT NOT NULL,
    agent TEXT NOT NULL,
    model TEXT NOT NULL,
    provider TEXT NOT NULL,
    outcome TEXT NOT NULL,
    requests BIGINT NOT NULL,
    errors BIGINT NOT NULL,
    input_tokens BIGINT NOT NULL,
    output_tokens BIGINT NOT NULL,
    cache_read_tokens BIGINT NOT NULL,
    cache_write_tokens BIGINT NOT NULL,
    reasoning_tokens BIGINT NOT NULL,
    cost_usd DOUBLE PRECISION NOT NULL,
    unpriced_requests BIGINT NOT NULL,
    latency_ms_sum BIGINT NOT NULL,
    latency_ms_max BIGINT NOT NULL,
    PRIMARY KEY (bucket, login, agent, model, provider, outcome)
  ) {clustered}`,
  // A user's own dashboard (the viewer restriction) reads only their rows.
  `CREATE INDEX failed_rollups_${grain}_login ON failed_rollups_${grain} (login, bucket)`,
];

/**
 * Hourly rows of the failed calls stored, summed as Rollups.add() sums a call (unknown usage and cost
 * out of the sums, latency never negative). `outcome <> 'ok'` is spelled out so the partial index of
 * failed calls (calls_failed) may serve it.
 */
const hourlyFromCalls = `INSERT INTO failed_rollups_hourly (${COLUMNS})
  SELECT ${KEY.join(', ')}, COUNT(*), COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens),
    SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(cost_usd), SUM(unpriced), SUM(latency), MAX(latency)
  FROM (
    SELECT started_at - started_at % ${HOUR_MS} AS bucket, COALESCE(login, '') AS login, COALESCE(agent, '') AS agent,
      COALESCE(model, '') AS model, COALESCE(provider, '') AS provider, outcome,
      COALESCE(input_tokens, 0) AS input_tokens, COALESCE(output_tokens, 0) AS output_tokens,
      COALESCE(cache_read_tokens, 0) AS cache_read_tokens, COALESCE(cache_write_tokens, 0) AS cache_write_tokens,
      COALESCE(reasoning_tokens, 0) AS reasoning_tokens, COALESCE(cost_usd, 0) AS cost_usd,
      CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END AS unpriced,
      CASE WHEN ended_at > started_at THEN ended_at - started_at ELSE 0 END AS latency
    FROM calls
    WHERE outcome <> 'ok'
  ) AS c
  GROUP BY ${KEY.join(', ')}`;

/** Daily rows as the sum of the hourly ones (a day is whole hours): one pass over `calls`, not two. */
const dailyFromHourly = `INSERT INTO failed_rollups_daily (${COLUMNS})
  SELECT bucket - bucket % ${DAY_MS}, login, agent, model, provider, outcome, ${SUMMED.map((c) => `SUM(${c})`).join(', ')}, MAX(latency_ms_max)
  FROM failed_rollups_hourly
  GROUP BY bucket - bucket % ${DAY_MS}, login, agent, model, provider, outcome`;

/**
 * The failed calls' share of each totals row, as columns of its own: a read filtered to `ok` (the row
 * minus its share) or to every error (the share; `errors` counts those calls) reads the same totals rows
 * as an unfiltered read. Adding a column with a constant default rewrites no row on either database.
 */
const FAILED_SHARE: [column: string, type: string][] = [
  ['failed_input_tokens', 'BIGINT'],
  ['failed_output_tokens', 'BIGINT'],
  ['failed_cache_read_tokens', 'BIGINT'],
  ['failed_cache_write_tokens', 'BIGINT'],
  ['failed_reasoning_tokens', 'BIGINT'],
  ['failed_cost_usd', 'DOUBLE PRECISION'],
  ['failed_unpriced_requests', 'BIGINT'],
  ['failed_latency_ms_sum', 'BIGINT'],
  // The slowest failed call (0 with none): the latency max of the error filter, and whether the slowest call of a row was ok.
  ['failed_latency_ms_max', 'BIGINT'],
];

const addShare = (grain: string) => FAILED_SHARE.map(([column, type]) => `ALTER TABLE rollups_${grain} ADD COLUMN ${column} ${type} NOT NULL DEFAULT 0`);

/**
 * Each totals row's share from the failed rollups just built, summed over outcomes (max for the max).
 * Rows without failures keep the default 0. UPDATE … FROM: PostgreSQL, and SQLite since 3.33.
 */
const shareFromFailed = (grain: string) => `UPDATE rollups_${grain} SET
    ${FAILED_SHARE.map(([column]) => `${column} = f.${column.slice('failed_'.length)}`).join(', ')}
  FROM (
    SELECT bucket, login, agent, model, provider,
      ${SUMMED.filter((c) => c !== 'requests' && c !== 'errors').map((c) => `SUM(${c}) AS ${c}`).join(', ')}, MAX(latency_ms_max) AS latency_ms_max
    FROM failed_rollups_${grain}
    GROUP BY bucket, login, agent, model, provider
  ) AS f
  WHERE ${KEY.slice(0, 5).map((c) => `rollups_${grain}.${c} = f.${c}`).join(' AND ')}`;

/**
 * Failed calls' rollups, two ways. As columns of the totals rows (their failed share), which serve the
 * filters to `ok` and to every error at the cost of an unfiltered read. As tables keyed by outcome too,
 * which serve a filter to one failed outcome. The old totals columns stay as migration 1 made them.
 * Both are filled from the failed calls stored when the migration runs: an INSERT … SELECT … GROUP BY
 * over them, the daily rows from the hourly ones, then each totals row's share from those. Failed calls
 * deleted before it (by hand: retention keeps calls) stay counted in the totals and in `errors`, but
 * their tokens, cost and latency cannot be told apart any more: they stay in the `ok` share (totals
 * minus the known failures), and the error filters count those requests without them.
 */
export const FAILED_ROLLUPS: Migration = {
  version: 2,
  name: 'failed rollups: by outcome, and as a share of the totals',
  statements: [
    ...tables('hourly'),
    ...tables('daily'),
    hourlyFromCalls,
    dailyFromHourly,
    ...addShare('hourly'),
    ...addShare('daily'),
    shareFromFailed('hourly'),
    shareFromFailed('daily'),
    // Planner statistics for the dashboard's first reads (SQLite's executor runs PRAGMA optimize itself).
    ...['failed_rollups_hourly', 'failed_rollups_daily', 'rollups_hourly', 'rollups_daily'].map((table) => ({ postgres: `ANALYZE ${table}` })),
  ],
};
