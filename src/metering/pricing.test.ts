import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findModelPrice } from './price-table.ts';
import { costOf, type PriceRef } from './pricing.ts';

function ref(basis: string, model: string, adjustment = 1): PriceRef {
  const found = findModelPrice(basis, model);
  assert.ok(found, `${basis}/${model} is priced`);
  return { basis, model: found.model, price: found.price, adjustment };
}

const close = (actual: number | undefined, expected: number) => assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${actual} ≈ ${expected}`);

test('Anthropic: uncached input, cache reads (×0.1), 5-minute (×1.25) and 1-hour (×2) writes, output', () => {
  // 25 uncached + 1800 read + 100 written for 5m + 50 for 1h = 1975 inclusive input; 89 output.
  const usage = { inputTokens: 1975, cacheReadTokens: 1800, cacheWriteTokens: 150, cacheWrite5mTokens: 100, cacheWrite1hTokens: 50, outputTokens: 89 };
  close(costOf(usage, ref('anthropic', 'claude-sonnet-4-5')), (25 * 3 + 1800 * 0.3 + 100 * 3.75 + 50 * 6 + 89 * 15) / 1e6);
});

test('OpenAI: cached input at the cached rate, reasoning is part of output', () => {
  close(costOf({ inputTokens: 328, cacheReadTokens: 256, outputTokens: 52, reasoningTokens: 32 }, ref('openai', 'gpt-5')), (72 * 1.25 + 256 * 0.125 + 52 * 10) / 1e6);
});

test('Gemini Pro above 200k input tokens is priced at the long-context tier', () => {
  close(costOf({ inputTokens: 250_000, outputTokens: 1000 }, ref('google', 'gemini-2.5-pro')), (250_000 * 2.5 + 1000 * 15) / 1e6);
});

test('dated snapshots price as their family; unknown models and unknown input are not priced', () => {
  assert.equal(findModelPrice('anthropic', 'claude-sonnet-4-5-20250929')?.model, 'claude-sonnet-4-5');
  assert.equal(findModelPrice('openai', 'gpt-4.1-mini-2025-04-14')?.model, 'gpt-4.1-mini');
  assert.equal(findModelPrice('openai', 'qwen3-coder'), undefined);
  assert.equal(costOf({ outputTokens: 10 }, ref('openai', 'gpt-4.1')), undefined);
  close(costOf({ inputTokens: 1_000_000, outputTokens: 0 }, ref('openai', 'gpt-4.1', 1.1)), 2.2);
});

test('the models coding agents default to today are priced (bundled @pydantic/genai-prices data)', () => {
  for (const [basis, model] of [['anthropic', 'claude-opus-5-5'], ['google', 'gemini-3.8-flash'], ['google', 'gemini-3.1-pro-preview'], ['openai', 'gpt-5-mini']]) {
    assert.ok(findModelPrice(basis, model), `${basis}/${model}`);
  }
  close(costOf({ inputTokens: 1_000_000, outputTokens: 1_000_000 }, ref('anthropic', 'claude-opus-5-5')), 4 + 20);
});
