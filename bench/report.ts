// The side-by-side table printed by `npm run bench`, and the derived headline numbers.
import type { CellResult } from './load.ts';
import { APIS, CHECK_CHUNKS, DURATION_MS, JSON_CONCURRENCY, NOISY, STREAM_CONCURRENCY, STREAM_DELTAS, TARGETS, WARMUP_MS, key, type Api, type CellKey, type CellOutcome, type TargetResult } from './plan.ts';
const isRes = (o: CellOutcome | undefined): o is CellResult => !!o && !('skipped' in o);
const f2 = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '–' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));
const fint = (n: number): string => Math.round(n).toLocaleString('en-US');
const sign = (n: number): string => (n >= 0 ? '+' : '−') + f2(Math.abs(n));
const pad = (s: string, w: number): string => (s.length >= w ? s : s + ' '.repeat(w - s.length));
const lpad = (s: string, w: number): string => (s.length >= w ? s : ' '.repeat(w - s.length) + s);
const COL = 22;

// `*`: the load side (mock + load generator share cpu1) was ≥90% busy, so the number is a floor.
// `~`: other processes on the machine used ≥15% of a core during the cell, so it is noisy.
function flags(r: CellResult): string {
  return `${(r.cpu.mock ?? 0) + (r.cpu.load ?? 0) >= 90 ? '*' : ''}${(r.cpu.other ?? 0) >= NOISY ? '~' : ''}`;
}

// The headline numbers, also written to latest.json so two runs compare without parsing the table.
export function derive(results: Record<string, TargetResult>): Record<string, unknown> | null {
  const get = (n: string, k: CellKey): CellResult | undefined => {
    const r = results[n]?.status === 'ok' ? results[n].cells[k] : undefined;
    return isRes(r) ? r : undefined;
  };
  if (!get('tailgate', key('json', 'openai', 1)) && !get('tailgate', key('json', 'anthropic', 1))) return null;
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  const diff = (mode: 'json' | 'stream', base: string, api: Api, cs: number[]): Record<string, { p50: number; p99: number } | null> =>
    Object.fromEntries(cs.map((c) => {
      const a = get('tailgate', key(mode, api, c));
      const b = get(base, key(mode, api, c));
      const x = mode === 'json' ? a?.latency : a?.ttfb;
      const y = mode === 'json' ? b?.latency : b?.ttfb;
      return [`c=${c}`, x && y ? { p50: round(x.p50 - y.p50), p99: round(x.p99 - y.p99) } : null];
    }));
  return Object.fromEntries(APIS.map((api) => {
    const k = key('json', api, 64);
    const t = get('tailgate', k);
    const bare = get('bare', k);
    const pk = get('portkey', k);
    return [api, {
      addedMsVsDirect: diff('json', 'direct', api, JSON_CONCURRENCY),
      addedMsVsBare: diff('json', 'bare', api, JSON_CONCURRENCY),
      ttfbAddedMsVsDirect: diff('stream', 'direct', api, STREAM_CONCURRENCY),
      ttfbAddedMsVsBare: diff('stream', 'bare', api, STREAM_CONCURRENCY),
      rpsC64: t ? Math.round(t.rps) : null,
      rpsC64PercentOfBare: t && bare ? Math.round((t.rps / bare.rps) * 1000) / 10 : null,
      rpsC64TimesPortkey: t && pk ? Math.round((t.rps / pk.rps) * 100) / 100 : null,
    }];
  }));
}

export function render(results: Record<string, TargetResult>, meta: Record<string, unknown>): string {
  const names = TARGETS.filter((n) => results[n]);
  const shown = names.filter((n) => results[n].status === 'ok');
  const cell = (n: string, k: CellKey): CellResult | undefined => {
    const r = results[n]?.status === 'ok' ? results[n].cells[k] : undefined;
    return isRes(r) ? r : undefined;
  };
  const out: string[] = [];
  const line = (s = ''): void => { out.push(s); };
  line(`Tailgate bench · ${meta.date} · ${meta.elapsed}`);
  line(`node ${meta.node} · ${meta.cpu} × ${meta.cores} · ${meta.platform}`);
  line(String(meta.pinning));
  line(`per cell: ${WARMUP_MS / 1000} s warm-up + ${DURATION_MS / 1000} s measured; closed loop, one keep-alive connection per client; fixed bodies`);
  line();
  for (const n of names) {
    const r = results[n];
    line(`  ${pad(n, 9)} ${r.label.replace('{version}', r.version ? ` ${r.version}` : '')}`);
    if (r.status !== 'ok') {
      const [first, ...rest] = (r.reason ?? '').split('\n');
      line(`  ${pad('', 9)} → ${n}: ${r.status} (${first})`);
      if (rest.length) line(rest.join('\n'));
    }
  }
  const tg = shown.includes('tailgate') && shown.includes('direct');
  const head = (title: string, extra: string): void => {
    line();
    line(title);
    line(`${pad('', 15)}${shown.map((n) => pad(`| ${n}`, COL)).join('')}${tg ? `| ${extra}` : ''}`);
  };
  const fail = (k: CellKey, n: string): string => {
    const r = results[n].cells[k];
    return !r ? '–' : 'skipped' in r ? 'n/a' : `${r.errors} errors`;
  };

  if (shown.length) {
    head('JSON, non-streaming: req/s, latency p50/p99 ms', 'tailgate − direct p50/p99');
    for (const api of APIS) for (const c of JSON_CONCURRENCY) {
      const k = key('json', api, c);
      const cols = shown.map((n) => {
        const r = cell(n, k);
        if (!r?.latency) return pad(`| ${fail(k, n)}`, COL);
        return pad(`| ${lpad(fint(r.rps), 6)}${pad(flags(r), 2)} ${f2(r.latency.p50)}/${f2(r.latency.p99)}${r.errors ? ` !${r.errors}` : ''}`, COL);
      });
      const a = cell('tailgate', k)?.latency;
      const b = cell('direct', k)?.latency;
      line(`${pad(`${api} c=${c}`, 15)}${cols.join('')}${tg && a && b ? `| ${sign(a.p50 - b.p50)} / ${sign(a.p99 - b.p99)}` : ''}`);
    }
    const cpuRow = (k: CellKey): string => shown.map((n) => {
      const r = cell(n, k);
      return r ? `${n} ${r.cpu.target ?? '–'}/${r.cpu.mock}/${r.cpu.load}/${r.cpu.other}` : `${n} –`;
    }).join(' · ');
    line(`cpu % of a core at openai c=64 (target/mock/load/other): ${cpuRow(key('json', 'openai', 64))}`);

    head(`SSE streams, ${STREAM_DELTAS} deltas 1 ms apart: time to first byte p50/p99 · total p50 ms`, 'tailgate − direct ttfb p50/p99');
    for (const api of APIS) for (const c of STREAM_CONCURRENCY) {
      const k = key('stream', api, c);
      const cols = shown.map((n) => {
        const r = cell(n, k);
        if (!r?.ttfb || !r.total) return pad(`| ${fail(k, n)}`, COL);
        return pad(`| ${f2(r.ttfb.p50)}/${f2(r.ttfb.p99)} · ${f2(r.total.p50)}${flags(r).replace('*', '')}${r.errors ? ` !${r.errors}` : ''}`, COL);
      });
      const a = cell('tailgate', k)?.ttfb;
      const b = cell('direct', k)?.ttfb;
      line(`${pad(`${api} c=${c}`, 15)}${cols.join('')}${tg && a && b ? `| ${sign(a.p50 - b.p50)} / ${sign(a.p99 - b.p99)}` : ''}`);
    }

    line();
    line(`No-buffering check: one stream of ${CHECK_CHUNKS} deltas written 1 ms apart; reads the client saw, SSE events, first → last read (ms after the request)`);
    for (const api of APIS) for (const n of shown) {
      const k = key('chunks', api);
      const r = cell(n, k);
      const label = `  ${pad(api, 10)} ${pad(n, 9)}`;
      if (!r?.chunks) { line(`${label} ${fail(k, n)}`); continue; }
      const ch = r.chunks;
      const expected = CHECK_CHUNKS + (api === 'openai' ? 4 : 6);
      const spread = ch.lastMs - ch.firstMs;
      const verdict = ch.status !== 200 ? `HTTP ${ch.status}` : ch.events !== expected ? 'EVENTS LOST' : ch.reads >= CHECK_CHUNKS / 2 && spread >= CHECK_CHUNKS / 2 ? 'streams' : 'BUFFERS';
      line(`${label} ${lpad(fint(ch.reads), 5)} reads ${lpad(fint(ch.events), 5)}/${expected} events ${lpad(f2(ch.firstMs), 5)} → ${lpad(fint(ch.lastMs), 5)} ms  gap median ${f2(ch.medianGapMs)} max ${f2(ch.maxGapMs)} ms  ${verdict}`);
    }

    line();
    line('RSS of the target process tree, MB: after start → peak under load (VmRSS sampled every 100 ms, and VmHWM)');
    for (const n of shown) {
      const m = results[n].rss;
      if (m) line(`  ${pad(n, 9)} ${lpad(f2(m.idleMB), 5)} → ${lpad(f2(m.peakMB), 5)}`);
    }
  }

  if (shown.includes('tailgate')) {
    line();
    line('Tailgate, added latency (ms, p50/p99) and throughput');
    for (const api of APIS) {
      const vs = (base: string, mode: 'json' | 'stream', cs: number[]): string => cs.map((c) => {
        const a = cell('tailgate', key(mode, api, c));
        const b = cell(base, key(mode, api, c));
        const x = mode === 'json' ? a?.latency : a?.ttfb;
        const y = mode === 'json' ? b?.latency : b?.ttfb;
        return x && y ? `c=${c} ${sign(x.p50 - y.p50)}/${sign(x.p99 - y.p99)}` : `c=${c} n/a`;
      }).join(', ');
      line(`  ${pad(api, 10)} JSON vs direct: ${vs('direct', 'json', JSON_CONCURRENCY)}`);
      line(`  ${pad('', 10)} JSON vs bare:   ${vs('bare', 'json', JSON_CONCURRENCY)}`);
      line(`  ${pad('', 10)} TTFB vs direct: ${vs('direct', 'stream', STREAM_CONCURRENCY)}; vs bare: ${vs('bare', 'stream', STREAM_CONCURRENCY)}`);
      const k64 = key('json', api, 64);
      const t = cell('tailgate', k64);
      const bare = cell('bare', k64);
      const pk = cell('portkey', k64);
      const parts = [
        bare && t ? `${((t.rps / bare.rps) * 100).toFixed(0)}% of bare pass-through` : 'bare: n/a',
        pk && t ? `${(t.rps / pk.rps).toFixed(1)}× Portkey` : `Portkey: ${results.portkey ? results.portkey.status : 'not run'}`,
      ];
      line(`  ${pad('', 10)} req/s at c=64: ${t ? fint(t.rps) : 'n/a'} = ${parts.join(', ')}`);
    }
  } else if (results.tailgate) {
    line();
    line(`tailgate: ${results.tailgate.status} (${results.tailgate.reason?.split('\n')[0]})`);
  }
  if (results.portkey && results.portkey.status !== 'ok') line(`portkey: skipped (${results.portkey.reason?.split('\n')[0]})`);

  const others = shown.flatMap((n) => Object.values(results[n].cells).filter(isRes).map((r) => r.cpu.other ?? 0)).sort((x, y) => x - y);
  if (others.length) {
    const noisy = others.filter((o) => o >= NOISY).length;
    line();
    line(`* load side (mock + load generator, cpu1) ≥90% busy: the target was not the limit, read as "at least".`);
    const rerun = shown.reduce((acc, n) => acc + Object.values(results[n].cells).filter((r) => isRes(r) && r.retriedOther).length, 0);
    line(`~ processes outside the benchmark used ≥${NOISY}% of a core during the cell (such cells are re-run once, quieter run kept;`);
    line(`  ${rerun} re-run this time). This run: median ${others[others.length >> 1]}%, max ${others[others.length - 1]}%, ${noisy}/${others.length} cells still marked.`);
  }
  return out.join('\n');
}
