// The real clients: @aws-sdk/client-bedrock-runtime with its default HTTP/2 handler (h2c against the
// gateway's http:// URL) and Anthropic's Bedrock SDK, each given placeholder credentials; the
// gateway re-signs for the fake Bedrock, which verifies the signature.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import AnthropicBedrock from '@anthropic-ai/bedrock-sdk';
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, InvokeModelCommand, InvokeModelWithResponseStreamCommand, ThrottlingException } from '@aws-sdk/client-bedrock-runtime';
import type { StartedGateway } from '../../src/server.ts';
import { lastCall, startCloudGateway } from './cloud-harness.ts';
import { pieces } from './fake-cloud.ts';
import { bedrockError, bedrockExpected, bedrockFixture, startFakeBedrock, type FakeBedrock } from './fake-bedrock.ts';

const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const secret = 'sdk-test-secret';

describe('AWS SDK and Anthropic Bedrock SDK through the gateway', () => {
  let fake: FakeBedrock;
  let gateway: StartedGateway;
  let client: BedrockRuntimeClient;
  const prefaces: string[] = [];

  before(async () => {
    fake = await startFakeBedrock({ secrets: { AKIDSDK: { secretAccessKey: secret, sessionToken: 'gateway-session' } }, region: 'us-west-2' });
    gateway = await startCloudGateway({
      bedrock: {
        baseurl: fake.url,
        models: [SONNET],
        compatibility: { bedrock_model_invoke: true, bedrock_converse: true },
        bedrock: { region: 'us-west-2', access_key_id: 'AKIDSDK', secret_access_key: secret, session_token: 'gateway-session' },
      },
    });
    // Which protocol each new connection to the gateway opens with (h2c starts with the preface "PRI").
    gateway.server.prependListener('connection', (socket) => socket.once('data', (chunk: Buffer) => prefaces.push(chunk.subarray(0, 3).toString('latin1'))));
    client = new BedrockRuntimeClient({
      region: 'us-west-2',
      endpoint: gateway.url,
      credentials: { accessKeyId: 'placeholder', secretAccessKey: 'placeholder' },
      maxAttempts: 1,
    });
  });
  after(async () => {
    client?.destroy();
    await gateway?.close();
    await fake?.close();
  });

  test('InvokeModel over h2c', async () => {
    const seen = gateway.calls.length;
    const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] });
    const result = await client.send(new InvokeModelCommand({ modelId: SONNET, body, contentType: 'application/json', accept: 'application/json' }));
    const answer = JSON.parse(Buffer.from(result.body).toString('utf8')) as { content: { text: string }[] };
    assert.equal(answer.content[0].text, 'Hello from Bedrock.');
    assert.deepEqual(prefaces, ['PRI'], 'the AWS SDK talked HTTP/2 with prior knowledge');
    const request = fake.requests.at(-1)!;
    assert.equal(request.path, `/model/${encodeURIComponent(SONNET)}/invoke`);
    assert.equal(request.accessKeyId, 'AKIDSDK');
    assert.equal(request.headers['x-amz-security-token'], 'gateway-session');
    const call = await lastCall(gateway, seen + 1);
    assert.equal(call.outcome, 'ok');
    assert.deepEqual(call.usage, { inputTokens: 14, outputTokens: 9, cacheReadTokens: 0, cacheWriteTokens: 0 });
    assert.ok((call.costUsd ?? 0) > 0);
  });

  test('InvokeModelWithResponseStream over h2c: the SDK decodes every chunk', async () => {
    const seen = gateway.calls.length;
    const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] });
    const result = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: SONNET, body, contentType: 'application/json' }));
    const types: string[] = [];
    let text = '';
    for await (const event of result.body!) {
      const decoded = JSON.parse(Buffer.from(event.chunk!.bytes!).toString('utf8')) as { type: string; delta?: { text?: string } };
      types.push(decoded.type);
      text += decoded.delta?.text ?? '';
    }
    assert.deepEqual(types, ['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    assert.equal(text, 'Hello from Bedrock.');
    const call = await lastCall(gateway, seen + 1);
    assert.deepEqual(call.usage, bedrockExpected('invoke-stream-text.eventstream').usage);
    assert.ok((call.costUsd ?? 0) > 0);
  });

  test('Converse and ConverseStream over h2c', async () => {
    const seen = gateway.calls.length;
    const messages = [{ role: 'user' as const, content: [{ text: 'weather in Paris?' }] }];
    const converse = await client.send(new ConverseCommand({ modelId: SONNET, messages }));
    assert.equal(converse.stopReason, 'tool_use');
    assert.equal(converse.usage?.inputTokens, 412);
    const stream = await client.send(new ConverseStreamCommand({ modelId: SONNET, messages }));
    let input = '';
    let usage: unknown;
    for await (const event of stream.stream!) {
      input += event.contentBlockDelta?.delta?.toolUse?.input ?? '';
      if (event.metadata) usage = event.metadata.usage;
    }
    assert.equal(input, '{"city":"Paris"}');
    assert.deepEqual(usage, { inputTokens: 50, outputTokens: 20, totalTokens: 1270, cacheReadInputTokens: 1000, cacheWriteInputTokens: 200, cacheDetails: [{ ttl: '1h', inputTokens: 200 }] });
    const call = await lastCall(gateway, seen + 2);
    assert.deepEqual(call.usage, bedrockExpected('converse-stream-tool.eventstream').usage);
    assert.ok((call.costUsd ?? 0) > 0);
  });

  test('an exception mid-stream surfaces in the SDK as its typed exception', async () => {
    const seen = gateway.calls.length;
    fake.queue.push(() => ({ status: 200, headers: { 'content-type': 'application/vnd.amazon.eventstream' }, chunks: pieces(bedrockFixture('invoke-stream-exception.eventstream'), 50) }));
    const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] });
    const result = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: SONNET, body, contentType: 'application/json' }));
    await assert.rejects(async () => {
      for await (const _ of result.body!) {
        // read until the exception
      }
    }, (error: Error) => error instanceof ThrottlingException || error.name === 'ThrottlingException');
    const call = await lastCall(gateway, seen + 1);
    assert.equal(call.outcome, 'upstream_error');
  });

  test('a throttling error keeps its status, type and retry-after for the SDK', async () => {
    fake.queue.push(() => bedrockError(429, 'ThrottlingException', 'Too many requests', { 'retry-after': '7' }));
    await assert.rejects(
      client.send(new InvokeModelCommand({ modelId: SONNET, body: '{}', contentType: 'application/json' })),
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => error.name === 'ThrottlingException' && error.$metadata?.httpStatusCode === 429,
    );
  });

  test('Anthropic\'s Bedrock SDK (skipAuth) streams a message', async () => {
    const seen = gateway.calls.length;
    const anthropic = new AnthropicBedrock({ baseURL: gateway.url, awsRegion: 'us-west-2', skipAuth: true, maxRetries: 0 });
    const stream = anthropic.messages.stream({ model: SONNET, max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] });
    const message = await stream.finalMessage();
    assert.equal(message.content[0].type === 'text' && message.content[0].text, 'Hello from Bedrock.');
    assert.equal(message.usage.output_tokens, 42);
    const request = fake.requests.at(-1)!;
    assert.equal(request.operation, 'invoke-with-response-stream');
    // The SDK moved its version header into the body; a native call passes the body as it is.
    assert.equal(typeof (request.json as { anthropic_version?: string }).anthropic_version, 'string');
    assert.equal((request.json as { model?: string }).model, undefined);
    const call = await lastCall(gateway, seen + 1);
    assert.equal(call.endpoint, 'bedrock-invoke-stream');
    assert.ok((call.costUsd ?? 0) > 0);
    // Each of the six AWS SDK calls opened its own HTTP/2 session (the Bedrock client sets
    // disableConcurrentStreams); Anthropic's SDK (fetch) came over HTTP/1.1.
    assert.deepEqual(prefaces.filter((p) => p === 'PRI').length, 6);
    assert.ok(prefaces.includes('POS'));
  });
});
