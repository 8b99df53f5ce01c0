import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Agent } from 'undici';
import { loadConfigObject } from '../config/load.ts';
import { matchIngress } from '../proxy/endpoints.ts';
import { findModelPrice } from '../metering/price-table.ts';
import { buildCatalog } from '../routing/catalog.ts';
import type { UpstreamCall, UpstreamRequest } from './adapter.ts';
import { regionOf as bedrockRegion } from './bedrock/index.ts';
import { cloudMessagesBody } from './claude-body.ts';
import { createAdapters, createProviderRuntime } from './registry.ts';
import { regionOf as vertexRegion, vertexHost } from './vertex/index.ts';

const grants = [{ src: ['*'], app: { 'tailscale.com/cap/aperture': [{ role: 'admin' }] } }];

function load(providers: Record<string, object>) {
  const { config, problems } = loadConfigObject({ providers, grants }, {});
  assert.ok(config, JSON.stringify(problems));
  return { config, problems: problems.map((p) => p.message) };
}

/** What the gateway would send upstream for `path` + `body`, without sending it. */
async function prepare(providers: Record<string, object>, path: string, body: Record<string, unknown>, headers: string[] = []): Promise<UpstreamRequest> {
  const { config } = load(providers);
  const ingress = matchIngress(path.split('?')[0]);
  assert.ok(ingress, `no ingress for ${path}`);
  const model = ingress.pathModel ?? String(body.model);
  const resolved = buildCatalog(config, findModelPrice).resolve(model, ingress.endpoint);
  assert.ok(resolved.ok, JSON.stringify(resolved));
  const text = JSON.stringify(body);
  const call: UpstreamCall = {
    endpoint: ingress.endpoint,
    ingress,
    route: resolved.route,
    path: path.split('?')[0],
    query: path.includes('?') ? `?${path.split('?')[1]}` : '',
    rawHeaders: headers,
    grantHeaders: [],
    json: body,
    text,
    body: Buffer.from(text),
    stream: body.stream === true,
  };
  const dispatcher = new Agent();
  try {
    return await createAdapters(config.providers, createProviderRuntime(dispatcher)).get(resolved.route.provider.id)!.prepare(call);
  } finally {
    await dispatcher.close();
  }
}

test('a provider\'s type comes from `type`, else from its compatibility flags and settings', () => {
  const { config, problems } = load({
    plain: { baseurl: 'https://api.openai.com', apikey: 'k', models: ['gpt-5'] },
    bedrock: { baseurl: 'https://bedrock-runtime.eu-west-1.amazonaws.com', models: ['m'], compatibility: { bedrock_converse: true } },
    vertex: { baseurl: 'https://aiplatform.googleapis.com', apikey: 'keyfile::{}', models: ['m'], compatibility: { google_raw_predict: true } },
    azure: { type: 'azure', baseurl: 'https://r.openai.azure.com', apikey: 'k', models: ['m'] },
    odd: { type: 'mainframe', baseurl: 'https://x', apikey: 'k', models: ['m'] },
    adc: { baseurl: 'https://aiplatform.googleapis.com', models: ['m'], compatibility: { google_generate_content: true } },
    'azure-mi': { type: 'azure', baseurl: 'https://r.openai.azure.com', models: ['m'] },
  });
  assert.deepEqual(
    config.providers.map((p) => [p.id, p.type, p.authorization]),
    [
      ['plain', 'api-key', 'bearer'],
      ['bedrock', 'bedrock', 'bearer'],
      ['vertex', 'vertex', 'bearer'],
      ['azure', 'azure', 'api-key'],
      ['odd', 'api-key', 'bearer'],
      ['adc', 'vertex', 'bearer'],
      ['azure-mi', 'azure', 'api-key'],
    ],
  );
  assert.ok(problems.some((m) => m.includes('invalid type: mainframe')));
  assert.ok(!problems.some((m) => m.includes('provider bedrock has no apikey')), 'SigV4 needs no apikey');
  assert.ok(!problems.some((m) => m.includes('provider adc has no apikey')), 'Vertex without a key takes Application Default Credentials');
  assert.ok(!problems.some((m) => m.includes('provider azure-mi has no apikey')), 'Azure without a key takes DefaultAzureCredential');
  assert.equal(config.providers[1].azure, undefined);
});

test('cloud settings: Bedrock keys need both halves; blocks for another type are reported; model maps are read', () => {
  const { config, problems } = load({
    b: { baseurl: 'https://bedrock-runtime.us-east-1.amazonaws.com', models: ['claude'], compatibility: { bedrock_model_invoke: true }, bedrock: { access_key_id: 'AKID', model_ids: { claude: 'us.anthropic.x-v1:0' } }, azure: {} },
  });
  assert.deepEqual(config.providers[0].upstreamModels, { claude: 'us.anthropic.x-v1:0' });
  assert.equal(config.providers[0].bedrock?.accessKeyId, undefined);
  assert.ok(problems.some((m) => m.includes('needs both bedrock.access_key_id and bedrock.secret_access_key')));
  assert.ok(problems.some((m) => m.includes('"providers.b.azure" is ignored')));
});

test('regions and hosts: Bedrock from its runtime host, Vertex per providers.md §1.6', () => {
  assert.equal(bedrockRegion('https://bedrock-runtime.ap-northeast-1.amazonaws.com'), 'ap-northeast-1');
  assert.equal(bedrockRegion('https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com'), 'us-gov-west-1');
  assert.equal(bedrockRegion('http://127.0.0.1:9'), undefined);
  assert.equal(vertexRegion('aiplatform.googleapis.com'), 'global');
  assert.equal(vertexRegion('us-east5-aiplatform.googleapis.com'), 'us-east5');
  assert.equal(vertexRegion('aiplatform.eu.rep.googleapis.com'), 'eu');
  assert.equal(vertexHost('global'), 'aiplatform.googleapis.com');
  assert.equal(vertexHost('us'), 'aiplatform.us.rep.googleapis.com');
  assert.equal(vertexHost('europe-west4'), 'europe-west4-aiplatform.googleapis.com');
});

test('Vertex on Google\'s host follows the configured region; the project is the provider\'s whatever the client sent', async () => {
  const vertex = { baseurl: 'https://aiplatform.googleapis.com', apikey: 'AQ.express', authorization: 'x-goog-api-key', models: ['gemini-2.5-pro'], compatibility: { google_generate_content: true, gemini_generate_content: true } };
  const regional = await prepare({ v: { ...vertex, vertex: { project: 'acme-prod', region: 'europe-west4' } } }, '/v1/projects/_aperture_auto_vertex_project_id_/locations/_aperture_auto_vertex_region_/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse', { contents: [] });
  assert.equal(regional.origin, 'https://europe-west4-aiplatform.googleapis.com');
  assert.equal(regional.path, '/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse');
  assert.equal(regional.headers['x-goog-api-key'], 'AQ.express');
  const express = await prepare({ v: vertex }, '/v1beta/models/gemini-2.5-pro:generateContent', { contents: [] });
  assert.equal(express.origin, 'https://aiplatform.googleapis.com');
  assert.equal(express.path, '/v1/publishers/google/models/gemini-2.5-pro:generateContent', 'a Gemini API caller on a Vertex Express key');
});

test('Bedrock: the model id is percent-encoded in the path; an API key is a bearer token', async () => {
  const request = await prepare(
    { b: { baseurl: 'https://bedrock-runtime.us-east-1.amazonaws.com', apikey: 'ABSK-key', models: ['us.anthropic.claude-haiku-4-5-20251001-v1:0'], compatibility: { bedrock_model_invoke: true } } },
    '/bedrock/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke',
    { anthropic_version: 'bedrock-2023-05-31', messages: [] },
  );
  assert.equal(request.origin, 'https://bedrock-runtime.us-east-1.amazonaws.com');
  assert.equal(request.path, '/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke');
  assert.equal(request.headers.authorization, 'Bearer ABSK-key');
});

test('Azure: deployment URLs with api-version, or the v1 API under a Foundry prefix', async () => {
  const classic = await prepare(
    { a: { type: 'azure', baseurl: 'https://acme.openai.azure.com/', apikey: 'k', models: ['gpt-4.1'], azure: { deployments: { 'gpt-4.1': 'prod 4.1' } } } },
    '/v1/chat/completions',
    { model: 'gpt-4.1', messages: [] },
  );
  assert.equal(classic.path, '/openai/deployments/prod%204.1/chat/completions?api-version=2024-10-21');
  assert.equal(classic.headers['api-key'], 'k');
  const foundry = await prepare(
    { f: { type: 'azure', baseurl: 'https://acme.services.ai.azure.com/api/projects/p1/openai/', apikey: 'k', models: ['gpt-5'], compatibility: { openai_responses: true } } },
    '/v1/responses',
    { model: 'gpt-5', input: 'hi' },
  );
  assert.equal(foundry.path, '/api/projects/p1/openai/v1/responses');
});

test('Claude bodies for the clouds: model out, version in, betas into the body, the rest byte for byte', () => {
  const text = '{"model":"claude-sonnet-4-5","max_tokens":8,"stream":true,"messages":[{"role":"user","content":"h\\u00e9"}]}';
  const json = JSON.parse(text) as Record<string, unknown>;
  const bedrock = cloudMessagesBody(text, json, { version: 'bedrock-2023-05-31', dropStream: true, betas: 'a-1, b-2' }).toString();
  assert.equal(bedrock, '{"anthropic_version":"bedrock-2023-05-31","anthropic_beta":["a-1","b-2"],"max_tokens":8,"messages":[{"role":"user","content":"h\\u00e9"}]}');
  const vertex = cloudMessagesBody(text, json, { version: 'vertex-2023-10-16', dropStream: false }).toString();
  assert.equal(vertex, '{"anthropic_version":"vertex-2023-10-16","max_tokens":8,"stream":true,"messages":[{"role":"user","content":"h\\u00e9"}]}');
  assert.equal(cloudMessagesBody('{"model":"m"}', { model: 'm' }, { version: 'v', dropStream: true }).toString(), '{"anthropic_version":"v"}');
  // Pretty bodies stay valid; the last members can go too.
  const pretty = '{\n  "messages": [],\n  "model": "m",\n  "stream": false\n}';
  assert.deepEqual(JSON.parse(cloudMessagesBody(pretty, JSON.parse(pretty), { version: 'v', dropStream: true }).toString()), { anthropic_version: 'v', messages: [] });
});
