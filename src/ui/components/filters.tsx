import { useEffect, useState } from 'preact/hooks';
import { ANY_ERROR } from '../../store/read-models.ts';
import { api, qs, type UsageRow } from '../api.ts';
import { agentLabel } from '../format.ts';
import { setQuery } from '../router.ts';

export type FilterValues = { range: string; from?: string; to?: string; user?: string; model?: string; agent?: string; status?: string };

/**
 * The status filter's choices. Values are what the API's `outcome` takes (ANY_ERROR: every outcome but ok),
 * so pages pass the chosen status through unchanged; failed calls are rolled up by outcome, so usage is exact for each.
 */
export const STATUS_OPTIONS = [
  { value: '', label: 'All statuses' },
  { value: ANY_ERROR, label: 'Errors only' },
  { value: 'ok', label: 'OK' },
  { value: 'upstream_error', label: 'Upstream error' },
  { value: 'client_error', label: 'Client error' },
  { value: 'gateway_error', label: 'Gateway error' },
  { value: 'denied', label: 'Denied' },
  { value: 'aborted', label: 'Aborted' },
];

export function statusLabel(status: string): string {
  return STATUS_OPTIONS.find((option) => option.value === status)?.label ?? status;
}

const ranges = [
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: '90d', label: 'Last 90 days' },
  { value: 'custom', label: 'Custom dates' },
];

export function readFilters(query: URLSearchParams): FilterValues {
  const get = (key: string) => query.get(key) || undefined;
  return { range: get('range') ?? '7d', from: get('from'), to: get('to'), user: get('user'), model: get('model'), agent: get('agent'), status: get('status') };
}

/**
 * Query parameters for the API: a span (`7d`) or explicit dates (`to` is inclusive of its day). The status
 * is left out (pages whose filter bar hides it must not apply a status carried over in the address);
 * pages that offer it add `{ outcome: filters.status }` as `extra`.
 */
export function apiFilters(filters: FilterValues, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const custom = filters.range === 'custom';
  const toDay = custom && filters.to ? new Date(Date.parse(filters.to) + 86_400_000).toISOString().slice(0, 10) : undefined;
  return {
    from: custom ? filters.from : filters.range,
    to: toDay,
    user: filters.user,
    model: filters.model,
    agent: filters.agent,
    ...extra,
  };
}

export function filterKey(filters: FilterValues): string {
  return JSON.stringify(filters);
}

/** Date range and the user / model / agent / status filters; every change is kept in the address. */
export function Filters(props: { filters: FilterValues; admin: boolean; show?: { user?: boolean; model?: boolean; agent?: boolean; status?: boolean } }) {
  const show = { user: props.admin, model: true, agent: true, status: true, ...props.show };
  const { filters } = props;
  const [options, setOptions] = useState<{ users: string[]; models: string[]; agents: string[] }>({ users: [], models: [], agents: [] });
  const range = apiFilters({ ...filters, user: undefined, model: undefined, agent: undefined });
  const rangeKey = JSON.stringify(range);
  useEffect(() => {
    const keys = (rows: UsageRow[]) => rows.map((row) => row.key);
    Promise.all([
      props.admin && show.user ? api<{ rows: UsageRow[] }>(`/api/usage${qs({ ...range, group_by: 'user' })}`).then((r) => keys(r.rows)) : Promise.resolve([]),
      api<{ rows: UsageRow[] }>(`/api/usage${qs({ ...range, group_by: 'model' })}`).then((r) => keys(r.rows)),
      api<{ rows: UsageRow[] }>(`/api/usage${qs({ ...range, group_by: 'agent' })}`).then((r) => keys(r.rows)),
    ]).then(([users, models, agents]) => setOptions({ users, models, agents }), () => {});
  }, [rangeKey]);
  const withCurrent = (list: string[], current?: string) => (current && !list.includes(current) ? [current, ...list] : list);
  const everyone = (all: string, list: string[], current: string | undefined, label: (value: string) => string) => [
    { value: '', label: all },
    ...withCurrent(list, current).map((value) => ({ value, label: label(value) })),
  ];
  return (
    <form class="filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
      <Choice label="Date range" name="range" value={filters.range} options={ranges} />
      {filters.range === 'custom' && (
        <>
          <label>
            <span>From</span>
            <input type="date" value={filters.from ?? ''} onChange={(event) => setQuery({ from: (event.target as HTMLInputElement).value })} />
          </label>
          <label>
            <span>To</span>
            <input type="date" value={filters.to ?? ''} onChange={(event) => setQuery({ to: (event.target as HTMLInputElement).value })} />
          </label>
        </>
      )}
      {show.user && <Choice label="User" name="user" value={filters.user ?? ''} options={everyone('All users', options.users, filters.user, (user) => user || '(unknown)')} />}
      {show.model && <Choice label="Model" name="model" value={filters.model ?? ''} options={everyone('All models', options.models.filter(Boolean), filters.model, (model) => model)} />}
      {show.agent && <Choice label="Agent" name="agent" value={filters.agent ?? ''} options={everyone('All agents', options.agents.filter(Boolean), filters.agent, agentLabel)} />}
      {show.status && <Choice label="Status" name="status" value={filters.status ?? ''} options={STATUS_OPTIONS} />}
      {(filters.user || filters.model || filters.agent || filters.status) && (
        <button type="button" class="button small link" onClick={() => setQuery({ user: undefined, model: undefined, agent: undefined, status: undefined })}>
          Clear filters
        </button>
      )}
    </form>
  );
}

/** One labelled select; its choice is kept in the address under `name`. */
function Choice(props: { label: string; name: keyof FilterValues; value: string; options: readonly { value: string; label: string }[] }) {
  return (
    <label>
      <span>{props.label}</span>
      <select name={props.name} value={props.value} onChange={(event) => setQuery({ [props.name]: (event.target as HTMLSelectElement).value })}>
        {props.options.map((option) => (
          <option value={option.value} key={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}
