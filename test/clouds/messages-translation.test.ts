// An Anthropic Messages client (the Anthropic SDK, as Claude Code with only ANTHROPIC_BASE_URL) routed
// to Claude on Bedrock and on Vertex: the gateway rewrites URL, auth and body, re-frames Bedrock's
// event-stream as the SSE api.anthropic.com sends, and spells cloud errors as Anthropic errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { StartedGateway } from '../../src/server.ts';
import { fixture } from '../fake-upstream/fake-upstream.ts';
import { decodeMessages } from '../fake-upstream/event-stream.ts';
import { lastCall, post, recorded, startCloudGateway } from './cloud-harness.ts';
import { pieces } from './fake-cloud.ts';
import { bedrockError, bedrockExpected, bedrockFixture, startFakeBedrock, type FakeBedrock } from './fake-bedrock.ts';
import { REGION, startFakeVertex, type FakeVertex } from './fake-vertex.ts';

const BEDROCK_ID = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const secret = 'translation-test-secret';
const betas = 'interleaved-thinking-2025-05-14,context-management-2025-06-27';

/** What Anthropic's Bedrock SDK (and so api.anthropic.com's SSE) makes of an event-stream fixture. */
function expectedSse(name: string): string {
  return decodeMessages(bedrockFixture(name))
    .filter((m) => m.messageType === 'event')
    .map((m) => {
      const text = Buffer.from((m.payload as { bytes: string }).bytes, 'base64').toString('utf8');
      return `event: ${(JSON.parse(text) as { type: string }).type}\ndata: ${text}\n\n`;
    })
    .join('');
}

describe('/v1/messages served by Claude on Bedrock and on Vertex', () => {
  let bedrock: FakeBedrock;
  let vertex: FakeVertex;
  let gateway: StartedGateway;
  let client: Anthropic;

  before(async () => {
    bedrock = await startFakeBedrock({ secrets: { AKIDTRANSLATE: { secretAccessKey: secret } } });
    vertex = await startFakeVertex();
    gateway = await startCloudGateway({
      bedrock: {
        baseurl: bedrock.url,
        models: ['claude-sonnet-4-5', 'claude-denied'],
        compatibility: { anthropic_messages: true, bedrock_model_invoke: true },
        bedrock: { access_key_id: 'AKIDTRANSLATE', secret_access_key: secret, model_ids: { 'claude-sonnet-4-5': BEDROCK_ID, 'claude-denied': 'anthropic.claude-denied-v1:0' } },
      },
      vertex: {
        baseurl: vertex.url,
        apikey: `keyfile::${JSON.stringify(vertex.keyFile)}`,
        models: ['claude-opus-4-5', 'claude-quota'],
        compatibility: { anthropic_messages: true, google_raw_predict: true },
        vertex: { region: REGION, model_ids: { 'claude-opus-4-5': 'claude-opus-4-5@20251101', 'claude-quota': 'quota-claude@1' } },
      },
    });
    client = new Anthropic({ baseURL: gateway.url, apiKey: 'placeholder', maxRetries: 0 });
  });
  after(async () => {
    await gateway?.close();
    await bedrock?.close();
    await vertex?.close();
  });

  test('a stream to Bedrock: InvokeModelWithResponseStream upstream, Anthropic SSE to the client, metered and priced', async () => {
    const seen = gateway.calls.length;
    const response = await post(`${gateway.url}/v1/messages?beta=true`, { model: 'claude-sonnet-4-5', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] }, {
      'x-api-key': 'placeholder',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': betas,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(response.headers.get('content-length'), null);
    assert.equal(await response.text(), expectedSse('invoke-stream-text.eventstream'));

    const request = bedrock.requests.at(-1)!;
    assert.equal(request.path, `/model/${encodeURIComponent(BEDROCK_ID)}/invoke-with-response-stream`);
    assert.equal(request.accessKeyId, 'AKIDTRANSLATE');
    const body = request.json as Record<string, unknown>;
    assert.equal(body.anthropic_version, 'bedrock-2023-05-31');
    assert.deepEqual(body.anthropic_beta, betas.split(','));
    assert.equal(body.model, undefined);
    assert.equal(body.stream, undefined);
    assert.deepEqual(body.messages, [{ role: 'user', content: 'hi' }]);
    assert.equal(request.headers['anthropic-version'], undefined);
    assert.equal(request.headers['x-api-key'], undefined);

    const call = await lastCall(gateway, seen + 1);
    assert.equal(call.provider, 'bedrock');
    assert.equal(call.endpoint, 'anthropic-messages');
    assert.equal(call.upstreamModel, BEDROCK_ID);
    assert.deepEqual(call.usage, bedrockExpected('invoke-stream-text.eventstream').usage);
    assert.match(call.costBasis ?? '', /^bedrock\/.*claude-sonnet-4-5/);
    assert.ok((call.costUsd ?? 0) > 0);
  });

  test('the Anthropic SDK reads the translated stream and the non-stream answer', async () => {
    const stream = client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    const streamed = await stream.finalMessage();
    assert.equal(streamed.content[0].type === 'text' && streamed.content[0].text, 'Hello from Bedrock.');
    assert.equal(streamed.usage.output_tokens, 42);
    const message = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(message.content[0].type === 'text' && message.content[0].text, 'Hello from Bedrock.');
    assert.equal(bedrock.requests.at(-1)!.operation, 'invoke');
  });

  test('an exception mid-stream becomes an Anthropic error event; the call is an upstream error', async () => {
    const seen = gateway.calls.length;
    bedrock.queue.push(() => ({ status: 200, headers: { 'content-type': 'application/vnd.amazon.eventstream' }, chunks: pieces(bedrockFixture('invoke-stream-exception.eventstream'), 29) }));
    const response = await post(`${gateway.url}/v1/messages`, { model: 'claude-sonnet-4-5', max_tokens: 64, stream: true, messages: [] });
    const text = await response.text();
    assert.ok(text.endsWith('event: error\ndata: {"type":"error","error":{"type":"rate_limit_error","message":"Too many tokens, please wait before trying again."}}\n\n'), text);
    const call = await lastCall(gateway, seen + 1);
    assert.equal(call.outcome, 'upstream_error');
    assert.equal(call.errorKind, 'rate_limit_error');
    assert.equal(call.usage.inputTokens, 30);
  });

  test('Bedrock errors are Anthropic errors with the original status; throttling keeps retry-after; credential errors show no ARN', async () => {
    bedrock.queue.push(() => bedrockError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.', { 'retry-after': '9' }));
    const throttled = await post(`${gateway.url}/v1/messages`, { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [] });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('retry-after'), '9');
    assert.deepEqual(await throttled.json(), { type: 'error', error: { type: 'rate_limit_error', message: 'Too many requests, please wait before trying again.' } });

    bedrock.queue.push(() => bedrockError(403, 'AccessDeniedException', 'User: arn:aws:sts::123456789012:assumed-role/gateway is not authorized to perform: bedrock:InvokeModel'));
    const denied = await post(`${gateway.url}/v1/messages`, { model: 'claude-denied', max_tokens: 64, messages: [] });
    assert.equal(denied.status, 403);
    const body = (await denied.json()) as { error: { type: string; message: string } };
    assert.equal(body.error.type, 'permission_error');
    assert.ok(!body.error.message.includes('arn:aws'), body.error.message);
  });

  test('count_tokens goes to Bedrock CountTokens and comes back in Anthropic\'s shape', async () => {
    const count = await client.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(count.input_tokens, 21);
    const request = bedrock.requests.at(-1)!;
    assert.equal(request.operation, 'count-tokens');
    assert.equal(request.modelId, 'anthropic.claude-sonnet-4-5-20250929-v1:0', 'CountTokens takes the foundation model, not the us. profile');
    const invoke = JSON.parse(Buffer.from((request.json as { input: { invokeModel: { body: string } } }).input.invokeModel.body, 'base64').toString('utf8')) as Record<string, unknown>;
    assert.equal(invoke.anthropic_version, 'bedrock-2023-05-31');
    assert.equal(invoke.model, undefined);
  });

  test('a stream to Vertex: streamRawPredict with the Vertex version in the body, SSE passed through, metered and priced', async () => {
    const seen = gateway.calls.length;
    const f = fixture('anthropic-messages', 'text.sse');
    const response = await post(`${gateway.url}/v1/messages`, { model: 'claude-opus-4-5', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01', 'anthropic-beta': betas });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), f.text);
    const request = vertex.requests.at(-1)!;
    assert.deepEqual([request.publisher, request.model, request.method], ['anthropic', 'claude-opus-4-5@20251101', 'streamRawPredict']);
    const body = request.json as Record<string, unknown>;
    assert.equal(body.anthropic_version, 'vertex-2023-10-16');
    assert.equal(body.stream, true);
    assert.equal(body.model, undefined);
    assert.equal(request.headers['anthropic-beta'], betas);
    assert.equal(request.headers['anthropic-version'], undefined);
    assert.equal(request.token, vertex.tokensIssued.at(-1));
    const call = await lastCall(gateway, seen + 1);
    assert.equal(call.provider, 'vertex');
    assert.deepEqual(call.usage, f.expected.usage);
    assert.match(call.costBasis ?? '', /^vertex\/claude-opus-4-5/);
    assert.ok((call.costUsd ?? 0) > 0);
  });

  test('the Anthropic SDK against Vertex: create, stream and count_tokens', async () => {
    const message = await client.messages.create({ model: 'claude-opus-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(message.type, 'message');
    assert.equal(vertex.requests.at(-1)!.method, 'rawPredict');
    const streamed = await client.messages.stream({ model: 'claude-opus-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    assert.equal(streamed.stop_reason, 'end_turn');
    const count = await client.messages.countTokens({ model: 'claude-opus-4-5', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(count.input_tokens, 21);
    const request = vertex.requests.at(-1)!;
    assert.equal(request.model, 'count-tokens');
    assert.equal((request.json as { model?: string }).model, 'claude-opus-4-5@20251101');
  });

  test('Vertex quota errors become Anthropic rate-limit errors with status and retry-after', async () => {
    const seen = gateway.calls.length;
    const response = await post(`${gateway.url}/v1/messages`, { model: 'claude-quota', max_tokens: 64, messages: [] });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '30');
    const body = (await response.json()) as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'rate_limit_error');
    assert.match(body.error.message, /Quota exceeded/);
    const call = (await recorded(gateway, seen + 1)).at(-1)!;
    assert.equal(call.outcome, 'upstream_error');
    assert.equal(call.status, 429);
  });
});
