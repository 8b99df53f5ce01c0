// Pieces shared by Overview, the user dashboard, Models and Agents: summary cards and stacked charts.
import { useMemo } from 'preact/hooks';
import { ANY_ERROR } from '../../store/read-models.ts';
import { api, qs, type SeriesResponse, type UsageRow } from '../api.ts';
import { StackedBars } from '../components/chart.tsx';
import { Card, Status, Tabs, useLoad } from '../components/common.tsx';
import { statusLabel } from '../components/filters.tsx';
import { setQuery } from '../router.ts';
import { agentLabel, fmtCost, fmtNumber, fmtPercent, plural } from '../format.ts';

export type Metric = 'tokens' | 'cost' | 'requests';

/** The tokens/cost/requests toggle above the charts; the choice lives in the address bar (`?metric=cost`). */
export function MetricTabs(props: { value: Metric }) {
  return (
    <Tabs
      label="Chart metric"
      value={props.value}
      options={[
        { value: 'tokens', label: 'Tokens' },
        { value: 'cost', label: 'Cost' },
        { value: 'requests', label: 'Requests' },
      ]}
      onChange={(value) => setQuery({ metric: value === 'tokens' ? undefined : value })}
    />
  );
}

export function sumRows(rows: UsageRow[]) {
  const total = { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costUsd: 0, unpricedRequests: 0 };
  for (const row of rows) for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += row[key];
  return total;
}

/**
 * The summary cards of a set of usage rows grouped by user (one row per active user). With a status
 * filter, `rows` are that status's calls (exact requests, tokens and cost) and `everyStatus` the same
 * range unfiltered, for the error rate and "of N requests"; the error rate waits for it.
 */
export function UsageCards(props: { rows: UsageRow[]; status?: string; everyStatus?: UsageRow[]; showUsers?: boolean }) {
  const total = sumRows(props.rows);
  const overall = props.status ? (props.everyStatus ? sumRows(props.everyStatus) : undefined) : total;
  const activeUsers = props.rows.filter((row) => row.requests > 0 && row.key !== '').length;
  const requestsLabel = !props.status ? 'Requests' : props.status === ANY_ERROR ? 'Failed requests' : `Requests: ${statusLabel(props.status)}`;
  return (
    <div class="cards" data-testid="cards">
      {props.showUsers !== false && <Card label="Active users" value={fmtNumber(activeUsers)} testId="card-users" />}
      <Card
        label={requestsLabel}
        value={<span title={String(total.requests)}>{fmtNumber(total.requests)}</span>}
        testId="card-requests"
        detail={props.status && overall ? `of ${fmtNumber(overall.requests)} requests` : undefined}
      />
      <Card
        label="Tokens"
        value={fmtNumber(total.inputTokens + total.outputTokens)}
        testId="card-tokens"
        detail={
          <dl class="kinds">
            <dt>Input</dt>
            <dd data-testid="tokens-input">{fmtNumber(total.inputTokens)}</dd>
            <dt>Output</dt>
            <dd data-testid="tokens-output">{fmtNumber(total.outputTokens)}</dd>
            <dt>Cache read</dt>
            <dd>{fmtNumber(total.cacheReadTokens)}</dd>
            <dt>Cache write</dt>
            <dd>{fmtNumber(total.cacheWriteTokens)}</dd>
            <dt>Reasoning</dt>
            <dd>{fmtNumber(total.reasoningTokens)}</dd>
          </dl>
        }
      />
      <Card
        label="Estimated cost"
        value={fmtCost(total.costUsd)}
        testId="card-cost"
        detail={total.unpricedRequests > 0 ? `${plural(total.unpricedRequests, 'request')} without a price` : 'all requests priced'}
      />
      <Card
        label="Error rate"
        value={overall?.requests ? fmtPercent(overall.errors / overall.requests) : '—'}
        testId="card-errors"
        detail={overall ? `${fmtNumber(overall.errors)} failed` : undefined}
      />
    </div>
  );
}

const stackNames = { user: 'user', agent: 'agent', model: 'model', provider: 'provider' } as const;

function metricValues(series: SeriesResponse['series'][number], metric: Metric): number[] {
  if (metric === 'cost') return series.costUsd;
  if (metric === 'requests') return series.requests;
  return series.inputTokens.map((value, index) => value + series.outputTokens[index]);
}

/** One stacked chart of usage over time by one dimension, with its CSV and a data table. */
export function SeriesChart(props: { stack: keyof typeof stackNames; metric: Metric; params: Record<string, string | undefined>; title?: string }) {
  const query = { ...props.params, stack: props.stack };
  const loaded = useLoad(() => api<SeriesResponse>(`/api/usage/series${qs(query)}`), JSON.stringify(query));
  const format = props.metric === 'cost' ? fmtCost : fmtNumber;
  const data = loaded.data;
  const series = useMemo(
    () =>
      (data?.series ?? []).map((s) => ({
        label: s.other ? 'other' : props.stack === 'agent' ? agentLabel(s.key) : s.key || '(unknown)',
        values: metricValues(s, props.metric),
        other: s.other,
      })),
    [data, props.metric],
  );
  const totals = series.map((s) => ({ label: s.label, total: s.values.reduce((a, b) => a + b, 0) }));
  const title = props.title ?? `${props.metric === 'cost' ? 'Cost' : props.metric === 'requests' ? 'Requests' : 'Tokens'} by ${stackNames[props.stack]}`;
  const summary = `${title}, ${data?.bucket === 'hour' ? 'hourly' : 'daily'}: ${totals.map((t) => `${t.label} ${format(t.total)}`).join(', ') || 'no data'}`;
  return (
    <figure class="panel chart-panel" data-testid={`chart-${props.stack}`}>
      <figcaption>
        <h2>{title}</h2>
        <a class="button small" href={`/api/usage/series${qs({ ...query, format: 'csv' })}`} download>
          CSV<span class="visually-hidden"> of {title}</span>
        </a>
      </figcaption>
      <Status loaded={loaded} empty={!!data && totals.every((t) => t.total === 0)} emptyText="No usage in this range." />
      {data && totals.some((t) => t.total > 0) && (
        <>
          <StackedBars labels={data.buckets} series={series} format={format} summary={summary} testId={`bars-${props.stack}`} />
          <details class="data-table">
            <summary>Totals as a table</summary>
            <table>
              <caption class="visually-hidden">{title}</caption>
              <thead>
                <tr>
                  <th scope="col">{stackNames[props.stack]}</th>
                  <th scope="col" class="num">
                    {props.metric}
                  </th>
                </tr>
              </thead>
              <tbody>
                {totals.map((t) => (
                  <tr key={t.label}>
                    <th scope="row">{t.label}</th>
                    <td class="num">{format(t.total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </figure>
  );
}
