// Azure OpenAI with no key and no `azure.entra`: the gateway takes DefaultAzureCredential, here the
// managed identity an App Service, Container App or Function has (its local identity endpoint, named
// by IDENTITY_ENDPOINT and guarded by IDENTITY_HEADER, played by the fake on loopback). Its own file:
// @azure/identity keeps its tokens for the life of the process.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import type { StartedGateway } from '../../src/server.ts';
import { fixture } from '../fake-upstream/fake-upstream.ts';
import { recorded, startCloudGateway } from './cloud-harness.ts';
import { json, startFakeCloud, type CloudRequest, type FakeCloud } from './fake-cloud.ts';

const IDENTITY_HEADER = 'managed-identity-header-never-leaves';

describe('Azure OpenAI with a managed identity (DefaultAzureCredential)', () => {
  const issued = new Set<string>();
  const identityRequests: URLSearchParams[] = [];
  let identityUp = false;
  let fake: FakeCloud;
  let gateway: StartedGateway;

  function cloud(request: CloudRequest) {
    const url = new URL(request.path, 'http://x');
    if (url.pathname === '/msi/token') {
      identityRequests.push(url.searchParams);
      // Until the test says so, the identity is not assigned to the app yet (App Service answers 400).
      if (!identityUp) return json(400, { statusCode: 400, message: 'No Managed Identity found for the app.' });
      if (request.headers['x-identity-header'] !== IDENTITY_HEADER) return json(400, { statusCode: 400, message: 'Unable to match X-IDENTITY-HEADER.' });
      const token = `eyJ0eXAiOiJKV1Qi.managed-${identityRequests.length}`;
      issued.add(token);
      const expiresOn = String(Math.floor(Date.now() / 1000) + 3600);
      return json(200, { access_token: token, expires_on: expiresOn, resource: url.searchParams.get('resource'), token_type: 'Bearer', client_id: 'app-service-identity' });
    }
    const authorization = String(request.headers.authorization ?? '');
    if (request.headers['api-key'] !== undefined || !issued.has(authorization.slice('Bearer '.length))) {
      return json(401, { error: { code: 'PermissionDenied', message: 'Principal does not have access to API/Operation.' } });
    }
    return fixture('openai-chat', 'text.json').reply();
  }

  before(async () => {
    fake = await startFakeCloud(cloud);
    // Nothing the chain tries before the managed identity: no service principal, no workload identity.
    for (const name of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_USERNAME']) delete process.env[name];
    process.env.IDENTITY_ENDPOINT = `${fake.url}/msi/token`;
    process.env.IDENTITY_HEADER = IDENTITY_HEADER;
    gateway = await startCloudGateway({
      azure: { type: 'azure', baseurl: fake.url, models: ['gpt-4.1'], compatibility: { openai_chat: true }, azure: { api_version: '2024-10-21', deployments: { 'gpt-4.1': 'gpt41-prod' } } },
    });
  });
  after(async () => {
    await gateway?.close();
    await fake?.close();
  });

  test('an app with no identity assigned yet: a 502 in OpenAI\'s shape naming the provider, without the endpoint or its secret header', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }) });
    assert.equal(response.status, 502);
    const text = await response.text();
    const error = (JSON.parse(text) as { error: { type: string; message: string } }).error;
    assert.match(error.message, /^provider azure could not get a Microsoft Entra token \(DefaultAzureCredential: \w+\)/);
    assert.ok(identityRequests.length >= 1, 'the managed identity was asked');
    assert.ok(!text.includes(IDENTITY_HEADER) && !text.includes(fake.url) && !text.includes('127.0.0.1'), text);
    assert.equal(fake.requests.filter((r) => r.path.startsWith('/openai/')).length, 0, 'nothing sent without a credential');
  });

  test('the stock OpenAI SDK: the managed identity\'s token instead of api-key, for the Azure AI resource, cached across calls', async () => {
    identityUp = true;
    const asked = identityRequests.length;
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'placeholder', maxRetries: 0 });
    const seen = gateway.calls.length;
    for (let i = 0; i < 3; i++) {
      const completion = await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
      assert.deepEqual(completion, JSON.parse(fixture('openai-chat', 'text.json').text));
    }
    assert.equal(identityRequests.length, asked + 1, 'one token for three calls');
    assert.equal(identityRequests.at(-1)!.get('resource'), 'https://cognitiveservices.azure.com');
    const sent = fake.requests.filter((r) => r.path.startsWith('/openai/'));
    assert.equal(sent.length, 3);
    assert.ok(sent.every((r) => r.headers.authorization === `Bearer eyJ0eXAiOiJKV1Qi.managed-${asked + 1}` && r.headers['api-key'] === undefined));
    const calls = (await recorded(gateway, seen + 3)).slice(seen);
    assert.ok(calls.every((c) => c.outcome === 'ok' && c.provider === 'azure' && (c.costUsd ?? 0) > 0), JSON.stringify(calls.map((c) => [c.outcome, c.status])));
  });
});
