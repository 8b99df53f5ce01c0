// The official `@anthropic-ai/sdk`, unmodified, with only a base URL and a placeholder key, against the gateway.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { RecordedRequest } from '../fake-upstream/fake-upstream.ts';
import { fixture } from '../fake-upstream/fake-upstream.ts';
import { keys, startHarness, type Harness } from '../e2e/harness.ts';
import { assertCost, assertGatewayCredential, assertMetered, callAfter, perMillion, PLACEHOLDER, rawAndParsed, sseEvents, sseJson } from './sdk-helpers.ts';

let h: Harness;
let client: Anthropic;
before(async () => {
  h = await startHarness();
  client = new Anthropic({ baseURL: h.url, apiKey: PLACEHOLDER });
});
after(() => h.close());

// claude-sonnet-4-5 list prices, USD per million tokens: input $3, output $15, cache read $0.30,
// 5-minute cache write $3.75, 1-hour cache write $6.

const bash = { name: 'Bash', description: 'Run a shell command', input_schema: { type: 'object' as const, properties: { command: { type: 'string' }, description: { type: 'string' } } } };

/** What Anthropic's SSE carries, minus the `ping` keep-alives that every SDK drops. */
function messageEvents(name: 'tool-use.sse' | 'thinking.sse'): unknown[] {
  const f = fixture('anthropic-messages', name);
  return sseJson(f).filter((event) => (event as { type: string }).type !== 'ping');
}

function assertUpstream(request: RecordedRequest, path: string): void {
  assert.equal(request.path, path);
  assertGatewayCredential(request, 'x-api-key', keys.anthropic, ['authorization', 'x-goog-api-key']);
  assert.ok(typeof request.headers['anthropic-version'] === 'string', 'the SDK’s anthropic-version header is forwarded');
}

test('messages.create (non-stream) gets the upstream body byte for byte and the gateway meters the cache write', async () => {
  const f = fixture('anthropic-messages', 'text.json');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const { raw, text, data: message } = await rawAndParsed(client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] }));

  assert.equal(raw.status, 200);
  assert.equal(await text, f.text, 'the SDK received the upstream bytes unchanged');
  assert.equal(raw.headers.get('request-id'), f.expected.headers['request-id']);
  assert.deepEqual(message, JSON.parse(f.text));
  assert.deepEqual(message.content, [{ type: 'text', text: 'Hello! How can I help you today?' }]);
  assert.equal(message.stop_reason, 'end_turn');
  assert.equal(message.usage.input_tokens, 3);
  assert.equal(message.usage.cache_creation_input_tokens, 1200);
  assert.equal(message.usage.cache_creation?.ephemeral_5m_input_tokens, 1200);
  assert.equal(message.usage.cache_read_input_tokens, 0);
  assert.equal(message.usage.output_tokens, 12);

  assertUpstream(h.fake.requests.at(-1)!, '/v1/messages');
  const call = await callAfter(h, before);
  assertMetered(call, f, 'anthropic', 'claude-sonnet-4-5');
  assert.equal(call.stream, false);
  // input 1203 = 3 uncached + 0 cache read + 1200 written for 5 minutes; 12 output.
  assertCost(call, (3 * 3 + 1200 * 3.75 + 12 * 15) / perMillion, 'anthropic/claude-sonnet-4-5');
});

test('messages.create stream (tool use): the SSE bytes arrive unchanged and the tool input reassembles', async () => {
  const f = fixture('anthropic-messages', 'tool-use.sse');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const { raw, text, data: stream } = await rawAndParsed(
    client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1024, stream: true, tools: [bash], messages: [{ role: 'user', content: 'List the files' }] }),
  );
  const events: Anthropic.Messages.RawMessageStreamEvent[] = [];
  for await (const event of stream) events.push(event);

  assert.equal(await text, f.text, 'the SDK received the upstream SSE bytes unchanged, pings included');
  assert.equal(raw.headers.get('content-type'), f.expected.headers['content-type']);
  assert.deepEqual(events, messageEvents('tool-use.sse'), 'the SDK parsed exactly the upstream events');

  let json = '';
  for (const event of events) if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') json += event.delta.partial_json;
  assert.equal(json, f.expected.toolCalls[0].arguments);
  const start = events.find((event) => event.type === 'content_block_start' && event.content_block.type === 'tool_use');
  assert.ok(start?.type === 'content_block_start' && start.content_block.type === 'tool_use');
  assert.equal(start.content_block.name, 'Bash');
  assert.equal(start.content_block.id, 'toolu_01T1x1fJ34qAmk2tNTrN7Up6');

  assertUpstream(h.fake.requests.at(-1)!, '/v1/messages');
  assert.equal((h.fake.requests.at(-1)!.json as { stream: boolean }).stream, true);
  const call = await callAfter(h, before);
  assertMetered(call, f, 'anthropic', 'claude-sonnet-4-5');
  assert.equal(call.stream, true);
  // input 1825 = 25 uncached + 1800 cache read + 0 written; 89 output.
  assertCost(call, (25 * 3 + 1800 * 0.3 + 89 * 15) / perMillion, 'anthropic/claude-sonnet-4-5');
});

test('messages.stream helper (tool use): finalMessage has the text, the parsed tool input and the usage', async () => {
  const f = fixture('anthropic-messages', 'tool-use.sse');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const stream = client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 1024, tools: [bash], messages: [{ role: 'user', content: 'List the files' }] });
  const events: unknown[] = [];
  stream.on('streamEvent', (event) => events.push(structuredClone(event)));
  const final = await stream.finalMessage();

  assert.deepEqual(events, messageEvents('tool-use.sse'), 'the helper saw exactly the upstream events');
  assert.equal(final.id, 'msg_014p7gG3wDgGV9EUtLvnow3U');
  assert.equal(final.stop_reason, 'tool_use');
  assert.deepEqual(final.content[0], { type: 'text', text: 'Let me look at the files.' });
  const tool = final.content[1];
  assert.ok(tool.type === 'tool_use');
  assert.equal(tool.name, 'Bash');
  assert.deepEqual(tool.input, JSON.parse(f.expected.toolCalls[0].arguments));
  assert.equal(final.usage.input_tokens, 25);
  assert.equal(final.usage.cache_read_input_tokens, 1800);
  assert.equal(final.usage.output_tokens, 89);

  assertUpstream(h.fake.requests.at(-1)!, '/v1/messages');
  const call = await callAfter(h, before);
  assertMetered(call, f, 'anthropic', 'claude-sonnet-4-5');
  assertCost(call, (25 * 3 + 1800 * 0.3 + 89 * 15) / perMillion, 'anthropic/claude-sonnet-4-5');
});

test('messages.stream helper (thinking): thinking, signature and text arrive; 5m and 1h cache writes are priced apart', async () => {
  const f = fixture('anthropic-messages', 'thinking.sse');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const stream = client.messages.stream({
    model: 'claude-sonnet-4-5',
    max_tokens: 2048,
    thinking: { type: 'enabled', budget_tokens: 1024 },
    messages: [{ role: 'user', content: 'How do I run the tests?' }],
  });
  const events: unknown[] = [];
  stream.on('streamEvent', (event) => events.push(structuredClone(event)));
  let thinking = '';
  stream.on('thinking', (delta) => (thinking += delta));
  const final = await stream.finalMessage();

  assert.deepEqual(events, messageEvents('thinking.sse'), 'the helper saw exactly the upstream events');
  const expectedThinking = 'The user wants the test command. The package.json has a "test" script that typechecks first, so `npm test` is the answer.';
  assert.equal(thinking, expectedThinking);
  const [block, answer] = final.content;
  assert.ok(block.type === 'thinking');
  assert.equal(block.thinking, expectedThinking);
  assert.ok(block.signature.startsWith('EqQBCgIYAhIM'));
  assert.deepEqual(answer, { type: 'text', text: 'Run `npm test`: it typechecks and then runs every test file.' });
  assert.equal(final.stop_reason, 'end_turn');
  assert.equal(final.usage.input_tokens, 12);
  assert.equal(final.usage.cache_read_input_tokens, 10240);
  assert.equal(final.usage.cache_creation_input_tokens, 2048);
  assert.equal(final.usage.cache_creation?.ephemeral_5m_input_tokens, 1536);
  assert.equal(final.usage.cache_creation?.ephemeral_1h_input_tokens, 512);
  assert.equal(final.usage.output_tokens, 356);

  assertUpstream(h.fake.requests.at(-1)!, '/v1/messages');
  const call = await callAfter(h, before);
  assertMetered(call, f, 'anthropic', 'claude-sonnet-4-5');
  // input 12300 = 12 uncached + 10240 cache read + 1536 written for 5m + 512 written for 1h;
  // 356 output (201 of them thinking, priced as output).
  assertCost(call, (12 * 3 + 10240 * 0.3 + 1536 * 3.75 + 512 * 6 + 356 * 15) / perMillion, 'anthropic/claude-sonnet-4-5');
});

// @anthropic-ai/sdk 1.14 tags beta calls with an internal `__qualifiers: { beta: 'true' }` that never
// reaches the URL: it POSTs plain /v1/messages and marks the beta only with the anthropic-beta header.
// Earlier SDK versions and Claude Code append `?beta=true`; the helper test below sends that explicitly.
test('beta.messages.create stream: anthropic-beta is forwarded and the bytes arrive unchanged', async () => {
  const f = fixture('anthropic-messages', 'thinking.sse');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const { text, data: stream } = await rawAndParsed(
    client.beta.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 2048,
      stream: true,
      betas: ['interleaved-thinking-2025-05-14'],
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'How do I run the tests?' }],
    }),
  );
  const events: unknown[] = [];
  for await (const event of stream) events.push(event);

  assert.equal(await text, f.text, 'the SDK received the upstream SSE bytes unchanged');
  assert.deepEqual(events, messageEvents('thinking.sse'), 'the SDK parsed exactly the upstream events');

  const upstream = h.fake.requests.at(-1)!;
  assertUpstream(upstream, '/v1/messages');
  assert.equal(upstream.headers['anthropic-beta'], 'interleaved-thinking-2025-05-14');
  const call = await callAfter(h, before);
  assertMetered(call, f, 'anthropic', 'claude-sonnet-4-5');
  assertCost(call, (12 * 3 + 10240 * 0.3 + 1536 * 3.75 + 512 * 6 + 356 * 15) / perMillion, 'anthropic/claude-sonnet-4-5');
});

test('beta.messages.stream helper on /v1/messages?beta=true (as Claude Code sends it): finalMessage parses the tool input', async () => {
  const f = fixture('anthropic-messages', 'tool-use.sse');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const final = await client.beta.messages
    .stream({ model: 'claude-sonnet-4-5', max_tokens: 1024, tools: [bash], messages: [{ role: 'user', content: 'List the files' }] }, { query: { beta: 'true' } })
    .finalMessage();
  const tool = final.content[1];
  assert.ok(tool.type === 'tool_use');
  assert.deepEqual({ id: tool.id, name: tool.name, input: tool.input }, { id: f.expected.toolCalls[0].id, name: 'Bash', input: JSON.parse(f.expected.toolCalls[0].arguments) });
  assert.equal(final.usage.output_tokens, 89);

  assertUpstream(h.fake.requests.at(-1)!, '/v1/messages?beta=true');
  const call = await callAfter(h, before);
  assertMetered(call, f, 'anthropic', 'claude-sonnet-4-5');
  assertCost(call, (25 * 3 + 1800 * 0.3 + 89 * 15) / perMillion, 'anthropic/claude-sonnet-4-5');
});

test('messages.countTokens answers unchanged; the record has no usage and so no cost', async () => {
  const f = fixture('anthropic-messages', 'count-tokens.json');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const { text, data: count } = await rawAndParsed(client.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hello' }] }));
  assert.equal(await text, f.text, 'the SDK received the upstream bytes unchanged');
  assert.deepEqual(count, { input_tokens: 2095 });

  assertUpstream(h.fake.requests.at(-1)!, '/v1/messages/count_tokens');
  const call = await callAfter(h, before);
  assertMetered(call, f, 'anthropic', 'claude-sonnet-4-5');
  assert.deepEqual(call.usage, {}, 'counting tokens consumes none');
  // No usage on the wire → no cost: unknown is never priced as 0 (usage.ts), and count_tokens is free anyway.
  assert.equal(call.costUsd, undefined);
  assert.equal(call.costBasis, 'anthropic/claude-sonnet-4-5');
});

test('beta.messages.countTokens: the token-counting beta header is forwarded', async () => {
  const f = fixture('anthropic-messages', 'count-tokens.json');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;
  const count = await client.beta.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hello' }] });
  assert.equal(count.input_tokens, 2095);
  const upstream = h.fake.requests.at(-1)!;
  assertUpstream(upstream, '/v1/messages/count_tokens');
  assert.equal(upstream.headers['anthropic-beta'], 'token-counting-2024-11-01');
  const call = await callAfter(h, before);
  assertMetered(call, f, 'anthropic', 'claude-sonnet-4-5');
});

test('the fixture events used above really contain the pings the SDKs skip', () => {
  // Guards the comparisons above: they drop exactly the `ping` events, which the raw-bytes checks cover.
  for (const name of ['tool-use.sse', 'thinking.sse'] as const) {
    const all = sseEvents(fixture('anthropic-messages', name));
    assert.ok(all.some((event) => event.event === 'ping'));
    assert.equal(messageEvents(name).length, all.filter((event) => event.event !== 'ping').length);
  }
});

test('models.list shows the models /v1/messages reaches; models.retrieve answers in Anthropic\'s fields, and any other model is Anthropic\'s not_found_error', async () => {
  const listed = [];
  for await (const model of client.models.list()) listed.push(model.id);
  assert.deepEqual(listed, ['claude-sonnet-4-5', 'claude-haiku-4-5']);

  const model = await client.models.retrieve('claude-sonnet-4-5');
  assert.equal(model.id, 'claude-sonnet-4-5');
  assert.equal(model.type, 'model');
  assert.equal(model.display_name, 'claude-sonnet-4-5');
  assert.equal(typeof model.created_at, 'string');

  for (const id of ['claude-nonexistent', 'gpt-4.1']) {
    await assert.rejects(client.models.retrieve(id), (error: unknown) => {
      assert.ok(error instanceof Anthropic.NotFoundError, String(error));
      assert.deepEqual(error.error, { type: 'error', error: { type: 'not_found_error', message: `model "${id}" is not available through this gateway` } });
      return true;
    });
  }
});
