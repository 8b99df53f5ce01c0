import { api, qs, type UsageRow, type Whoami } from '../api.ts';
import { Page, Status, useLoad } from '../components/common.tsx';
import { apiFilters, filterKey, Filters, readFilters } from '../components/filters.tsx';
import { useLocation } from '../router.ts';
import { MetricTabs, SeriesChart, UsageCards, type Metric } from './usage-view.tsx';

export function OverviewPage(props: { me: Whoami }) {
  const { query } = useLocation();
  const filters = readFilters(query);
  const admin = props.me.role === 'admin';
  // Failed calls are rolled up by outcome too, so cards and charts are exact for the chosen status.
  const params = apiFilters(filters, { outcome: filters.status });
  const key = filterKey(filters);
  const byUser = useLoad(() => api<{ rows: UsageRow[] }>(`/api/usage${qs({ ...params, group_by: 'user' })}`), key);
  // The error rate and "of N requests" describe every call in the range, whatever the status filter picks.
  const everyStatus = useLoad(
    () => (filters.status ? api<{ rows: UsageRow[] }>(`/api/usage${qs({ ...apiFilters(filters), group_by: 'user' })}`) : Promise.resolve(undefined)),
    key,
  );
  const metric = (query.get('metric') as Metric | null) ?? 'tokens';
  return (
    <Page title="Overview" subtitle={admin ? 'Everyone’s usage, from hourly and daily rollups.' : `Your usage (${props.me.login}).`}>
      <Filters filters={filters} admin={admin} />
      <Status loaded={byUser} />
      {byUser.data && <UsageCards rows={byUser.data.rows} status={filters.status} everyStatus={filters.status ? everyStatus.data?.rows : undefined} showUsers={admin} />}
      <div class="toolbar">
        <MetricTabs value={metric} />
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
