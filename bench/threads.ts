// Where a gateway's CPU goes, per call and per thread: the gateway alone on cpu0, the mock upstream and
// the load generator on cpu1, 2 × 3 s of c=16 warm-up, then one measured cell. CPU is utime + stime of
// each thread from /proc/<pid>/task/*/stat over the cell (warm-up of the cell included, as are its calls).
//
//   node bench/threads.ts [tailgate|bare|<path to a tailgate bin>] [openai|anthropic] [concurrency] [seconds] [small|agent]
//
// Prints one JSON line: req/s, latency p50/p99 (ms), CPU µs per call in all and per thread (user+system;
// threads of one name summed), context switches per call in all and per thread (voluntary and not: each
// is a wake-up or a preemption), and the peak RSS (VmHWM, MB). `agent` sends agent-body.ts (anthropic).
// The VM's speed moves these figures by tens of percent within minutes: compare builds in alternation.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { agentBody } from './agent-body.ts';
import type { Cell, CellResult } from './load.ts';
import { body, PATHS, placeholderKeys, realKeys, tailgateConfig, type Api } from './plan.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const NODE = process.execPath;
const [target = 'tailgate', api = 'openai', concurrency = '64', seconds = '8', bodyKind = 'small'] = process.argv.slice(2) as [string, Api, string, string, string];
const bin = target === 'tailgate' ? path.join(ROOT, 'bin/tailgate.js') : target === 'bare' ? undefined : path.resolve(target);
const mockPort = 19101;
const port = 19102;

const mock = spawn('taskset', ['-c', '1', NODE, path.join(ROOT, 'bench/mock-upstream.ts'), String(mockPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve) => mock.stdout!.once('data', resolve));
const mockOrigin = `http://127.0.0.1:${mockPort}`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'tailgate-threads-'));
writeFileSync(path.join(dir, 'config.json'), JSON.stringify(tailgateConfig(mockOrigin, path.join(dir, 'data'))));
const args = bin ? [bin, 'serve', '--config', path.join(dir, 'config.json'), '--listen', `127.0.0.1:${port}`] : [path.join(ROOT, 'bench/bare-proxy.ts'), mockOrigin, String(port)];
const gateway = spawn('taskset', ['-c', '0', NODE, ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
const pid = gateway.pid!;
for (let tries = 0; ; tries++) {
  const up = await fetch(`http://127.0.0.1:${port}/v1/models`).then(() => true, () => false);
  if (up) break;
  if (tries > 200) throw new Error('the gateway did not start');
  await new Promise((resolve) => setTimeout(resolve, 100));
}

// The gateway holds the keys (clients send a placeholder); the bare proxy passes the client's on.
const headers = (bin ? placeholderKeys : realKeys)[api];
const requestBody = bodyKind === 'agent' ? agentBody() : body(api, 'json');

function load(clients: number, durationMs: number, warmupMs: number): CellResult {
  const cell: Cell = { origin: `http://127.0.0.1:${port}`, path: PATHS[api], headers, body: requestBody, mode: 'json', concurrency: clients, warmupMs, durationMs, watch: {} };
  return JSON.parse(execFileSync('taskset', ['-c', '1', NODE, path.join(ROOT, 'bench/load.ts'), JSON.stringify(cell)], { encoding: 'utf8' }));
}

type ThreadUse = { cpuMs: number; switches: number };
/** CPU ms and context switches (voluntary and not) per thread, keyed by id and name (the main thread as `main`). */
function threadUse(): Map<string, ThreadUse> {
  const byThread = new Map<string, ThreadUse>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const name = task === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
    const switches = [...status.matchAll(/ctxt_switches:\s+(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    byThread.set(`${task} ${name}`, { cpuMs: (Number(fields[11]) + Number(fields[12])) * 10, switches });
  }
  return byThread;
}

load(16, 3000, 0);
load(16, 3000, 0);
const before = threadUse();
const result = load(Number(concurrency), Number(seconds) * 1000, 500);
const after = threadUse();
const perThread: Record<string, ThreadUse> = {};
const total: ThreadUse = { cpuMs: 0, switches: 0 };
for (const [task, use] of after) {
  const name = task.slice(task.indexOf(' ') + 1);
  const earlier = before.get(task) ?? { cpuMs: 0, switches: 0 };
  const sum = (perThread[name] ??= { cpuMs: 0, switches: 0 });
  for (const key of ['cpuMs', 'switches'] as const) {
    sum[key] += use[key] - earlier[key];
    total[key] += use[key] - earlier[key];
  }
}
const micros = (ms: number) => Math.round((ms * 1000) / result.answered);
const perCall = (count: number) => Math.round((count * 100) / result.answered) / 100;
const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
console.log(JSON.stringify({
  target, api, concurrency: Number(concurrency), body: bodyKind, rps: Math.round(result.rps),
  p50: result.latency?.p50, p99: result.latency?.p99, cpuMicrosPerCall: micros(total.cpuMs),
  threads: Object.fromEntries(Object.entries(perThread).filter(([, use]) => use.cpuMs > 0).map(([name, use]) => [name, micros(use.cpuMs)])),
  switchesPerCall: perCall(total.switches),
  switches: Object.fromEntries(Object.entries(perThread).filter(([, use]) => use.switches > 0).map(([name, use]) => [name, perCall(use.switches)])),
  hwmMB: Math.round(hwm / 1024),
}));
gateway.kill('SIGTERM');
mock.kill();
