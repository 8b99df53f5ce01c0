// The official `openai` SDK, unmodified, with only a base URL and a placeholder key, against the gateway.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { fixture } from '../fake-upstream/fake-upstream.ts';
import { keys, startHarness, type Harness } from '../e2e/harness.ts';
import { assertCost, assertGatewayCredential, assertMetered, callAfter, perMillion, PLACEHOLDER, rawAndParsed, sseEvents, sseJson } from './sdk-helpers.ts';

let h: Harness;
let client: OpenAI;
before(async () => {
  h = await startHarness();
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: PLACEHOLDER });
});
after(() => h.close());

const bearer = `Bearer ${keys.openai}`;
const weatherTools = [
  { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } } } } },
  { type: 'function' as const, function: { name: 'get_time', parameters: { type: 'object', properties: { timezone: { type: 'string' } } } } },
];

// gpt-4.1 list prices, USD per million tokens: input $2, cached input $0.50, output $8.
// gpt-5: input $1.25, cached input $0.125, output $10. text-embedding-3-small: input $0.02.

test('chat.completions.create (non-stream) gets the upstream body byte for byte and the gateway meters it', async () => {
  const f = fixture('openai-chat', 'text.json');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const { raw, text: rawText, data: completion } = await rawAndParsed(client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'What is the capital of France?' }] }));

  assert.equal(raw.status, 200);
  assert.equal(await rawText, f.text, 'the SDK received the upstream bytes unchanged');
  assert.equal(raw.headers.get('x-request-id'), f.expected.headers['x-request-id']);
  assert.deepEqual(completion, JSON.parse(f.text));
  assert.equal(completion.choices[0].message.content, 'The capital of France is Paris.');
  assert.equal(completion.choices[0].finish_reason, 'stop');
  assert.equal(completion.usage?.prompt_tokens, 1342);
  assert.equal(completion.usage?.completion_tokens, 86);
  assert.equal(completion.usage?.prompt_tokens_details?.cached_tokens, 1280);
  assert.equal(completion.usage?.completion_tokens_details?.reasoning_tokens, 64);
  assert.equal(completion._request_id, f.expected.headers['x-request-id']);

  const upstream = h.fake.requests.at(-1)!;
  assert.equal(upstream.path, '/v1/chat/completions');
  assertGatewayCredential(upstream, 'authorization', bearer, ['x-api-key', 'x-goog-api-key']);
  assert.equal((upstream.json as { model: string }).model, 'gpt-4.1');

  const call = await callAfter(h, before);
  assertMetered(call, f, 'openai', 'gpt-4.1');
  assert.equal(call.stream, false);
  // 1342 input of which 1280 cached → 62 uncached; 86 output (64 of them reasoning, priced as output).
  assertCost(call, (62 * 2 + 1280 * 0.5 + 86 * 8) / perMillion, 'openai/gpt-4.1');
});

test('chat.completions.create stream with include_usage: every chunk and the usage chunk arrive, tool calls reassemble', async () => {
  const f = fixture('openai-chat', 'tool-calls.sse');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const { raw, text: rawText, data: stream } = await rawAndParsed(
    client.chat.completions.create({
      model: 'gpt-4.1',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Weather and time in Paris?' }],
      tools: weatherTools,
    }),
  );
  const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);

  assert.equal(await rawText, f.text, 'the SDK received the upstream SSE bytes unchanged, [DONE] included');
  assert.equal(raw.headers.get('content-type'), f.expected.headers['content-type']);
  assert.deepEqual(chunks, sseJson(f), 'the SDK parsed exactly the upstream chunks');

  const calls = new Map<number, { id?: string; name: string; arguments: string }>();
  for (const chunk of chunks) {
    for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
      const call = calls.get(delta.index) ?? { name: '', arguments: '' };
      if (delta.id) call.id = delta.id;
      call.name += delta.function?.name ?? '';
      call.arguments += delta.function?.arguments ?? '';
      calls.set(delta.index, call);
    }
  }
  assert.deepEqual([...calls.values()], [
    { id: 'call_Qh3mZ8vK2pT7rW1xN5bL9cYd', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
    { id: 'call_Vb8nS4kJ6dF2gH0qA7tR3mEw', name: 'get_time', arguments: '{"timezone":"Europe/Paris"}' },
  ]);
  assert.equal(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0].finish_reason, 'tool_calls');
  const usage = chunks.at(-1)!.usage!;
  assert.deepEqual(
    [usage.prompt_tokens, usage.completion_tokens, usage.prompt_tokens_details?.cached_tokens, usage.completion_tokens_details?.reasoning_tokens],
    [312, 218, 256, 192],
  );

  const upstream = h.fake.requests.at(-1)!;
  assert.equal(upstream.path, '/v1/chat/completions');
  assertGatewayCredential(upstream, 'authorization', bearer, ['x-api-key', 'x-goog-api-key']);
  assert.deepEqual((upstream.json as { stream_options: unknown }).stream_options, { include_usage: true });

  const call = await callAfter(h, before);
  assertMetered(call, f, 'openai', 'gpt-4.1');
  assert.equal(call.stream, true);
  // 312 input of which 256 cached → 56 uncached; 218 output.
  assertCost(call, (56 * 2 + 256 * 0.5 + 218 * 8) / perMillion, 'openai/gpt-4.1');
});

test('chat.completions.stream helper: finalChatCompletion carries both tool calls and the usage', async () => {
  const f = fixture('openai-chat', 'tool-calls.sse');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const stream = client.chat.completions.stream({
    model: 'gpt-4.1',
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'Weather and time in Paris?' }],
    tools: weatherTools,
  });
  const chunks: unknown[] = [];
  stream.on('chunk', (chunk) => chunks.push(chunk));
  const done: { name: string; arguments: string }[] = [];
  stream.on('tool_calls.function.arguments.done', (event) => done.push({ name: event.name, arguments: event.arguments }));
  const final = await stream.finalChatCompletion();

  assert.deepEqual(chunks, sseJson(f), 'the helper saw exactly the upstream chunks');
  const message = final.choices[0].message;
  assert.deepEqual(
    message.tool_calls?.map((call) => (call.type === 'function' ? { id: call.id, name: call.function.name, arguments: call.function.arguments } : call)),
    f.expected.toolCalls,
  );
  assert.deepEqual(done, f.expected.toolCalls.map(({ name, arguments: args }) => ({ name, arguments: args })));
  assert.equal(final.choices[0].finish_reason, 'tool_calls');
  assert.equal(final.usage?.prompt_tokens, 312);
  assert.equal(final.usage?.completion_tokens, 218);

  assertGatewayCredential(h.fake.requests.at(-1)!, 'authorization', bearer, ['x-api-key', 'x-goog-api-key']);
  const call = await callAfter(h, before);
  assertMetered(call, f, 'openai', 'gpt-4.1');
  assertCost(call, (56 * 2 + 256 * 0.5 + 218 * 8) / perMillion, 'openai/gpt-4.1');
});

test('responses.create stream (function call): every event arrives unchanged and the function call parses', async () => {
  const f = fixture('openai-responses', 'function-call.sse');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const { text: rawText, data: stream } = await rawAndParsed(
    client.responses.create({
      model: 'gpt-5',
      stream: true,
      input: 'List the files',
      tools: [{ type: 'function', name: 'shell', parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } } }, strict: false }],
    }),
  );
  const events: OpenAI.Responses.ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);

  assert.equal(await rawText, f.text, 'the SDK received the upstream SSE bytes unchanged');
  assert.deepEqual(events, sseJson(f), 'the SDK parsed exactly the upstream events');
  assert.deepEqual(
    events.map((event) => event.type),
    sseEvents(f).map((event) => event.event),
    'SSE event names and payload types agree',
  );

  const items = events.flatMap((event) => (event.type === 'response.output_item.done' && event.item.type === 'function_call' ? [event.item] : []));
  assert.deepEqual(
    items.map((item) => ({ id: item.call_id, name: item.name, arguments: item.arguments })),
    f.expected.toolCalls,
  );
  const completed = events.at(-1)!;
  assert.equal(completed.type, 'response.completed');
  if (completed.type !== 'response.completed') return;
  assert.equal(completed.response.status, 'completed');
  const usage = completed.response.usage!;
  assert.deepEqual(
    [usage.input_tokens, usage.output_tokens, usage.input_tokens_details.cached_tokens, usage.output_tokens_details.reasoning_tokens],
    [4321, 187, 3968, 128],
  );

  const upstream = h.fake.requests.at(-1)!;
  assert.equal(upstream.path, '/v1/responses');
  assertGatewayCredential(upstream, 'authorization', bearer, ['x-api-key', 'x-goog-api-key']);

  const call = await callAfter(h, before);
  assertMetered(call, f, 'openai', 'gpt-5');
  // 4321 input of which 3968 cached (0 written) → 353 uncached; 187 output.
  assertCost(call, (353 * 1.25 + 3968 * 0.125 + 187 * 10) / perMillion, 'openai/gpt-5');
});

test('responses.stream helper (text): finalResponse has the text and usage; raw bytes unchanged via create', async () => {
  const f = fixture('openai-responses', 'text.sse');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const stream = client.responses.stream({ model: 'gpt-5', input: 'What is the capital of France?' });
  const types: string[] = [];
  let text = '';
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === 'response.output_text.delta') text += event.delta;
  }
  const final = await stream.finalResponse();

  assert.deepEqual(types, sseEvents(f).map((event) => event.event), 'the helper saw every upstream event, in order');
  assert.equal(text, 'The capital of France is Paris.');
  assert.equal(final.output_text, 'The capital of France is Paris.');
  assert.equal(final.status, 'completed');
  assert.deepEqual(
    [final.usage?.input_tokens, final.usage?.output_tokens, final.usage?.input_tokens_details.cached_tokens, final.usage?.output_tokens_details.reasoning_tokens],
    [1874, 203, 1536, 192],
  );
  const upstream = h.fake.requests.at(-1)!;
  assert.equal(upstream.path, '/v1/responses');
  assert.equal((upstream.json as { stream: boolean }).stream, true);
  assertGatewayCredential(upstream, 'authorization', bearer, ['x-api-key', 'x-goog-api-key']);

  const call = await callAfter(h, before);
  assertMetered(call, f, 'openai', 'gpt-5');
  // 1874 input of which 1536 cached → 338 uncached; 203 output.
  const cost = (338 * 1.25 + 1536 * 0.125 + 203 * 10) / perMillion;
  assertCost(call, cost, 'openai/gpt-5');

  // The same fixture through responses.create({stream: true}), to compare the raw bytes too.
  h.fake.reply(f.reply());
  const { text: rawText, data: events } = await rawAndParsed(client.responses.create({ model: 'gpt-5', stream: true, input: 'What is the capital of France?' }));
  const parsed: unknown[] = [];
  for await (const event of events) parsed.push(event);
  assert.equal(await rawText, f.text);
  assert.deepEqual(parsed, sseJson(f));
  const second = await callAfter(h, before + 1);
  assertMetered(second, f, 'openai', 'gpt-5');
  assertCost(second, cost, 'openai/gpt-5');
});

test('embeddings.create gets the vectors unchanged and is metered as input only', async () => {
  const f = fixture('openai-chat', 'embeddings.json');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const { text: rawText, data: result } = await rawAndParsed(client.embeddings.create({ model: 'text-embedding-3-small', input: ['hello', 'world'], encoding_format: 'float' }));

  assert.equal(await rawText, f.text, 'the SDK received the upstream bytes unchanged');
  assert.deepEqual(result, JSON.parse(f.text));
  assert.equal(result.data.length, 2);
  assert.equal(result.data[0].embedding[4], 0.6284391);
  assert.equal(result.usage.prompt_tokens, 14);

  const upstream = h.fake.requests.at(-1)!;
  assert.equal(upstream.path, '/v1/embeddings');
  assertGatewayCredential(upstream, 'authorization', bearer, ['x-api-key', 'x-goog-api-key']);
  assert.deepEqual(upstream.json, { model: 'text-embedding-3-small', input: ['hello', 'world'], encoding_format: 'float' });

  const call = await callAfter(h, before);
  assertMetered(call, f, 'openai', 'text-embedding-3-small');
  // 14 input tokens at $0.02 per million; embeddings have no output tokens.
  assertCost(call, (14 * 0.02) / perMillion, 'openai/text-embedding-3-small');
});

test('embeddings.create with the SDK default (base64 requested) still reaches the caller as numbers', async () => {
  const f = fixture('openai-chat', 'embeddings.json');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;
  const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
  assert.equal((h.fake.requests.at(-1)!.json as { encoding_format: string }).encoding_format, 'base64', 'the SDK asks for base64 by default');
  assert.deepEqual(result.data[1].embedding, (JSON.parse(f.text) as { data: { embedding: number[] }[] }).data[1].embedding);
  const call = await callAfter(h, before);
  assertCost(call, (14 * 0.02) / perMillion, 'openai/text-embedding-3-small');
});

test('models.list and models.retrieve: the gateway answers itself, with the models the caller may use; an unknown one is a 404 the SDK raises', async () => {
  const before = h.fake.requests.length;
  const listed = [];
  for await (const model of client.models.list()) listed.push(model.id);
  assert.deepEqual(listed, ['gpt-4.1', 'gpt-5', 'text-embedding-3-small', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'gemini-2.5-flash', 'gemini-2.5-pro']);

  const model = await client.models.retrieve('gpt-4.1');
  assert.equal(model.id, 'gpt-4.1');
  assert.equal(model.object, 'model');
  assert.equal(model.owned_by, 'openai');
  assert.deepEqual((model as unknown as { supported_endpoints: string[] }).supported_endpoints, ['/v1/chat/completions', '/v1/embeddings', '/v1/responses']);
  // `provider/model` names the provider; the SDK sends it URL-encoded as one path segment.
  assert.equal((await client.models.retrieve('anthropic/claude-haiku-4-5')).owned_by, 'anthropic');

  await assert.rejects(client.models.retrieve('gpt-0-nonexistent'), (error: unknown) => {
    assert.ok(error instanceof OpenAI.NotFoundError, String(error));
    assert.match(error.message, /model "gpt-0-nonexistent" is not available/);
    return true;
  });
  assert.equal(h.fake.requests.length, before, 'nothing went upstream');
});
