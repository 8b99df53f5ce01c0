import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigObject } from '../config/load.ts';
import { anthropicMessages } from '../dialects/anthropic-messages/index.ts';
import { openaiChat, openaiEmbeddings } from '../dialects/openai-chat/index.ts';
import { openaiResponses } from '../dialects/openai-responses/index.ts';
import { findModelPrice } from '../metering/price-table.ts';
import { buildCatalog } from './catalog.ts';
import { globMatch } from './glob.ts';

const provider = (extra: object) => ({ baseurl: 'http://127.0.0.1:1', apikey: 'k', ...extra });

function catalog(providers: object) {
  const { config } = loadConfigObject({ providers, grants: [{ src: ['*'], app: { 'tailscale.com/cap/aperture': [{ role: 'admin' }] } }] }, {});
  assert.ok(config);
  return buildCatalog(config, findModelPrice);
}

test('the highest preference wins when several providers serve a model; disabled ones never do', () => {
  const routes = catalog({
    cheap: provider({ models: ['gpt-4.1'], preference: 1 }),
    best: provider({ models: ['gpt-4.1'], preference: 5 }),
    off: provider({ models: ['gpt-4.1'], preference: 9, disabled: true }),
  });
  const result = routes.resolve('gpt-4.1', openaiChat);
  assert.ok(result.ok);
  assert.equal(result.route.provider.id, 'best');
});

test('provider/model names route to that provider and ask it for the bare model', () => {
  const routes = catalog({ a: provider({ models: ['m'] }), b: provider({ models: ['m'], preference: 3 }) });
  const result = routes.resolve('a/m', openaiChat);
  assert.ok(result.ok);
  assert.deepEqual([result.route.provider.id, result.route.upstreamModel], ['a', 'm']);
});

test('a model is only served on endpoints its provider enables; unknown models are unknown', () => {
  const routes = catalog({ anthropic: provider({ models: ['claude-sonnet-4-5'], compatibility: { anthropic_messages: true } }) });
  assert.ok(routes.resolve('claude-sonnet-4-5', anthropicMessages).ok);
  assert.deepEqual(routes.resolve('claude-sonnet-4-5', openaiResponses), { ok: false, reason: 'wrong-endpoint' });
  assert.deepEqual(routes.resolve('gpt-9', openaiChat), { ok: false, reason: 'unknown-model' });
});

test('a cloud provider is passed over for an endpoint its kind cannot place, whatever its flags say', () => {
  // Vertex answers OpenAI callers on Chat Completions only: its embeddings and Responses go elsewhere.
  const routes = catalog({
    vertex: provider({ type: 'vertex', models: ['gemini-2.5-flash'], preference: 9, compatibility: { openai_chat: true, openai_responses: true } }),
    google: provider({ models: ['gemini-2.5-flash'], compatibility: { openai_chat: true, openai_responses: true } }),
  });
  const route = (endpoint: typeof openaiChat) => {
    const result = routes.resolve('gemini-2.5-flash', endpoint);
    return result.ok ? result.route.provider.id : result.reason;
  };
  assert.deepEqual([route(openaiChat), route(openaiEmbeddings), route(openaiResponses)], ['vertex', 'google', 'google']);
  const vertexOnly = catalog({ vertex: provider({ type: 'vertex', models: ['m'], compatibility: { openai_chat: true } }) });
  assert.deepEqual(vertexOnly.resolve('m', openaiEmbeddings), { ok: false, reason: 'wrong-endpoint' });
});

test('prices come from the inferred cost basis, cost_basis, or model_cost_map with its adjustment', () => {
  const routes = catalog({
    anthropic: provider({ models: ['claude-haiku-4-5'], compatibility: { anthropic_messages: true } }),
    local: provider({ models: ['qwen3', 'llama'], model_cost_map: [{ match: 'qwen*', as: 'openai/gpt-4.1-mini', adjustment: 0.5 }] }),
  });
  const haiku = routes.resolve('claude-haiku-4-5', anthropicMessages);
  assert.ok(haiku.ok && haiku.route.price?.basis === 'anthropic');
  const qwen = routes.resolve('qwen3', openaiChat);
  assert.ok(qwen.ok);
  assert.deepEqual([qwen.route.price?.model, qwen.route.price?.adjustment], ['gpt-4.1-mini', 0.5]);
  const llama = routes.resolve('llama', openaiChat);
  assert.ok(llama.ok && llama.route.price === undefined);
});

test('globs: * stays within a segment, ** spans segments', () => {
  assert.ok(globMatch('**', 'anthropic/claude-sonnet-4-5'));
  assert.ok(globMatch('anthropic/**', 'anthropic/claude-sonnet-4-5'));
  assert.ok(globMatch('*/claude-sonnet*', 'vertex/claude-sonnet-4-5'));
  assert.ok(!globMatch('*', 'anthropic/claude'));
  assert.ok(globMatch('openai/gpt-?', 'openai/gpt-5'));
});

test('cloud providers price by their cloud; a configured alias is priced by the id it maps to', () => {
  const routes = catalog({
    bedrock: provider({
      baseurl: 'https://bedrock-runtime.us-east-1.amazonaws.com',
      models: ['claude-sonnet-4-5', 'anthropic.claude-haiku-4-5-20251001-v1:0'],
      compatibility: { anthropic_messages: true, bedrock_model_invoke: true },
      bedrock: { model_ids: { 'claude-sonnet-4-5': 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' } },
    }),
    azure: provider({ type: 'azure', models: ['gpt-4.1'], azure: { deployments: { 'gpt-4.1': 'my-deployment' } } }),
  });
  const sonnet = routes.resolve('claude-sonnet-4-5', anthropicMessages);
  assert.ok(sonnet.ok);
  assert.equal(sonnet.route.upstreamModel, 'us.anthropic.claude-sonnet-4-5-20250929-v1:0');
  assert.equal(sonnet.route.price?.basis, 'bedrock');
  const azure = routes.resolve('gpt-4.1', openaiChat);
  assert.ok(azure.ok);
  assert.deepEqual([azure.route.upstreamModel, azure.route.price?.basis, azure.route.price?.model], ['my-deployment', 'azure', 'gpt-4.1']);
});

test('a Bedrock inference profile of a configured model (another geography prefix) routes to it, priced, with the client\'s id upstream', () => {
  const routes = catalog({
    bedrock: provider({ models: ['anthropic.claude-haiku-4-5-20251001-v1:0'], compatibility: { bedrock_model_invoke: true }, bedrock: {} }),
    other: provider({ models: ['eu.something'] }),
  });
  const invoke = { ...anthropicMessages, compat: 'bedrock_model_invoke' as const };
  for (const id of ['us.anthropic.claude-haiku-4-5-20251001-v1:0', 'global.anthropic.claude-haiku-4-5-20251001-v1:0']) {
    const result = routes.resolve(id, invoke);
    assert.ok(result.ok, id);
    assert.deepEqual([result.route.provider.id, result.route.upstreamModel, result.route.price?.basis], ['bedrock', id, 'bedrock']);
  }
  assert.deepEqual(routes.resolve('us.anthropic.claude-opus-9-v1:0', invoke), { ok: false, reason: 'unknown-model' });
  // Aperture's regional bases price from the same AWS list.
  for (const basis of ['bedrock-us', 'bedrock-eu']) {
    const regional = catalog({ b: provider({ models: ['eu.anthropic.claude-haiku-4-5-20251001-v1:0'], compatibility: { bedrock_model_invoke: true }, cost_basis: basis, bedrock: {} }) });
    const result = regional.resolve('eu.anthropic.claude-haiku-4-5-20251001-v1:0', invoke);
    assert.ok(result.ok && result.route.price?.basis === basis && result.route.price.price.input_mtok !== undefined, basis);
  }
});
