// Seeds a store with N realistic calls (default 10,000,000) as fast as the bulk path goes: the same
// insert statements in large transactions, rollups and sessions accumulated in memory and written once
// (src/store/bulk-load.ts; bulk-load.test.ts proves the result equals insertCalls').
//
//   node bench/store/seed.ts [--url sqlite:tailgate-data/bench/seed.db | postgres://…?options=-c%20search_path%3Dtailgate_bench]
//                            [--count 10000000] [--captures 0.01] [--end <epoch ms, default now>]
// The target is wiped first.
import { parseArgs } from 'node:util';
import { BulkLoader } from '../../src/store/bulk-load.ts';
import { migrate } from '../../src/store/migrations.ts';
import { PostgresExecutor } from '../../src/store/postgres/executor.ts';
import type { Executor } from '../../src/store/sql/executor.ts';
import { SqliteExecutor } from '../../src/store/sqlite/executor.ts';
import { sqlitePath } from '../../src/store/storage-url.ts';
import { generateCalls } from './generate.ts';
import { DEFAULT_SQLITE_SEED, label, sizeOf, wipe } from './targets.ts';

export type SeedResult = { target: string; count: number; seconds: number; perSecond: number; bytes: number };

export async function seed(url: string, count: number, options: { captures?: number; end?: number; log?: (line: string) => void } = {}): Promise<SeedResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  await wipe(url);
  const db = openForSeeding(url);
  const started = performance.now();
  try {
    await migrate(db);
    const loader = new BulkLoader(db);
    // PostgreSQL: keep two batches in flight so generating the next one overlaps the database's work.
    const inflight: Promise<number>[] = [];
    let done = 0;
    let reported = 0;
    for (const batch of generateCalls({ count, end: options.end ?? Date.now(), captureShare: options.captures ?? 0.01 }, 20_000)) {
      inflight.push(loader.load(batch));
      if (inflight.length >= 2) done += await inflight.shift()!;
      if (done - reported >= 500_000) {
        reported = done;
        log(`${label(url)}: ${done.toLocaleString('en')} calls, ${Math.round(done / ((performance.now() - started) / 1000)).toLocaleString('en')}/s`);
      }
    }
    for (const pending of inflight) done += await pending;
    log(`${label(url)}: writing ${loader.rollups.hourly.size + loader.rollups.daily.size} rollup rows, ${loader.rollups.failedHourly.size + loader.rollups.failedDaily.size} failed-rollup rows and ${loader.rollups.sessions.size} sessions`);
    await loader.finish();
    log(`${label(url)}: analyzing`);
    // Fresh planner statistics, as a long-running store would have from autovacuum / PRAGMA optimize.
    await db.run('ANALYZE');
    const seconds = (performance.now() - started) / 1000;
    return { target: label(url), count: done, seconds, perSecond: Math.round(done / seconds), bytes: await sizeOf(url) };
  } finally {
    await db.close();
  }
}

/** Seeding may trade durability for speed (a crash means re-seeding): no fsync per commit, a big cache. */
function openForSeeding(url: string): Executor {
  const file = sqlitePath(url);
  if (file !== undefined) {
    const db = new SqliteExecutor(file);
    db.exec('PRAGMA synchronous = OFF; PRAGMA cache_size = -2097152');
    return db;
  }
  const fast = new URL(url);
  fast.searchParams.set('options', `${fast.searchParams.get('options') ?? ''} -c synchronous_commit=off`.trim());
  return PostgresExecutor.open(fast.toString(), { max: 2 });
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { url: { type: 'string', default: DEFAULT_SQLITE_SEED }, count: { type: 'string', default: '10000000' }, captures: { type: 'string', default: '0.01' }, end: { type: 'string' } } });
  const result = await seed(values.url, Number(values.count), { captures: Number(values.captures), ...(values.end ? { end: Number(values.end) } : {}) });
  console.log(JSON.stringify(result));
}
