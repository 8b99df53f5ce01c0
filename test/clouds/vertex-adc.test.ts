// Vertex AI with no key in the config: the gateway takes Google's Application Default Credentials,
// here the metadata server a GKE pod with Workload Identity (or Cloud Run, or a Compute Engine VM)
// has. The fake Google plays it at GCE_METADATA_HOST; google-auth-library finds it as it would
// there. Its own file: the library keeps what it detected for the life of the process.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import AnthropicVertex from '@anthropic-ai/vertex-sdk';
import type { StartedGateway } from '../../src/server.ts';
import { fixture } from '../fake-upstream/fake-upstream.ts';
import { post, recorded, startCloudGateway } from './cloud-harness.ts';
import { CLAUDE, geminiPath, PLACEHOLDER_PROJECT, PLACEHOLDER_REGION, placeholderAuth, PROJECT, REGION, startFakeVertex, type FakeVertex } from './fake-vertex.ts';

const generate = (model: string) => geminiPath(model, 'generateContent');

describe('Vertex AI with Application Default Credentials (the metadata server)', () => {
  let fake: FakeVertex;
  let gateway: StartedGateway;
  before(async () => {
    fake = await startFakeVertex();
    // Nothing else ADC could find first: no credentials file, no gcloud configuration, no project.
    for (const name of ['GOOGLE_APPLICATION_CREDENTIALS', 'GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT', 'CLOUDSDK_CONFIG', 'METADATA_SERVER_DETECTION']) delete process.env[name];
    process.env.HOME = mkdtempSync(join(tmpdir(), 'tailgate-adc-home-'));
    process.env.GCE_METADATA_HOST = fake.metadataHost;
    gateway = await startCloudGateway({
      vertex: {
        baseurl: fake.url,
        // No apikey, no keyfile, no project: all three come from where the gateway runs.
        models: ['gemini-2.5-flash', CLAUDE],
        compatibility: { google_generate_content: true, google_raw_predict: true, anthropic_messages: true },
        vertex: { region: REGION },
      },
    });
  });
  after(async () => {
    await gateway?.close();
    await fake?.close();
  });

  test('the token and the project come from the metadata server; the token is cached across calls', async () => {
    const seen = gateway.calls.length;
    const response = await post(`${gateway.url}${generate('gemini-2.5-flash')}`, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }, { authorization: 'Bearer placeholder' });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await response.json(), JSON.parse(fixture('gemini', 'text.json').text));
    assert.equal(fake.metadataTokens.length, 1);
    assert.match(fake.metadataTokens[0].scopes ?? '', /https:\/\/www\.googleapis\.com\/auth\/cloud-platform/);
    const request = fake.requests.at(-1)!;
    assert.deepEqual([request.project, request.region, request.token], [PROJECT, REGION, fake.metadataTokens[0].token]);
    assert.equal(fake.tokensIssued.length, 0, 'no service-account exchange');

    for (let i = 0; i < 3; i++) assert.equal((await post(`${gateway.url}${generate('gemini-2.5-flash')}`, { contents: [] })).status, 200);
    assert.equal(fake.metadataTokens.length, 1, 'one token for four calls');
    const calls = (await recorded(gateway, seen + 4)).slice(seen);
    assert.ok(calls.every((call) => call.outcome === 'ok' && call.provider === 'vertex'));
    assert.deepEqual(calls[0].usage, fixture('gemini', 'text.json').expected.usage);
  });

  test('Anthropic\'s Vertex SDK with placeholders reaches Claude on Vertex with the metadata token', async () => {
    // The SDK would ask the same metadata server for a token of its own: a placeholder client instead.
    const client = new AnthropicVertex({ baseURL: `${gateway.url}/v1`, projectId: PLACEHOLDER_PROJECT, region: PLACEHOLDER_REGION, authClient: placeholderAuth as never, maxRetries: 0 });
    const message = await client.messages.create({ model: CLAUDE, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    assert.deepEqual(message, JSON.parse(fixture('anthropic-messages', 'text.json').text));
    const request = fake.requests.at(-1)!;
    assert.deepEqual([request.publisher, request.project, request.token], ['anthropic', PROJECT, fake.metadataTokens[0].token]);
    assert.equal(fake.metadataTokens.length, 1);
  });

  test('a token the provider refuses is replaced by a new one from the metadata server after one 401', async () => {
    const refused = fake.metadataTokens.at(-1)!.token;
    fake.revoke(refused);
    const unauthorized = fake.unauthorized;
    const response = await post(`${gateway.url}${generate('gemini-2.5-flash')}`, { contents: [] });
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(fake.unauthorized, unauthorized + 1, 'one 401, then the retry');
    assert.equal(fake.metadataTokens.length, 2);
    assert.notEqual(fake.requests.at(-1)!.token, refused);
    assert.equal(fake.requests.at(-1)!.token, fake.metadataTokens[1].token);
  });
});
