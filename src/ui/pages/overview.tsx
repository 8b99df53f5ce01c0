import { api, qs, type UsageRow, type Whoami } from '../api.ts';
import { Page, Status, useLoad } from '../components/common.tsx';
import { apiFilters, filterKey, Filters, readFilters } from '../components/filters.tsx';
import { useLocation } from '../router.ts';
import { MetricTabs, SeriesChart, UsageCards, type Metric } from './usage-view.tsx';

export function OverviewPage(props: { me: Whoami }) {
  const { query } = useLocation();
  const filters = readFilters(query);
  const admin = props.me.role === 'admin';
  const params = apiFilters(filters);
  const byUser = useLoad(() => api<{ rows: UsageRow[] }>(`/api/usage${qs({ ...params, group_by: 'user' })}`), filterKey(filters));
  const chosen = (query.get('metric') as Metric | null) ?? 'tokens';
  const metric: Metric = filters.status === 'errors' ? 'errors' : chosen;
  return (
    <Page title="Overview" subtitle={admin ? 'Everyone’s usage, from hourly and daily rollups.' : `Your usage (${props.me.login}).`}>
      <Filters filters={filters} admin={admin} />
      <Status loaded={byUser} />
      {byUser.data && <UsageCards rows={byUser.data.rows} status={filters.status} showUsers={admin} />}
      <div class="toolbar">
        {filters.status === 'errors' ? (
          <p class="hint">Showing failed requests: rollups count failures but do not split tokens or cost by status.</p>
        ) : (
          <MetricTabs value={chosen} />
        )}
      </div>
      <div class="grid-2">
        {admin && <SeriesChart stack="user" metric={metric} params={params} />}
        <SeriesChart stack="agent" metric={metric} params={params} />
        <SeriesChart stack="model" metric={metric} params={params} />
        <SeriesChart stack="provider" metric={metric} params={params} />
      </div>
    </Page>
  );
}
