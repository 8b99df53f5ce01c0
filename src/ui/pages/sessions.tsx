import { useEffect, useState } from 'preact/hooks';
import { api, qs, type CallRecord, type SessionSummary, type Whoami } from '../api.ts';
import { Badge, Link, outcomeTone, Page, Status, Tabs, useLoad } from '../components/common.tsx';
import { apiFilters, filterKey, Filters, readFilters } from '../components/filters.tsx';
import { DataTable, type Column } from '../components/table.tsx';
import { agentLabel, fmtCost, fmtDuration, fmtNumber, fmtTime, totalTokens } from '../format.ts';
import { href, setQuery, useLocation } from '../router.ts';

type PageOf<T> = { items: T[]; next_cursor: string | null };

/** Cursor pages appended one after another ("Load more"); restarts when the filters change. */
function usePaged<T>(path: string, params: Record<string, string | undefined>, key: string) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<{ loading: boolean; error?: Error }>({ loading: true });
  const load = (from: string | null, reset: boolean) => {
    setState({ loading: true });
    api<PageOf<T>>(`${path}${qs({ ...params, limit: 50, cursor: from ?? undefined })}`).then(
      (page) => {
        setItems((previous) => (reset ? page.items : [...previous, ...page.items]));
        setCursor(page.next_cursor);
        setState({ loading: false });
      },
      (error: Error) => setState({ loading: false, error }),
    );
  };
  useEffect(() => load(null, true), [key]);
  return { items, more: cursor !== null, loadMore: () => load(cursor, false), ...state };
}

export function callColumns(options: { user: boolean }): Column<CallRecord>[] {
  return [
    { key: 'time', label: 'Started', value: (c) => c.startedAt, render: (c) => <Link href={href(`/calls/${c.id}`)}>{fmtTime(c.startedAt)}</Link> },
    ...(options.user ? [{ key: 'user', label: 'User', value: (c: CallRecord) => c.login ?? '' }] : []),
    { key: 'agent', label: 'Agent', value: (c) => agentLabel(c.agent) },
    { key: 'model', label: 'Model', value: (c) => c.model ?? '' },
    { key: 'status', label: 'Status', value: (c) => c.status, render: (c) => <Badge tone={outcomeTone(c.outcome)}>{`${c.status} ${c.outcome}`}</Badge> },
    { key: 'tokens', label: 'Tokens', numeric: true, value: (c) => totalTokens(c.usage), render: (c) => fmtNumber(totalTokens(c.usage)) },
    { key: 'cost', label: 'Cost', numeric: true, value: (c) => c.costUsd ?? 0, render: (c) => fmtCost(c.costUsd) },
    { key: 'duration', label: 'Duration', numeric: true, value: (c) => c.endedAt - c.startedAt, render: (c) => fmtDuration(c.endedAt - c.startedAt) },
    { key: 'tools', label: 'Tools', value: (c) => c.toolCalls.map((t) => t.name).join(', ') },
  ];
}

export function SessionsPage(props: { me: Whoami }) {
  const { query } = useLocation();
  const filters = readFilters(query);
  const admin = props.me.role === 'admin';
  const view = query.get('view') === 'calls' ? 'calls' : 'sessions';
  const params = apiFilters(filters);
  const key = filterKey(filters);
  return (
    <Page title="Sessions & calls" subtitle="A session groups one conversation's calls (the agent's own session id, or a fingerprint of its opening).">
      <Tabs
        label="Show"
        value={view}
        options={[
          { value: 'sessions', label: 'Sessions' },
          { value: 'calls', label: 'Calls' },
        ]}
        onChange={(value) => setQuery({ view: value === 'sessions' ? undefined : value })}
      />
      <Filters filters={filters} admin={admin} show={{ status: view === 'calls' }} />
      {view === 'sessions' ? <SessionList admin={admin} params={params} key={`s${key}`} /> : <CallList admin={admin} params={{ ...params, outcome: filters.status }} key={`c${key}`} />}
    </Page>
  );
}

function SessionList(props: { admin: boolean; params: Record<string, string | undefined> }) {
  const paged = usePaged<SessionSummary>('/api/sessions', props.params, JSON.stringify(props.params));
  const columns: Column<SessionSummary>[] = [
    { key: 'session', label: 'Session', value: (s) => s.sessionId, render: (s) => <Link href={href(`/sessions/${encodeURIComponent(s.sessionId)}`)}>{s.sessionId.length > 22 ? `${s.sessionId.slice(0, 20)}…` : s.sessionId}</Link> },
    ...(props.admin ? [{ key: 'user', label: 'User', value: (s: SessionSummary) => s.login ?? '' }] : []),
    { key: 'agent', label: 'Agent', value: (s) => agentLabel(s.agent) },
    { key: 'models', label: 'Models', value: (s) => s.models.join(', ') },
    { key: 'requests', label: 'Requests', numeric: true, value: (s) => s.requests, render: (s) => fmtNumber(s.requests) },
    { key: 'tokens', label: 'Tokens', numeric: true, value: (s) => totalTokens(s), render: (s) => fmtNumber(totalTokens(s)) },
    { key: 'cost', label: 'Cost', numeric: true, value: (s) => s.costUsd, render: (s) => fmtCost(s.costUsd) },
    { key: 'duration', label: 'Duration', numeric: true, value: (s) => s.lastAt - s.firstAt, render: (s) => fmtDuration(s.lastAt - s.firstAt) },
    { key: 'last', label: 'Last active', value: (s) => s.lastAt, render: (s) => fmtTime(s.lastAt) },
  ];
  return (
    <>
      <Status loaded={paged} />
      <DataTable
        caption="Sessions"
        columns={columns}
        rows={paged.items}
        rowKey={(s) => `${s.sessionId}/${s.login}`}
        pageSize={1000}
        testId="sessions-table"
        footer={
          paged.more && (
            <button type="button" class="button small" onClick={paged.loadMore}>
              Load more sessions
            </button>
          )
        }
      />
    </>
  );
}

function CallList(props: { admin: boolean; params: Record<string, string | undefined> }) {
  const paged = usePaged<CallRecord>('/api/calls', props.params, JSON.stringify(props.params));
  return (
    <>
      <Status loaded={paged} />
      <DataTable
        caption="Calls"
        columns={callColumns({ user: props.admin })}
        rows={paged.items}
        rowKey={(c) => c.id}
        pageSize={1000}
        testId="calls-table"
        footer={
          <>
            {paged.more && (
              <button type="button" class="button small" onClick={paged.loadMore}>
                Load more calls
              </button>
            )}
            <a class="button small" href={`/api/calls${qs({ ...props.params, limit: 1000, format: 'csv' })}`} download>
              CSV (up to 1,000)
            </a>
          </>
        }
      />
    </>
  );
}

type SessionDetail = { session_id: string; login?: string; agent?: string; first_at: number; last_at: number; requests: number; input_tokens: number; output_tokens: number; cost_usd: number; calls: CallRecord[] };

export function SessionPage(props: { me: Whoami; id: string }) {
  const loaded = useLoad(() => api<SessionDetail>(`/api/sessions/${encodeURIComponent(props.id)}`), props.id);
  const s = loaded.data;
  return (
    <Page title="Session" subtitle={<code>{props.id}</code>}>
      <p>
        <Link href={href('/sessions')}>← All sessions</Link>
      </p>
      <Status loaded={loaded} />
      {s && (
        <>
          <dl class="facts">
            <dt>User</dt>
            <dd>{s.login ?? '—'}</dd>
            <dt>Agent</dt>
            <dd>{agentLabel(s.agent)}</dd>
            <dt>Started</dt>
            <dd>{fmtTime(s.first_at)}</dd>
            <dt>Last call</dt>
            <dd>{fmtTime(s.last_at)}</dd>
            <dt>Requests</dt>
            <dd>{fmtNumber(s.requests)}</dd>
            <dt>Tokens in / out</dt>
            <dd>
              {fmtNumber(s.input_tokens)} / {fmtNumber(s.output_tokens)}
            </dd>
            <dt>Cost</dt>
            <dd>{fmtCost(s.cost_usd)}</dd>
          </dl>
          <DataTable caption="Calls of this session" columns={callColumns({ user: false })} rows={s.calls} rowKey={(c) => c.id} initialSort={{ key: 'time', dir: 'asc' }} testId="session-calls" />
        </>
      )}
    </Page>
  );
}
