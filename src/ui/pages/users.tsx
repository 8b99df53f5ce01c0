import { api, qs, type SessionSummary, type UsageRow, type Whoami } from '../api.ts';
import { Link, Page, Status, useLoad } from '../components/common.tsx';
import { apiFilters, filterKey, Filters, readFilters } from '../components/filters.tsx';
import { DataTable, type Column } from '../components/table.tsx';
import { agentLabel, fmtCost, fmtDuration, fmtNumber, fmtPercent, fmtTime, totalTokens } from '../format.ts';
import { href, useLocation } from '../router.ts';
import { MetricTabs, SeriesChart, UsageCards, type Metric } from './usage-view.tsx';

/** Columns every usage table shares (after its first, naming column). */
export function usageColumns(): Column<UsageRow>[] {
  return [
    { key: 'requests', label: 'Requests', numeric: true, value: (r) => r.requests, render: (r) => fmtNumber(r.requests) },
    { key: 'input', label: 'Input tokens', numeric: true, value: (r) => r.inputTokens, render: (r) => fmtNumber(r.inputTokens) },
    { key: 'output', label: 'Output tokens', numeric: true, value: (r) => r.outputTokens, render: (r) => fmtNumber(r.outputTokens) },
    { key: 'cached', label: 'Cache read', numeric: true, value: (r) => r.cacheReadTokens, render: (r) => fmtNumber(r.cacheReadTokens) },
    { key: 'reasoning', label: 'Reasoning', numeric: true, value: (r) => r.reasoningTokens, render: (r) => fmtNumber(r.reasoningTokens) },
    { key: 'cost', label: 'Cost', numeric: true, value: (r) => r.costUsd, render: (r) => fmtCost(r.costUsd) },
    { key: 'errors', label: 'Error rate', numeric: true, value: (r) => (r.requests ? r.errors / r.requests : 0), render: (r) => (r.requests ? fmtPercent(r.errors / r.requests) : '—') },
    { key: 'latency', label: 'Avg latency', numeric: true, value: (r) => r.latencyMsAvg, render: (r) => fmtDuration(r.latencyMsAvg) },
  ];
}

export function UsersPage(props: { me: Whoami }) {
  const { query } = useLocation();
  const filters = readFilters(query);
  const params = apiFilters(filters);
  const loaded = useLoad(() => api<{ rows: UsageRow[] }>(`/api/usage${qs({ ...params, group_by: 'user' })}`), filterKey(filters));
  const columns: Column<UsageRow>[] = [
    {
      key: 'user',
      label: 'User',
      value: (r) => r.key,
      render: (r) => <Link href={href(`/users/${encodeURIComponent(r.key)}`, { range: filters.range, from: filters.from, to: filters.to })}>{r.key || '(unknown)'}</Link>,
    },
    ...usageColumns(),
  ];
  return (
    <Page
      title="Users"
      actions={
        <a class="button small" href={`/api/usage${qs({ ...params, group_by: 'user', format: 'csv' })}`} download>
          Download CSV
        </a>
      }
    >
      <Filters filters={filters} admin={true} show={{ user: false, status: false }} />
      <Status loaded={loaded} />
      {loaded.data && (
        <DataTable caption="Users by usage" columns={columns} rows={loaded.data.rows} rowKey={(r) => r.key} initialSort={{ key: 'input', dir: 'desc' }} testId="users-table" />
      )}
    </Page>
  );
}

/** One person's dashboard: their cards, their usage by model and agent, their sessions. */
export function UserPage(props: { me: Whoami; login: string }) {
  const { query } = useLocation();
  const filters = { ...readFilters(query), user: props.login };
  const admin = props.me.role === 'admin';
  const params = apiFilters(filters);
  const key = filterKey(filters);
  const byModel = useLoad(() => api<{ rows: UsageRow[] }>(`/api/usage${qs({ ...params, group_by: 'model' })}`), key);
  const byUser = useLoad(() => api<{ rows: UsageRow[] }>(`/api/usage${qs({ ...params, group_by: 'user' })}`), key);
  const sessions = useLoad(() => api<{ items: SessionSummary[] }>(`/api/sessions${qs({ ...params, limit: 20 })}`), key);
  const metric = (query.get('metric') as Metric | null) ?? 'tokens';
  if (!admin && props.login !== props.me.login) {
    return (
      <Page title="Not yours">
        <p class="notice error" role="alert">
          You can see only your own dashboard.
        </p>
      </Page>
    );
  }
  return (
    <Page title={props.login} subtitle="User dashboard">
      <Filters filters={filters} admin={admin} show={{ user: false, status: false }} />
      <Status loaded={byUser} />
      {byUser.data && <UsageCards rows={byUser.data.rows} showUsers={false} />}
      <div class="toolbar">
        <MetricTabs value={metric} />
      </div>
      <div class="grid-2">
        <SeriesChart stack="model" metric={metric} params={params} />
        <SeriesChart stack="agent" metric={metric} params={params} />
      </div>
      <section class="panel">
        <h2>Models</h2>
        <Status loaded={byModel} />
        {byModel.data && (
          <DataTable
            caption={`Models used by ${props.login}`}
            columns={[{ key: 'model', label: 'Model', value: (r: UsageRow) => r.key }, ...usageColumns()]}
            rows={byModel.data.rows}
            rowKey={(r) => r.key}
            pageSize={10}
            testId="user-models"
          />
        )}
      </section>
      <section class="panel">
        <h2>Recent sessions</h2>
        <Status loaded={sessions} />
        {sessions.data && (
          <DataTable
            caption={`Sessions of ${props.login}`}
            columns={[
              { key: 'session', label: 'Session', value: (s: SessionSummary) => s.sessionId, render: (s) => <Link href={href(`/sessions/${encodeURIComponent(s.sessionId)}`)}>{s.sessionId.slice(0, 18)}</Link> },
              { key: 'agent', label: 'Agent', value: (s) => agentLabel(s.agent) },
              { key: 'models', label: 'Models', value: (s) => s.models.join(', ') },
              { key: 'requests', label: 'Requests', numeric: true, value: (s) => s.requests, render: (s) => fmtNumber(s.requests) },
              { key: 'tokens', label: 'Tokens', numeric: true, value: (s) => totalTokens(s), render: (s) => fmtNumber(totalTokens(s)) },
              { key: 'cost', label: 'Cost', numeric: true, value: (s) => s.costUsd, render: (s) => fmtCost(s.costUsd) },
              { key: 'last', label: 'Last active', value: (s) => s.lastAt, render: (s) => fmtTime(s.lastAt) },
            ]}
            rows={sessions.data.items}
            rowKey={(s) => `${s.sessionId}/${s.login}`}
            pageSize={10}
          />
        )}
      </section>
    </Page>
  );
}
