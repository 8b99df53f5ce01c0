// Realistic call records for the store benchmarks: ~200 people, 6 agents, 15 models over 4 providers,
// over 90 days with a working-day rhythm, sessions of ~20 calls, ~20% of calls with tool calls.
// Deterministic for a seed (except the UUIDs), and produced in roughly time order, like a live gateway.
import { randomUUID } from 'node:crypto';
import { zstdCompressSync } from 'node:zlib';
import type { CallRecord, Outcome } from '../../src/recording/call-record.ts';
import type { StoredCall } from '../../src/store/store.ts';
import { random } from '../../src/store/testing/records.ts';
import { uuid7 } from './uuid7.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;

type Model = { name: string; provider: string; inPerM: number; outPerM: number; reasoning?: boolean; priced?: boolean };
const MODELS: Model[] = [
  { name: 'claude-opus-4-1', provider: 'anthropic', inPerM: 15, outPerM: 75 },
  { name: 'claude-sonnet-4-5', provider: 'anthropic', inPerM: 3, outPerM: 15 },
  { name: 'claude-haiku-4-5', provider: 'anthropic', inPerM: 1, outPerM: 5 },
  { name: 'gpt-5', provider: 'openai', inPerM: 1.25, outPerM: 10, reasoning: true },
  { name: 'gpt-5-mini', provider: 'openai', inPerM: 0.25, outPerM: 2, reasoning: true },
  { name: 'gpt-5-codex', provider: 'openai', inPerM: 1.25, outPerM: 10, reasoning: true },
  { name: 'gpt-4.1', provider: 'openai', inPerM: 2, outPerM: 8 },
  { name: 'o4-mini', provider: 'openai', inPerM: 1.1, outPerM: 4.4, reasoning: true },
  { name: 'gemini-2.5-pro', provider: 'gemini', inPerM: 1.25, outPerM: 10, reasoning: true },
  { name: 'gemini-2.5-flash', provider: 'gemini', inPerM: 0.3, outPerM: 2.5, reasoning: true },
  { name: 'gemini-2.5-flash-lite', provider: 'gemini', inPerM: 0.1, outPerM: 0.4 },
  { name: 'anthropic.claude-sonnet-4-5', provider: 'bedrock', inPerM: 3, outPerM: 15 },
  { name: 'anthropic.claude-haiku-4-5', provider: 'bedrock', inPerM: 1, outPerM: 5 },
  { name: 'amazon.nova-pro', provider: 'bedrock', inPerM: 0.8, outPerM: 3.2 },
  { name: 'meta.llama4-maverick', provider: 'bedrock', inPerM: 0, outPerM: 0, priced: false },
];
const model = (name: string) => MODELS.find((m) => m.name === name)!;

// Each agent and the models its users pick from (the first ones more often).
const AGENTS: { name: string; weight: number; ua: string; path: string; models: string[] }[] = [
  { name: 'claude-code', weight: 40, ua: 'claude-cli/2.1.3 (external, cli)', path: '/v1/messages', models: ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5', 'anthropic.claude-sonnet-4-5'] },
  { name: 'codex', weight: 20, ua: 'codex_cli_rs/0.169.0', path: '/v1/responses', models: ['gpt-5-codex', 'gpt-5', 'gpt-5-mini', 'o4-mini'] },
  { name: 'gemini-cli', weight: 12, ua: 'GeminiCLI/0.61.0', path: '/v1beta/models/gemini-2.5-pro:streamGenerateContent', models: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite'] },
  { name: 'opencode', weight: 10, ua: 'opencode/1.0.0', path: '/v1/chat/completions', models: ['claude-sonnet-4-5', 'gpt-5', 'gemini-2.5-pro', 'amazon.nova-pro'] },
  { name: 'cline', weight: 8, ua: 'Cline/3.30.0', path: '/v1/messages', models: ['claude-sonnet-4-5', 'anthropic.claude-haiku-4-5', 'gpt-4.1'] },
  { name: 'openai-sdk', weight: 10, ua: 'OpenAI/JS 7.57.0', path: '/v1/chat/completions', models: ['gpt-4.1', 'gpt-5-mini', 'meta.llama4-maverick', 'amazon.nova-pro'] },
];
const TOOLS = ['Read', 'Edit', 'Bash', 'Grep', 'Write', 'Glob', 'WebFetch', 'TodoWrite'];

type User = { login: string; node: string; weight: number; tz: number; agents: (typeof AGENTS)[number][]; models: Map<string, string[]> };

/** `ids`: how call ids are made — random UUIDv4 (what the gateway does today) or time-ordered UUIDv7. */
export type GenerateOptions = { count: number; end: number; days?: number; seed?: number; users?: number; captureShare?: number; ids?: 'uuid4' | 'uuid7' };

/** Streams `count` calls in batches, oldest first, ending near `end`. */
export function* generateCalls(options: GenerateOptions, batchSize = 5000): Generator<StoredCall[]> {
  const next = random(options.seed ?? 42);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const weighted = <T>(items: readonly T[], weight: (item: T) => number) => {
    const total = items.reduce((sum, item) => sum + weight(item), 0);
    let at = next() * total;
    for (const item of items) if ((at -= weight(item)) <= 0) return item;
    return items.at(-1)!;
  };
  const users: User[] = Array.from({ length: options.users ?? 200 }, (_, i) => {
    const agents = [weighted(AGENTS, (a) => a.weight)];
    if (next() < 0.35) agents.push(weighted(AGENTS.filter((a) => a !== agents[0]), (a) => a.weight));
    // Each person settles on a few of their agents' models.
    const models = new Map(agents.map((a) => [a.name, a.models.filter((_, j) => j === 0 || next() < 0.45)]));
    return { login: `user${String(i).padStart(3, '0')}@corp.example`, node: `host-${i}`, weight: 0.2 + next() ** 3 * 5, tz: pick([-8, -5, -5, 0, 1, 1, 2, 5.5, 9]), agents, models };
  });
  const days = options.days ?? 90;
  const start = Math.floor(options.end / HOUR) * HOUR - days * DAY;
  const hours = days * 24;
  // How busy an hour is for a person: working hours on weekdays in their timezone, a trickle otherwise.
  const activity = (user: User, hourStart: number) => {
    const local = new Date(hourStart + user.tz * HOUR);
    const weekday = local.getUTCDay() % 6 !== 0;
    const h = local.getUTCHours();
    return user.weight * (weekday ? (h >= 9 && h < 18 ? 1 : h >= 7 && h < 22 ? 0.25 : 0.03) : 0.06);
  };
  const perSession = 20;
  // Activity still ahead at each hour, so the session rate can be steered to land on `count` exactly.
  const ahead = new Float64Array(hours + 1);
  for (let h = hours - 1; h >= 0; h--) ahead[h] = ahead[h + 1]! + users.reduce((sum, user) => sum + activity(user, start + h * HOUR), 0);
  const captures = Array.from({ length: 8 }, (_, i) => ({
    headers: zstdCompressSync(Buffer.from(JSON.stringify({ request: { 'content-type': 'application/json', authorization: '[redacted]' }, response: { 'content-type': 'text/event-stream', 'request-id': `req_${i}` } }))),
    requestBody: zstdCompressSync(Buffer.from(JSON.stringify({ model: 'm', max_tokens: 4096, messages: [{ role: 'user', content: `Refactor module ${i} `.repeat(40) }] }))),
    responseBody: zstdCompressSync(Buffer.from(`event: content_block_delta\ndata: {"delta":{"text":"step ${i}"}}\n\n`.repeat(30))),
    truncated: false,
  }));

  let produced = 0;
  let pending: StoredCall[] = [];
  for (let h = 0; produced < options.count; h++) {
    // Past the last hour only to top up a small shortfall, within that last hour.
    const hourStart = start + Math.min(h, hours - 1) * HOUR;
    const sessionsPerUnit = (options.count - produced) / perSession / (h < hours ? ahead[h]! : ahead[hours - 1]!);
    const hourCalls: StoredCall[] = [];
    for (const user of users) {
      // Poisson-ish: the expected number of sessions this person starts this hour.
      let sessions = activity(user, hourStart) * sessionsPerUnit;
      while (sessions > 0 && produced + hourCalls.length < options.count) {
        if (sessions < 1 && next() >= sessions) break;
        sessions -= 1;
        const agent = user.agents.length > 1 && next() < 0.3 ? user.agents[1]! : user.agents[0]!;
        const models = user.models.get(agent.name)!;
        const main = model(models[0]!);
        const sessionId = randomUUID();
        const length = Math.max(1, Math.round(-Math.log(1 - next()) * perSession));
        let at = hourStart + Math.floor(next() * HOUR);
        let context = 2000 + Math.floor(next() * 8000);
        for (let c = 0; c < length && produced + hourCalls.length < options.count; c++) {
          const m = next() < 0.85 ? main : model(pick(models));
          hourCalls.push(call(user, agent, m, sessionId, at, context));
          context += 500 + Math.floor(next() * 4000);
          at += 5000 + Math.floor(next() * 60_000);
        }
      }
    }
    hourCalls.sort((a, b) => a.record.startedAt - b.record.startedAt);
    produced += hourCalls.length;
    pending.push(...hourCalls);
    while (pending.length >= batchSize) {
      yield pending.slice(0, batchSize);
      pending = pending.slice(batchSize);
    }
  }
  if (pending.length > 0) yield pending;

  function call(user: User, agent: (typeof AGENTS)[number], m: Model, sessionId: string, startedAt: number, context: number): StoredCall {
    const roll = next();
    const outcome: Outcome = roll < 0.965 ? 'ok' : roll < 0.98 ? 'aborted' : roll < 0.99 ? 'upstream_error' : roll < 0.997 ? 'client_error' : 'denied';
    const duration = outcome === 'denied' ? 2 : 800 + Math.floor(next() * next() * 60_000);
    const reported = outcome === 'ok' || (outcome === 'aborted' && next() < 0.5);
    const input = Math.min(context, 400_000);
    const output = 30 + Math.floor(next() * next() * 4000);
    const cacheRead = agent.name === 'openai-sdk' ? 0 : Math.floor(input * (0.6 + next() * 0.35));
    const usage: CallRecord['usage'] = !reported ? {} : {
      inputTokens: input, outputTokens: output,
      ...(cacheRead > 0 ? { cacheReadTokens: cacheRead, cacheWriteTokens: Math.floor((input - cacheRead) / 2) } : {}),
      ...(m.reasoning ? { reasoningTokens: Math.floor(output * next() * 0.6) } : {}),
    };
    const record: CallRecord = {
      id: options.ids === 'uuid7' ? uuid7(startedAt) : randomUUID(), startedAt, firstByteAt: startedAt + Math.min(duration, 300 + Math.floor(next() * 1500)), endedAt: startedAt + duration,
      overheadMs: 1 + Math.floor(next() * 3), method: 'POST', path: agent.path, login: user.login, identitySource: 'tailscale', node: user.node,
      userAgent: agent.ua, agent: agent.name, sessionId, provider: m.provider, model: m.name, upstreamModel: m.name, stream: agent.name !== 'openai-sdk',
      status: outcome === 'ok' || outcome === 'aborted' ? 200 : outcome === 'denied' ? 403 : outcome === 'client_error' ? 400 : 529, outcome,
      usage, toolCalls: [], bytesIn: 200 + input * 4, bytesOut: reported ? output * 5 : 0,
    };
    if (reported && m.priced !== false) record.costUsd = ((input - cacheRead) * m.inPerM + cacheRead * m.inPerM * 0.1 + output * m.outPerM) / 1e6;
    if (reported) record.responseModel = m.name;
    if (outcome === 'ok') record.finishReason = 'end_turn';
    if (outcome !== 'ok') record.errorKind = outcome;
    if (outcome === 'ok' && next() < 0.2) {
      const n = 1 + Math.floor(next() * next() * 4);
      for (let t = 0; t < n; t++) record.toolCalls.push({ id: `toolu_${record.id.slice(0, 8)}_${t}`, name: pick(TOOLS), arguments: `{"path":"src/module${Math.floor(next() * 500)}.ts"}` });
    }
    return (options.captureShare ?? 0) > 0 && next() < options.captureShare! ? { record, captures: pick(captures) } : { record };
  }
}
