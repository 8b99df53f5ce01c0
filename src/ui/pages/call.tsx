import { useMemo, useState } from 'preact/hooks';
import { api, type CallRecord, type Whoami } from '../api.ts';
import { Badge, Link, outcomeTone, Page, Status, Tabs, useLoad } from '../components/common.tsx';
import { agentLabel, fmtCost, fmtDuration, fmtExact, fmtTime } from '../format.ts';
import { href } from '../router.ts';
import { pretty, reassemble, type StreamEvent } from '../reassemble.ts';

type CallDetail = CallRecord & {
  captures: null | { truncated: boolean; requestHeaders: Record<string, string>; responseHeaders: Record<string, string>; requestBody: string; responseBody: string; responseEvents?: StreamEvent[] };
};

function Headers(props: { title: string; headers: Record<string, string> }) {
  const entries = Object.entries(props.headers);
  return (
    <section class="panel">
      <h3>{props.title}</h3>
      {entries.length === 0 ? (
        <p class="muted">none stored</p>
      ) : (
        <dl class="headers">
          {entries.map(([name, value]) => (
            <>
              <dt key={`${name}-k`}>{name}</dt>
              <dd key={`${name}-v`} class={value === '[redacted]' ? 'redacted' : ''}>
                {value}
              </dd>
            </>
          ))}
        </dl>
      )}
    </section>
  );
}

export function CallPage(props: { me: Whoami; id: string }) {
  const loaded = useLoad(() => api<CallDetail>(`/api/calls/${props.id}`), props.id);
  const call = loaded.data;
  const [view, setView] = useState<'reassembled' | 'events' | 'raw'>('reassembled');
  const rebuilt = useMemo(() => (call?.captures?.responseEvents ? reassemble(call.endpoint, call.captures.responseEvents) : undefined), [call]);
  return (
    <Page title="Call" subtitle={<code>{props.id}</code>}>
      {call?.sessionId && (
        <p>
          <Link href={href(`/sessions/${encodeURIComponent(call.sessionId)}`)}>← Its session</Link>
        </p>
      )}
      <Status loaded={loaded} />
      {call && (
        <>
          <div class="grid-2">
            <section class="panel">
              <h2>Summary</h2>
              <dl class="facts" data-testid="call-facts">
                <dt>User</dt>
                <dd>{call.login ?? '—'}</dd>
                <dt>Agent</dt>
                <dd title={call.userAgent}>{agentLabel(call.agent)}</dd>
                <dt>Endpoint</dt>
                <dd>
                  {call.method} {call.path}
                </dd>
                <dt>Model</dt>
                <dd>
                  {call.model ?? '—'}
                  {call.upstreamModel && call.upstreamModel !== call.model ? ` → ${call.upstreamModel}` : ''}
                  {call.provider ? ` (${call.provider})` : ''}
                </dd>
                <dt>Status</dt>
                <dd>
                  <Badge tone={outcomeTone(call.outcome)}>{`${call.status} ${call.outcome}`}</Badge>
                  {call.errorKind ? ` ${call.errorKind}` : ''}
                </dd>
                <dt>Finish reason</dt>
                <dd>{call.finishReason ?? '—'}</dd>
                <dt>Stream</dt>
                <dd>{call.stream ? 'yes' : 'no'}</dd>
              </dl>
            </section>
            <section class="panel">
              <h2>Tokens, cost, timings</h2>
              <dl class="facts" data-testid="call-usage">
                <dt>Input</dt>
                <dd>{fmtExact(call.usage.inputTokens)}</dd>
                <dt>Cache read</dt>
                <dd>{fmtExact(call.usage.cacheReadTokens)}</dd>
                <dt>Cache write</dt>
                <dd>{fmtExact(call.usage.cacheWriteTokens)}</dd>
                <dt>Output</dt>
                <dd>{fmtExact(call.usage.outputTokens)}</dd>
                <dt>Reasoning</dt>
                <dd>{fmtExact(call.usage.reasoningTokens)}</dd>
                <dt>Cost</dt>
                <dd>
                  {fmtCost(call.costUsd)}
                  {call.costBasis ? <span class="muted"> ({call.costBasis})</span> : ''}
                </dd>
                <dt>Started</dt>
                <dd>{fmtTime(call.startedAt)}</dd>
                <dt>First byte</dt>
                <dd>{call.firstByteAt ? fmtDuration(call.firstByteAt - call.startedAt) : '—'}</dd>
                <dt>Total</dt>
                <dd>{fmtDuration(call.endedAt - call.startedAt)}</dd>
                <dt>Gateway overhead</dt>
                <dd>{fmtDuration(call.overheadMs)}</dd>
              </dl>
            </section>
          </div>
          {call.toolCalls.length > 0 && (
            <section class="panel" data-testid="call-tools">
              <h2>Tool calls</h2>
              {call.toolCalls.map((tool, index) => (
                <details key={index} open={index < 3}>
                  <summary>
                    <code>{tool.name}</code> {tool.id ? <span class="muted">{tool.id}</span> : ''}
                  </summary>
                  <pre>{pretty(tool.arguments)}</pre>
                </details>
              ))}
            </section>
          )}
          {call.captures ? (
            <>
              {call.captures.truncated && <p class="notice">The bodies were longer than the capture limit and were cut.</p>}
              <div class="grid-2">
                <Headers title="Request headers (credentials redacted)" headers={call.captures.requestHeaders} />
                <Headers title="Response headers" headers={call.captures.responseHeaders} />
              </div>
              <section class="panel">
                <h2>Request body</h2>
                <pre class="body" tabIndex={0} data-testid="request-body">
                  {pretty(call.captures.requestBody)}
                </pre>
              </section>
              <section class="panel">
                <h2>Response</h2>
                {call.captures.responseEvents ? (
                  <>
                    <Tabs
                      label="Response view"
                      value={view}
                      options={[
                        { value: 'reassembled', label: 'Reassembled' },
                        { value: 'events', label: `Stream events (${call.captures.responseEvents.length})` },
                        { value: 'raw', label: 'Raw bytes' },
                      ]}
                      onChange={(value) => setView(value as typeof view)}
                    />
                    {view === 'reassembled' && (
                      <pre class="body" tabIndex={0} data-testid="response-reassembled">
                        {rebuilt ? JSON.stringify(rebuilt, null, 2) : 'This stream could not be reassembled; see its events.'}
                      </pre>
                    )}
                    {view === 'events' && (
                      <ol class="events" data-testid="response-events">
                        {call.captures.responseEvents.map((event, index) => (
                          <li key={index}>
                            {event.event && <span class="event-name">{event.event}</span>}
                            <pre>{pretty(event.data ?? '')}</pre>
                          </li>
                        ))}
                      </ol>
                    )}
                    {view === 'raw' && (
                      <pre class="body" tabIndex={0}>
                        {call.captures.responseBody}
                      </pre>
                    )}
                  </>
                ) : (
                  <pre class="body" tabIndex={0} data-testid="response-body">
                    {pretty(call.captures.responseBody)}
                  </pre>
                )}
              </section>
            </>
          ) : (
            <p class="notice">No captures for this call (retention policy or purged).</p>
          )}
        </>
      )}
    </Page>
  );
}
