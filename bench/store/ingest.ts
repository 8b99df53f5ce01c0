// Sustained ingest the way the gateway records: calls with their captures are journaled first (not
// timed), then the real Store reads them from the journal in its thread (SQLite via its writer thread,
// PostgreSQL via the pool), batches of 500, one after another, parsing and compressing captures there as
// the recording writer has it do. Also reports how long the main thread's event loop was held up
// meanwhile (the gateway's data plane lives there).
// Bar (issue 4): ≥ 5,000 records/s into each database. Run it with `node --expose-gc` (as `npm run
// bench:store` does) to include the collections the store's thread makes under `tailgate serve`.
//
//   node --expose-gc bench/store/ingest.ts [--url …] [--count 200000] [--batch 500] [--capture-bytes 4096] [--ids uuid4|uuid7] [--keep]
// Without --keep the target is wiped first (default targets: tailgate-data/bench/ingest.db, schema tailgate_bench_ingest).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { openStore } from '../../src/store/open-store.ts';
import { Journal } from '../../src/recording/journal.ts';
import { encodeFrame } from '../../src/recording/journal-frame.ts';
import { generateCalls } from './generate.ts';
import { ensureSchema, label, wipe } from './targets.ts';

export const BAR_PER_SECOND = 5000;
export type IngestResult = { target: string; ids: string; captureBytes: number; records: number; batch: number; seconds: number; perSecond: number; batchP50: number; batchP95: number; batchMax: number; loopDelayP99: number; loopDelayMax: number };

/** JSON text of about `bytes` bytes, varied per call, as prompts and answers are. */
function jsonBody(bytes: number, n: number): Buffer {
  const words = ['the', 'model', 'returns', 'tokens', 'for', 'each', 'request', 'and', 'tool', 'call', String(n)];
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += `${words[(i * 7 + n) % words.length]} `;
  return Buffer.from(JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: text.slice(0, Math.max(0, bytes - 80)) }] }));
}

/** Journals `count` calls from the last day, each with a capture of about `captureBytes` of JSON bodies; returns the journal's segments. */
async function journalCalls(dir: string, count: number, captureBytes: number, ids: 'uuid4' | 'uuid7') {
  const journal = await Journal.open(dir);
  let n = 0;
  for (const batch of generateCalls({ count, end: Date.now(), days: 1, seed: Date.now() % 1000, captureShare: 0, ids })) {
    const writes: Promise<void>[] = [];
    for (const call of batch) {
      n++;
      const response = jsonBody(captureBytes * 0.4, n + 1);
      const capture = captureBytes > 0 ? { requestHeaders: ['content-type', 'application/json'], requestBody: jsonBody(captureBytes * 0.6, n), responseHeaders: { 'content-type': 'application/json' }, responseChunks: [response], responseBytes: response.length, truncated: false } : undefined;
      writes.push(journal.append(encodeFrame(JSON.stringify(call.record), capture)));
    }
    await Promise.all(writes);
  }
  await journal.rotate();
  await journal.close();
  return journal;
}

export async function ingest(url: string, options: { count: number; batch: number; captureBytes: number; keep?: boolean; ids?: 'uuid4' | 'uuid7' }): Promise<IngestResult> {
  if (!options.keep) await wipe(url);
  else await ensureSchema(url);
  const dir = await mkdtemp(path.join(tmpdir(), 'tailgate-ingest-'));
  const journal = await journalCalls(dir, options.count, options.captureBytes, options.ids ?? 'uuid4');
  const store = await openStore(url, { migrate: true });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let records = 0;
  try {
    const latencies: number[] = [];
    loop.enable();
    const started = performance.now();
    for (let backlog = journal.backlog(); backlog; backlog = journal.backlog()) {
      const t = performance.now();
      const { calls, end } = await store.ingestJournal(backlog.file, backlog.from, backlog.to, options.batch);
      latencies.push(performance.now() - t);
      records += calls;
      await journal.consumed(backlog.sequence, end);
    }
    const seconds = (performance.now() - started) / 1000;
    loop.disable();
    latencies.sort((a, b) => a - b);
    const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]!;
    return {
      target: label(url), ids: options.ids ?? 'uuid4', captureBytes: options.captureBytes, records, batch: options.batch, seconds, perSecond: Math.round(records / seconds),
      batchP50: at(0.5), batchP95: at(0.95), batchMax: latencies.at(-1)!, loopDelayP99: loop.percentile(99) / 1e6, loopDelayMax: loop.max / 1e6,
    };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export const DEFAULT_INGEST = { sqlite: 'sqlite:tailgate-data/bench/ingest.db', postgres: 'postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3Dtailgate_bench_ingest' };

if (import.meta.main) {
  const { values } = parseArgs({ options: { url: { type: 'string', default: DEFAULT_INGEST.sqlite }, count: { type: 'string', default: '200000' }, batch: { type: 'string', default: '500' }, 'capture-bytes': { type: 'string', default: '4096' }, keep: { type: 'boolean', default: false }, ids: { type: 'string', default: 'uuid4' } } });
  const result = await ingest(values.url, { count: Number(values.count), batch: Number(values.batch), captureBytes: Number(values['capture-bytes']), keep: values.keep, ids: values.ids as 'uuid4' | 'uuid7' });
  console.log(JSON.stringify(result));
}
