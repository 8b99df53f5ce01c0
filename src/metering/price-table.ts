/**
 * List prices in USD per million tokens, by cost basis (Aperture's `cost_basis`) and model.
 * `cacheWrite` is the 5-minute write; `cacheWrite1h` the 1-hour write (Anthropic ×1.25 and ×2 of
 * input, https://docs.claude.com/en/docs/build-with-claude/prompt-caching). Reasoning tokens are
 * output tokens and priced as such. `above` is a long-context tier: when a call's input exceeds
 * `tokens`, the whole call is priced at that tier (Gemini Pro and Sonnet 1M-context pricing).
 * Sources: https://platform.openai.com/docs/pricing, https://docs.claude.com/en/docs/about-claude/pricing,
 * https://ai.google.dev/gemini-api/docs/pricing (as published in 2025-2026).
 */
export type Price = {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  cacheWrite1h?: number;
  above?: { tokens: number; input: number; output: number; cacheRead?: number; cacheWrite?: number; cacheWrite1h?: number };
};

const claude = (input: number, output: number): Price => ({
  input,
  output,
  cacheRead: input * 0.1,
  cacheWrite: input * 1.25,
  cacheWrite1h: input * 2,
});

const anthropic: Record<string, Price> = {
  'claude-opus-4-5': claude(5, 25),
  'claude-opus-4-1': claude(15, 75),
  'claude-opus-4': claude(15, 75),
  'claude-sonnet-4-5': { ...claude(3, 15), above: { tokens: 200_000, input: 6, output: 22.5, cacheRead: 0.6, cacheWrite: 7.5, cacheWrite1h: 12 } },
  'claude-sonnet-4': { ...claude(3, 15), above: { tokens: 200_000, input: 6, output: 22.5, cacheRead: 0.6, cacheWrite: 7.5, cacheWrite1h: 12 } },
  'claude-3-7-sonnet': claude(3, 15),
  'claude-haiku-4-5': claude(1, 5),
  'claude-3-5-haiku': claude(0.8, 4),
  'claude-3-haiku': { input: 0.25, output: 1.25, cacheRead: 0.03, cacheWrite: 0.3, cacheWrite1h: 0.5 },
};

const openai: Record<string, Price> = {
  'gpt-5': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gpt-5.1': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gpt-5-codex': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gpt-5.1-codex': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cacheRead: 0.025 },
  'gpt-5.1-codex-mini': { input: 0.25, output: 2, cacheRead: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cacheRead: 0.005 },
  'gpt-5-pro': { input: 15, output: 120 },
  'gpt-4.1': { input: 2, output: 8, cacheRead: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cacheRead: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cacheRead: 0.025 },
  'gpt-4o': { input: 2.5, output: 10, cacheRead: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cacheRead: 0.075 },
  o3: { input: 2, output: 8, cacheRead: 0.5 },
  'o3-pro': { input: 20, output: 80 },
  'o4-mini': { input: 1.1, output: 4.4, cacheRead: 0.275 },
  'o3-mini': { input: 1.1, output: 4.4, cacheRead: 0.55 },
  o1: { input: 15, output: 60, cacheRead: 7.5 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
};

const google: Record<string, Price> = {
  'gemini-3-pro-preview': { input: 2, output: 12, cacheRead: 0.2, above: { tokens: 200_000, input: 4, output: 18, cacheRead: 0.4 } },
  'gemini-2.5-pro': { input: 1.25, output: 10, cacheRead: 0.125, above: { tokens: 200_000, input: 2.5, output: 15, cacheRead: 0.25 } },
  'gemini-2.5-flash': { input: 0.3, output: 2.5, cacheRead: 0.03 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cacheRead: 0.01 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4, cacheRead: 0.025 },
  'gemini-2.0-flash-lite': { input: 0.075, output: 0.3 },
  'gemini-embedding-001': { input: 0.15, output: 0 },
};

/** Cost bases we ship prices for. Cloud resellers (bedrock, vertex, azure) arrive with their providers. */
export const priceTable: Record<string, Record<string, Price>> = { anthropic, openai, google };
