// Load generator: one process per benchmark cell so it never shares an event loop with a target, and
// every cell starts from the same state. Closed loop: `concurrency` workers, each on its own keep-alive
// connection (undici Pool, connections = concurrency), send the next request as soon as the last ends.
//
//   node bench/load.ts '<Cell JSON>'   → prints one JSON line (CellResult) on stdout.
//
// mode "json":   latency = request sent → body fully read.
// mode "stream": ttfb = request sent → first body bytes (the first SSE event); total = → end of stream.
// mode "chunks": one request, every read's arrival time recorded (the no-buffering check).
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { dist, type Dist } from './plan.ts';

export type Mode = 'json' | 'stream' | 'chunks';
export type Cell = {
  origin: string; path: string; headers: Record<string, string>; body: string;
  mode: Mode; concurrency: number; warmupMs: number; durationMs: number;
  watch: Record<string, number>; // name → pid whose CPU use is sampled over the measured window
  raw?: boolean; // also return every measured sample, so interleaved slices of one cell can be merged
};
export type CellResult = {
  ok: number; errors: number; firstError?: string; elapsedMs: number; rps: number;
  // Responses read to the end, any status, warm-up included: what a recording target should have stored.
  answered: number;
  samples?: { latency: number[]; ttfb: number[]; total: number[] }; // with `raw`
  slices?: number; // merged from this many interleaved runs
  latency?: Dist; ttfb?: Dist; total?: Dist;
  chunks?: { status: number; reads: number; events: number; bytes: number; firstMs: number; lastMs: number; maxGapMs: number; medianGapMs: number };
  // % of one core during the measured window, per watched process plus `load` (this process) and
  // `other`: everything else the machine ran meanwhile (from /proc/stat). `other` well above a few %
  // means something outside the benchmark competed for the cores and the cell is noisy.
  cpu: Record<string, number>;
};

const ms = (ns: bigint): number => Number(ns) / 1e6;

// utime + stime of a process, in ms (CLK_TCK is 100 on every Linux we run on).
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}

// Busy time of the whole machine in ms: user+nice+system+irq+softirq+steal over all CPUs.
function machineBusyMs(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0)) * 10;
  } catch {
    return NaN;
  }
}

function cpuSnapshot(watch: Record<string, number>): Record<string, number> {
  const snap: Record<string, number> = {};
  for (const [name, pid] of Object.entries(watch)) snap[name] = cpuMs(pid);
  const own = process.cpuUsage();
  snap.load = (own.user + own.system) / 1000;
  snap.machine = machineBusyMs();
  return snap;
}

function cpuPercent(start: Record<string, number>, end: Record<string, number>, elapsedMs: number): Record<string, number> {
  const cpu: Record<string, number> = {};
  let ours = 0;
  for (const k of Object.keys(end)) {
    if (k === 'machine') continue;
    cpu[k] = Math.round(((end[k] - (start[k] ?? NaN)) / elapsedMs) * 100);
    ours += cpu[k] || 0;
  }
  cpu.other = Math.max(0, Math.round(((end.machine - (start.machine ?? NaN)) / elapsedMs) * 100) - ours);
  return cpu;
}

async function closedLoop(cell: Cell, pool: Pool): Promise<CellResult> {
  const lat: number[] = [];
  const ttfb: number[] = [];
  const total: number[] = [];
  let errors = 0;
  let answered = 0;
  let firstError: string | undefined;
  const t0 = process.hrtime.bigint();
  const measureFrom = t0 + BigInt(cell.warmupMs) * 1_000_000n;
  const stopAt = measureFrom + BigInt(cell.durationMs) * 1_000_000n;
  let cpuStart: Record<string, number> = {};
  const cpuTimer = setTimeout(() => { cpuStart = cpuSnapshot(cell.watch); }, cell.warmupMs);
  const fail = (why: string, start: bigint): void => {
    if (start < measureFrom) return;
    errors++;
    firstError ??= why;
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      const start = process.hrtime.bigint();
      if (start >= stopAt) return;
      try {
        const res = await pool.request({ method: 'POST', path: cell.path, headers: cell.headers, body: cell.body });
        if (res.statusCode !== 200) {
          const text = await res.body.text();
          answered++;
          fail(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`, start);
          continue;
        }
        if (cell.mode === 'json') {
          await res.body.text();
          answered++;
          if (start >= measureFrom) lat.push(ms(process.hrtime.bigint() - start));
        } else {
          let first = 0n;
          for await (const _ of res.body) if (first === 0n) first = process.hrtime.bigint();
          const end = process.hrtime.bigint();
          answered++;
          if (start >= measureFrom) {
            ttfb.push(ms((first || end) - start));
            total.push(ms(end - start));
          }
        }
      } catch (err) {
        fail(String((err as Error).message ?? err), start);
      }
    }
  };
  await Promise.all(Array.from({ length: cell.concurrency }, worker));
  clearTimeout(cpuTimer);
  const cpuEnd = cpuSnapshot(cell.watch);
  const elapsedMs = ms(process.hrtime.bigint() - measureFrom);
  const cpu = cpuPercent(cpuStart, cpuEnd, elapsedMs);
  const ok = cell.mode === 'json' ? lat.length : total.length;
  return {
    ok, errors, firstError, elapsedMs, rps: ok / (elapsedMs / 1000), answered,
    latency: dist(lat), ttfb: dist(ttfb), total: dist(total), cpu,
    ...(cell.raw ? { samples: { latency: lat, ttfb, total } } : {}),
  };
}

async function chunkCheck(cell: Cell, pool: Pool): Promise<CellResult> {
  // Short streams first so connection setup and JIT warm-up are not in the measured stream.
  const warmStreams = 20;
  for (let i = 0; i < warmStreams; i++) {
    const warm = await pool.request({ method: 'POST', path: cell.path, headers: cell.headers, body: cell.body.replace(/chunks=\d+/, 'chunks=5') });
    for await (const _ of warm.body) { /* drain */ }
  }
  const cpuStart = cpuSnapshot(cell.watch);
  const t0 = process.hrtime.bigint();
  const res = await pool.request({ method: 'POST', path: cell.path, headers: cell.headers, body: cell.body });
  const arrivals: number[] = [];
  let events = 0;
  let bytes = 0;
  let prevNl = false;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    arrivals.push(ms(process.hrtime.bigint() - t0));
    bytes += chunk.length;
    // Count SSE event terminators ("\n\n"), including one split across two reads.
    if (prevNl && chunk[0] === 0x0a) events++;
    for (let i = chunk.indexOf('\n\n'); i !== -1; i = chunk.indexOf('\n\n', i + 2)) events++;
    prevNl = chunk[chunk.length - 1] === 0x0a;
  }
  const elapsedMs = ms(process.hrtime.bigint() - t0);
  const cpuEnd = cpuSnapshot(cell.watch);
  const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
  const cpu = cpuPercent(cpuStart, cpuEnd, elapsedMs);
  const ok = res.statusCode === 200 ? 1 : 0;
  return {
    ok, errors: 1 - ok, firstError: ok ? undefined : `HTTP ${res.statusCode}`, elapsedMs, rps: 0, cpu, answered: warmStreams + 1,
    chunks: {
      status: res.statusCode, reads: arrivals.length, events, bytes,
      firstMs: arrivals[0] ?? NaN, lastMs: arrivals[arrivals.length - 1] ?? NaN,
      maxGapMs: gaps.length ? Math.max(...gaps) : 0, medianGapMs: dist(gaps)?.p50 ?? 0,
    },
  };
}

const cell = JSON.parse(process.argv[2] ?? '{}') as Cell;
const pool = new Pool(cell.origin, { connections: cell.concurrency, pipelining: 1, keepAliveTimeout: 120_000, bodyTimeout: 30_000, headersTimeout: 30_000 });
const result = cell.mode === 'chunks' ? await chunkCheck(cell, pool) : await closedLoop(cell, pool);
process.stdout.write(JSON.stringify(result) + '\n');
await pool.close();
