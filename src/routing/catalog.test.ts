import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigObject } from '../config/load.ts';
import { anthropicMessages } from '../dialects/anthropic-messages/index.ts';
import { openaiChat } from '../dialects/openai-chat/index.ts';
import { openaiResponses } from '../dialects/openai-responses/index.ts';
import { buildCatalog } from './catalog.ts';
import { globMatch } from './glob.ts';

const provider = (extra: object) => ({ baseurl: 'http://127.0.0.1:1', apikey: 'k', ...extra });

function catalog(providers: object) {
  const { config } = loadConfigObject({ providers, grants: [{ src: ['*'], app: { 'tailscale.com/cap/aperture': [{ role: 'admin' }] } }] }, {});
  assert.ok(config);
  return buildCatalog(config);
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
