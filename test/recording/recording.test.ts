import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startGateway, type StartedGateway } from '../../src/server.ts';
import { fixture, startFakeUpstream, type FakeUpstream } from '../fake-upstream/fake-upstream.ts';
import { keys, providersFor } from '../e2e/harness.ts';

// Identities come from a trusted proxy header (the proxy being this test), so several users can
// call from one machine: alice and bob are users, root is an admin.
let fake: FakeUpstream;
let gateway: StartedGateway;
const as = (login: string) => ({ 'x-forwarded-email': login });

async function config(extra: object = {}) {
  return {
    providers: providersFor(fake.url),
    identity: { sources: ['proxy'], proxy: { cidrs: ['127.0.0.1/32', '::1/128'], login_header: 'x-forwarded-email' } },
    grants: [
      { src: ['alice@example.com', 'bob@example.com'], app: { 'tailscale.com/cap/aperture': [{ role: 'user' }, { models: 'openai/**' }, { models: 'anthropic/**' }, { models: 'gemini/**' }] } },
      { src: ['root@example.com'], app: { 'tailscale.com/cap/aperture': [{ role: 'admin' }, { models: '**' }] } },
      { src: ['ops@example.com'], app: { 'tailscale.com/cap/aperture': [{ role: 'user' }, { read_metrics: true }] } },
    ],
    data_dir: await mkdtemp(join(tmpdir(), 'tailgate-rec-')),
    ...extra,
  };
}

before(async () => {
  fake = await startFakeUpstream();
  gateway = await startGateway({ config: await config(), env: {}, durable: true });
});
after(async () => {
  await gateway.close();
  await fake.close();
});

function call(path: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

async function api<T>(path: string, login: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${gateway.url}${path}`, { headers: as(login) });
  return { status: response.status, body: (await response.json()) as T };
}

type CallJson = { id: string; login: string; agent: string; sessionId?: string; outcome: string; usage: Record<string, number>; costUsd?: number; toolCalls: { name: string }[]; model: string };

/** Waits until the store has the call (records reach the store shortly after the response). */
async function stored(id: string, login = 'root@example.com'): Promise<CallJson & { captures: null | Record<string, unknown> }> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { status, body } = await api<CallJson & { captures: null | Record<string, unknown> }>(`/api/calls/${id}`, login);
    if (status === 200) return body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`call ${id} never reached the store`);
}

test('each dialect is recorded with identity, agent, session, tokens, cost, tool calls and captures', async () => {
  type Case = { f: ReturnType<typeof fixture>; path: string; body: object; headers: Record<string, string>; agent: string; session: string | undefined };
  const cases: Case[] = [
    { f: fixture('anthropic-messages', 'thinking.sse'), path: '/v1/messages?beta=true', body: { model: 'claude-sonnet-4-5', max_tokens: 9, stream: true, messages: [{ role: 'user', content: 'hi' }] }, headers: { 'user-agent': 'claude-cli/2.1.332 (external, cli)', 'x-claude-code-session-id': 'cc-session-1', authorization: 'Bearer caller-secret' }, agent: 'claude-code', session: 'cc-session-1' },
    { f: fixture('openai-responses', 'function-call.sse'), path: '/v1/responses', body: { model: 'gpt-5', stream: true, input: 'ls' }, headers: { 'user-agent': 'codex_exec/0.169.0 (Debian 12; x86_64) xterm', session_id: 'codex-session-9' }, agent: 'codex', session: 'codex-session-9' },
    { f: fixture('gemini', 'function-call.sse'), path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', body: { contents: [{ role: 'user', parts: [{ text: 'weather?' }] }] }, headers: { 'user-agent': 'GeminiCLI-tui/0.61.0/gemini-2.5-flash (linux; x64)', 'x-goog-api-key': 'caller-goog-secret' }, agent: 'gemini-cli', session: undefined },
    { f: fixture('openai-chat', 'tool-calls.sse'), path: '/v1/chat/completions', body: { model: 'gpt-4.1', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }, headers: { 'user-agent': 'OpenAI/JS 7.57.0' }, agent: 'openai-sdk', session: undefined },
  ];
  for (const c of cases) {
    fake.reply(c.f.reply());
    const response = await call(c.path, c.body, { ...as("alice@example.com"), ...c.headers });
    assert.equal(await response.text(), c.f.text);
    const id = response.headers.get('x-tailgate-request-id')!;
    const record = await stored(id);
    assert.equal(record.login, 'alice@example.com');
    assert.equal(record.agent, c.agent);
    if (c.session) assert.equal(record.sessionId, c.session);
    else assert.match(record.sessionId ?? '', /^fp_[0-9a-f]{24}$/, 'a fingerprint when the client sends no session id');
    assert.deepEqual(record.usage, c.f.expected.usage);
    assert.deepEqual(record.toolCalls, c.f.expected.toolCalls ?? []);
    assert.ok((record.costUsd ?? 0) > 0);
    const captures = record.captures as { requestHeaders: Record<string, string>; requestBody: string; responseBody: string; responseEvents?: unknown[] };
    assert.equal(captures.responseBody, c.f.text, 'the stream is stored as it crossed the wire');
    assert.ok(captures.responseEvents && captures.responseEvents.length > 0, 'and as events');
    assert.deepEqual(JSON.parse(captures.requestBody), c.body);
    const everything = JSON.stringify(record);
    for (const secret of ['caller-secret', 'caller-goog-secret', ...Object.values(keys)]) assert.ok(!everything.includes(secret), `${secret} reached a record or capture`);
    if (c.headers.authorization) assert.equal(captures.requestHeaders.authorization, '[redacted]');
  }
});

test('a session groups its calls; a conversation without an id is grouped by its opening', async () => {
  const body = { model: 'gpt-4.1', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'first question' }] };
  const ids: string[] = [];
  for (let turn = 0; turn < 2; turn++) {
    fake.reply(fixture('openai-chat', 'text.json').reply());
    const response = await call('/v1/chat/completions', { ...body, messages: [...body.messages, ...Array(turn).fill({ role: 'user', content: 'more' })] }, as('bob@example.com'));
    await response.arrayBuffer();
    ids.push(response.headers.get('x-tailgate-request-id')!);
  }
  const [first, second] = [await stored(ids[0]), await stored(ids[1])];
  assert.equal(first.sessionId, second.sessionId);
  const session = await api<{ requests: number; calls: { id: string }[] }>(`/api/sessions/${first.sessionId}`, 'bob@example.com');
  assert.equal(session.status, 200);
  assert.deepEqual(session.body.calls.map((c) => c.id).sort(), [...ids].sort());
  const sessions = await api<{ items: { sessionId: string; requests: number }[] }>('/api/sessions', 'bob@example.com');
  assert.equal(sessions.body.items.find((s) => s.sessionId === first.sessionId)?.requests, 2);
});

test('every outcome is recorded exactly once: denied, upstream error, stream cut, client abort', async () => {
  const ids: Record<string, string> = {};
  let response = await call('/v1/chat/completions', { model: 'gpt-4.1', messages: [] }, as('mallory@example.com'));
  ids.denied = response.headers.get('x-request-id')!;
  assert.equal(response.status, 403);
  fake.reply(fixture('anthropic-messages', 'rate-limit.error.json').reply());
  response = await call('/v1/messages', { model: 'claude-haiku-4-5', max_tokens: 5, messages: [] }, as('alice@example.com'));
  await response.arrayBuffer();
  ids.upstream = response.headers.get('x-tailgate-request-id')!;
  fake.reply(fixture('anthropic-messages', 'tool-use.sse').reply({ cutAfterChunks: 3 }));
  response = await call('/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 5, stream: true, messages: [] }, as('alice@example.com'));
  ids.cut = response.headers.get('x-tailgate-request-id')!;
  await response.text().catch(() => {});
  fake.reply(fixture('openai-chat', 'long.sse').reply({ chunkDelayMs: 5 }));
  response = await call('/v1/chat/completions', { model: 'gpt-4.1', stream: true, messages: [] }, as('alice@example.com'));
  ids.aborted = response.headers.get('x-tailgate-request-id')!;
  const reader = response.body!.getReader();
  await reader.read();
  await reader.cancel();
  assert.equal((await stored(ids.denied)).outcome, 'denied');
  assert.equal((await stored(ids.upstream)).outcome, 'upstream_error');
  const cut = await stored(ids.cut);
  assert.equal(cut.outcome, 'upstream_error');
  assert.ok(cut.usage.inputTokens > 0, 'what was metered before the cut is kept');
  assert.equal((await stored(ids.aborted)).outcome, 'aborted');
  const listed = await api<{ items: { id: string }[] }>('/api/calls?limit=1000', 'root@example.com');
  for (const id of Object.values(ids)) assert.equal(listed.body.items.filter((item) => item.id === id).length, 1, `${id} once`);
});

test('a user sees only their own calls and usage; an admin sees everyone', async () => {
  fake.reply(fixture('openai-chat', 'text.json').reply());
  const response = await call('/v1/chat/completions', { model: 'gpt-4.1', messages: [{ role: 'user', content: 'bob only' }] }, as('bob@example.com'));
  await response.arrayBuffer();
  const bobsCall = response.headers.get('x-tailgate-request-id')!;
  await stored(bobsCall);
  assert.equal((await api(`/api/calls/${bobsCall}`, 'alice@example.com')).status, 404, "another user's call does not exist for alice");
  const aliceCalls = await api<{ items: CallJson[] }>('/api/calls?user=bob@example.com&limit=1000', 'alice@example.com');
  assert.ok(aliceCalls.body.items.length > 0 && aliceCalls.body.items.every((item) => item.login === 'alice@example.com'), 'asking for user=bob still returns only her own');
  const byUser = await api<{ rows: { key: string }[] }>('/api/usage?group_by=user', 'alice@example.com');
  assert.deepEqual(byUser.body.rows.map((row) => row.key), ['alice@example.com']);
  const all = await api<{ rows: { key: string }[] }>('/api/usage?group_by=user', 'root@example.com');
  assert.ok(all.body.rows.some((row) => row.key === 'bob@example.com') && all.body.rows.some((row) => row.key === 'alice@example.com'));
  const tools = await api<{ items: { name: string; login: string }[] }>('/api/tool-calls', 'alice@example.com');
  assert.ok(tools.body.items.length > 0 && tools.body.items.every((tool) => tool.login === 'alice@example.com'));
});

test('usage and calls download as CSV', async () => {
  const usage = await fetch(`${gateway.url}/api/usage?group_by=model&format=csv`, { headers: as('root@example.com') });
  assert.match(usage.headers.get('content-type') ?? '', /^text\/csv/);
  const [header, ...rows] = (await usage.text()).trim().split('\r\n');
  assert.match(header, /^model,requests,errors,inputTokens,outputTokens/);
  assert.ok(rows.some((row) => row.startsWith('gpt-4.1,')));
  const calls = await fetch(`${gateway.url}/api/calls?format=csv&limit=5`, { headers: as('root@example.com') });
  const lines = (await calls.text()).trim().split('\r\n');
  assert.ok(lines[0].split(',').includes('inputTokens') && lines.length >= 2);
});

test('zero retention: no headers or bodies are ever stored, and with purge of tools no tool arguments', async () => {
  const zero = await startGateway({ config: await config({ database: { retention: { duration: '0', purge: ['captures', 'tools'] } } }), env: {}, durable: true });
  try {
    fake.reply(fixture('openai-chat', 'tool-calls.sse').reply());
    const response = await fetch(`${zero.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...as('root@example.com') }, body: JSON.stringify({ model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: 'secret prompt' }] }) });
    await response.text();
    const id = response.headers.get('x-tailgate-request-id')!;
    let detail: (CallJson & { captures: unknown }) | undefined;
    for (let attempt = 0; attempt < 200 && !detail; attempt++) {
      const reply = await fetch(`${zero.url}/api/calls/${id}`, { headers: as('root@example.com') });
      if (reply.status === 200) detail = (await reply.json()) as CallJson & { captures: unknown };
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(detail, 'the call itself is recorded');
    assert.equal(detail.captures, null);
    assert.ok(detail.usage.inputTokens > 0, 'metrics are always kept');
    assert.ok(!JSON.stringify(detail).includes('secret prompt'));
    assert.ok(detail.toolCalls.length > 0 && detail.toolCalls.every((tool) => (tool as { arguments?: string }).arguments === ''));
  } finally {
    await zero.close();
  }
});

test('/metrics shows the recording pipeline to callers granted read_metrics, and to no one else', async () => {
  const metrics = (login: string) => fetch(`${gateway.url}/metrics`, { headers: as(login) });
  for (const login of ['alice@example.com', 'root@example.com']) assert.equal((await metrics(login)).status, 403, login);
  fake.reply(fixture('anthropic-messages', 'rate-limit.error.json').reply());
  const response = await call('/v1/messages', { model: 'claude-haiku-4-5', max_tokens: 5, messages: [] }, as('alice@example.com'));
  await response.text();
  await stored(response.headers.get('x-tailgate-request-id')!);
  const text = await (await metrics('ops@example.com')).text();
  assert.match(text, /^tailgate_recording_enabled 1$/m);
  assert.match(text, /^tailgate_recording_store_failing 0$/m);
  assert.match(text, /^# TYPE tailgate_recording_spool_bytes gauge$/m);
  assert.ok(Number(/^tailgate_recording_stored_calls_total (\d+)$/m.exec(text)?.[1]) >= 1, text);
});
