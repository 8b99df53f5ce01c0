// `npm run bench`: direct-to-mock vs a bare undici pass-through vs Tailgate vs Portkey, side by side.
// Prints a table on stdout and writes the raw numbers to bench/results/latest.json.
//
// Environment knobs (defaults are what the published numbers use; change them and runs stop comparing):
//   BENCH_WARMUP_MS=1000 BENCH_DURATION_MS=3000   per cell
//   BENCH_JSON_C64_ROUNDS=4                        turns there and back in the c=64 JSON cells (plan.ts)
//   BENCH_TARGET_WARMUP_MS=3000                    per process and API before its first cell (plan.ts)
//   BENCH_TARGETS=direct,bare,tailgate,portkey     subset / order
//   BENCH_NO_INSTALL=1                             never run `npm ci` in bench/peers
//   BENCH_TAILGATE_BIN=bin/tailgate.js             the gateway entry point (e.g. another checkout's)
//   BENCH_B_BIN, BENCH_B_ENV='K=V K2=V2'           side B of the tailgate-ab target (see below)
//
// CPU placement (2 cores here). The process under test gets a core to itself: every target (bare
// proxy, Tailgate, Portkey) is pinned to cpu0, while the mock upstream, the load generator and this
// orchestrator share cpu1. The placement is the same for every target, so columns compare; the
// "direct" column has nothing on cpu0. Each cell reports CPU use per process; a cell whose cpu1 side
// (mock + load) is near 100% is marked, because there the load side, not the target, set the pace.
// Without taskset (or with fewer than 2 cores) nothing is pinned and the header says so.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import type { Cell, CellResult, Mode } from './load.ts';
import { startFakeTailscaled, userNode } from '../test/identity/fake-tailscaled.ts';
import { APIS, CHECK_CHUNKS, DURATION_MS, JSON_C64_ROUNDS, STREAM_C1_DURATION_MS, TARGET_WARMUP_MS, JSON_CONCURRENCY, PATHS, STREAM_CONCURRENCY, STREAM_DELTAS, TARGETS, VARIANT_CONCURRENCY, VARIANT_ROUNDS, WARMUP_MS, body, dist, key, placeholderKeys, realKeys, tailgateConfig, type Api, type CellKey, type CellOutcome, type StoreCheck, type TargetResult } from './plan.ts';
import { derive, deriveVariants, render } from './report.ts';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, '..');
const RESULTS = path.join(BENCH, 'results');
const NODE = process.execPath;

const PORTKEY_DIR = path.join(BENCH, 'peers');
const TAILGATE_BIN = path.resolve(ROOT, process.env.BENCH_TAILGATE_BIN ?? 'bin/tailgate.js');
// tailgate-ab: side B is another checkout's entry point and/or extra environment. V8 flags that
// NODE_OPTIONS refuses need a side-B checkout whose bin/tailgate.js passes them.
const B_BIN = process.env.BENCH_B_BIN ? path.resolve(ROOT, process.env.BENCH_B_BIN) : TAILGATE_BIN;
const B_ENV = Object.fromEntries((process.env.BENCH_B_ENV ?? '').split(/\s+/).filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
const PORTKEY_ENTRY = path.join(PORTKEY_DIR, 'node_modules/@portkey-ai/gateway/build/start-server.js');

// ---------- targets ----------
type Running = {
  origin: string; pid?: number; child?: ChildProcess; headers: Record<Api, Record<string, string>>; version?: string;
  baseline?: Running; // the variants: a twin of the plain tailgate target, also on cpu0
  after?: () => Promise<Partial<TargetResult>>; // after the cells, while the target still runs
  close?: () => Promise<void>; // after the target stopped
};
type Target = {
  name: string; label: string; start: (mock: string) => Promise<Running>;
  cells?: 'full' | 'variant'; // full: the side-by-side table; variant: JSON cells at VARIANT_CONCURRENCY only, against a twin
  storeCheck?: boolean; // count the calls in the store (GET /api/usage) before stopping
};

// `tailgate serve` with a generated config; `extra` overrides or adds top-level keys (storage, identity, grants).
async function startTailgate(name: string, mock: string, extra: Record<string, unknown>, bin = TAILGATE_BIN, env: Record<string, string> = {}): Promise<Running> {
  if (!existsSync(bin)) throw new Error(`${bin} does not exist`);
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tailgate-bench-'));
  tmpDirs.push(dir);
  const config = path.join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ ...tailgateConfig(mock, path.join(dir, 'data')), ...extra }, null, 2));
  const args = [bin, 'serve', '--config', config, '--listen', `127.0.0.1:${port}`];
  const child = startChild(name, args, '0', ROOT, 'null', env);
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitHttp(child, name, origin, '/v1/models', (s) => s === 200, 20_000);
  } catch (err) {
    await stopChild(child);
    throw new Error(`${(err as Error).message}\n${await diagnose(name, args, ROOT)}`);
  }
  return { origin, pid: child.pid, child, headers: placeholderKeys };
}

// A variant plus its baseline: a twin of the plain tailgate target (same config, own fresh store).
async function withTwin(name: string, mock: string, startVariant: () => Promise<Running>): Promise<Running> {
  const baseline = await startTailgate(`${name}.baseline`, mock, {});
  try {
    return { ...(await startVariant()), baseline };
  } catch (err) {
    await stopChild(baseline.child);
    throw err;
  }
}

// Issue 4's check that recording really happened: the calls the running gateway's store holds
// (GET /api/usage; loopback is admin) against the responses clients read. The writer batches, so
// wait up to 30 s for it to catch up: under saturation the store's thread yields the core to the data
// plane (background-thread.ts) and catches up afterwards; the wait is reported.
async function countStored(origin: string, answered: number): Promise<StoreCheck> {
  const t0 = Date.now();
  let recorded: number | null = null;
  let error: string | undefined;
  for (;;) {
    try {
      const res = await request(`${origin}/api/usage?group_by=model&from=1h`, { method: 'GET', headersTimeout: 5000, bodyTimeout: 5000 });
      const text = await res.body.text();
      if (res.statusCode !== 200) error = `HTTP ${res.statusCode}: ${text.slice(0, 160)}`;
      else {
        recorded = (JSON.parse(text) as { rows: { requests: number }[] }).rows.reduce((n, row) => n + Number(row.requests), 0);
        error = undefined;
      }
    } catch (err) {
      error = (err as Error).message;
    }
    if ((recorded !== null && recorded >= answered) || Date.now() - t0 >= 30_000) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { recorded, answered, waitedMs: Date.now() - t0, ...(error ? { error } : {}) };
}

const TARGET_DEFS: Record<string, Target> = {
  direct: { name: 'direct', label: 'load generator → mock upstream', start: async (mock) => ({ origin: mock, headers: realKeys }) },
  bare: {
    name: 'bare', label: 'bench/bare-proxy.ts, ~40-line node:http + undici pass-through',
    start: async (mock) => {
      const { child, line } = await startWithReadyLine('bare', [path.join(BENCH, 'bare-proxy.ts'), mock], '0');
      return { origin: `http://127.0.0.1:${line.split(' ')[1]}`, pid: child.pid, child, headers: realKeys };
    },
  },
  tailgate: {
    name: 'tailgate', label: `node ${path.relative(ROOT, TAILGATE_BIN)} serve (loopback identity; records every call to SQLite; the gateway holds the keys)`,
    storeCheck: true,
    start: (mock) => startTailgate('tailgate', mock, {}),
  },
  // The variants change one setting of the plain tailgate target. Each starts a twin of that target as
  // its baseline, and the two are measured in interleaved slices (see benchVariant), so a machine that
  // gets busier or quieter during the run shifts both sides alike.
  // Issue 4: recording off (calls only go to the access log) vs on (journal + SQLite).
  'tailgate-norec': {
    name: 'tailgate-norec', label: 'tailgate with "storage": {"url": "none"}: calls are logged, nothing is journaled or stored',
    cells: 'variant',
    start: (mock) => withTwin('tailgate-norec', mock, () => startTailgate('tailgate-norec', mock, { storage: { url: 'none' } })),
  },
  // Issue 3: the caller is identified by tailscaled's whois (a fake one on a unix socket, served by this
  // orchestrator on cpu1) instead of by being on loopback. The gateway caches a loopback peer by
  // ip:port, i.e. per keep-alive connection (the userspace-networking case): one whois per connection.
  'tailgate-whois': {
    name: 'tailgate-whois', label: 'tailgate with identity.sources ["tailscale"], whois by a fake tailscaled (cache_ms 60000)',
    cells: 'variant',
    start: (mock) => withTwin('tailgate-whois', mock, async () => {
      const fake = await startFakeTailscaled({
        '127.0.0.1': userNode({ login: 'alice@example.com', displayName: 'Alice', host: 'alice-mbp', tailnetIp: '100.101.102.103' }),
      });
      tmpDirs.push(path.dirname(fake.socket)); // removed on exit even if the run is interrupted
      try {
        const running = await startTailgate('tailgate-whois', mock, {
          identity: { sources: ['tailscale'], tailscale: { socket: fake.socket, cache_ms: 60_000 } },
          grants: [{ src: ['alice@example.com'], app: { 'tailscale.com/cap/aperture': [{ role: 'admin' }, { models: '**' }] } }],
        });
        return {
          ...running,
          after: async () => ({ whois: { requests: fake.whoisCount(), peers: new Set(fake.requests.map((r) => r.addr)).size, connectionsOpened: 0, answered: 0 } }),
          close: () => fake.close(),
        };
      } catch (err) {
        await fake.close();
        throw err;
      }
    }),
  },
  // Not in the default run: an A/B of two builds or settings of the gateway, for a change to the hot
  // path. Side A is this checkout as is (the twin); side B is BENCH_B_BIN and/or BENCH_B_ENV. Same
  // interleaved slices as the variants above; the section adds each side's CPU time per call, which
  // drifts far less with the machine's speed than req/s or latency do.
  'tailgate-ab': {
    name: 'tailgate-ab', label: `${path.relative(ROOT, B_BIN)}${Object.keys(B_ENV).length ? ` with ${process.env.BENCH_B_ENV}` : ''}`,
    cells: 'variant',
    start: (mock) => withTwin('tailgate-ab', mock, () => startTailgate('tailgate-ab', mock, {}, B_BIN, B_ENV)),
  },
  portkey: {
    name: 'portkey', label: '@portkey-ai/gateway{version} from npm, provider openai/anthropic with x-portkey-custom-host = mock',
    start: async (mock) => {
      ensurePortkey();
      const version = (JSON.parse(readFileSync(path.join(PORTKEY_DIR, 'node_modules/@portkey-ai/gateway/package.json'), 'utf8')) as { version: string }).version;
      const port = await freePort();
      const args = [PORTKEY_ENTRY, `--port=${port}`, '--headless'];
      const child = startChild('portkey', args, '0', PORTKEY_DIR);
      const origin = `http://127.0.0.1:${port}`;
      try {
        await waitHttp(child, 'portkey', origin, '/', () => true, 20_000);
      } catch (err) {
        await stopChild(child);
        throw new Error(`${(err as Error).message}\n${await diagnose('portkey', args, PORTKEY_DIR)}`);
      }
      const host = { 'x-portkey-custom-host': `${mock}/v1` };
      return {
        origin, pid: child.pid, child, version,
        headers: {
          openai: { ...realKeys.openai, ...host, 'x-portkey-provider': 'openai' },
          anthropic: { ...realKeys.anthropic, ...host, 'x-portkey-provider': 'anthropic' },
        },
      };
    },
  },
};

// ---------- process plumbing ----------
const pinning = (() => {
  if (os.cpus().length < 2) return { on: false, why: `not pinned: ${os.cpus().length} core(s)` };
  if (spawnSync('taskset', ['-V']).error) return { on: false, why: 'not pinned: taskset not found' };
  // This orchestrator joins the load side on cpu1 (-a: all its threads).
  spawnSync('taskset', ['-a', '-cp', '1', String(process.pid)]);
  return { on: true, why: 'taskset: target on cpu0; mock upstream, load generator and orchestrator on cpu1' };
})();

const children = new Set<ChildProcess>();
const tmpDirs: string[] = [];
// stdout: 'pipe' to read a READY line; 'null' for gateways, which log a line per call: draining that
// here would cost CPU on the load side, and a file would grow by ~100 MB a run. The write syscalls
// are still paid. stderr always goes to bench/results/<name>.log.
function startChild(name: string, args: string[], cpu: '0' | '1', cwd = ROOT, stdout: 'log' | 'pipe' | 'null' = 'null', env: Record<string, string> = {}): ChildProcess {
  mkdirSync(RESULTS, { recursive: true });
  const log = openSync(path.join(RESULTS, `${name}.log`), 'w');
  const cmd = pinning.on ? 'taskset' : NODE;
  const argv = pinning.on ? ['-c', cpu, NODE, ...args] : args;
  const child = spawn(cmd, argv, { cwd, stdio: ['ignore', stdout === 'log' ? log : stdout === 'pipe' ? 'pipe' : 'ignore', log], env: { ...process.env, NODE_ENV: 'production', ...env } });
  closeSync(log);
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function startWithReadyLine(name: string, args: string[], cpu: '0' | '1'): Promise<{ child: ChildProcess; line: string }> {
  const child = startChild(name, args, cpu, ROOT, 'pipe');
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${name}: no READY line within 10 s`)), 10_000);
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /READY \d+/.exec(buf);
      if (m) { clearTimeout(timer); child.stdout?.removeAllListeners('data'); child.stdout?.resume(); resolve({ child, line: m[0] }); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited with code ${code}\n${logTail(name)}`)); });
  });
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(t);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

// A crash puts the message at the top and a long stack below it: keep the head and the last lines.
function logTail(name: string): string {
  try {
    const all = readFileSync(path.join(RESULTS, `${name}.log`), 'utf8').trim().split('\n').filter((l) => l.trim());
    const shown = all.length <= 14 ? all : [...all.slice(0, 8), `… ${all.length - 12} more lines in bench/results/${name}.log`, ...all.slice(-4)];
    return shown.map((l) => `      | ${l.slice(0, 160)}`).join('\n');
  } catch {
    return '';
  }
}

// After a failed start (stdout was discarded): run the same command once more for up to 5 s with
// stdout kept, so the report can show why.
async function diagnose(name: string, args: string[], cwd: string): Promise<string> {
  const child = startChild(name, args, '0', cwd, 'log');
  await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
  await stopChild(child);
  return logTail(name);
}

async function waitHttp(child: ChildProcess, name: string, origin: string, p: string, ok: (status: number) => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (code ${child.exitCode ?? child.signalCode}) before answering ${p}`);
    try {
      const res = await request(`${origin}${p}`, { method: 'GET', headersTimeout: 2000, bodyTimeout: 2000 });
      const text = await res.body.text();
      if (ok(res.statusCode)) return;
      last = `HTTP ${res.statusCode} ${text.slice(0, 120)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${name} did not answer GET ${p} with 200 within ${timeoutMs / 1000} s (last: ${last})`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function ensurePortkey(): void {
  if (existsSync(PORTKEY_ENTRY)) return;
  if (process.env.BENCH_NO_INSTALL) throw new Error('not installed (run: npm ci --prefix bench/peers --ignore-scripts)');
  process.stderr.write('installing @portkey-ai/gateway into bench/peers (one time, npm ci --ignore-scripts)…\n');
  const r = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: PORTKEY_DIR, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0 || !existsSync(PORTKEY_ENTRY)) throw new Error(`npm ci in bench/peers failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-2).join(' ')}`);
}

// ---------- memory ----------
function procTree(pid: number): number[] {
  const out = [pid];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (kids) for (const k of kids.split(' ')) out.push(...procTree(Number(k)));
    }
  } catch { /* gone */ }
  return out;
}
function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
class RssSampler {
  peakKb = 0;
  cellPeakKb = 0;
  idleKb: number;
  private timer: NodeJS.Timeout;
  private pid: number;
  constructor(pid: number) {
    this.pid = pid;
    this.idleKb = this.sample();
    this.timer = setInterval(() => this.sample(), 100);
  }
  sample(): number {
    const kb = procTree(this.pid).reduce((a, p) => a + statusKb(p, 'VmRSS'), 0);
    if (kb > this.peakKb) this.peakKb = kb;
    if (kb > this.cellPeakKb) this.cellPeakKb = kb;
    return kb;
  }
  // Peak since the previous call, in MB.
  cellPeak(): number {
    const mb = Math.max(this.cellPeakKb, this.sample()) / 1024;
    this.cellPeakKb = 0;
    return Math.round(mb * 10) / 10;
  }
  stop(): { idleMB: number; peakMB: number; hwmMB: number } {
    clearInterval(this.timer);
    this.sample();
    const hwm = procTree(this.pid).reduce((a, p) => a + statusKb(p, 'VmHWM'), 0);
    return { idleMB: this.idleKb / 1024, peakMB: Math.max(this.peakKb, hwm) / 1024, hwmMB: hwm / 1024 };
  }
}

// ---------- cells ----------
function runLoad(cell: Cell): Promise<CellResult> {
  return new Promise((resolve, reject) => {
    const args = [path.join(BENCH, 'load.ts'), JSON.stringify(cell)];
    const child = spawn(pinning.on ? 'taskset' : NODE, pinning.on ? ['-c', '1', NODE, ...args] : args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d; });
    child.stderr.on('data', (d: Buffer) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), cell.warmupMs + cell.durationMs + 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as CellResult);
      } catch {
        reject(new Error(`load generator exited ${code}: ${err.trim().split('\n').slice(-3).join(' ')}`));
      }
    });
  });
}

// One request per kind before any load: a target that answers wrongly gets no numbers for that kind.
async function preflight(t: Running, api: Api, mode: Mode, counts: { answered: number }): Promise<string | null> {
  try {
    const res = await request(`${t.origin}${PATHS[api]}`, { method: 'POST', headers: t.headers[api], body: body(api, mode === 'chunks' ? 'stream' : mode), headersTimeout: 10_000, bodyTimeout: 10_000 });
    const text = await res.body.text();
    counts.answered++;
    if (res.statusCode !== 200) return `HTTP ${res.statusCode}: ${text.slice(0, 160).replace(/\s+/g, ' ')}`;
    if (mode === 'json' && !/"usage"/.test(text)) return `200 but no usage in body: ${text.slice(0, 120)}`;
    if (mode !== 'json') {
      const end = api === 'openai' ? 'data: [DONE]' : 'event: message_stop';
      if (!text.includes(end)) return `200 but stream did not end with "${end}": …${text.slice(-120)}`;
    }
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

const dead = (child: ChildProcess | undefined): boolean => !!child && (child.exitCode !== null || child.signalCode !== null);

// Interleaved slices of one cell, merged per target (all samples pooled; CPU averaged).
function merge(parts: CellResult[]): CellResult {
  const total = (pick: (p: CellResult) => number): number => parts.reduce((n, p) => n + pick(p), 0);
  const pooled = (kind: keyof NonNullable<CellResult['samples']>) => dist(parts.flatMap((p) => p.samples?.[kind] ?? []));
  const elapsedMs = total((p) => p.elapsedMs);
  const ok = total((p) => p.ok);
  const cpu: Record<string, number> = {};
  for (const k of new Set(parts.flatMap((p) => Object.keys(p.cpu)))) cpu[k] = Math.round(total((p) => p.cpu[k] ?? 0) / parts.length);
  return {
    ok, errors: total((p) => p.errors), firstError: parts.find((p) => p.firstError)?.firstError, elapsedMs, rps: ok / (elapsedMs / 1000),
    answered: total((p) => p.answered ?? 0), cpu, slices: parts.length, latency: pooled('latency'), ttfb: pooled('ttfb'), total: pooled('total'),
  };
}

type Counts = { answered: number; connections: number };

// One turn of a cell against one target (side by side, or a variant against its twin): half the
// cell's warm-up and measured time, every sample kept so that a target's turns can be merged. Its
// responses and connections count for that target.
async function turn(side: Running, counts: Counts, cell: { mode: Mode; api: Api; c: number; durationMs: number }, mockPid: number, twin?: Running): Promise<CellResult> {
  const watch: Record<string, number> = { mock: mockPid };
  if (side.pid) watch.target = side.pid;
  if (twin?.pid) watch.twin = twin.pid;
  const { mode, api, c } = cell;
  const out = await runLoad({
    origin: side.origin, path: PATHS[api], headers: side.headers[api], body: body(api, mode), mode, concurrency: c,
    warmupMs: mode === 'chunks' ? 0 : Math.round(WARMUP_MS / 2), durationMs: Math.round(cell.durationMs / 2), watch, raw: true,
  });
  counts.connections += c;
  counts.answered += out.answered ?? 0;
  return out;
}

// A started target and what is measured of it while it runs.
type Live = { def: Target; running: Running; result: TargetResult; counts: Counts; rss?: RssSampler; byCellMB: Record<CellKey, number> };

async function startTarget(def: Target, mock: string): Promise<Live | TargetResult> {
  process.stderr.write(`${def.name}: starting\n`);
  const before = new Set(children);
  try {
    const running = await def.start(mock);
    return {
      def, running, result: { status: 'ok', label: def.label, version: running.version, cells: {} },
      // Every response read (preflights, warm-up) and every connection the load side opened.
      counts: { answered: 0, connections: 0 },
      rss: running.pid ? new RssSampler(running.pid) : undefined, byCellMB: {},
    };
  } catch (err) {
    await Promise.all([...children].filter((c) => !before.has(c)).map((c) => stopChild(c)));
    return { status: def.name === 'portkey' ? 'skipped' : 'failed', reason: (err as Error).message, label: def.label, cells: {} };
  }
}

// After the cells, while the target still runs: memory, the store check, the target's own report; then stops it.
async function stopTarget({ def, running, result, counts, rss, byCellMB }: Live): Promise<TargetResult> {
  result.rss = rss ? { ...rss.stop(), byCellMB } : undefined;
  result.answered = counts.answered;
  if (!dead(running.child) && def.storeCheck) {
    process.stderr.write(`  ${def.name.padEnd(9)} counting the calls in its store\n`);
    result.store = await countStored(running.origin, counts.answered);
  }
  if (running.after) {
    const extra = await running.after();
    if (extra.whois) extra.whois = { ...extra.whois, connectionsOpened: counts.connections, answered: counts.answered };
    Object.assign(result, extra);
  }
  await Promise.all([stopChild(running.child), stopChild(running.baseline?.child)]);
  await running.close?.();
  return result;
}

// A variant: it and its twin (started together) measured in interleaved slices.
async function benchVariantTarget(def: Target, mock: string, mockPid: number): Promise<TargetResult> {
  const live = await startTarget(def, mock);
  if (!('def' in live)) return live;
  const { running, counts } = live;
  // The twin's responses and connections are its own: the checks that follow (store, whois) are the variant's.
  const baseCounts: Counts = { answered: 0, connections: 0 };
  await warmUp(def, running, counts);
  if (running.baseline) {
    await warmUp(def, running.baseline, baseCounts);
    await benchVariant(live, running.baseline, baseCounts, mockPid);
  }
  return stopTarget(live);
}

// Unmeasured load before the first cell of a process (TARGET_WARMUP_MS, plan.ts). Its responses and
// connections count like any other for the checks that follow (store contents, whois lookups).
async function warmUp(def: Target, running: Running, counts: Counts): Promise<void> {
  if (TARGET_WARMUP_MS <= 0) return;
  process.stderr.write(`  ${def.name.padEnd(9)} warming up\n`);
  for (const api of APIS) {
    for (const [mode, ms] of [['json', TARGET_WARMUP_MS], ['stream', TARGET_WARMUP_MS / 2]] as const) {
      const concurrency = 16;
      counts.connections += concurrency;
      const r = await runLoad({ origin: running.origin, path: PATHS[api], headers: running.headers[api], body: body(api, mode), mode, concurrency, warmupMs: 0, durationMs: ms, watch: {} });
      counts.answered += r.answered ?? 0;
    }
  }
}

// The main targets side by side. All run at once, each pinned to cpu0 and idle while another is
// loaded, and each cell is measured in slices that take turns, direct·bare·tailgate·portkey and back
// again, each slice with half the cell's warm-up and measured time. Run one after another, the
// targets met the VM at different speeds: in five runs on one day, `bare` at openai c=64 ranged from
// 14,177 to 17,932 req/s and Tailgate's share of it from 40% to 83%. Taking turns, a machine that gets
// faster or slower during the run shifts every column alike. The no-buffering check is one stream each.
async function benchSideBySide(defs: Target[], mock: string, mockPid: number): Promise<Record<string, TargetResult>> {
  const results: Record<string, TargetResult> = {};
  let live: Live[] = [];
  for (const def of defs) {
    const started = await startTarget(def, mock);
    if ('def' in started) live.push(started);
    else results[def.name] = started;
  }
  for (const t of live) await warmUp(t.def, t.running, t.counts);
  const plan: { mode: Mode; api: Api; c: number }[] = [];
  for (const api of APIS) for (const c of JSON_CONCURRENCY) plan.push({ mode: 'json', api, c });
  for (const api of APIS) for (const c of STREAM_CONCURRENCY) plan.push({ mode: 'stream', api, c });
  for (const api of APIS) plan.push({ mode: 'chunks', api, c: 1 });
  const preflights = new Map<string, string>(); // target and kind of request → why it failed ('' = it passed)
  for (const { mode, api, c } of plan) {
    const k = key(mode, api, c);
    const ready: Live[] = [];
    for (const t of live) {
      const kind = `${t.def.name} ${mode === 'chunks' ? 'stream' : mode} ${api}`;
      if (!preflights.has(kind)) preflights.set(kind, (await preflight(t.running, api, mode, t.counts)) ?? '');
      const why = preflights.get(kind);
      if (why) t.result.cells[k] = { skipped: `preflight failed: ${why}` };
      else ready.push(t);
    }
    const order = mode === 'chunks' ? ready : [...ready, ...[...ready].reverse()];
    const rounds = mode === 'json' && c === 64 ? JSON_C64_ROUNDS : 1;
    const turns = Array.from({ length: rounds }, () => order).flat();
    process.stderr.write(`  ${k}: ${order.map((t) => t.def.name).join(' · ')}${rounds > 1 ? `, ${rounds} times` : ''}\n`);
    const parts = new Map<Live, CellResult[]>(ready.map((t) => [t, []]));
    const durationMs = mode === 'stream' && c === 1 ? STREAM_C1_DURATION_MS : DURATION_MS;
    for (const t of turns) {
      if (dead(t.running.child) || t.result.cells[k]) continue;
      try {
        parts.get(t)?.push(await turn(t.running, t.counts, { mode, api, c, durationMs }, mockPid));
      } catch (err) {
        t.result.cells[k] = { skipped: (err as Error).message };
      }
    }
    for (const t of ready) {
      const got = parts.get(t) ?? [];
      if (!t.result.cells[k] && got.length) t.result.cells[k] = mode === 'chunks' ? got[0] : merge(got);
      if (t.rss) t.byCellMB[k] = t.rss.cellPeak();
      if (dead(t.running.child)) {
        t.result.status = 'failed';
        t.result.reason = `${t.def.name} died during ${k}\n${logTail(t.def.name)}`;
        results[t.def.name] = await stopTarget(t);
      }
    }
    live = live.filter((t) => t.result.status === 'ok');
  }
  for (const t of live) results[t.def.name] = await stopTarget(t);
  return results;
}

// A variant against its twin baseline: each JSON cell runs VARIANT_ROUNDS rounds of four slices,
// baseline · variant · variant · baseline (ABBA cancels a linear drift in machine load), each with half
// the usual warm-up and half the measured time, so each side gets DURATION_MS measured per round. The
// slices of a side are merged. Noisy slices are not re-run: interleaving is what makes the pair comparable.
async function benchVariant({ def, running: variant, result, counts, rss, byCellMB }: Live, baseline: Running, baseCounts: Counts, mockPid: number): Promise<void> {
  const base: Record<CellKey, CellOutcome> = {};
  result.baseline = { label: `twin of the tailgate target, measured in the same interleaved slices`, cells: base };
  const sides = Array.from({ length: VARIANT_ROUNDS }, () => [baseline, variant, variant, baseline]).flat();
  for (const api of APIS) {
    const why = (await preflight(baseline, api, 'json', baseCounts)) ?? (await preflight(variant, api, 'json', counts));
    for (const c of VARIANT_CONCURRENCY) {
      const k = key('json', api, c);
      if (why) { result.cells[k] = base[k] = { skipped: `preflight failed: ${why}` }; continue; }
      process.stderr.write(`  ${def.name.padEnd(9)} ${k} (interleaved with its baseline)\n`);
      const parts = new Map<Running, CellResult[]>([[baseline, []], [variant, []]]);
      try {
        for (const side of sides) {
          const [sideCounts, twin] = side === variant ? [counts, baseline] : [baseCounts, variant];
          parts.get(side)?.push(await turn(side, sideCounts, { mode: 'json', api, c, durationMs: DURATION_MS }, mockPid, twin));
        }
        result.cells[k] = merge(parts.get(variant) ?? []);
        base[k] = merge(parts.get(baseline) ?? []);
      } catch (err) {
        result.cells[k] = base[k] = { skipped: (err as Error).message };
      }
      if (rss) byCellMB[k] = rss.cellPeak();
      const gone = dead(variant.child) ? def.name : dead(baseline.child) ? `${def.name}.baseline` : '';
      if (gone) {
        result.status = 'failed';
        result.reason = `${gone} died during ${k}\n${logTail(gone)}`;
        return;
      }
    }
  }
}

// ---------- main ----------
async function main(): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  const started = Date.now();
  const meta = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    elapsed: '',
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    platform: `${os.platform()} ${os.arch()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    pinning: pinning.why,
    settings: { targetWarmupMs: TARGET_WARMUP_MS, warmupMs: WARMUP_MS, durationMs: DURATION_MS, jsonC64Rounds: JSON_C64_ROUNDS, streamC1DurationMs: STREAM_C1_DURATION_MS, jsonConcurrency: JSON_CONCURRENCY, streamConcurrency: STREAM_CONCURRENCY, streamDeltas: STREAM_DELTAS, checkChunks: CHECK_CHUNKS, targets: TARGETS },
    bodies: Object.fromEntries(APIS.flatMap((api) => (['json', 'stream', 'chunks'] as Mode[]).map((m) => [`${m} ${api}`, body(api, m)]))),
  };
  process.stderr.write(`bench: ${TARGETS.join(', ')} · ${pinning.why}\n`);
  const { child: mockChild, line } = await startWithReadyLine('mock', [path.join(BENCH, 'mock-upstream.ts')], '1');
  const mock = `http://127.0.0.1:${line.split(' ')[1]}`;
  // The first start after a change to the sources compiles TypeScript (bin/tailgate.js) and may keep
  // more of the binary's pages; a gateway serves for days. One start that is not measured fills the
  // compile cache, so every measured Tailgate process starts as it would on any later day.
  if (TARGETS.some((name) => name.startsWith('tailgate'))) await stopChild((await startTailgate('tailgate-cache', mock, {})).child);
  const unknown = TARGETS.filter((name) => !TARGET_DEFS[name]);
  if (unknown.length) process.stderr.write(`unknown target ${unknown.join(', ')}\n`);
  const defs = TARGETS.flatMap((name) => TARGET_DEFS[name] ?? []);
  const mockPid = mockChild.pid ?? 0;
  const results = await benchSideBySide(defs.filter((def) => def.cells !== 'variant'), mock, mockPid);
  for (const def of defs.filter((d) => d.cells === 'variant')) results[def.name] = await benchVariantTarget(def, mock, mockPid);
  for (const [name, r] of Object.entries(results)) if (r.status !== 'ok') process.stderr.write(`${name}: ${r.status}: ${r.reason?.split('\n')[0]}\n`);
  await stopChild(mockChild);
  meta.elapsed = `run took ${Math.round((Date.now() - started) / 1000)} s`;
  const table = render(results, meta);
  writeFileSync(path.join(RESULTS, 'latest.json'), JSON.stringify({ meta, tailgate: derive(results), ...deriveVariants(results), results, table: table.split('\n') }, null, 2) + '\n');
  process.stdout.write(table + '\n\nraw numbers: bench/results/latest.json\n');
}

const cleanup = (): void => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
};
process.on('SIGINT', () => { cleanup(); process.exit(130); });
process.on('SIGTERM', () => { cleanup(); process.exit(143); });
try {
  await main();
} catch (err) {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
} finally {
  cleanup();
}
