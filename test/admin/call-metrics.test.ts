// /metrics carries what the gateway served: calls by routed provider and model, outcome and status;
// tokens by kind; cost; duration, first-byte and overhead histograms (the overhead also goes to each
// client in x-tailgate-overhead-ms). A model name the client made
// up never becomes a label (it would let any caller grow the series without bound).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startGateway, type StartedGateway } from '../../src/server.ts';
import { fixture, startFakeUpstream, type FakeUpstream } from '../fake-upstream/fake-upstream.ts';
import { recorded } from '../clouds/cloud-harness.ts';
import { providersFor } from '../e2e/harness.ts';

let fake: FakeUpstream;
let gateway: StartedGateway;
const as = (login: string) => ({ 'x-forwarded-email': login });

before(async () => {
  fake = await startFakeUpstream();
  gateway = await startGateway({
    config: {
      providers: providersFor(fake.url),
      identity: { sources: ['proxy'], proxy: { cidrs: ['127.0.0.1/32', '::1/128'], login_header: 'x-forwarded-email' } },
      grants: [
        { src: ['alice@example.com'], app: { 'tailscale.com/cap/aperture': [{ role: 'user' }, { models: '**' }] } },
        { src: ['ops@example.com'], app: { 'tailscale.com/cap/aperture': [{ role: 'user' }, { read_metrics: true }] } },
      ],
    },
    env: {},
  });
});
after(async () => {
  await gateway.close();
  await fake.close();
});

async function call(path: string, body: object): Promise<Headers> {
  const response = await fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...as('alice@example.com') }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return response.headers;
}

/** The value of the one line that starts with `series` (name and labels). */
function value(text: string, series: string): number {
  const lines = text.split('\n').filter((line) => line.startsWith(`${series} `));
  assert.equal(lines.length, 1, `${series} in\n${text}`);
  return Number(lines[0].slice(series.length + 1));
}

test('/metrics counts calls, tokens, cost and latency by provider and model; client-made model names stay out', async () => {
  const text0 = fixture('openai-chat', 'text.json');
  const n = 10;
  const overheadHeaders = new Map<string, string | null>();
  for (let i = 0; i < n; i++) {
    fake.reply(text0.reply());
    const headers = await call('/v1/chat/completions', { model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    overheadHeaders.set(headers.get('x-tailgate-request-id')!, headers.get('x-tailgate-overhead-ms'));
  }
  fake.reply(fixture('anthropic-messages', 'rate-limit.error.json').reply());
  await call('/v1/messages', { model: 'claude-haiku-4-5', max_tokens: 5, messages: [] });
  const stream = fixture('anthropic-messages', 'thinking.sse');
  fake.reply(stream.reply());
  await call('/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 9, stream: true, messages: [{ role: 'user', content: 'hi' }] });
  await call('/v1/chat/completions', { model: 'made-up-model-0123', messages: [] });
  await recorded(gateway, n + 3);

  assert.equal((await fetch(`${gateway.url}/metrics`, { headers: as('alice@example.com') })).status, 403, 'read_metrics only');
  const response = await fetch(`${gateway.url}/metrics`, { headers: as('ops@example.com') });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await response.text();

  const gpt = 'provider="openai",model="gpt-4.1"';
  assert.equal(value(text, `tailgate_requests_total{${gpt},outcome="ok",status="200"}`), n);
  assert.equal(value(text, 'tailgate_requests_total{provider="anthropic",model="claude-haiku-4-5",outcome="upstream_error",status="429"}'), 1);
  assert.equal(value(text, 'tailgate_requests_total{provider="",model="",outcome="client_error",status="404"}'), 1);
  assert.ok(!text.includes('made-up-model-0123'));

  const usage = text0.expected.usage as Record<string, number>;
  assert.equal(value(text, `tailgate_tokens_total{${gpt},kind="input"}`), n * usage.inputTokens);
  assert.equal(value(text, `tailgate_tokens_total{${gpt},kind="output"}`), n * usage.outputTokens);
  assert.equal(value(text, `tailgate_tokens_total{${gpt},kind="cache_read"}`), n * usage.cacheReadTokens);
  const sonnet = 'provider="anthropic",model="claude-sonnet-4-5"';
  assert.equal(value(text, `tailgate_tokens_total{${sonnet},kind="output"}`), (stream.expected.usage as Record<string, number>).outputTokens);
  const calls = gateway.calls.filter((c) => c.model === 'gpt-4.1');
  assert.ok(Math.abs(value(text, `tailgate_cost_usd_total{${gpt}}`) - calls.reduce((sum, c) => sum + (c.costUsd ?? 0), 0)) < 1e-12);

  assert.match(text, /^# TYPE tailgate_request_duration_seconds histogram$/m);
  assert.equal(value(text, `tailgate_request_duration_seconds_count{${gpt}}`), n);
  assert.equal(value(text, `tailgate_request_duration_seconds_bucket{${gpt},le="+Inf"}`), n);
  assert.equal(value(text, `tailgate_time_to_first_byte_seconds_count{${sonnet}}`), 1);
  assert.equal(value(text, `tailgate_gateway_overhead_seconds_count{${gpt}}`), n);
  // The gateway's own part is measured finer than a millisecond, so it is never a flat 0.
  assert.ok(calls.every((c) => c.overheadMs > 0 && c.overheadMs <= c.endedAt - c.startedAt + 1), JSON.stringify(calls.map((c) => c.overheadMs)));
  assert.ok(Math.abs(value(text, `tailgate_gateway_overhead_seconds_sum{${gpt}}`) - calls.reduce((sum, c) => sum + c.overheadMs / 1000, 0)) < 1e-9);
  // Each answer told its client the same overhead, in milliseconds.
  assert.deepEqual(new Map(calls.map((c) => [c.id, String(c.overheadMs)])), overheadHeaders);
  // Buckets are cumulative: each is at least the one before it.
  const buckets = [...text.matchAll(new RegExp(`^tailgate_request_duration_seconds_bucket\\{${gpt.replace(/[.]/g, '\\.')},le="[^"]+"\\} (\\d+)$`, 'gm'))].map((m) => Number(m[1]));
  assert.equal(buckets.length, 16);
  assert.ok(buckets.every((count, i) => i === 0 || count >= buckets[i - 1]), String(buckets));
  assert.match(text, /^tailgate_recording_enabled 0$/m);
});
