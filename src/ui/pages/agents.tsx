import { api, qs, type UsageRow, type Whoami } from '../api.ts';
import { Page, Status, useLoad } from '../components/common.tsx';
import { apiFilters, filterKey, Filters, readFilters } from '../components/filters.tsx';
import { DataTable } from '../components/table.tsx';
import { agentLabel } from '../format.ts';
import { useLocation } from '../router.ts';
import { usageColumns } from './users.tsx';
import { MetricTabs, SeriesChart, type Metric } from './usage-view.tsx';

export function AgentsPage(props: { me: Whoami }) {
  const { query } = useLocation();
  const filters = readFilters(query);
  const admin = props.me.role === 'admin';
  const params = apiFilters(filters);
  const loaded = useLoad(() => api<{ rows: UsageRow[] }>(`/api/usage${qs({ ...params, group_by: 'agent' })}`), filterKey(filters));
  const metric = (query.get('metric') as Metric | null) ?? 'tokens';
  return (
    <Page
      title="Agents"
      subtitle="Usage by client, as named by its user agent (Claude Code, Codex, Gemini CLI, OpenCode, SDKs…)."
      actions={
        <a class="button small" href={`/api/usage${qs({ ...params, group_by: 'agent', format: 'csv' })}`} download>
          Download CSV
        </a>
      }
    >
      <Filters filters={filters} admin={admin} show={{ agent: false, status: false }} />
      <Status loaded={loaded} />
      {loaded.data && (
        <DataTable
          caption="Agents by usage"
          columns={[{ key: 'agent', label: 'Agent', value: (r: UsageRow) => agentLabel(r.key) }, ...usageColumns()]}
          rows={loaded.data.rows}
          rowKey={(r) => r.key}
          initialSort={{ key: 'input', dir: 'desc' }}
          testId="agents-table"
        />
      )}
      <div class="toolbar">
        <MetricTabs value={metric} />
      </div>
      <SeriesChart stack="agent" metric={metric} params={params} />
    </Page>
  );
}
