// Azure OpenAI / Foundry through the gateway with the stock OpenAI SDK: deployment URLs with
// api-version, the v1 API under a Foundry project prefix, the `api-key` header, and Azure's
// content-filter chunks (providers.md §1.7).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import type { StartedGateway } from '../../src/server.ts';
import { fixture } from '../fake-upstream/fake-upstream.ts';
import { lastCall, recorded, startCloudGateway } from './cloud-harness.ts';
import { json, startFakeCloud, type CloudRequest, type FakeCloud } from './fake-cloud.ts';

const KEY = 'azure-gateway-key-0123456789abcdef';
const deployments = new Set(['gpt41-prod', 'embed-small', 'busy-deployment']);

function azure(request: CloudRequest) {
  const url = new URL(request.path, 'http://x');
  if (request.headers['api-key'] !== KEY) return json(401, { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.' } });
  const classic = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/.exec(url.pathname);
  const v1 = /^(?:\/api\/projects\/[^/]+)?\/openai\/v1\/(chat\/completions|responses|embeddings)$/.exec(url.pathname);
  if (!classic && !v1) return json(404, { error: { code: '404', message: 'Resource not found' } });
  if (classic && !url.searchParams.get('api-version')) return json(404, { error: { code: '404', message: 'Resource not found' } });
  const deployment = classic ? decodeURIComponent(classic[1]) : String((request.json as { model?: string }).model);
  if (!deployments.has(deployment)) return json(404, { error: { code: 'DeploymentNotFound', message: `The API deployment for this resource does not exist.` } });
  if (deployment === 'busy-deployment') {
    return json(429, { error: { code: '429', message: 'Requests to the ChatCompletions_Create Operation have exceeded call rate limit of your current AIServices S0 pricing tier.' } }, { 'retry-after': '12' });
  }
  const operation = classic ? classic[2] : v1![1];
  const stream = (request.json as { stream?: boolean }).stream === true;
  if (operation === 'embeddings') return fixture('openai-chat', 'embeddings.json').reply();
  if (operation === 'responses') return fixture('openai-responses', stream ? 'text.sse' : 'text.json').reply();
  return stream ? fixture('openai-chat', 'azure-filter.sse').reply() : fixture('openai-chat', 'text.json').reply();
}

describe('Azure OpenAI through the gateway', () => {
  let fake: FakeCloud;
  let gateway: StartedGateway;
  let client: OpenAI;
  before(async () => {
    fake = await startFakeCloud(azure);
    gateway = await startCloudGateway({
      azure: {
        type: 'azure',
        baseurl: fake.url,
        apikey: KEY,
        models: ['gpt-4.1', 'text-embedding-3-small', 'gpt-4.1-busy'],
        compatibility: { openai_chat: true },
        azure: { api_version: '2024-10-21', deployments: { 'gpt-4.1': 'gpt41-prod', 'text-embedding-3-small': 'embed-small', 'gpt-4.1-busy': 'busy-deployment' } },
      },
      foundry: {
        type: 'azure',
        baseurl: `${fake.url}/api/projects/tailgate/openai/`,
        apikey: KEY,
        models: ['gpt-5'],
        compatibility: { openai_responses: true },
        azure: { api: 'v1', deployments: { 'gpt-5': 'gpt41-prod' } },
      },
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'placeholder', maxRetries: 0 });
  });
  after(async () => {
    await gateway?.close();
    await fake?.close();
  });

  test('a chat stream: deployment URL with api-version, api-key header; the content-filter chunk reaches the client, the usage chunk it did not ask for does not', async () => {
    const seen = gateway.calls.length;
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer placeholder' }, body: JSON.stringify({ model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: 'hi' }] }) });
    const text = await response.text();
    const request = fake.requests.at(-1)!;
    assert.equal(request.path, '/openai/deployments/gpt41-prod/chat/completions?api-version=2024-10-21');
    assert.equal(request.headers['api-key'], KEY);
    assert.equal(request.headers.authorization, undefined);
    assert.deepEqual((request.json as { stream_options?: unknown }).stream_options, { include_usage: true });
    assert.ok(text.startsWith('data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results"'), 'Azure\'s empty-choices filter chunk is not a usage chunk');
    assert.ok(!text.includes('"usage":{'), 'the injected usage chunk is hidden');
    assert.ok(text.endsWith('data: [DONE]\n\n'));
    const call = await lastCall(gateway, seen + 1);
    assert.equal(call.provider, 'azure');
    assert.equal(call.upstreamModel, 'gpt41-prod');
    assert.deepEqual(call.usage, fixture('openai-chat', 'azure-filter.sse').expected.usage);
    assert.match(call.costBasis ?? '', /^azure\/gpt-4.1/);
    assert.ok((call.costUsd ?? 0) > 0);
  });

  test('the OpenAI SDK: chat, a chat stream and embeddings', async () => {
    const seen = gateway.calls.length;
    const completion = await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(completion.choices[0].message.content);
    let streamed = '';
    for await (const chunk of await client.chat.completions.create({ model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: 'hi' }] })) streamed += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(streamed, 'Hello from Azure.');
    const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' });
    assert.equal(embedding.data.length, 2);
    assert.equal(fake.requests.at(-1)!.path, '/openai/deployments/embed-small/embeddings?api-version=2024-10-21');
    const calls = (await recorded(gateway, seen + 3)).slice(seen);
    assert.ok(calls.every((c) => c.outcome === 'ok' && c.usage.inputTokens !== undefined));
  });

  test('Foundry\'s v1 API under a project prefix: Responses with the deployment as the model', async () => {
    const seen = gateway.calls.length;
    const response = await client.responses.create({ model: 'gpt-5', input: 'hi' });
    assert.ok(response.output_text);
    const request = fake.requests.at(-1)!;
    assert.equal(request.path, '/api/projects/tailgate/openai/v1/responses');
    assert.equal((request.json as { model: string }).model, 'gpt41-prod');
    const call = await lastCall(gateway, seen + 1);
    assert.equal(call.provider, 'foundry');
    assert.equal(call.outcome, 'ok');
  });

  test('throttling passes through with its status and retry-after', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4.1-busy', messages: [] }) });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '12');
    assert.match(((await response.json()) as { error: { message: string } }).error.message, /exceeded call rate limit/);
  });
});

describe('Azure OpenAI with Microsoft Entra ID instead of a key', () => {
  const TENANT = '11111111-2222-3333-4444-555555555555';
  const CLIENT_ID = 'tailgate-gateway-app';
  const SECRET = 'entra-client-secret-never-leaves';
  const issued = new Set<string>();
  let exchanges = 0;
  let fake: FakeCloud;
  let gateway: StartedGateway;

  // Entra's token endpoint (client-credentials grant) and a resource with key access switched off.
  function cloud(request: CloudRequest) {
    const url = new URL(request.path, 'http://x');
    if (url.pathname === `/${TENANT}/oauth2/v2.0/token`) {
      exchanges++;
      const form = new URLSearchParams(request.body.toString('utf8'));
      if (form.get('grant_type') !== 'client_credentials' || form.get('scope') !== 'https://cognitiveservices.azure.com/.default') return json(400, { error: 'invalid_request' });
      if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== SECRET) {
        return json(401, { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${CLIENT_ID}'.` });
      }
      const token = `eyJ0eXAiOiJKV1Qi.entra-${exchanges}`;
      issued.add(token);
      return json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
    }
    const authorization = String(request.headers.authorization ?? '');
    if (request.headers['api-key'] !== undefined || !issued.has(authorization.slice('Bearer '.length))) {
      return json(401, { error: { code: 'PermissionDenied', message: 'Principal does not have access to API/Operation.' } });
    }
    return fixture('openai-chat', 'text.json').reply();
  }

  const provider = (secret: string) => ({
    type: 'azure',
    baseurl: fake.url,
    models: ['gpt-4.1'],
    compatibility: { openai_chat: true },
    azure: { api_version: '2024-10-21', deployments: { 'gpt-4.1': 'gpt41-prod' }, entra: { tenant_id: TENANT, client_id: CLIENT_ID, client_secret: secret, authority: fake.url } },
  });

  before(async () => {
    fake = await startFakeCloud(cloud);
    gateway = await startCloudGateway({ azure: provider(SECRET), 'azure-wrong-secret': { ...provider('not-the-secret'), models: ['gpt-4.1-other'] } });
  });
  after(async () => {
    await gateway?.close();
    await fake?.close();
  });

  test('the stock OpenAI SDK: a client-credentials token instead of api-key, cached across calls; a revoked token is replaced after one 401', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'placeholder', maxRetries: 0 });
    const seen = gateway.calls.length;
    for (let i = 0; i < 3; i++) {
      const completion = await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
      assert.ok(completion.choices[0].message.content);
    }
    assert.equal(exchanges, 1, 'one token for three calls');
    const sent = fake.requests.filter((r) => r.path.startsWith('/openai/'));
    assert.ok(sent.every((r) => r.headers.authorization === 'Bearer eyJ0eXAiOiJKV1Qi.entra-1' && r.headers['api-key'] === undefined));

    issued.clear(); // revoked: the next call meets a 401, gets a fresh token and is sent again
    const again = await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(again.choices[0].message.content);
    assert.equal(exchanges, 2);
    const calls = (await recorded(gateway, seen + 4)).slice(seen);
    assert.ok(calls.every((c) => c.outcome === 'ok' && c.provider === 'azure' && (c.costUsd ?? 0) > 0), JSON.stringify(calls.map((c) => [c.outcome, c.status])));
  });

  test('a secret Entra refuses: a 502 in OpenAI\'s shape naming the provider, with no secret in it', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4.1-other', messages: [{ role: 'user', content: 'hi' }] }) });
    assert.equal(response.status, 502);
    const text = await response.text();
    const error = (JSON.parse(text) as { error: { type: string; message: string } }).error;
    assert.match(error.message, /provider azure-wrong-secret could not get a Microsoft Entra token \(token endpoint answered 401 invalid_client\)/);
    assert.ok(!text.includes('not-the-secret') && !text.includes(SECRET) && !text.includes(fake.url));
  });
});
