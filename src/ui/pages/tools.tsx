import { useMemo } from 'preact/hooks';
import { api, qs, type Whoami } from '../api.ts';
import { StackedBars } from '../components/chart.tsx';
import { Card, Link, Page, Status, useLoad } from '../components/common.tsx';
import { apiFilters, filterKey, Filters, readFilters } from '../components/filters.tsx';
import { DataTable } from '../components/table.tsx';
import { agentLabel, fmtNumber, fmtTime } from '../format.ts';
import { href, useLocation } from '../router.ts';

type Count = { key: string; calls: number };
type ToolUse = {
  total: number;
  sampled: boolean;
  bucket: string;
  buckets: string[];
  series: { key: string; calls: number[] }[];
  by_tool: Count[];
  by_user: Count[];
  by_agent: Count[];
  recent: { callId: string; at: number; login?: string; agent?: string; model?: string; name: string; arguments: string }[];
};

function CountTable(props: { caption: string; label: string; rows: Count[]; format?: (key: string) => string; testId?: string }) {
  return (
    <section class="panel">
      <h2>{props.caption}</h2>
      <DataTable
        caption={props.caption}
        columns={[
          { key: 'key', label: props.label, value: (r: Count) => (props.format ? props.format(r.key) : r.key || '(unknown)') },
          { key: 'calls', label: 'Tool calls', numeric: true, value: (r) => r.calls, render: (r) => fmtNumber(r.calls) },
        ]}
        rows={props.rows}
        rowKey={(r) => r.key}
        pageSize={10}
        initialSort={{ key: 'calls', dir: 'desc' }}
        testId={props.testId}
      />
    </section>
  );
}

export function ToolsPage(props: { me: Whoami }) {
  const { query } = useLocation();
  const filters = readFilters(query);
  const admin = props.me.role === 'admin';
  const params = apiFilters(filters);
  const loaded = useLoad(() => api<ToolUse>(`/api/tool-use${qs(params)}`), filterKey(filters));
  const data = loaded.data;
  const series = useMemo(() => (data?.series ?? []).map((s) => ({ label: s.key, values: s.calls, other: s.key === 'other' })), [data]);
  return (
    <Page
      title="Tool use"
      subtitle="Tool calls that models asked agents to make."
      actions={
        <a class="button small" href={`/api/tool-calls${qs({ ...params, limit: 1000, format: 'csv' })}`} download>
          Download CSV
        </a>
      }
    >
      <Filters filters={filters} admin={admin} show={{ status: false }} />
      <Status loaded={loaded} />
      {data && (
        <>
          <div class="cards">
            <Card label="Tool calls" value={fmtNumber(data.total)} detail={data.sampled ? 'the newest 5,000 in range' : undefined} testId="card-tool-calls" />
            <Card label="Distinct tools" value={fmtNumber(data.by_tool.length)} testId="card-tools" />
            {admin && <Card label="Users calling tools" value={fmtNumber(data.by_user.filter((r) => r.key).length)} />}
          </div>
          <figure class="panel chart-panel" data-testid="chart-tools">
            <figcaption>
              <h2>Tool calls over time, by tool</h2>
            </figcaption>
            {data.total === 0 ? (
              <p class="notice">No tool calls in this range.</p>
            ) : (
              <StackedBars labels={data.buckets} series={series} format={fmtNumber} summary={`Tool calls by tool: ${data.by_tool.map((r) => `${r.key} ${r.calls}`).join(', ')}`} />
            )}
          </figure>
          <div class="grid-3">
            <CountTable caption="By tool" label="Tool" rows={data.by_tool} testId="tools-by-tool" />
            {admin && <CountTable caption="By user" label="User" rows={data.by_user} />}
            <CountTable caption="By agent" label="Agent" rows={data.by_agent} format={agentLabel} />
          </div>
          <section class="panel">
            <h2>Recent tool calls</h2>
            <DataTable
              caption="Recent tool calls"
              columns={[
                { key: 'at', label: 'When', value: (r: ToolUse['recent'][number]) => r.at, render: (r) => <Link href={href(`/calls/${r.callId}`)}>{fmtTime(r.at)}</Link> },
                { key: 'name', label: 'Tool', value: (r) => r.name },
                ...(admin ? [{ key: 'user', label: 'User', value: (r: ToolUse['recent'][number]) => r.login ?? '' }] : []),
                { key: 'agent', label: 'Agent', value: (r) => agentLabel(r.agent) },
                { key: 'model', label: 'Model', value: (r) => r.model ?? '' },
                { key: 'args', label: 'Arguments', sortable: false, render: (r) => <code class="clip">{r.arguments.slice(0, 120)}</code> },
              ]}
              rows={data.recent}
              rowKey={(r) => `${r.callId}/${r.name}/${r.arguments.length}/${r.at}`}
              pageSize={20}
            />
          </section>
        </>
      )}
    </Page>
  );
}
