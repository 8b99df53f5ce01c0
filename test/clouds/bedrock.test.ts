// Bedrock's own API through the gateway (`/bedrock/model/{id}/…` and `/model/{id}/…`), against a
// fake Bedrock that verifies every SigV4 signature independently and answers in real event-stream
// framing cut across TCP writes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StartedGateway } from '../../src/server.ts';
import { decodeMessages } from '../fake-upstream/event-stream.ts';
import { lastCall, post, recorded, startCloudGateway } from './cloud-harness.ts';
import { pieces } from './fake-cloud.ts';
import { bedrockExpected, bedrockFixture, startFakeBedrock, type FakeBedrock } from './fake-bedrock.ts';

const SONNET = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const secret = 'bedrock-test-secret-never-leaves';
const apiKey = 'ABSKbedrock-api-key-test';

const invokeBody = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };
const converseBody = { messages: [{ role: 'user', content: [{ text: 'weather in Paris?' }] }], inferenceConfig: { maxTokens: 64 } };

describe('Bedrock runtime API through the gateway', () => {
  let fake: FakeBedrock;
  let gateway: StartedGateway;
  const path = (model: string, operation: string, prefix = '/bedrock') => `${gateway.url}${prefix}/model/${encodeURIComponent(model)}/${operation}`;

  before(async () => {
    fake = await startFakeBedrock({ secrets: { AKIDGATEWAY: { secretAccessKey: secret } }, apiKeys: [apiKey] });
    gateway = await startCloudGateway({
      bedrock: {
        baseurl: fake.url,
        models: [SONNET, HAIKU, 'meta.llama3-70b-instruct-v1:0', 'missing.model-v1:0'],
        compatibility: { bedrock_model_invoke: true, bedrock_converse: true },
        bedrock: { region: 'us-east-1', access_key_id: 'AKIDGATEWAY', secret_access_key: secret },
      },
      'bedrock-key': { baseurl: fake.url, apikey: apiKey, models: ['amazon.nova-pro-v1:0'], compatibility: { bedrock_converse: true, openai_chat: true } },
    });
  });
  after(async () => {
    await gateway?.close();
    await fake?.close();
  });

  test('ListInferenceProfiles lists the cross-region profiles the gateway serves, under /bedrock and at the root', async () => {
    for (const prefix of ['/bedrock', '']) {
      const listed = await fetch(`${gateway.url}${prefix}/inference-profiles?typeEquals=SYSTEM_DEFINED`);
      assert.equal(listed.status, 200);
      const { inferenceProfileSummaries } = (await listed.json()) as { inferenceProfileSummaries: { inferenceProfileId: string; status: string; type: string }[] };
      // Foundation-model ids (SONNET, Llama, Nova) are not profiles.
      assert.deepEqual(inferenceProfileSummaries.map((p) => [p.inferenceProfileId, p.status, p.type]), [[HAIKU, 'ACTIVE', 'SYSTEM_DEFINED']]);
    }
    const application = await fetch(`${gateway.url}/bedrock/inference-profiles?typeEquals=APPLICATION`);
    assert.deepEqual(await application.json(), { inferenceProfileSummaries: [] });
  });

  test('GET /v1/models offers OpenAI callers of a Bedrock model Chat Completions only, the one OpenAI endpoint Bedrock serves', async () => {
    const models = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: { id: string; supported_endpoints: string[] }[] };
    const nova = models.data.find((m) => m.id === 'amazon.nova-pro-v1:0')!;
    assert.deepEqual(nova.supported_endpoints, ['/v1/chat/completions', '/bedrock/model/{model}/converse']);
  });

  test('InvokeModel: signed with the gateway\'s keys on the percent-encoded path, metered and priced', async () => {
    const seen = gateway.calls.length;
    const response = await post(path(SONNET, 'invoke'), invokeBody, {
      // What the AWS SDK sends: its own signature for the gateway, never to be forwarded.
      authorization: 'AWS4-HMAC-SHA256 Credential=placeholder/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=00',
      'x-amz-security-token': 'caller-session-token',
      'x-amz-date': '20260101T000000Z',
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), JSON.parse(bedrockFixture('invoke.json').toString()));
    const request = fake.requests.at(-1)!;
    assert.equal(request.path, '/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke');
    assert.equal(request.auth, 'sigv4');
    assert.equal(request.accessKeyId, 'AKIDGATEWAY');
    assert.equal(request.headers['x-amz-security-token'], undefined, 'the caller\'s session token stays at the gateway');
    assert.deepEqual(request.json, invokeBody);
    const call = await lastCall(gateway, seen + 1);
    assert.equal(call.provider, 'bedrock');
    assert.equal(call.endpoint, 'bedrock-invoke');
    assert.equal(call.model, SONNET);
    assert.equal(call.outcome, 'ok');
    assert.deepEqual(call.usage, { inputTokens: 14, outputTokens: 9, cacheReadTokens: 0, cacheWriteTokens: 0 });
    assert.match(call.costBasis ?? '', /^bedrock\//);
    assert.ok((call.costUsd ?? 0) > 0, `cost ${call.costUsd}`);
  });

  test('InvokeModelWithResponseStream on /model/… (no /bedrock): the event-stream passes byte for byte, frames split across writes are metered', async () => {
    const seen = gateway.calls.length;
    const response = await post(path(SONNET, 'invoke-with-response-stream', ''), invokeBody);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/vnd.amazon.eventstream');
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.ok(bytes.equals(bedrockFixture('invoke-stream-text.eventstream')));
    const call = await lastCall(gateway, seen + 1);
    assert.equal(call.stream, true);
    assert.deepEqual(call.usage, bedrockExpected('invoke-stream-text.eventstream').usage);
    assert.equal(call.finishReason, 'end_turn');
    assert.ok((call.costUsd ?? 0) > 0);
  });

  test('Converse and ConverseStream: usage from the body and the metadata event, tool calls reassembled', async () => {
    const seen = gateway.calls.length;
    const whole = await post(path(HAIKU, 'converse'), converseBody);
    assert.equal(whole.status, 200);
    await whole.json();
    const stream = await post(path(HAIKU, 'converse-stream'), converseBody);
    const events = decodeMessages(Buffer.from(await stream.arrayBuffer()));
    assert.deepEqual(events.map((e) => e.type).slice(-2), ['messageStop', 'metadata']);
    const [converse, converseStream] = (await recorded(gateway, seen + 2)).slice(seen);
    assert.deepEqual(converse.usage, { inputTokens: 412, outputTokens: 71, cacheReadTokens: 0, cacheWriteTokens: 0 });
    assert.equal(converse.toolCalls[0]?.name, 'get_weather');
    assert.deepEqual(converseStream.usage, bedrockExpected('converse-stream-tool.eventstream').usage);
    assert.deepEqual(converseStream.toolCalls, [{ id: 'tooluse_1', name: 'get_weather', arguments: '{"city":"Paris"}' }]);
    assert.equal(converseStream.endpoint, 'bedrock-converse-stream');
    assert.match(converseStream.costBasis ?? '', /^bedrock\/.*claude-haiku-4-5/);
    assert.ok((converseStream.costUsd ?? 0) > 0);
  });

  test('a region-prefixed inference profile of a configured model routes to it and is priced; the client\'s id goes upstream', async () => {
    const seen = gateway.calls.length;
    const response = await post(path(`eu.${SONNET}`, 'invoke'), invokeBody);
    assert.equal(response.status, 200);
    assert.equal(fake.requests.at(-1)!.modelId, `eu.${SONNET}`);
    const call = await lastCall(gateway, seen + 1);
    assert.equal(call.upstreamModel, `eu.${SONNET}`);
    assert.ok((call.costUsd ?? 0) > 0);
  });

  test('an exception frame mid-stream reaches the client as sent and records the call as an upstream error', async () => {
    const seen = gateway.calls.length;
    const fixture = bedrockFixture('invoke-stream-exception.eventstream');
    fake.queue.push(() => ({ status: 200, headers: { 'content-type': 'application/vnd.amazon.eventstream' }, chunks: pieces(fixture, 37) }));
    const response = await post(path(SONNET, 'invoke-with-response-stream'), invokeBody);
    assert.equal(response.status, 200);
    const events = decodeMessages(Buffer.from(await response.arrayBuffer()));
    assert.deepEqual(events.at(-1), { messageType: 'exception', type: 'throttlingException', payload: { message: 'Too many tokens, please wait before trying again.' } });
    const call = await lastCall(gateway, seen + 1);
    assert.equal(call.outcome, 'upstream_error');
    assert.equal(call.errorKind, 'throttlingException');
    assert.equal(call.usage.inputTokens, 30, 'what was metered before the exception still counts');
  });

  test('a Bedrock error passes through to a Bedrock caller; the gateway\'s own errors are Bedrock-shaped', async () => {
    const upstream = await post(path('missing.model-v1:0', 'invoke'), invokeBody);
    assert.equal(upstream.status, 400);
    assert.match(upstream.headers.get('x-amzn-errortype') ?? '', /^ValidationException/);
    assert.deepEqual(await upstream.json(), { message: 'The provided model identifier is invalid.' });
    const unknown = await post(path('anthropic.claude-nope-v1:0', 'invoke'), invokeBody);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
    assert.match(((await unknown.json()) as { message: string }).message, /not available/);
    const wrongOperation = await post(path('amazon.nova-pro-v1:0', 'invoke'), invokeBody);
    assert.equal(wrongOperation.status, 404, 'bedrock-key serves Converse only');
  });

  test('a Bedrock API key is sent as a bearer token instead of a signature', async () => {
    const response = await post(path('amazon.nova-pro-v1:0', 'converse'), converseBody);
    assert.equal(response.status, 200);
    const request = fake.requests.at(-1)!;
    assert.equal(request.auth, 'bearer');
    assert.equal(request.headers.authorization, `Bearer ${apiKey}`);
  });

  test('a skewed clock: the refusal\'s Date corrects the signing time and the call is retried once', async () => {
    const seen = gateway.calls.length;
    const refusedBefore = fake.refused.length;
    fake.clock.offsetMs = 11 * 60_000; // the fake is 11 minutes ahead of the gateway
    try {
      const response = await post(path(SONNET, 'invoke'), invokeBody);
      assert.equal(response.status, 200);
      assert.deepEqual(fake.refused.slice(refusedBefore).map((r) => r.type), ['InvalidSignatureException']);
      // Learned: the next call is signed right the first time.
      assert.equal((await post(path(SONNET, 'invoke'), invokeBody)).status, 200);
      assert.equal(fake.refused.length, refusedBefore + 1);
      const calls = (await recorded(gateway, seen + 2)).slice(seen);
      assert.deepEqual(calls.map((c) => c.outcome), ['ok', 'ok']);
    } finally {
      fake.clock.offsetMs = 0;
    }
    // And back: the next refusal teaches the offset again.
    assert.equal((await post(path(SONNET, 'invoke'), invokeBody)).status, 200);
  });

  test('a wrong key is refused once and not retried (no skew to learn)', async () => {
    const refusedBefore = fake.refused.length;
    fake.secrets.set('AKIDGATEWAY', { secretAccessKey: 'rotated' });
    try {
      const response = await post(path(SONNET, 'invoke'), invokeBody);
      assert.equal(response.status, 403);
      assert.match(response.headers.get('x-amzn-errortype') ?? '', /^InvalidSignatureException/);
      assert.equal(fake.refused.length, refusedBefore + 1);
    } finally {
      fake.secrets.set('AKIDGATEWAY', { secretAccessKey: secret });
    }
  });
});
