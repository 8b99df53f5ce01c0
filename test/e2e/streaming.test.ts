import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fixture } from '../fake-upstream/fake-upstream.ts';
import { post, recorded, startHarness, type Harness } from './harness.ts';

let h: Harness;
before(async () => (h = await startHarness()));
after(() => h.close());

const cases = [
  { dialect: 'openai-chat', name: 'tool-calls.sse', path: '/v1/chat/completions', body: { model: 'gpt-4.1', stream: true, stream_options: { include_usage: true }, messages: [] } },
  { dialect: 'openai-responses', name: 'function-call.sse', path: '/v1/responses', body: { model: 'gpt-5', stream: true, input: 'ls' } },
  { dialect: 'anthropic-messages', name: 'thinking.sse', path: '/v1/messages?beta=true', body: { model: 'claude-sonnet-4-5', max_tokens: 64, stream: true, messages: [] } },
  { dialect: 'anthropic-messages', name: 'tool-use.sse', path: '/v1/messages', body: { model: 'claude-sonnet-4-5', max_tokens: 64, stream: true, messages: [] } },
  { dialect: 'gemini', name: 'function-call.sse', path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', body: { contents: [] } },
  { dialect: 'gemini', name: 'text.json-array', path: '/v1beta/models/gemini-2.5-pro:streamGenerateContent', body: { contents: [] } },
  { dialect: 'gemini', name: 'text.json', path: '/v1/models/gemini-2.5-flash:generateContent', body: { contents: [] } },
  { dialect: 'openai-chat', name: 'embeddings.json', path: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: 'hi' } },
] as const;

for (const c of cases) {
  test(`${c.path} streams ${c.dialect}/${c.name} through byte for byte and meters it`, async () => {
    const f = fixture(c.dialect, c.name);
    h.fake.reply(f.reply());
    const before = h.gateway.calls.length;
    const response = await post(`${h.url}${c.path}`, c.body);
    assert.equal(response.status, 200);
    assert.equal(Buffer.from(await response.arrayBuffer()).toString('utf8'), f.text);
    const [call] = (await recorded(h.gateway, before + 1)).slice(before);
    assert.equal(call.outcome, 'ok');
    assert.deepEqual(call.usage, f.expected.usage);
    assert.deepEqual(call.toolCalls, f.expected.toolCalls ?? []);
    assert.equal(call.finishReason, f.expected.finishReason);
    if (call.usage.inputTokens !== undefined) assert.ok(call.costUsd !== undefined && call.costUsd > 0, 'a priced model gets a cost');
  });
}

test('OpenAI chat streams get include_usage upstream; the usage chunk is hidden from a client that did not ask', async () => {
  const f = fixture('openai-chat', 'text.sse');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;
  const response = await post(`${h.url}/v1/chat/completions`, { model: 'gpt-4.1', stream: true, messages: [] });
  const text = await response.text();
  const upstream = h.fake.requests.at(-1)!;
  assert.deepEqual((upstream.json as { stream_options: unknown }).stream_options, { include_usage: true });
  const usageEvents = f.events.filter((event) => /"choices":\[\],"usage":\{/.test(event));
  assert.equal(usageEvents.length, 1, 'the fixture has one usage-only chunk');
  assert.equal(text, f.events.filter((event) => !usageEvents.includes(event)).join(''), 'everything else arrives verbatim');
  const [call] = (await recorded(h.gateway, before + 1)).slice(before);
  assert.deepEqual(call.usage, f.expected.usage, 'the gateway still metered the hidden chunk');
});

test('a 1,000-chunk stream reaches the client chunk by chunk, not buffered', async () => {
  const f = fixture('openai-chat', 'long.sse');
  h.fake.reply(f.reply({ chunkDelayMs: 1 }));
  const response = await post(`${h.url}/v1/chat/completions`, { model: 'gpt-4.1', stream: true, stream_options: { include_usage: true }, messages: [] });
  const reader = response.body!.getReader();
  const arrivals: number[] = [];
  let text = '';
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    arrivals.push(performance.now());
    text += decoder.decode(value, { stream: true });
  }
  assert.equal(text, f.text);
  assert.ok(arrivals.length > 500, `the client saw ${arrivals.length} separate reads`);
  assert.ok(arrivals.at(-1)! - arrivals[0] > 500, 'reads were spread over the stream, not delivered at the end');
});

test('time to first byte does not wait for the rest of the stream', async () => {
  const f = fixture('anthropic-messages', 'text.sse');
  h.fake.reply(f.reply({ chunkDelayMs: 300 }));
  const started = performance.now();
  const response = await post(`${h.url}/v1/messages`, { model: 'claude-sonnet-4-5', max_tokens: 5, stream: true, messages: [] });
  const reader = response.body!.getReader();
  await reader.read();
  const firstByte = performance.now() - started;
  while (!(await reader.read()).done);
  const total = performance.now() - started;
  assert.ok(firstByte < 250, `first byte after ${firstByte.toFixed(0)} ms`);
  assert.ok(total > 300 * (f.events.length - 1), 'the stream itself took its time');
});
