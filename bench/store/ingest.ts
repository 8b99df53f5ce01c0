// Sustained ingest through the real Store (SQLite via its worker thread, PostgreSQL via the pool), in
// batches of 500 the way the recording writer sends them, one batch after another. Records are
// generated up front so only the store is timed. Also reports how long the main thread's event loop
// was held up meanwhile (the gateway's data plane lives there).
// Bar (issue 4): ≥ 5,000 records/s into each database.
//
//   node bench/store/ingest.ts [--url …] [--count 200000] [--batch 500] [--capture-bytes 4096] [--ids uuid4|uuid7] [--keep]
// Without --keep the target is wiped first (default targets: tailgate-data/bench/ingest.db, schema tailgate_bench_ingest).
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { openStore } from '../../src/store/open-store.ts';
import type { StoredCall } from '../../src/store/store.ts';
import { generateCalls } from './generate.ts';
import { ensureSchema, label, wipe } from './targets.ts';

export const BAR_PER_SECOND = 5000;
export type IngestResult = { target: string; ids: string; captureBytes: number; records: number; batch: number; seconds: number; perSecond: number; batchP50: number; batchP95: number; batchMax: number; loopDelayP99: number; loopDelayMax: number };

/** Calls from the last day, each with a capture of `captureBytes` (already-compressed bodies: random bytes). */
function records(count: number, captureBytes: number, ids: 'uuid4' | 'uuid7'): StoredCall[] {
  const pool = Array.from({ length: 64 }, () => ({ requestBody: randomBytes(Math.round(captureBytes * 0.6)), responseBody: randomBytes(Math.round(captureBytes * 0.4)) }));
  const calls: StoredCall[] = [];
  for (const batch of generateCalls({ count, end: Date.now(), days: 1, seed: Date.now() % 1000, captureShare: 1, ids })) {
    for (const call of batch) {
      const bodies = pool[calls.length % pool.length]!;
      calls.push(captureBytes > 0 ? { record: call.record, captures: { ...call.captures!, ...bodies } } : { record: call.record });
    }
  }
  return calls;
}

export async function ingest(url: string, options: { count: number; batch: number; captureBytes: number; keep?: boolean; ids?: 'uuid4' | 'uuid7' }): Promise<IngestResult> {
  if (!options.keep) await wipe(url);
  else await ensureSchema(url);
  const calls = records(options.count, options.captureBytes, options.ids ?? 'uuid4');
  const store = await openStore(url, { migrate: true });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  try {
    const latencies: number[] = [];
    loop.enable();
    const started = performance.now();
    for (let i = 0; i < calls.length; i += options.batch) {
      const t = performance.now();
      await store.insertCalls(calls.slice(i, i + options.batch));
      latencies.push(performance.now() - t);
    }
    const seconds = (performance.now() - started) / 1000;
    loop.disable();
    latencies.sort((a, b) => a - b);
    const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]!;
    return {
      target: label(url), ids: options.ids ?? 'uuid4', captureBytes: options.captureBytes, records: calls.length, batch: options.batch, seconds, perSecond: Math.round(calls.length / seconds),
      batchP50: at(0.5), batchP95: at(0.95), batchMax: latencies.at(-1)!, loopDelayP99: loop.percentile(99) / 1e6, loopDelayMax: loop.max / 1e6,
    };
  } finally {
    await store.close();
  }
}

export const DEFAULT_INGEST = { sqlite: 'sqlite:tailgate-data/bench/ingest.db', postgres: 'postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3Dtailgate_bench_ingest' };

if (import.meta.main) {
  const { values } = parseArgs({ options: { url: { type: 'string', default: DEFAULT_INGEST.sqlite }, count: { type: 'string', default: '200000' }, batch: { type: 'string', default: '500' }, 'capture-bytes': { type: 'string', default: '4096' }, keep: { type: 'boolean', default: false }, ids: { type: 'string', default: 'uuid4' } } });
  const result = await ingest(values.url, { count: Number(values.count), batch: Number(values.batch), captureBytes: Number(values['capture-bytes']), keep: values.keep, ids: values.ids as 'uuid4' | 'uuid7' });
  console.log(JSON.stringify(result));
}
