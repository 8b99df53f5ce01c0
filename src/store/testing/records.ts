// Test data for the store suite: one record with every field set, and a seeded generator of varied
// records (unknown logins/agents/usage/cost included) spread over a few days.
import { zstdCompressSync } from 'node:zlib';
import type { CallRecord, Outcome } from '../../recording/call-record.ts';
import type { StoredCall } from '../store.ts';

export const T0 = Date.UTC(2025, 5, 1, 9, 30); // 2025-06-01 09:30 UTC, mid-hour on purpose

/** A small seeded PRNG (mulberry32): the same records on every run and in both databases. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function fullRecord(id = 'call-full'): CallRecord {
  return {
    id, startedAt: T0, firstByteAt: T0 + 120, endedAt: T0 + 950, overheadMs: 1.25, method: 'POST', path: '/v1/messages',
    endpoint: 'anthropic-messages', login: 'alice@example.com', identitySource: 'tailscale', node: 'alice-laptop', tags: ['tag:dev', 'tag:ci'],
    userAgent: 'claude-cli/2.1.0 (external, cli)', agent: 'claude-code', sessionId: 'sess-1', provider: 'anthropic', model: 'claude-sonnet-4-5',
    upstreamModel: 'claude-sonnet-4-5-20250929', responseModel: 'claude-sonnet-4-5-20250929', stream: true, status: 200, outcome: 'ok',
    errorKind: 'none', usage: { inputTokens: 1200, outputTokens: 340, cacheReadTokens: 1000, cacheWriteTokens: 100, cacheWrite5mTokens: 60, cacheWrite1hTokens: 40, reasoningTokens: 50 },
    costUsd: 0.012345, costBasis: 'genai-prices/claude-sonnet-4-5', finishReason: 'tool_use',
    toolCalls: [{ id: 'toolu_1', name: 'Read', arguments: '{"path":"a.ts"}' }, { name: 'Bash', arguments: '{"cmd":"ls"}' }],
    bytesIn: 4096, bytesOut: 8192,
  };
}

/** The fewest fields a record can have: everything optional absent, usage unknown, cost unknown. */
export function bareRecord(id: string, startedAt = T0): CallRecord {
  return { id, startedAt, endedAt: startedAt + 10, overheadMs: 0, method: 'POST', path: '/v1/chat/completions', stream: false, status: 502, outcome: 'upstream_error', usage: {}, toolCalls: [], bytesIn: 10, bytesOut: 0 };
}

export function captureOf(seed: string): NonNullable<StoredCall['captures']> {
  return {
    headers: zstdCompressSync(Buffer.from(JSON.stringify({ request: { 'content-type': 'application/json', authorization: '[redacted]' }, response: { 'x-seed': seed } }))),
    requestBody: zstdCompressSync(Buffer.from(`{"model":"m","messages":[{"role":"user","content":"${seed}"}]}`)),
    responseBody: zstdCompressSync(Buffer.from(`data: {"seed":"${seed}"}\n\ndata: [DONE]\n\n`)),
    truncated: seed.endsWith('7'),
  };
}

const LOGINS = ['alice@example.com', 'bob@example.com', 'carol@example.com', undefined];
const AGENTS = ['claude-code', 'codex', 'gemini-cli', undefined];
const MODELS: [string | undefined, string | undefined][] = [['claude-sonnet-4-5', 'anthropic'], ['gpt-5', 'openai'], ['gemini-2.5-pro', 'gemini'], ['gpt-5', 'azure'], [undefined, undefined]];
const OUTCOMES: Outcome[] = ['ok', 'ok', 'ok', 'ok', 'aborted', 'upstream_error', 'denied'];

/** `count` varied calls over `days` days from T0, a few per session, some with unknown usage or cost. */
export function varied(count: number, options: { seed?: number; days?: number; prefix?: string } = {}): StoredCall[] {
  const next = random(options.seed ?? 1);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const span = (options.days ?? 3) * 86_400_000;
  const calls: StoredCall[] = [];
  for (let i = 0; i < count; i++) {
    const startedAt = T0 + Math.floor(next() * span);
    const [model, provider] = pick(MODELS);
    const known = next() < 0.8;
    const record: CallRecord = {
      id: `${options.prefix ?? 'c'}-${String(i).padStart(6, '0')}`,
      startedAt, endedAt: startedAt + Math.floor(next() * 5000), overheadMs: Math.floor(next() * 3),
      method: 'POST', path: '/v1/messages', stream: next() < 0.5, status: 200, outcome: pick(OUTCOMES),
      usage: known ? { inputTokens: Math.floor(next() * 5000), outputTokens: Math.floor(next() * 900), ...(next() < 0.5 ? { cacheReadTokens: Math.floor(next() * 3000), cacheWriteTokens: 10 } : {}), ...(next() < 0.3 ? { reasoningTokens: 7 } : {}) } : next() < 0.5 ? {} : { outputTokens: 5 },
      toolCalls: next() < 0.3 ? [{ id: `t${i}`, name: pick(['Read', 'Bash', 'Edit']), arguments: `{"i":${i}}` }, ...(next() < 0.5 ? [{ name: 'Grep', arguments: '{}' }] : [])] : [],
      bytesIn: 100 + i, bytesOut: 200 + i,
    };
    const login = pick(LOGINS), agent = pick(AGENTS);
    if (login !== undefined) record.login = login;
    if (agent !== undefined) record.agent = agent;
    if (model !== undefined) record.model = model;
    if (provider !== undefined) record.provider = provider;
    if (known && next() < 0.85) record.costUsd = Math.round(next() * 1e6) / 1e6;
    if (next() < 0.9) record.sessionId = `s-${Math.floor(next() * Math.max(1, count / 8))}`;
    calls.push(next() < 0.3 ? { record, captures: captureOf(record.id) } : { record });
  }
  return calls;
}
