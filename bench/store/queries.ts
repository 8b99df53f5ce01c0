// Every query the dashboard makes, against a seeded store, N times each: p50/p95 per query.
// Bar (issue 4): p95 ≤ 200 ms with 10,000,000 calls, on SQLite and PostgreSQL.
//
//   node bench/store/queries.ts [--url sqlite:tailgate-data/bench/seed.db] [--runs 20]
import { parseArgs } from 'node:util';
import { encodeCursor } from '../../src/store/cursor.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { GroupBy, Store } from '../../src/store/store.ts';
import { DEFAULT_SQLITE_SEED, label } from './targets.ts';

const DAY = 86_400_000;
export const BAR_MS = 200;

export type QueryResult = { query: string; p50: number; p95: number; max: number; rows: number };

/** The dashboard's queries, each a name and a thunk; built from what the seed holds (its newest call is "now"). */
async function dashboardQueries(store: Store): Promise<[string, () => Promise<number>][]> {
  const [newest] = (await store.listCalls({}, { limit: 1 })).items;
  if (!newest) throw new Error('the store is empty: seed it first (node bench/store/seed.ts)');
  const now = newest.startedAt;
  // The busiest person of the last month: the heaviest "my usage" page.
  const [heaviest] = await store.usage('user', { from: now - 30 * DAY, to: now });
  const login = heaviest!.key;
  const [old] = (await store.listCalls({ to: now - 60 * DAY }, { limit: 1 })).items;
  const deepCursor = encodeCursor([old!.startedAt, old!.id]);
  const session = newest.sessionId!;
  const [tool] = (await store.listToolCalls({}, { limit: 1 })).items;

  const queries: [string, () => Promise<number>][] = [];
  for (const groupBy of ['user', 'agent', 'model', 'provider', 'day', 'hour'] as GroupBy[]) {
    for (const days of [1, 7, 30, 90]) {
      for (const viewer of [undefined, login]) {
        const filters = { from: now - days * DAY, to: now, ...(viewer ? { login: viewer } : {}) };
        queries.push([`usage by ${groupBy}, ${days}d${viewer ? ', one user' : ''}`, async () => (await store.usage(groupBy, filters)).length]);
      }
    }
  }
  // The Overview's status filter: every error, one error outcome, and successes only (totals minus failures).
  for (const outcome of ['errors', 'upstream_error', 'ok']) {
    for (const groupBy of ['user', 'agent', 'model', 'provider', 'day'] as GroupBy[]) {
      queries.push([`usage by ${groupBy}, 90d, status ${outcome}`, async () => (await store.usage(groupBy, { from: now - 90 * DAY, to: now, outcome })).length]);
    }
    queries.push([`usage by model, 30d, one user, status ${outcome}`, async () => (await store.usage('model', { from: now - 30 * DAY, to: now, login, outcome })).length]);
  }
  const page = { limit: 50 };
  queries.push(
    ['calls, first page', async () => (await store.listCalls({}, page)).items.length],
    ['calls, first page, one user', async () => (await store.listCalls({ login }, page)).items.length],
    ['calls, page 60 days deep', async () => (await store.listCalls({}, { ...page, cursor: deepCursor })).items.length],
    ['calls, page 60 days deep, one user', async () => (await store.listCalls({ login }, { ...page, cursor: deepCursor })).items.length],
    ['calls, failed, first page', async () => (await store.listCalls({ outcome: 'upstream_error' }, page)).items.length],
    ['calls, one model, last 7d', async () => (await store.listCalls({ model: 'gpt-5-mini', from: now - 7 * DAY }, page)).items.length],
    ['calls of one session', async () => (await store.listCalls({ sessionId: session }, page)).items.length],
    ['call detail', async () => ((await store.getCall(newest.id)) ? 1 : 0)],
    ['sessions, first page', async () => (await store.listSessions({}, page)).items.length],
    ['sessions, first page, one user', async () => (await store.listSessions({ login }, page)).items.length],
    ['sessions, last 7d, one model', async () => (await store.listSessions({ from: now - 7 * DAY, model: 'gemini-2.5-pro' }, page)).items.length],
    ['tool calls, first page', async () => (await store.listToolCalls({}, page)).items.length],
    ['tool calls, first page, one user', async () => (await store.listToolCalls({ login }, page)).items.length],
    ['tool calls, one tool', async () => (await store.listToolCalls({ name: tool!.name }, page)).items.length],
  );
  return queries;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;

export async function runQueries(url: string, runs: number, log: (line: string) => void = (line) => console.error(line)): Promise<QueryResult[]> {
  const store = await openStore(url, { migrate: false });
  try {
    const results: QueryResult[] = [];
    for (const [query, run] of await dashboardQueries(store)) {
      const rows = await run(); // warm-up, not counted
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await run();
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const result = { query, p50: percentile(times, 0.5), p95: percentile(times, 0.95), max: times.at(-1)!, rows };
      results.push(result);
      log(`${label(url)}  ${query.padEnd(38)} p50 ${result.p50.toFixed(1).padStart(7)} ms  p95 ${result.p95.toFixed(1).padStart(7)} ms${result.p95 > BAR_MS ? '  OVER BAR' : ''}`);
    }
    return results;
  } finally {
    await store.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { url: { type: 'string', default: DEFAULT_SQLITE_SEED }, runs: { type: 'string', default: '20' } } });
  const results = await runQueries(values.url, Number(values.runs));
  console.log(JSON.stringify(results));
}
