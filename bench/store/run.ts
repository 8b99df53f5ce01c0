// `npm run bench:store`: the store's numbers for issue 4, on SQLite and PostgreSQL.
//   1. (with --seed) seed N calls (default 10,000,000) into each target — minutes, and ~10 GB each;
//   2. dashboard queries on the seeded store: p50/p95 per query (bar: p95 ≤ 200 ms);
//   3. sustained ingest in batches of 500 (bar: ≥ 5,000 records/s): into an empty store with and without
//      captures, and on top of the seed with random (UUIDv4, what the gateway makes today) and
//      time-ordered (UUIDv7) call ids. The seed grows by 2 × --ingest calls from "today" each run.
// Prints a summary on stdout and writes bench/store/results/latest.json.
//
//   node bench/store/run.ts [--seed] [--count 10000000] [--targets sqlite,postgres] [--runs 20]
//                           [--ingest 100000] [--capture-bytes 4096]
// Seed URLs: BENCH_STORE_SQLITE (default sqlite:tailgate-data/bench/seed.db) and BENCH_STORE_POSTGRES
// (default schema tailgate_bench in postgres://postgres@127.0.0.1:5432/test).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BAR_PER_SECOND, DEFAULT_INGEST, ingest, type IngestResult } from './ingest.ts';
import { BAR_MS, runQueries, type QueryResult } from './queries.ts';
import { seed, type SeedResult } from './seed.ts';
import { DEFAULT_POSTGRES_SEED, DEFAULT_SQLITE_SEED } from './targets.ts';

const { values } = parseArgs({ options: {
  seed: { type: 'boolean', default: false }, count: { type: 'string', default: '10000000' }, targets: { type: 'string', default: 'sqlite,postgres' },
  runs: { type: 'string', default: '20' }, ingest: { type: 'string', default: '100000' }, 'capture-bytes': { type: 'string', default: '4096' },
} });
const SEEDS = { sqlite: process.env.BENCH_STORE_SQLITE ?? DEFAULT_SQLITE_SEED, postgres: process.env.BENCH_STORE_POSTGRES ?? DEFAULT_POSTGRES_SEED };
const log = (line: string) => console.error(line);

type TargetReport = { seed?: SeedResult; queries: QueryResult[]; ingest: Record<string, IngestResult> };
// The machine may be shared: the load average beside the numbers says how quiet it was.
const loadAtStart = os.loadavg()[0]!;
const report: Record<string, TargetReport> = {};
for (const target of values.targets.split(',') as ('sqlite' | 'postgres')[]) {
  const url = SEEDS[target];
  const seeded = values.seed ? await seed(url, Number(values.count), { log }) : undefined;
  if (seeded) log(`${target}: seeded ${seeded.count.toLocaleString('en')} calls in ${seeded.seconds.toFixed(0)} s (${seeded.perSecond.toLocaleString('en')}/s), ${(seeded.bytes / 2 ** 30).toFixed(1)} GiB`);
  const queries = await runQueries(url, Number(values.runs), log);
  const options = { count: Number(values.ingest), batch: 500, captureBytes: Number(values['capture-bytes']) };
  const runs: Record<string, IngestResult> = {
    [`empty store, ${options.captureBytes} B captures`]: await ingest(DEFAULT_INGEST[target], options),
    'empty store, no captures': await ingest(DEFAULT_INGEST[target], { ...options, captureBytes: 0 }),
    [`on the seed, UUIDv4 ids, ${options.captureBytes} B captures`]: await ingest(url, { ...options, keep: true }),
    [`on the seed, UUIDv7 ids, ${options.captureBytes} B captures`]: await ingest(url, { ...options, keep: true, ids: 'uuid7' }),
  };
  for (const [name, i] of Object.entries(runs)) log(`${target}  ingest ${name}: ${i.perSecond.toLocaleString('en')}/s`);
  report[target] = { ...(seeded ? { seed: seeded } : {}), queries, ingest: runs };
}

const lines: string[] = [`load average (1 min) at start ${loadAtStart.toFixed(2)}, at end ${os.loadavg()[0]!.toFixed(2)}, ${os.cpus().length} cpus`];
for (const [target, r] of Object.entries(report)) {
  const worst = r.queries.reduce((a, b) => (b.p95 > a.p95 ? b : a));
  const over = r.queries.filter((q) => q.p95 > BAR_MS);
  lines.push(`${target}: queries ${r.queries.length}, worst p95 ${worst.p95.toFixed(1)} ms (${worst.query}) — ${over.length === 0 ? 'all within' : `${over.length} over`} ${BAR_MS} ms`);
  for (const [name, i] of Object.entries(r.ingest)) {
    lines.push(`${target}: ingest ${name}: ${i.perSecond.toLocaleString('en')} records/s (batch p95 ${i.batchP95.toFixed(0)} ms, event-loop delay max ${i.loopDelayMax.toFixed(0)} ms) — ${i.perSecond >= BAR_PER_SECOND ? 'meets' : 'BELOW'} ${BAR_PER_SECOND}/s`);
  }
}
console.log(lines.join('\n'));
const results = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(results, { recursive: true });
writeFileSync(path.join(results, 'latest.json'), JSON.stringify({ at: new Date().toISOString(), machine: { cpus: os.cpus().length, memory: os.totalmem(), node: process.version, loadAverage: os.loadavg() }, options: values, report }, null, 2) + '\n');
