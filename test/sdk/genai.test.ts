// The official `@google/genai` SDK, unmodified, with only a base URL and a placeholder key, against the gateway.
// The SDK exposes no raw body, so what it received is checked by comparing its parsed objects with the
// fixture's JSON (the e2e tests already compare the raw bytes on these paths).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import type { RecordedRequest } from '../fake-upstream/fake-upstream.ts';
import { fixture } from '../fake-upstream/fake-upstream.ts';
import { keys, startHarness, type Harness } from '../e2e/harness.ts';
import { assertCost, assertGatewayCredential, assertMetered, callAfter, perMillion, PLACEHOLDER, plain, sseJson } from './sdk-helpers.ts';

let h: Harness;
let ai: GoogleGenAI;
before(async () => {
  h = await startHarness();
  ai = new GoogleGenAI({ apiKey: PLACEHOLDER, httpOptions: { baseUrl: h.url } });
});
after(() => h.close());

// gemini-2.5-flash list prices, USD per million tokens: input $0.30, output $2.50 (thinking tokens are
// output), cached input $0.03. Output = candidatesTokenCount + thoughtsTokenCount.

/** The SDK's response object as the JSON it was parsed from: without the SDK's own `sdkHttpResponse`. */
function wire(response: GenerateContentResponse): unknown {
  const { sdkHttpResponse: _headers, ...rest } = plain(response) as Record<string, unknown>;
  return rest;
}

/**
 * The fixture's JSON as @google/genai 3.3 models it: its response converter (candidateFromMldev) copies
 * known fields only and drops `candidates[].finishMessage`, whatever the gateway delivers.
 */
function asSdkModels(json: unknown): unknown {
  const copy = structuredClone(json) as { candidates?: Record<string, unknown>[] };
  for (const candidate of copy.candidates ?? []) delete candidate.finishMessage;
  return copy;
}

function assertUpstream(request: RecordedRequest, path: string): void {
  assert.equal(request.path, path);
  assertGatewayCredential(request, 'x-goog-api-key', keys.gemini, ['authorization', 'x-api-key']);
}

test('models.generateContent: @google/genai 3.x uses /v1/models/…; the response parses unchanged and is metered', async () => {
  const f = fixture('gemini', 'text.json');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const response = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello, how are you?' });

  assert.deepEqual(wire(response), JSON.parse(f.text), 'the SDK parsed exactly the upstream body');
  assert.equal(response.text, "Hello! I'm doing well, thank you for asking. How can I help you today?");
  assert.equal(response.candidates?.[0].finishReason, 'STOP');
  assert.equal(response.usageMetadata?.promptTokenCount, 9);
  assert.equal(response.usageMetadata?.candidatesTokenCount, 18);
  assert.equal(response.usageMetadata?.thoughtsTokenCount, 480);
  assert.equal(response.usageMetadata?.totalTokenCount, 507);
  assert.equal(response.sdkHttpResponse?.headers?.['content-type'], f.expected.headers['content-type']);
  assert.equal(response.sdkHttpResponse?.headers?.['content-length'], String(Buffer.byteLength(f.text)), 'the body length is the upstream one');

  const upstream = h.fake.requests.at(-1)!;
  assertUpstream(upstream, '/v1/models/gemini-2.5-flash:generateContent');
  assert.deepEqual(upstream.json, { contents: [{ parts: [{ text: 'Hello, how are you?' }], role: 'user' }] });

  const call = await callAfter(h, before);
  assertMetered(call, f, 'gemini', 'gemini-2.5-flash');
  assert.equal(call.stream, false);
  // 9 input; 498 output = 18 candidates + 480 thoughts.
  assertCost(call, (9 * 0.3 + 498 * 2.5) / perMillion, 'google/gemini-2.5-flash');
});

test('models.generateContentStream (text): every chunk parses unchanged, over /v1/…:streamGenerateContent?alt=sse', async () => {
  const f = fixture('gemini', 'text.sse');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const chunks: GenerateContentResponse[] = [];
  for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Hello, how are you?' })) chunks.push(chunk);

  assert.deepEqual(chunks.map(wire), sseJson(f), 'the SDK parsed exactly the upstream events');
  assert.equal(chunks.map((chunk) => chunk.text).join(''), "Hello! I'm doing well, thank you for asking. How can I help you today?");
  const usage = chunks.at(-1)!.usageMetadata!;
  assert.deepEqual([usage.promptTokenCount, usage.candidatesTokenCount, usage.thoughtsTokenCount, usage.totalTokenCount], [9, 18, 500, 527]);
  assert.equal(chunks.at(-1)!.candidates?.[0].finishReason, 'STOP');

  assertUpstream(h.fake.requests.at(-1)!, '/v1/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  const call = await callAfter(h, before);
  assertMetered(call, f, 'gemini', 'gemini-2.5-flash');
  assert.equal(call.stream, true);
  // Usage is a cumulative snapshot: the last one counts. 9 input; 518 output = 18 candidates + 500 thoughts.
  assertCost(call, (9 * 0.3 + 518 * 2.5) / perMillion, 'google/gemini-2.5-flash');
});

test('models.generateContentStream (function calls): both calls parse with their arguments', async () => {
  const f = fixture('gemini', 'function-call.sse');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const chunks: GenerateContentResponse[] = [];
  const stream = await ai.models.generateContentStream({
    model: 'gemini-2.5-flash',
    contents: 'Weather and time in Paris?',
    config: {
      tools: [
        {
          functionDeclarations: [
            { name: 'get_weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } } } },
            { name: 'get_time', parametersJsonSchema: { type: 'object', properties: { timezone: { type: 'string' } } } },
          ],
        },
      ],
    },
  });
  for await (const chunk of stream) chunks.push(chunk);

  assert.deepEqual(chunks.map(wire), sseJson(f).map(asSdkModels), 'the SDK parsed exactly the upstream events (minus the field it does not model)');
  assert.ok(f.text.includes('"finishMessage"'), 'the field the SDK drops is on the wire');
  const calls = chunks.flatMap((chunk) => chunk.functionCalls ?? []);
  assert.deepEqual(
    calls.map((call) => ({ name: call.name, arguments: JSON.stringify(call.args) })),
    f.expected.toolCalls,
  );
  const usage = chunks.at(-1)!.usageMetadata!;
  assert.deepEqual([usage.promptTokenCount, usage.candidatesTokenCount, usage.thoughtsTokenCount], [83, 28, 104]);

  const upstream = h.fake.requests.at(-1)!;
  assertUpstream(upstream, '/v1/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  assert.equal((upstream.json as { tools: unknown[] }).tools.length, 1, 'the tools reached the upstream');

  const call = await callAfter(h, before);
  assertMetered(call, f, 'gemini', 'gemini-2.5-flash');
  // 83 input; 132 output = 28 candidates + 104 thoughts.
  assertCost(call, (83 * 0.3 + 132 * 2.5) / perMillion, 'google/gemini-2.5-flash');
});

test('with apiVersion v1beta (what the Gemini CLI uses) the same SDK works over /v1beta/…', async () => {
  const beta = new GoogleGenAI({ apiKey: PLACEHOLDER, httpOptions: { baseUrl: h.url, apiVersion: 'v1beta' } });
  const f = fixture('gemini', 'text.sse');
  h.fake.reply(f.reply());
  const before = h.gateway.calls.length;

  const chunks: GenerateContentResponse[] = [];
  for await (const chunk of await beta.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Hello, how are you?' })) chunks.push(chunk);

  assert.deepEqual(chunks.map(wire), sseJson(f));
  assertUpstream(h.fake.requests.at(-1)!, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  const call = await callAfter(h, before);
  assertMetered(call, f, 'gemini', 'gemini-2.5-flash');
  assertCost(call, (9 * 0.3 + 518 * 2.5) / perMillion, 'google/gemini-2.5-flash');
});

test('models.list and models.get: Gemini\'s Model resources for the models a Gemini call can reach; an unknown one is Gemini\'s 404', async () => {
  const before = h.fake.requests.length;
  const names = [];
  for await (const model of await ai.models.list()) names.push(model.name);
  assert.deepEqual(names, ['models/gemini-2.5-flash', 'models/gemini-2.5-pro']);

  const model = await ai.models.get({ model: 'gemini-2.5-pro' });
  assert.equal(model.name, 'models/gemini-2.5-pro');
  assert.equal(model.displayName, 'gemini-2.5-pro');
  assert.deepEqual(model.supportedActions, ['generateContent', 'streamGenerateContent', 'countTokens']);

  await assert.rejects(ai.models.get({ model: 'gpt-4.1' }), (error: Error & { status?: number }) => {
    assert.equal(error.status, 404);
    assert.match(error.message, /NOT_FOUND/);
    assert.match(error.message, /model \\?"gpt-4.1\\?" is not available/);
    return true;
  });
  assert.equal(h.fake.requests.length, before, 'nothing went upstream');
});
