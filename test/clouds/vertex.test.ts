// Vertex AI through the gateway: a service-account key becomes OAuth tokens (JWT-bearer grant,
// verified by the fake token endpoint against the key's public half), cached, refreshed before
// expiry, one refresh at a time, replaced after a 401, and corrected for a skewed clock. Clients:
// raw HTTP, Anthropic's Vertex SDK and @google/genai in Vertex mode.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import AnthropicVertex from '@anthropic-ai/vertex-sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import type { StartedGateway } from '../../src/server.ts';
import { fixture } from '../fake-upstream/fake-upstream.ts';
import { lastCall, post, recorded, startCloudGateway } from './cloud-harness.ts';
import { CLAUDE, geminiPath, PLACEHOLDER_PROJECT, PLACEHOLDER_REGION, placeholderAuth, PROJECT, REGION, startFakeVertex, type FakeVertex } from './fake-vertex.ts';

function vertexProvider(fake: FakeVertex, extra: object = {}) {
  return {
    baseurl: fake.url,
    apikey: `keyfile::${Buffer.from(JSON.stringify(fake.keyFile)).toString('base64')}`,
    models: ['gemini-2.5-flash', 'gemini-2.5-pro', CLAUDE, 'quota-model'],
    compatibility: { google_generate_content: true, google_raw_predict: true, openai_chat: true },
    vertex: { region: REGION },
    ...extra,
  };
}


describe('Vertex AI with a service-account key', () => {
  let fake: FakeVertex;
  let gateway: StartedGateway;
  before(async () => {
    fake = await startFakeVertex();
    gateway = await startCloudGateway({ vertex: vertexProvider(fake) });
  });
  after(async () => {
    await gateway?.close();
    await fake?.close();
  });

  test('generateContent: Aperture\'s placeholders become the configured project and region; the token comes from a verified assertion', async () => {
    const seen = gateway.calls.length;
    const response = await post(`${gateway.url}${geminiPath('gemini-2.5-flash', 'generateContent')}`, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }, { authorization: 'Bearer placeholder' });
    assert.equal(response.status, 200);
    await response.json();
    const request = fake.requests.at(-1)!;
    assert.deepEqual([request.project, request.region, request.model], [PROJECT, REGION, 'gemini-2.5-flash']);
    assert.equal(request.token, fake.tokensIssued.at(-1));
    assert.ok(fake.assertions.at(-1)?.ok);
    assert.equal(fake.assertions.at(-1)?.claims?.iss, fake.keyFile.client_email);
    const call = await lastCall(gateway, seen + 1);
    assert.equal(call.provider, 'vertex');
    assert.equal(call.endpoint, 'vertex-generate');
    assert.deepEqual(call.usage, fixture('gemini', 'text.json').expected.usage);
    assert.match(call.costBasis ?? '', /^vertex\/gemini-2.5-flash/);
    assert.ok((call.costUsd ?? 0) > 0);
  });

  test('streamGenerateContent with alt=sse streams through (and any client project is rewritten too)', async () => {
    const seen = gateway.calls.length;
    const f = fixture('gemini', 'text.sse');
    const response = await post(`${gateway.url}${geminiPath('gemini-2.5-flash', 'streamGenerateContent', 'someone-elses-project', 'europe-west4')}?alt=sse`, { contents: [] });
    assert.equal(await response.text(), f.text);
    assert.deepEqual([fake.requests.at(-1)!.project, fake.requests.at(-1)!.region], [PROJECT, REGION]);
    assert.match(fake.requests.at(-1)!.path, /\?alt=sse$/);
    const call = await lastCall(gateway, seen + 1);
    assert.deepEqual(call.usage, f.expected.usage);
  });

  test('the token is cached: later calls exchange no new assertion', async () => {
    const before = fake.tokensIssued.length;
    for (let i = 0; i < 3; i++) (await post(`${gateway.url}${geminiPath('gemini-2.5-pro', 'generateContent')}`, { contents: [] })).body?.cancel();
    await recorded(gateway, gateway.calls.length);
    assert.equal(fake.tokensIssued.length, before);
  });

  test('Anthropic\'s Vertex SDK: rawPredict, streamRawPredict and count-tokens', async () => {
    const seen = gateway.calls.length;
    const client = new AnthropicVertex({ baseURL: `${gateway.url}/v1`, region: PLACEHOLDER_REGION, projectId: PLACEHOLDER_PROJECT, authClient: placeholderAuth as never, maxRetries: 0 });
    const message = await client.messages.create({ model: CLAUDE, max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(message.type, 'message');
    const stream = client.messages.stream({ model: CLAUDE, max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] });
    const streamed = await stream.finalMessage();
    assert.equal(streamed.stop_reason, 'end_turn');
    const anthropicRequests = fake.requests.filter((r) => r.publisher === 'anthropic');
    assert.deepEqual(anthropicRequests.slice(-2).map((r) => r.method), ['rawPredict', 'streamRawPredict']);
    assert.ok(anthropicRequests.every((r) => r.project === PROJECT && r.model === CLAUDE));
    const calls = (await recorded(gateway, seen + 2)).slice(seen);
    assert.deepEqual(calls.map((c) => c.endpoint), ['vertex-raw-predict', 'vertex-stream-raw-predict']);
    assert.deepEqual(calls[1].usage, fixture('anthropic-messages', 'text.sse').expected.usage);
    assert.match(calls[1].costBasis ?? '', /^vertex\/claude-sonnet-4-5/);
    assert.ok(calls.every((c) => (c.costUsd ?? 0) > 0));
    const count = await client.messages.countTokens({ model: CLAUDE, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(count.input_tokens, 21);
    assert.equal(fake.requests.at(-1)!.model, 'count-tokens');
  });

  test('@google/genai in Vertex mode (generateContent and a stream)', async () => {
    const seen = gateway.calls.length;
    const ai = new GoogleGenAI({ vertexai: true, project: PLACEHOLDER_PROJECT, location: PLACEHOLDER_REGION, httpOptions: { baseUrl: gateway.url }, googleAuthOptions: { authClient: placeholderAuth as never } });
    const result = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
    assert.ok(result.text);
    let streamed = '';
    for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' })) streamed += chunk.text ?? '';
    assert.ok(streamed.length > 0);
    const calls = (await recorded(gateway, seen + 2)).slice(seen);
    assert.ok(calls.every((c) => c.outcome === 'ok' && (c.costUsd ?? 0) > 0), JSON.stringify(calls.map((c) => [c.path, c.outcome])));
    assert.match(calls[0].path, /^\/v1beta1\/projects\//);
  });

  test('OpenAI Chat Completions callers reach Vertex\'s OpenAI-compatible endpoint, the model named by publisher; answers pass through byte for byte and are metered', async () => {
    const seen = gateway.calls.length;
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'placeholder' });
    const completion = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(completion.choices[0].message.content, (JSON.parse(fixture('openai-chat', 'text.json').text) as OpenAI.ChatCompletion).choices[0].message.content);
    const request = fake.requests.at(-1)!;
    assert.deepEqual([request.publisher, request.project, request.region, request.model], ['openapi', PROJECT, REGION, 'google/gemini-2.5-flash']);
    assert.equal(request.token, fake.tokensIssued.at(-1));

    const sse = fixture('openai-chat', 'text.sse');
    const response = await post(`${gateway.url}/v1/chat/completions`, { model: 'gemini-2.5-flash', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }, { authorization: 'Bearer placeholder' });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), sse.text);

    const calls = (await recorded(gateway, seen + 2)).slice(seen);
    assert.deepEqual(calls.map((c) => [c.provider, c.endpoint, c.outcome, c.upstreamModel]), [['vertex', 'openai-chat', 'ok', 'gemini-2.5-flash'], ['vertex', 'openai-chat', 'ok', 'gemini-2.5-flash']]);
    assert.deepEqual(calls[0].usage, fixture('openai-chat', 'text.json').expected.usage);
    assert.deepEqual(calls[1].usage, sse.expected.usage);
    assert.ok(calls.every((c) => (c.costUsd ?? 0) > 0), 'priced at Vertex\'s rates');

    // /v1/models offers OpenAI callers what Vertex answers them: Chat Completions, not embeddings.
    const models = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: { id: string; supported_endpoints: string[] }[] };
    const flash = models.data.find((m) => m.id === 'gemini-2.5-flash')!;
    assert.ok(flash.supported_endpoints.includes('/v1/chat/completions') && !flash.supported_endpoints.includes('/v1/embeddings'), flash.supported_endpoints.join(' '));

    // Vertex refuses in Google's shape; an OpenAI caller reads it in OpenAI's.
    const quota = await post(`${gateway.url}/v1/chat/completions`, { model: 'quota-model', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(quota.status, 429);
    assert.equal(quota.headers.get('retry-after'), '30');
    const error = (await quota.json()) as { error: { type: string; message: string } };
    assert.equal(error.error.type, 'rate_limit_error');
    assert.match(error.error.message, /Quota exceeded/);
  });

  test('quota errors keep their status, shape and retry-after', async () => {
    const response = await post(`${gateway.url}${geminiPath('quota-model', 'generateContent')}`, { contents: [] });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '30');
    assert.equal(((await response.json()) as { error: { status: string } }).error.status, 'RESOURCE_EXHAUSTED');
  });
});

describe('Vertex tokens under pressure', () => {
  test('100 parallel calls on a cold cache share one token refresh', async () => {
    const fake = await startFakeVertex();
    fake.settings.tokenDelayMs = 150;
    const gateway = await startCloudGateway({ vertex: vertexProvider(fake) });
    try {
      const responses = await Promise.all(Array.from({ length: 100 }, () => post(`${gateway.url}${geminiPath('gemini-2.5-flash', 'generateContent')}`, { contents: [] })));
      assert.deepEqual([...new Set(responses.map((r) => r.status))], [200]);
      await Promise.all(responses.map((r) => r.arrayBuffer()));
      assert.equal(fake.assertions.length, 1, 'one assertion exchanged');
      assert.equal(fake.tokensIssued.length, 1);
      assert.equal(new Set(fake.requests.map((r) => r.token)).size, 1);
      await recorded(gateway, 100);
    } finally {
      await gateway.close();
      await fake.close();
    }
  });

  test('a token is refreshed before it expires; a revoked one is replaced after one 401 and the call retried', async () => {
    const fake = await startFakeVertex();
    // 5 minutes and 2 seconds: inside the refresh margin two seconds from now.
    fake.settings.expiresIn = 302;
    const gateway = await startCloudGateway({ vertex: vertexProvider(fake) });
    const call = () => post(`${gateway.url}${geminiPath('gemini-2.5-flash', 'generateContent')}`, { contents: [] });
    try {
      assert.equal((await call()).status, 200);
      assert.equal((await call()).status, 200);
      assert.equal(fake.tokensIssued.length, 1);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      assert.equal((await call()).status, 200);
      assert.equal(fake.tokensIssued.length, 2, 'refreshed ahead of expiry');
      assert.equal(fake.requests.at(-1)!.token, fake.tokensIssued[1]);

      fake.settings.expiresIn = 3600;
      fake.revoke(fake.tokensIssued[1]);
      const unauthorized = fake.unauthorized;
      const response = await call();
      assert.equal(response.status, 200);
      assert.equal(fake.unauthorized, unauthorized + 1, 'one 401, then the retry');
      assert.equal(fake.tokensIssued.length, 3);
      assert.equal(fake.requests.at(-1)!.token, fake.tokensIssued[2]);
      const calls = await recorded(gateway, 4);
      assert.ok(calls.every((c) => c.outcome === 'ok'));
    } finally {
      await gateway.close();
      await fake.close();
    }
  });

  test('a skewed clock: the refused assertion\'s Date corrects iat/exp and the exchange is retried once', async () => {
    const fake = await startFakeVertex();
    fake.settings.clockOffsetMs = -20 * 60_000; // Google's clock is 20 minutes behind ours: our iat is "in the future"
    const gateway = await startCloudGateway({ vertex: vertexProvider(fake) });
    try {
      const response = await post(`${gateway.url}${geminiPath('gemini-2.5-flash', 'generateContent')}`, { contents: [] });
      assert.equal(response.status, 200);
      assert.deepEqual(fake.assertions.map((a) => a.ok), [false, true]);
      const iat = Number(fake.assertions[1].claims?.iat);
      assert.ok(Math.abs(iat * 1000 - (Date.now() - 20 * 60_000)) < 10_000, 'the accepted assertion used the server\'s time');
    } finally {
      await gateway.close();
      await fake.close();
    }
  });

  test('a key Google no longer accepts: a 502 in the caller\'s dialect naming the provider, nothing secret', async () => {
    const fake = await startFakeVertex();
    const other = await startFakeVertex(); // a different key pair: the signature cannot verify
    const gateway = await startCloudGateway({ vertex: vertexProvider(fake, { apikey: `keyfile::${JSON.stringify({ ...other.keyFile, token_uri: fake.keyFile.token_uri })}` }) });
    try {
      const response = await post(`${gateway.url}${geminiPath('gemini-2.5-flash', 'generateContent')}`, { contents: [] });
      assert.equal(response.status, 502);
      const body = (await response.json()) as { error: { message: string; status: string } };
      assert.match(body.error.message, /provider vertex could not get a Google access token/);
      assert.ok(!body.error.message.includes('PRIVATE KEY') && !body.error.message.includes('127.0.0.1'));
      assert.equal(fake.assertions.at(-1)?.reason, 'Invalid JWT Signature.');
      assert.equal(fake.requests.length, 0);
    } finally {
      await gateway.close();
      await other.close();
      await fake.close();
    }
  });
});

describe('Vertex Express (an API key, no project)', () => {
  test('short publisher paths with x-goog-api-key; @google/genai in Express mode', async () => {
    const fake = await startFakeVertex({ expressKeys: ['express-gateway-key'] });
    const gateway = await startCloudGateway({
      express: { baseurl: fake.url, apikey: 'express-gateway-key', authorization: 'x-goog-api-key', models: ['gemini-2.5-flash'], compatibility: { google_generate_content: true } },
    });
    try {
      const ai = new GoogleGenAI({ vertexai: true, apiKey: 'placeholder', httpOptions: { baseUrl: gateway.url } });
      const result = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
      assert.ok(result.text);
      const request = fake.requests.at(-1)!;
      assert.equal(request.apiKey, 'express-gateway-key');
      assert.equal(request.project, undefined);
      assert.match(request.path, /^\/v1\/publishers\/google\/models\/gemini-2.5-flash:generateContent/);
      const call = await lastCall(gateway, 1);
      assert.equal(call.outcome, 'ok');
      assert.ok((call.costUsd ?? 0) > 0);
    } finally {
      await gateway.close();
      await fake.close();
    }
  });
});
