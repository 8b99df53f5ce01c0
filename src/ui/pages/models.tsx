import { api, qs, type UsageRow, type Whoami } from '../api.ts';
import { Badge, Page, Status, useLoad } from '../components/common.tsx';
import { apiFilters, filterKey, Filters, readFilters } from '../components/filters.tsx';
import { DataTable, type Column } from '../components/table.tsx';
import { fmtCost, fmtNumber } from '../format.ts';
import { useLocation } from '../router.ts';
import { SeriesChart } from './usage-view.tsx';

type ModelInfo = {
  id: string;
  model: string;
  provider: string;
  provider_name: string;
  description: string;
  compatibility: string[];
  price_per_million: Record<string, number> | null;
  cost_basis: string | null;
  allowed: boolean;
};

type Row = ModelInfo & { usage?: UsageRow };

const flagNames: Record<string, string> = {
  openai_chat: 'Chat Completions',
  openai_responses: 'Responses',
  anthropic_messages: 'Messages',
  gemini_generate_content: 'Gemini',
  google_generate_content: 'Vertex Gemini',
  google_raw_predict: 'Vertex rawPredict',
  bedrock_model_invoke: 'Bedrock Invoke',
  bedrock_converse: 'Bedrock Converse',
  experimental_gemini_cli_vertex_compat: 'Gemini CLI on Vertex',
};

function addRows(rows: UsageRow[]): UsageRow {
  if (rows.length === 1) return rows[0];
  const sum = { ...rows[0] };
  for (const row of rows.slice(1)) {
    for (const key of ['requests', 'errors', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens', 'costUsd', 'unpricedRequests'] as const) sum[key] += row[key];
  }
  return sum;
}

function price(value: number | undefined): string {
  return value === undefined ? '—' : `$${value < 1 ? value.toFixed(3).replace(/0$/, '') : value.toFixed(2)}`;
}

export function ModelsPage(props: { me: Whoami }) {
  const { query } = useLocation();
  const filters = readFilters(query);
  const admin = props.me.role === 'admin';
  const params = apiFilters(filters);
  const models = useLoad(() => api<{ models: ModelInfo[] }>('/api/models'), 'models');
  const usage = useLoad(() => api<{ rows: UsageRow[] }>(`/api/usage${qs({ ...params, group_by: 'model' })}`), filterKey(filters));
  const rows: Row[] = [];
  if (models.data && usage.data) {
    const byKey = new Map(usage.data.rows.map((row) => [row.key, row]));
    const used = new Set<string>();
    for (const model of models.data.models) {
      // A call names the model as provider/model or bare; a bare name counts for the first provider listing it.
      const keys = [model.id, ...(used.has(model.model) ? [] : [model.model])].filter((key) => byKey.has(key));
      keys.forEach((key) => used.add(key));
      used.add(model.model);
      rows.push({ ...model, usage: keys.length ? addRows(keys.map((key) => byKey.get(key)!)) : undefined });
    }
    for (const row of usage.data.rows) {
      if (!used.has(row.key) && row.key) rows.push({ id: row.key, model: row.key, provider: '', provider_name: '(not configured now)', description: '', compatibility: [], price_per_million: null, cost_basis: null, allowed: false, usage: row });
    }
  }
  const columns: Column<Row>[] = [
    { key: 'model', label: 'Model', value: (r) => r.model, render: (r) => <span title={r.id}>{r.model}</span> },
    { key: 'provider', label: 'Provider', value: (r) => r.provider_name, render: (r) => <span title={r.description || r.provider}>{r.provider_name}</span> },
    {
      key: 'compat',
      label: 'Compatibility',
      sortable: false,
      render: (r) => (
        <span class="badges">
          {r.compatibility.map((flag) => (
            <Badge key={flag}>{flagNames[flag] ?? flag}</Badge>
          ))}
        </span>
      ),
    },
    {
      key: 'price',
      label: 'Price per 1M (in / out)',
      numeric: true,
      value: (r) => r.price_per_million?.input ?? -1,
      render: (r) =>
        r.price_per_million ? (
          <details class="price">
            <summary>
              {price(r.price_per_million.input)} / {price(r.price_per_million.output)}
            </summary>
            <dl>
              <dt>Input</dt>
              <dd>{price(r.price_per_million.input)}</dd>
              <dt>Output</dt>
              <dd>{price(r.price_per_million.output)}</dd>
              <dt>Cache read</dt>
              <dd>{price(r.price_per_million.cache_read)}</dd>
              <dt>Cache write (5 min)</dt>
              <dd>{price(r.price_per_million.cache_write)}</dd>
              <dt>Cache write (1 h)</dt>
              <dd>{price(r.price_per_million.cache_write_1h)}</dd>
              <dt>Reasoning</dt>
              <dd>{price(r.price_per_million.reasoning)}</dd>
            </dl>
          </details>
        ) : (
          <span class="muted">no price</span>
        ),
    },
    { key: 'requests', label: 'Requests', numeric: true, value: (r) => r.usage?.requests ?? 0, render: (r) => fmtNumber(r.usage?.requests ?? 0) },
    { key: 'tokens', label: 'Tokens', numeric: true, value: (r) => (r.usage ? r.usage.inputTokens + r.usage.outputTokens : 0), render: (r) => fmtNumber(r.usage ? r.usage.inputTokens + r.usage.outputTokens : 0) },
    { key: 'cost', label: 'Cost', numeric: true, value: (r) => r.usage?.costUsd ?? 0, render: (r) => fmtCost(r.usage?.costUsd ?? 0) },
    ...(admin ? [{ key: 'allowed', label: 'You may use', value: (r: Row) => (r.allowed ? 'yes' : 'no') }] : []),
  ];
  return (
    <Page title="Models" subtitle={admin ? 'Every configured model, with prices and usage.' : 'The models you may use, with prices and your usage.'}>
      <Filters filters={filters} admin={admin} show={{ model: false, status: false }} />
      <Status loaded={models.error ? models : usage} />
      {models.data && usage.data && <DataTable caption="Models" columns={columns} rows={rows} rowKey={(r) => r.id} initialSort={{ key: 'tokens', dir: 'desc' }} testId="models-table" />}
      <SeriesChart stack="model" metric="tokens" params={params} />
    </Page>
  );
}
