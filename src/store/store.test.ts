// The Store contract, run unchanged against SQLite (a temp file) and the real PostgreSQL (a fresh schema
// per test). PostgreSQL being down fails these tests with a clear message; they never skip.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { CallRecord } from '../recording/call-record.ts';
import { unpackCapture } from '../recording/capture-codec.ts';
import { Journal } from '../recording/journal.ts';
import { encodeFrame } from '../recording/journal-frame.ts';
import { migrate, MIGRATIONS } from './migrations.ts';
import { openExecutor } from './open-executor.ts';
import { ANY_ERROR } from './read-models.ts';
import { DAY_MS, HOUR_MS, Rollups, type CallSums, type FailedRollupRow } from './rollup.ts';
import type { Executor } from './sql/executor.ts';
import type { Filters, GroupBy, Page, SessionSummary, Store, StoredCall, UsageRow } from './store.ts';
import { openStore } from './open-store.ts';
import { SqlStore } from './sql-store.ts';
import { BACKENDS, withStore } from './testing/backends.ts';
import { T0, bareRecord, captureOf, fullRecord, varied } from './testing/records.ts';
import { usage } from './usage.ts';
import { chunkedValues } from './sql/values.ts';
import { insertCallRows } from './write.ts';

const GROUPS: GroupBy[] = ['user', 'agent', 'model', 'provider', 'day', 'hour'];

/**
 * Usage computed the slow way, with the store's semantics: hour resolution, unknown usage and cost out
 * of the sums; filtered to `ok`, the max latency only where the slowest call of the group was ok.
 */
function bruteUsage(records: readonly CallRecord[], groupBy: GroupBy, f: Filters): Map<string, Omit<UsageRow, 'key'>> {
  const lo = f.from === undefined ? -Infinity : Math.floor(f.from / HOUR_MS) * HOUR_MS;
  const hi = f.to === undefined ? Infinity : Math.ceil(f.to / HOUR_MS) * HOUR_MS;
  const out = new Map<string, Omit<UsageRow, 'key'> & { latencySum: number; latencyMax: number }>();
  // Per group, over every outcome: the slowest call, and the slowest failed call (-1: none).
  const slowest = new Map<string, { all: number; failed: number }>();
  for (const r of records) {
    const hour = Math.floor(r.startedAt / HOUR_MS) * HOUR_MS;
    if (hour < lo || hour >= hi) continue;
    if ((f.login !== undefined && r.login !== f.login) || (f.agent !== undefined && r.agent !== f.agent)) continue;
    if ((f.model !== undefined && r.model !== f.model) || (f.provider !== undefined && r.provider !== f.provider)) continue;
    const key = { user: r.login ?? '', agent: r.agent ?? '', model: r.model ?? '', provider: r.provider ?? '',
      day: new Date(Math.floor(r.startedAt / DAY_MS) * DAY_MS).toISOString().slice(0, 10), hour: new Date(hour).toISOString() }[groupBy];
    const latency = r.endedAt - r.startedAt;
    const s = slowest.get(key) ?? { all: -1, failed: -1 };
    slowest.set(key, { all: Math.max(s.all, latency), failed: r.outcome === 'ok' ? s.failed : Math.max(s.failed, latency) });
    if (f.outcome !== undefined && (f.outcome === ANY_ERROR ? r.outcome === 'ok' : r.outcome !== f.outcome)) continue;
    let row = out.get(key);
    if (!row) out.set(key, (row = { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costUsd: 0, unpricedRequests: 0, latencyMsAvg: 0, latencyMsMax: 0, latencySum: 0, latencyMax: 0 }));
    row.requests++;
    if (r.outcome !== 'ok') row.errors++;
    row.inputTokens += r.usage.inputTokens ?? 0;
    row.outputTokens += r.usage.outputTokens ?? 0;
    row.cacheReadTokens += r.usage.cacheReadTokens ?? 0;
    row.cacheWriteTokens += r.usage.cacheWriteTokens ?? 0;
    row.reasoningTokens += r.usage.reasoningTokens ?? 0;
    if (r.costUsd === undefined) row.unpricedRequests++;
    else row.costUsd += r.costUsd;
    row.latencySum += latency;
    row.latencyMax = Math.max(row.latencyMax, latency);
    row.latencyMsAvg = row.latencySum / row.requests;
  }
  return new Map([...out].map(([key, { latencySum: _, latencyMax, ...row }]) => {
    const s = slowest.get(key)!;
    return [key, { ...row, latencyMsMax: f.outcome === 'ok' && s.all <= s.failed ? null : latencyMax }];
  }));
}

function assertUsage(actual: UsageRow[], expected: Map<string, Omit<UsageRow, 'key'>>, label: string): void {
  assert.deepEqual(actual.map((row) => row.key).sort(), [...expected.keys()].sort(), `${label}: keys`);
  for (const { key, costUsd, latencyMsAvg, ...exact } of actual) {
    const want = expected.get(key)!;
    const { costUsd: wantCost, latencyMsAvg: wantAvg, ...wantExact } = want;
    assert.deepEqual(exact, wantExact, `${label}: ${key}`);
    assert.ok(Math.abs(costUsd - wantCost) < 1e-9, `${label}: ${key} cost ${costUsd} vs ${wantCost}`);
    assert.ok(Math.abs(latencyMsAvg - wantAvg) < 1e-9, `${label}: ${key} latency avg`);
  }
}

const failureKey = (r: FailedRollupRow) => [r.bucket, r.login, r.agent, r.model, r.provider, r.outcome].join('\0');
/** Failed-rollup rows in one order on both databases, costs rounded (sums added in another order differ in the last bits). */
const normalized = (rows: FailedRollupRow[]) => rows.map((r) => ({ ...r, costUsd: Math.round(r.costUsd * 1e9) })).sort((a, b) => (failureKey(a) < failureKey(b) ? -1 : 1));

/** What the failed_rollups_* tables hold. */
async function storedFailures(db: Executor): Promise<Record<string, FailedRollupRow[]>> {
  const out: Record<string, FailedRollupRow[]> = {};
  for (const grain of ['hourly', 'daily']) {
    const rows = await db.query<Record<string, string | number>>(`SELECT * FROM failed_rollups_${grain}`);
    out[grain] = normalized(rows.map((r) => ({
      bucket: Number(r.bucket), login: String(r.login), agent: String(r.agent), model: String(r.model), provider: String(r.provider), outcome: String(r.outcome),
      requests: Number(r.requests), errors: Number(r.errors), inputTokens: Number(r.input_tokens), outputTokens: Number(r.output_tokens),
      cacheReadTokens: Number(r.cache_read_tokens), cacheWriteTokens: Number(r.cache_write_tokens), reasoningTokens: Number(r.reasoning_tokens),
      costUsd: Number(r.cost_usd), unpricedRequests: Number(r.unpriced_requests), latencyMsSum: Number(r.latency_ms_sum), latencyMsMax: Number(r.latency_ms_max),
    })));
  }
  return out;
}

/** What insertCalls writes to the failed_rollups_* tables for these calls. */
function expectedFailures(records: readonly CallRecord[]): Record<string, FailedRollupRow[]> {
  const rollups = new Rollups();
  for (const r of records) rollups.add(r);
  return { hourly: normalized([...rollups.failedHourly.values()]), daily: normalized([...rollups.failedDaily.values()]) };
}

/** Migration 1's columns of the totals tables. */
const V1_TOTALS = 'bucket, login, agent, model, provider, requests, errors, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_usd, unpriced_requests, latency_ms_sum, latency_ms_max';

/** Writes totals rows the way migration 1's schema holds them (no failed share). */
async function writeV1Totals(tx: Executor, rollups: Rollups): Promise<void> {
  for (const [table, map] of [['rollups_hourly', rollups.hourly], ['rollups_daily', rollups.daily]] as const) {
    const statements = chunkedValues(tx.dialect, [...map.values()], 16, (r) => [
      r.bucket, r.login, r.agent, r.model, r.provider, r.requests, r.errors, r.inputTokens, r.outputTokens, r.cacheReadTokens, r.cacheWriteTokens, r.reasoningTokens, r.costUsd, r.unpricedRequests, r.latencyMsSum, r.latencyMsMax,
    ], (values) => `INSERT INTO ${table} (${V1_TOTALS}) VALUES ${values}`);
    for (const { sql, params, reuse } of statements) await tx.run(sql, params, { reuse });
  }
}

/** The failed_* columns of a totals row and the field of its `failed` sums each holds. */
const SHARE = [
  ['failed_input_tokens', 'inputTokens'], ['failed_output_tokens', 'outputTokens'], ['failed_cache_read_tokens', 'cacheReadTokens'],
  ['failed_cache_write_tokens', 'cacheWriteTokens'], ['failed_reasoning_tokens', 'reasoningTokens'], ['failed_cost_usd', 'costUsd'],
  ['failed_unpriced_requests', 'unpricedRequests'], ['failed_latency_ms_sum', 'latencyMsSum'], ['failed_latency_ms_max', 'latencyMsMax'],
] as const;
type Share = Pick<CallSums, (typeof SHARE)[number][1]>;
type Shares = Record<string, Record<string, Share>>;
const shareKey = (r: { bucket: number | string; login: string; agent: string; model: string; provider: string }) => [Number(r.bucket), r.login, r.agent, r.model, r.provider].join('|');
/** The failed share of a totals row, cost rounded (sums added in another order differ in the last bits). */
const rounded = (share: Share): Share => ({ ...share, costUsd: Math.round(share.costUsd * 1e9) });

/** Every totals row's failed share (the failed_* columns), by grain and key. */
async function storedShares(db: Executor): Promise<Shares> {
  const out: Shares = {};
  for (const grain of ['hourly', 'daily']) {
    const rows = await db.query<Record<string, string | number>>(`SELECT * FROM rollups_${grain}`);
    out[grain] = Object.fromEntries(rows.map((r) => [
      shareKey(r as never), rounded(Object.fromEntries(SHARE.map(([column, field]) => [field, Number(r[column])])) as Share),
    ]));
  }
  return out;
}

/** The failed share insertCalls writes for these calls, for the keys of `stored` (0 where none of them failed). */
function expectedShares(records: readonly CallRecord[], stored: Shares): Shares {
  const rollups = new Rollups();
  for (const r of records) rollups.add(r);
  const zero = Object.fromEntries(SHARE.map(([, field]) => [field, 0])) as Share;
  const out: Shares = {};
  for (const [grain, map] of [['hourly', rollups.hourly], ['daily', rollups.daily]] as const) {
    const byKey = new Map([...map.values()].map((row) => [shareKey(row), row]));
    out[grain] = Object.fromEntries(Object.keys(stored[grain]!).map((key) => {
      const row = byKey.get(key);
      return [key, row === undefined ? zero : rounded(Object.fromEntries(SHARE.map(([, field]) => [field, row.failed[field]])) as Share)];
    }));
  }
  return out;
}

/**
 * Usage as the rollups hold it once failed calls (`gone`) were deleted before migration 2 filled in the
 * failure detail: still counted in the totals and in `errors`, but their tokens, cost and latency stay
 * in the ok share. An error filter sees each as a failed call with no usage, cost $0 and latency 0; an
 * `ok` one sees its sums (as if it were ok) but not its request; one outcome does not see it at all.
 */
function bruteAfterDeletion(records: readonly CallRecord[], gone: (r: CallRecord) => boolean, groupBy: GroupBy, f: Filters): Map<string, Omit<UsageRow, 'key'>> {
  const lost = (r: CallRecord) => gone(r) && r.outcome !== 'ok';
  if (f.outcome === ANY_ERROR) return bruteUsage(records.map((r) => (lost(r) ? { ...r, usage: {}, costUsd: 0, endedAt: r.startedAt } : r)), groupBy, f);
  if (f.outcome !== 'ok') return bruteUsage(records.filter((r) => !gone(r)), groupBy, f);
  const asOk = bruteUsage(records.map((r) => (lost(r) ? { ...r, outcome: 'ok' as const } : r)), groupBy, f);
  return new Map([...bruteUsage(records, groupBy, f)].map(([key, { requests }]) => {
    const row = asOk.get(key)!;
    return [key, { ...row, requests, latencyMsAvg: (row.latencyMsAvg * row.requests) / requests }];
  }));
}

async function all<T>(fetch: (cursor?: string) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return items;
}

const newestFirst = (a: CallRecord, b: CallRecord) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Everything a dashboard can see, to show a replay changed nothing. */
async function snapshot(store: Store): Promise<unknown> {
  const usage = await Promise.all(GROUPS.map((g) => store.usage(g, {})));
  const sessions = await all((cursor) => store.listSessions({}, { limit: 50, cursor }));
  const tools = await all((cursor) => store.listToolCalls({}, { limit: 100, cursor }));
  const calls = await all((cursor) => store.listCalls({}, { limit: 100, cursor }));
  return { usage, sessions, tools, calls };
}

for (const backend of BACKENDS) {
  describe(`store on ${backend.name}`, () => {
    test('a call and its captures round-trip with every field', () => withStore(backend, async (store) => {
      const full = { record: fullRecord(), captures: captureOf('full-7') };
      const bare = { record: bareRecord('call-bare', T0 + 5) };
      await store.insertCalls([full, bare]);

      const got = await store.getCall('call-full');
      assert.deepStrictEqual(got?.record, full.record);
      assert.deepStrictEqual(got?.captures?.headers, { request: { 'content-type': 'application/json', authorization: '[redacted]' }, response: { 'x-seed': 'full-7' } });
      assert.ok(Buffer.isBuffer(got?.captures?.requestBody) && Buffer.isBuffer(got?.captures?.responseBody));
      assert.ok(got!.captures!.requestBody.equals(full.captures.requestBody), 'request body bytes as stored');
      assert.ok(got!.captures!.responseBody.equals(full.captures.responseBody), 'response body bytes as stored');
      assert.equal(got!.captures!.truncated, true);

      assert.deepStrictEqual(await store.getCall('call-bare'), { record: bare.record });
      assert.equal(await store.getCall('nope'), undefined);
      assert.deepStrictEqual((await store.listCalls({}, { limit: 10 })).items, [bare.record, full.record]);
    }));

    test('calls journaled with their captures are stored from the journal, in batches, each once', () => withStore(backend, async (store) => {
      const dir = await mkdtemp(path.join(tmpdir(), 'tailgate-ingest-'));
      try {
        const journal = await Journal.open(dir);
        const prompt = Buffer.from(JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hello '.repeat(400) }] }));
        const records = [fullRecord('call-1'), fullRecord('call-2'), bareRecord('call-3', T0 + 5)];
        const events = [Buffer.from('data: {"a":1}\n\n'), Buffer.from('data: [DONE]\n\n')];
        const capture = { requestHeaders: ['Content-Type', 'application/json', 'X-Api-Key', 'sk-ant-secret'], requestBody: prompt, responseHeaders: { 'content-type': 'text/event-stream' }, responseChunks: events, responseBytes: events[0].length + events[1].length, truncated: false };
        await Promise.all(records.map((record, index) => journal.append(encodeFrame(JSON.stringify(record), index < 2 ? capture : undefined))));
        const { file, from, to } = journal.backlog()!;
        const first = await store.ingestJournal(file, from, to, 2);
        assert.equal(first.calls, 2);
        const rest = await store.ingestJournal(file, first.end, to, 2);
        assert.deepEqual(rest, { calls: 1, end: to });
        assert.deepEqual(await store.ingestJournal(file, 0, to, 10), { calls: 3, end: to }, 'read again (a replay): stored once');
        assert.equal((await store.listCalls({}, { limit: 10 })).items.length, 3);

        const got = await store.getCall('call-2');
        assert.deepStrictEqual(got?.record, records[1]);
        assert.deepStrictEqual(got?.captures?.headers, { request: { 'content-type': 'application/json', 'x-api-key': '[redacted]' }, response: { 'content-type': 'text/event-stream' } });
        assert.ok(unpackCapture(got!.captures!.requestBody).equals(prompt));
        assert.equal(unpackCapture(got!.captures!.responseBody).toString(), 'data: {"a":1}\n\ndata: [DONE]\n\n');
        assert.deepStrictEqual(await store.getCall('call-3'), { record: records[2] });
        await journal.close();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }));

    test('migrate is idempotent', () => withStore(backend, async (store) => {
      await store.insertCalls([{ record: fullRecord() }]);
      await store.migrate();
      await store.migrate();
      assert.equal((await store.listCalls({}, { limit: 10 })).items.length, 1);
    }));

    test('re-inserting calls (journal replay) changes nothing', () => withStore(backend, async (store) => {
      const calls = varied(300, { seed: 2 });
      await store.insertCalls(calls.slice(0, 200));
      const before = await snapshot(store);
      await store.insertCalls(calls.slice(0, 200));
      await store.insertCalls(calls.slice(50, 120).reverse());
      assert.deepStrictEqual(await snapshot(store), before);

      // A batch mixing replayed and new calls (and a call repeated inside the batch) adds only the new ones once.
      await store.insertCalls([...calls.slice(150, 300), calls[299]!]);
      const records = calls.map((c) => c.record);
      for (const g of GROUPS) assertUsage(await store.usage(g, {}), bruteUsage(records, g, {}), `after replay, ${g}`);
      assert.equal((await all((cursor) => store.listCalls({}, { limit: 100, cursor }))).length, 300);
    }));

    test('usage equals a brute-force sum for every grouping, range and filter', () => withStore(backend, async (store) => {
      const calls = varied(1500, { seed: 3, days: 5 });
      for (let i = 0; i < calls.length; i += 400) await store.insertCalls(calls.slice(i, i + 400));
      const records = calls.map((c) => c.record);
      const ranges: Filters[] = [
        {},
        { from: T0 + 7 * HOUR_MS + 1234, to: T0 + 3 * DAY_MS + 5 * HOUR_MS - 99 }, // ragged ends around whole days
        { from: Date.UTC(2025, 5, 2), to: Date.UTC(2025, 5, 4) }, // whole days only
        { from: T0 + HOUR_MS, to: T0 + 6 * HOUR_MS }, // inside one day
        { from: T0 + DAY_MS }, { to: T0 + 2 * DAY_MS + 1 },
      ];
      const filters: Filters[] = [{}, { login: 'alice@example.com' }, { model: 'gpt-5' }, { agent: 'codex', provider: 'openai' }];
      for (const g of GROUPS) {
        for (const range of ranges) {
          for (const filter of filters) {
            const f = { ...range, ...filter };
            assertUsage(await store.usage(g, f), bruteUsage(records, g, f), `${g} ${JSON.stringify(f)}`);
          }
        }
      }
    }));

    test('usage filtered by outcome, by every error or by ok has exact requests, tokens and cost', () => withStore(backend, async (store) => {
      const calls = varied(1500, { seed: 8, days: 5 });
      for (let i = 0; i < calls.length; i += 400) await store.insertCalls(calls.slice(i, i + 400));
      const records = calls.map((c) => c.record);
      assert.ok(records.some((r) => r.outcome !== 'ok' && (r.usage.inputTokens ?? 0) > 0 && r.costUsd !== undefined), 'failed calls with tokens and cost');
      const ranges: Filters[] = [{}, { from: T0 + 7 * HOUR_MS + 1234, to: T0 + 3 * DAY_MS + 5 * HOUR_MS - 99 }, { from: T0 + HOUR_MS, to: T0 + 6 * HOUR_MS }];
      const filters: Filters[] = [{ outcome: ANY_ERROR }, { outcome: 'ok' }, { outcome: 'aborted' }, { outcome: ANY_ERROR, login: 'alice@example.com' }, { outcome: 'ok', agent: 'codex' }, { outcome: 'denied', model: 'gpt-5' }, { outcome: 'client_error' }];
      let unknownMax = 0;
      for (const g of GROUPS) {
        for (const range of ranges) {
          for (const filter of filters) {
            const f = { ...range, ...filter };
            const got = await store.usage(g, f);
            assertUsage(got, bruteUsage(records, g, f), `${g} ${JSON.stringify(f)}`);
            unknownMax += got.filter((row) => row.latencyMsMax === null).length;
          }
          // ok is the totals minus the failures: per key, ok and failed requests add up to all of them.
          const [everyRow, okRows, failedRows] = await Promise.all([{}, { outcome: 'ok' }, { outcome: ANY_ERROR }].map((o) => store.usage(g, { ...range, ...o })));
          const requests = (rows: UsageRow[], key: string) => rows.find((row) => row.key === key)?.requests ?? 0;
          for (const row of everyRow) assert.equal(requests(okRows, row.key) + requests(failedRows, row.key), row.requests, `${g} ${JSON.stringify(range)} ${row.key}`);
        }
      }
      assert.ok(unknownMax > 0, 'some ok groups had a failed call as their slowest');
      // Every error, counted both ways: the failed calls' requests equal the unfiltered read's errors.
      const [everything] = await store.usage('provider', { provider: 'openai' });
      const [failed] = await store.usage('provider', { provider: 'openai', outcome: ANY_ERROR });
      assert.equal(failed!.requests, everything!.errors);
      assert.equal(failed!.errors, failed!.requests);
    }));

    test('filtered to ok, the max latency is known only where the slowest call was ok', () => withStore(backend, async (store) => {
      const call = (id: string, model: string, outcome: CallRecord['outcome'], latency: number): StoredCall => ({
        record: { ...bareRecord(id), login: 'u', model, outcome, endedAt: T0 + latency, usage: { inputTokens: 100 }, costUsd: 0.25 },
      });
      await store.insertCalls([
        call('a1', 'a', 'ok', 900), call('a2', 'a', 'upstream_error', 300), call('a3', 'a', 'ok', 100),
        call('b1', 'b', 'ok', 200), call('b2', 'b', 'aborted', 800),
        call('c1', 'c', 'denied', 50),
        call('d1', 'd', 'ok', 70),
        call('e1', 'e', 'ok', 0),
        call('f1', 'f', 'ok', 0), call('f2', 'f', 'denied', 0),
      ]);
      const ok = await store.usage('model', { outcome: 'ok' });
      assert.deepEqual(ok.map((row) => [row.key, row.requests, row.errors, row.inputTokens, row.costUsd, row.latencyMsAvg, row.latencyMsMax]), [
        ['a', 2, 0, 200, 0.5, 500, 900], // slowest of all (900) beats the slowest failure (300): an ok call
        ['b', 1, 0, 100, 0.25, 200, null], // the slowest call failed: the slowest ok one is not stored
        ['d', 1, 0, 100, 0.25, 70, 70], // no failures
        ['e', 1, 0, 100, 0.25, 0, 0], // no failures, however fast
        ['f', 1, 0, 100, 0.25, 0, null], // a tie with a failure: the slowest call may have been the failed one
      ]); // c: every call failed, so no ok row at all
      assert.deepEqual((await store.usage('model', { outcome: ANY_ERROR })).map((row) => [row.key, row.requests, row.latencyMsMax]), [['a', 1, 300], ['b', 1, 800], ['c', 1, 50], ['f', 1, 0]]);
    }));

    test('migration 2 fills the failed rollups and the totals\' failed share from the calls stored, old columns untouched', async () => {
      const scratch = await backend.scratch();
      const db = openExecutor(scratch.url);
      try {
        // The database as migration 1 left it: calls, and the totals v1 wrote.
        const calls = varied(1200, { seed: 9, days: 4 });
        await migrate(db, MIGRATIONS.filter((migration) => migration.version === 1));
        await db.transaction(async (tx) => {
          const rollups = new Rollups();
          for (const call of await insertCallRows(tx, calls)) rollups.add(call.record);
          await writeV1Totals(tx, rollups);
        });
        // Calls deleted after they were rolled up (by hand: retention keeps calls): the first half-day
        // whole, elsewhere some calls of a rollup key but not all of them.
        await db.run(`DELETE FROM calls WHERE started_at < $1 OR id LIKE '%7'`, [T0 + DAY_MS / 2]);
        const records = calls.map((c) => c.record);
        const deleted = new Set(records.filter((r) => r.startedAt < T0 + DAY_MS / 2 || r.id.endsWith('7')).map((r) => r.id));
        const gone = (r: CallRecord) => deleted.has(r.id);
        const kept = records.filter((r) => !gone(r));
        assert.ok(records.some((r) => gone(r) && r.outcome !== 'ok') && kept.length > 800, 'failed calls among the deleted ones');
        const v1Totals = () => Promise.all(['hourly', 'daily'].map((grain) => db.query(`SELECT ${V1_TOTALS} FROM rollups_${grain} ORDER BY bucket, login, agent, model, provider`)));
        const totalsBefore = await v1Totals();

        assert.deepEqual(await migrate(db), [2]);
        assert.deepStrictEqual(await v1Totals(), totalsBefore, 'old totals columns untouched');
        // Failure detail exactly as insertCalls would have written it for the calls still stored (the
        // deleted ones have none), in the failed rollups and as each totals row's failed share.
        assert.deepStrictEqual(await storedFailures(db), expectedFailures(kept));
        assert.deepStrictEqual(await storedShares(db), expectedShares(kept, await storedShares(db)));
        const filters: Filters[] = [
          { outcome: ANY_ERROR }, { outcome: 'ok' }, { outcome: 'ok', model: 'gpt-5' }, { outcome: ANY_ERROR, login: 'alice@example.com' },
          { outcome: 'upstream_error', login: 'bob@example.com' }, { outcome: 'aborted', from: T0 + 7 * HOUR_MS + 1234, to: T0 + 3 * DAY_MS - 99 },
        ];
        for (const g of GROUPS) {
          assertUsage(await usage(db, g, {}), bruteUsage(records, g, {}), `unfiltered, ${g}`);
          for (const f of filters) assertUsage(await usage(db, g, f), bruteAfterDeletion(records, gone, g, f), `after migration, ${g} ${JSON.stringify(f)}`);
        }
        // New calls add to both, failures split by outcome.
        const later = varied(200, { seed: 10, days: 4, prefix: 'later' });
        await new SqlStore(db).insertCalls(later);
        const all = [...records, ...later.map((c) => c.record)];
        const now = [...kept, ...later.map((c) => c.record)];
        assert.deepStrictEqual(await storedFailures(db), expectedFailures(now));
        assert.deepStrictEqual(await storedShares(db), expectedShares(now, await storedShares(db)));
        for (const g of GROUPS) {
          assertUsage(await usage(db, g, {}), bruteUsage(all, g, {}), `new calls, unfiltered, ${g}`);
          for (const f of filters) assertUsage(await usage(db, g, f), bruteAfterDeletion(all, gone, g, f), `new calls, ${g} ${JSON.stringify(f)}`);
        }
      } finally {
        await db.close();
        await scratch.dispose();
      }
    });

    test('unknown usage stays out of the sums and unknown cost counts as unpriced', () => withStore(backend, async (store) => {
      const known: CallRecord = { ...bareRecord('k'), login: 'u', outcome: 'ok', usage: { inputTokens: 10, outputTokens: 3 }, costUsd: 0.5 };
      const unknown: CallRecord = { ...bareRecord('u'), login: 'u' };
      await store.insertCalls([{ record: known }, { record: unknown }]);
      const [row] = await store.usage('user', {});
      assert.deepEqual(row, { key: 'u', requests: 2, errors: 1, inputTokens: 10, outputTokens: 3, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costUsd: 0.5, unpricedRequests: 1, latencyMsAvg: 10, latencyMsMax: 10 });
      assert.deepStrictEqual((await store.getCall('u'))?.record.usage, {});
    }));

    test('a viewer restricted to a login sees only their own calls, usage, sessions and tool calls', () => withStore(backend, async (store) => {
      const calls = varied(400, { seed: 4 });
      await store.insertCalls(calls);
      const mine = (login?: string) => login === 'bob@example.com';
      const viewer = { login: 'bob@example.com' };
      const listed = await all((cursor) => store.listCalls(viewer, { limit: 37, cursor }));
      assert.deepStrictEqual(listed, calls.map((c) => c.record).filter((r) => mine(r.login)).sort(newestFirst));
      for (const g of GROUPS) {
        const rows = await store.usage(g, viewer);
        assert.equal(rows.reduce((n, row) => n + row.requests, 0), listed.length, `usage by ${g}`);
      }
      assert.deepEqual((await store.usage('user', viewer)).map((row) => row.key), ['bob@example.com']);
      const sessions = await all((cursor) => store.listSessions(viewer, { limit: 5, cursor }));
      assert.ok(sessions.length > 0 && sessions.every((s) => s.login === 'bob@example.com'));
      const tools = await all((cursor) => store.listToolCalls(viewer, { limit: 5, cursor }));
      assert.ok(tools.length > 0 && tools.every((t) => t.login === 'bob@example.com'));
    }));

    test('listCalls filters match a brute-force filter', () => withStore(backend, async (store) => {
      const calls = varied(500, { seed: 5 });
      await store.insertCalls(calls);
      const records = calls.map((c) => c.record).sort(newestFirst);
      const cases: [Filters & { sessionId?: string }, (r: CallRecord) => boolean][] = [
        [{ model: 'gpt-5' }, (r) => r.model === 'gpt-5'],
        [{ agent: 'codex', provider: 'azure' }, (r) => r.agent === 'codex' && r.provider === 'azure'],
        [{ outcome: 'denied' }, (r) => r.outcome === 'denied'],
        [{ outcome: 'ok', login: 'carol@example.com' }, (r) => r.outcome === 'ok' && r.login === 'carol@example.com'],
        [{ outcome: ANY_ERROR, model: 'gpt-5' }, (r) => r.outcome !== 'ok' && r.model === 'gpt-5'],
        [{ sessionId: 's-3' }, (r) => r.sessionId === 's-3'],
        [{ from: T0 + DAY_MS, to: T0 + 2 * DAY_MS }, (r) => r.startedAt >= T0 + DAY_MS && r.startedAt < T0 + 2 * DAY_MS],
      ];
      for (const [filters, keep] of cases) {
        const got = await all((cursor) => store.listCalls(filters, { limit: 23, cursor }));
        assert.deepStrictEqual(got, records.filter(keep), JSON.stringify(filters));
      }
      await assert.rejects(store.listCalls({}, { limit: 5, cursor: 'bm90IGEgY3Vyc29y' }), { code: 'invalid_cursor' });
    }));

    test('pagination neither repeats nor skips calls with equal timestamps', () => withStore(backend, async (store) => {
      // 10 calls share each millisecond; ids inserted out of order.
      const calls = Array.from({ length: 57 }, (_, i) => ({ record: { ...bareRecord(`eq-${(i * 37) % 57}`), startedAt: T0 + Math.floor(i / 10), endedAt: T0 + 100 } }));
      await store.insertCalls(calls);
      for (const limit of [1, 7, 10, 57, 100]) {
        const pages: CallRecord[][] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listCalls({}, { limit, cursor });
          pages.push(page.items);
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        assert.deepStrictEqual(pages.flat().map((r) => r.id), calls.map((c) => c.record).sort(newestFirst).map((r) => r.id), `limit ${limit}`);
        assert.ok(pages.every((p) => p.length <= limit));
      }
    }));

    test('sessions sum their calls, per login, with the models they used', () => withStore(backend, async (store) => {
      const calls = varied(400, { seed: 6 });
      // The same session id from two people stays two sessions.
      calls.push({ record: { ...fullRecord('x1'), sessionId: 'shared', login: 'alice@example.com' } }, { record: { ...fullRecord('x2'), sessionId: 'shared', login: 'bob@example.com', model: 'gpt-5' } });
      await store.insertCalls(calls.slice(0, 250));
      await store.insertCalls(calls.slice(250));
      const expected = new Map<string, SessionSummary>();
      for (const { record: r } of calls) {
        if (r.sessionId === undefined) continue;
        const key = `${r.sessionId}|${r.login ?? ''}`;
        const s = expected.get(key) ?? { sessionId: r.sessionId, ...(r.login ? { login: r.login } : {}), firstAt: r.startedAt, lastAt: r.startedAt, requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, models: [] };
        // The agent of the earliest call that named one (ties: the smaller name).
        const agentAt = (s as { agentAt?: number }).agentAt;
        if (r.agent !== undefined && (s.agent === undefined || r.startedAt < agentAt! || (r.startedAt === agentAt && r.agent < s.agent))) Object.assign(s, { agent: r.agent, agentAt: r.startedAt });
        s.firstAt = Math.min(s.firstAt, r.startedAt);
        s.lastAt = Math.max(s.lastAt, r.startedAt);
        s.requests++;
        s.inputTokens += r.usage.inputTokens ?? 0;
        s.outputTokens += r.usage.outputTokens ?? 0;
        s.costUsd += r.costUsd ?? 0;
        if (r.model !== undefined && !s.models.includes(r.model)) s.models = [...s.models, r.model].sort();
        expected.set(key, s);
      }
      const got = await all((cursor) => store.listSessions({}, { limit: 9, cursor }));
      const want = [...expected.values()].map(({ agentAt: _, ...s }: SessionSummary & { agentAt?: number }) => s).sort((a, b) => b.lastAt - a.lastAt || (a.sessionId < b.sessionId ? 1 : a.sessionId > b.sessionId ? -1 : (b.login ?? '').localeCompare(a.login ?? '')));
      assert.deepStrictEqual(got.map((s) => ({ ...s, costUsd: Math.round(s.costUsd * 1e9) })), want.map((s) => ({ ...s, costUsd: Math.round(s.costUsd * 1e9) })));
      assert.deepEqual((await store.listSessions({ sessionId: 'shared' }, { limit: 10 })).items.map((s) => [s.login, s.models]), [['bob@example.com', ['gpt-5']], ['alice@example.com', ['claude-sonnet-4-5']]]);
      const byModel = await all((cursor) => store.listSessions({ model: 'gemini-2.5-pro' }, { limit: 10, cursor }));
      assert.deepEqual(byModel.map((s) => `${s.sessionId}|${s.login ?? ''}`).sort(), want.filter((s) => s.models.includes('gemini-2.5-pro')).map((s) => `${s.sessionId}|${s.login ?? ''}`).sort());
    }));

    test('tool calls list newest first with their call identity', () => withStore(backend, async (store) => {
      const calls = varied(300, { seed: 7 });
      await store.insertCalls(calls);
      const expected = calls.flatMap(({ record: r }) => r.toolCalls.map((t, position) => ({ position, row: {
        callId: r.id, at: r.endedAt, name: t.name, arguments: t.arguments,
        ...(t.id ? { id: t.id } : {}), ...(r.login ? { login: r.login } : {}), ...(r.agent ? { agent: r.agent } : {}), ...(r.model ? { model: r.model } : {}), ...(r.sessionId ? { sessionId: r.sessionId } : {}),
      } })));
      expected.sort((a, b) => b.row.at - a.row.at || (a.row.callId < b.row.callId ? 1 : a.row.callId > b.row.callId ? -1 : b.position - a.position));
      assert.ok(expected.length > 50);
      assert.deepStrictEqual(await all((cursor) => store.listToolCalls({}, { limit: 11, cursor })), expected.map((e) => e.row));
      assert.deepStrictEqual(await all((cursor) => store.listToolCalls({ name: 'Bash' }, { limit: 11, cursor })), expected.map((e) => e.row).filter((r) => r.name === 'Bash'));
      const withTools = calls.find((c) => c.record.toolCalls.length === 2)!.record;
      assert.deepStrictEqual((await store.getCall(withTools.id))?.record.toolCalls, withTools.toolCalls);
    }));

    test('purgeCaptures drops old captures (and tool calls when asked) in batches, keeping calls and rollups', () => withStore(backend, async (store) => {
      const calls = Array.from({ length: 2600 }, (_, i): StoredCall => {
        const record: CallRecord = { ...bareRecord(`p-${String(i).padStart(4, '0')}`, T0 + i * 1000), login: 'p', toolCalls: [{ name: 'Read', arguments: '{}' }] };
        return { record, captures: captureOf(record.id) };
      });
      for (let i = 0; i < calls.length; i += 500) await store.insertCalls(calls.slice(i, i + 500));
      const usage = await store.usage('hour', {});
      const cut = T0 + 2300 * 1000 + 10; // calls 0..2299 ended before it (endedAt = startedAt + 10)
      assert.equal(await store.purgeCaptures(cut, { toolCalls: false }), 2300);
      assert.equal((await store.getCall('p-2299'))?.captures, undefined);
      assert.deepStrictEqual((await store.getCall('p-2299'))?.record.toolCalls, [{ name: 'Read', arguments: '{}' }]);
      assert.ok((await store.getCall('p-2300'))?.captures);
      assert.equal(await store.purgeCaptures(cut, { toolCalls: true }), 0);
      assert.deepStrictEqual((await store.getCall('p-0005'))?.record.toolCalls, []);
      assert.equal((await all((cursor) => store.listToolCalls({}, { limit: 1000, cursor }))).length, 300);
      assert.equal((await all((cursor) => store.listCalls({}, { limit: 1000, cursor }))).length, 2600);
      assert.deepStrictEqual(await store.usage('hour', {}), usage);
    }));
  });
}

test('opening a PostgreSQL store does not contact the database, so a gateway starts while it is down', async () => {
  const store = await openStore('postgres://postgres@127.0.0.1:1/unreachable');
  await assert.rejects(store.migrate());
  await assert.rejects(store.insertCalls([{ record: fullRecord() }]));
  await store.close();
});

test('storage URLs other than sqlite: and postgres:// are refused', async () => {
  await assert.rejects(openStore('mysql://localhost/db'), /must start with sqlite: or postgres:\/\//);
  await assert.rejects(openStore('sqlite:'), /names no file/);
});
