// The side-by-side table printed by `npm run bench`, and the derived headline numbers.
import type { CellResult } from './load.ts';
import { APIS, CHECK_CHUNKS, DURATION_MS, JSON_C64_ROUNDS, JSON_CONCURRENCY, STREAM_C1_DURATION_MS, MAIN_TARGETS, NOISY, RECORDING_P99_BAR, STREAM_CONCURRENCY, STREAM_DELTAS, TARGETS, TARGET_WARMUP_MS, VARIANT_CONCURRENCY, WARMUP_MS, WHOIS_P50_BAR, key, type Api, type CellKey, type CellOutcome, type TargetResult } from './plan.ts';
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

// ---------- the A/B comparisons: one Tailgate setting changed, JSON cells only ----------
type Side = { rps: number; p50: number; p99: number };
const side = (r: CellResult | undefined): Side | null => (r?.latency ? { rps: Math.round(r.rps), p50: r.latency.p50, p99: r.latency.p99 } : null);
const pct = (a: number, b: number): number => Math.round(((a - b) / b) * 1000) / 10;
const r3 = (n: number): number => Math.round(n * 1000) / 1000;

// One comparison per API and concurrency of the variant `name`: its twin's cell against its own.
function variantPairs<T>(results: Record<string, TargetResult>, name: string, compare: (twin: CellResult | undefined, variant: CellResult | undefined) => T): Record<Api, Record<string, T>> {
  const get = okCell(results);
  return Object.fromEntries(APIS.map((api) => [api, Object.fromEntries(VARIANT_CONCURRENCY.map((c) => {
    const k = key('json', api, c);
    return [`c=${c}`, compare(baseCell(results, name, k), get(name, k))];
  }))])) as Record<Api, Record<string, T>>;
}

// Issue 4: tailgate (records every call: journal + SQLite) vs tailgate-norec (storage none).
function recordingPairs(results: Record<string, TargetResult>) {
  return variantPairs(results, 'tailgate-norec', (twin, variant) => {
    const [on, off] = [side(twin), side(variant)];
    return {
      on, off,
      p50ChangePercent: on && off ? pct(on.p50, off.p50) : null,
      p99ChangePercent: on && off ? pct(on.p99, off.p99) : null,
      rpsChangePercent: on && off ? pct(on.rps, off.rps) : null,
    };
  });
}

// Issue 3: tailgate-whois (identity from tailscaled whois, cached per connection) vs tailgate (loopback).
function whoisPairs(results: Record<string, TargetResult>) {
  return variantPairs(results, 'tailgate-whois', (twin, variant) => {
    const [loopback, whois] = [side(twin), side(variant)];
    return {
      loopback, whois,
      p50AddedMs: loopback && whois ? r3(whois.p50 - loopback.p50) : null,
      p99AddedMs: loopback && whois ? r3(whois.p99 - loopback.p99) : null,
      rpsChangePercent: loopback && whois ? pct(whois.rps, loopback.rps) : null,
    };
  });
}

// The twin baseline measured in the same interleaved slices as the variant `n`.
function baseCell(results: Record<string, TargetResult>, n: string, k: CellKey): CellResult | undefined {
  const r = results[n]?.status === 'ok' ? results[n].baseline?.cells[k] : undefined;
  return isRes(r) ? r : undefined;
}

function okCell(results: Record<string, TargetResult>): (n: string, k: CellKey) => CellResult | undefined {
  return (n, k) => {
    const r = results[n]?.status === 'ok' ? results[n].cells[k] : undefined;
    return isRes(r) ? r : undefined;
  };
}

const worst = (values: (number | null)[]): number | null => {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? known.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a)) : null;
};

// CPU time of the target process (all its threads) per response, in µs, from its % of a core averaged over the slices.
const cpuPerCallUs = (r: CellResult | undefined): number | null =>
  r && r.ok > 0 && Number.isFinite(r.cpu.target) ? Math.round(((r.cpu.target / 100) * r.elapsedMs * 1000) / r.ok) : null;

// tailgate-ab: side A (this checkout, the twin) against side B (BENCH_B_BIN / BENCH_B_ENV).
function abPairs(results: Record<string, TargetResult>) {
  return variantPairs(results, 'tailgate-ab', (a, b) => {
    const [sa, sb] = [side(a), side(b)];
    const [ca, cb] = [cpuPerCallUs(a), cpuPerCallUs(b)];
    return {
      a: sa && { ...sa, cpuUsPerCall: ca }, b: sb && { ...sb, cpuUsPerCall: cb },
      p50DeltaMs: sa && sb ? r3(sb.p50 - sa.p50) : null,
      p99DeltaMs: sa && sb ? r3(sb.p99 - sa.p99) : null,
      rpsChangePercent: sa && sb ? pct(sb.rps, sa.rps) : null,
      cpuPerCallRatio: ca && cb ? Math.round((cb / ca) * 1000) / 1000 : null,
    };
  });
}

// Written to latest.json next to `tailgate`, only for the comparisons that ran.
export function deriveVariants(results: Record<string, TargetResult>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const store = results.tailgate?.store;
  if (results['tailgate-norec'] || store) {
    const pairs = recordingPairs(results);
    const c64 = Object.fromEntries(APIS.map((api) => [api, pairs[api]['c=64']?.p99ChangePercent ?? null]));
    const w = worst(Object.values(c64));
    out.recordingOnVsOff = {
      bar: `recording on vs off changes p99 at c=64 by ≤ ${RECORDING_P99_BAR}%`,
      on: 'tailgate-norec.baseline (a twin of tailgate, interleaved)', off: 'tailgate-norec',
      p99ChangePercentC64: c64,
      withinBar: w === null ? null : Math.abs(w) <= RECORDING_P99_BAR,
      ...pairs,
      store: store ? { ...store, match: store.recorded === store.answered } : null,
    };
  }
  if (results['tailgate-whois']) {
    const pairs = whoisPairs(results);
    const c1 = Object.fromEntries(APIS.map((api) => [api, pairs[api]['c=1']?.p50AddedMs ?? null]));
    const known = Object.values(c1).filter((v): v is number => v !== null);
    out.whoisOnceCached = {
      bar: `whois adds ≤ ${WHOIS_P50_BAR} ms p50 once cached`,
      base: 'tailgate-whois.baseline (a twin of tailgate, interleaved)', whois: 'tailgate-whois',
      p50AddedMsC1: c1,
      withinBar: known.length ? Math.max(...known) <= WHOIS_P50_BAR : null,
      ...pairs,
      fakeTailscaled: results['tailgate-whois'].whois ?? null,
    };
  }
  if (results['tailgate-ab']) out.ab = { a: 'tailgate-ab.baseline (this checkout)', b: results['tailgate-ab'].label, ...abPairs(results) };
  return out;
}

function renderVariants(results: Record<string, TargetResult>, line: (s?: string) => void): void {
  const get = okCell(results);
  // n: the variant's own cells; n + '.baseline': its twin's.
  const col = (name: string, k: CellKey): string => {
    const [n, twin] = name.split('.');
    const r = twin ? baseCell(results, n, k) : get(n, k);
    if (!r?.latency) {
      const o = twin ? results[n]?.baseline?.cells[k] : results[n]?.cells[k];
      return pad(`| ${!results[n] ? 'not run' : results[n].status !== 'ok' ? results[n].status : !o ? '–' : 'skipped' in o ? 'n/a' : `${o.errors} errors`}`, COL);
    }
    return pad(`| ${lpad(fint(r.rps), 6)}${pad(flags(r), 2)} ${f2(r.latency.p50)}/${f2(r.latency.p99)}${r.errors ? ` !${r.errors}` : ''}`, COL);
  };
  const pctS = (n: number | null): string => (n === null ? 'n/a' : `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(1)}%`);

  if (results['tailgate-norec']) {
    const pairs = recordingPairs(results);
    line();
    line(`Recording on vs off (issue 4: p99 at c=64 may change by ≤ ${RECORDING_P99_BAR}%): JSON req/s, latency p50/p99 ms`);
    line(`  interleaved: tailgate-norec and a twin of tailgate ran side by side, slices baseline·variant·variant·baseline`);
    line(`${pad('', 15)}${pad('| tailgate twin (on)', COL)}${pad('| tailgate-norec (off)', COL)}| on vs off: p50 · p99 · req/s`);
    for (const api of APIS) for (const c of VARIANT_CONCURRENCY) {
      const k = key('json', api, c);
      const d = pairs[api][`c=${c}`];
      line(`${pad(`${api} c=${c}`, 15)}${col('tailgate-norec.baseline', k)}${col('tailgate-norec', k)}| ${pctS(d.p50ChangePercent)} · ${pctS(d.p99ChangePercent)} · ${pctS(d.rpsChangePercent)}`);
    }
    const c64 = APIS.map((api) => pairs[api]['c=64'].p99ChangePercent);
    const w = worst(c64);
    line(`  p99 change at c=64: ${APIS.map((api, i) => `${api} ${pctS(c64[i])}`).join(', ')} → ${w === null ? 'n/a' : Math.abs(w) <= RECORDING_P99_BAR ? `within ${RECORDING_P99_BAR}%` : `OVER ${RECORDING_P99_BAR}%`}`);
  }
  const store = results.tailgate?.store;
  if (store) {
    const verdict = store.recorded === null ? `could not query: ${store.error}` : store.recorded === store.answered ? 'all recorded' : store.recorded < store.answered ? `MISSING ${fint(store.answered - store.recorded)}` : `${fint(store.recorded - store.answered)} more than answered`;
    line(`  store of the tailgate target (recording on): ${store.recorded === null ? 'n/a' : fint(store.recorded)} calls (GET /api/usage?group_by=model&from=1h, ${(store.waitedMs / 1000).toFixed(1)} s after the last cell) vs ${fint(store.answered)} responses clients read → ${verdict}`);
  }

  if (results['tailgate-whois']) {
    const pairs = whoisPairs(results);
    line();
    line(`Whois once cached (issue 3: adds ≤ ${WHOIS_P50_BAR} ms p50): JSON req/s, latency p50/p99 ms`);
    line(`  interleaved: tailgate-whois and a twin of tailgate (loopback identity) ran side by side, slices as above`);
    line(`${pad('', 15)}${pad('| twin (loopback)', COL)}${pad('| tailgate-whois', COL)}| whois − loopback p50/p99 ms · req/s`);
    for (const api of APIS) for (const c of VARIANT_CONCURRENCY) {
      const k = key('json', api, c);
      const d = pairs[api][`c=${c}`];
      line(`${pad(`${api} c=${c}`, 15)}${col('tailgate-whois.baseline', k)}${col('tailgate-whois', k)}| ${d.p50AddedMs === null || d.p99AddedMs === null ? 'n/a' : `${sign(d.p50AddedMs)} / ${sign(d.p99AddedMs)} · ${pctS(d.rpsChangePercent)}`}`);
    }
    const c1 = APIS.map((api) => pairs[api]['c=1'].p50AddedMs);
    const known = c1.filter((v): v is number => v !== null);
    line(`  p50 added at c=1: ${APIS.map((api, i) => `${api} ${c1[i] === null ? 'n/a' : `${sign(c1[i] as number)} ms`}`).join(', ')} → ${known.length === 0 ? 'n/a' : Math.max(...known) <= WHOIS_P50_BAR ? `within ${WHOIS_P50_BAR} ms` : `OVER ${WHOIS_P50_BAR} ms`}`);
    const w = results['tailgate-whois'].whois;
    if (w) line(`  fake tailscaled: ${fint(w.requests)} whois requests for ${fint(w.peers)} peers (ip:port); the load side opened ${fint(w.connectionsOpened)} connections and read ${fint(w.answered)} responses`);
  }

  if (results['tailgate-ab']) {
    const pairs = abPairs(results);
    const us = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : `${fint(n)} µs`);
    line();
    line(`A/B: JSON req/s, latency p50/p99 ms; CPU time of the gateway per call`);
    line(`  A: this checkout · B: ${results['tailgate-ab'].label}; slices A·B·B·A`);
    line(`${pad('', 15)}${pad('| A', COL)}${pad('| B', COL)}| B − A p50/p99 ms · req/s · CPU per call A → B (B/A)`);
    for (const api of APIS) for (const c of VARIANT_CONCURRENCY) {
      const k = key('json', api, c);
      const d = pairs[api][`c=${c}`];
      const delta = d.p50DeltaMs === null || d.p99DeltaMs === null ? 'n/a' : `${sign(d.p50DeltaMs)} / ${sign(d.p99DeltaMs)} · ${pctS(d.rpsChangePercent)}`;
      line(`${pad(`${api} c=${c}`, 15)}${col('tailgate-ab.baseline', k)}${col('tailgate-ab', k)}| ${delta} · ${us(d.a?.cpuUsPerCall)} → ${us(d.b?.cpuUsPerCall)} (${d.cpuPerCallRatio ?? 'n/a'})`);
    }
  }
}

export function render(results: Record<string, TargetResult>, meta: Record<string, unknown>): string {
  const names = TARGETS.filter((n) => results[n]);
  // The side-by-side sections show the main targets; the variants have their own A/B sections below.
  const shown = names.filter((n) => results[n].status === 'ok' && MAIN_TARGETS.includes(n));
  const ran = names.filter((n) => results[n].status === 'ok');
  const cell = (n: string, k: CellKey): CellResult | undefined => {
    const r = results[n]?.status === 'ok' ? results[n].cells[k] : undefined;
    return isRes(r) ? r : undefined;
  };
  const out: string[] = [];
  const line = (s = ''): void => { out.push(s); };
  line(`Tailgate bench · ${meta.date} · ${meta.elapsed}`);
  line(`node ${meta.node} · ${meta.cpu} × ${meta.cores} · ${meta.platform}`);
  line(String(meta.pinning));
  line(`per process: ${TARGET_WARMUP_MS / 1000} s of JSON and ${TARGET_WARMUP_MS / 2000} s of streams per API at c=16 first, unmeasured; per cell: ${WARMUP_MS / 1000} s warm-up + ${DURATION_MS / 1000} s measured (JSON at c=64: ${JSON_C64_ROUNDS}× as long, in as many rounds of turns; streams at c=1: ${STREAM_C1_DURATION_MS / 1000} s); closed loop, one keep-alive connection per client; fixed bodies`);
  line(`side by side: the targets run at once and take turns within each cell (${MAIN_TARGETS.join(' · ')}, then back), each turn half the cell's warm-up and measured time`);
  line();
  for (const n of names) {
    const r = results[n];
    line(`  ${pad(n, 14)} ${r.label.replace('{version}', r.version ? ` ${r.version}` : '')}`);
    if (r.status !== 'ok') {
      const [first, ...rest] = (r.reason ?? '').split('\n');
      line(`  ${pad("", 14)} → ${n}: ${r.status} (${first})`);
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

    const streamsRead = STREAM_CONCURRENCY.map((c) => `c=${c} ${fint(cell('tailgate', key('stream', 'openai', c))?.ok ?? 0)}`).join(', ');
    head(`SSE streams, ${STREAM_DELTAS} deltas 1 ms apart: time to first byte p50/p99 · total p50 ms (streams per cell, tailgate openai: ${streamsRead})`, 'tailgate − direct ttfb p50/p99');
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
    for (const n of ran) {
      const m = results[n].rss;
      if (m) line(`  ${pad(n, 14)} ${lpad(f2(m.idleMB), 5)} → ${lpad(f2(m.peakMB), 5)}${MAIN_TARGETS.includes(n) ? '' : ` (JSON c=${VARIANT_CONCURRENCY.join('/')} only)`}`);
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
  renderVariants(results, line);

  const others = ran.flatMap((n) => Object.values(results[n].cells).filter(isRes).map((r) => r.cpu.other ?? 0)).sort((x, y) => x - y);
  if (others.length) {
    const noisy = others.filter((o) => o >= NOISY).length;
    line();
    line(`* load side (mock + load generator, cpu1) ≥90% busy: the target was not the limit, read as "at least".`);
    line(`~ processes outside the benchmark used ≥${NOISY}% of a core during the cell (averaged over its turns). This run: median ${others[others.length >> 1]}%,`);
    line(`  max ${others[others.length - 1]}%, ${noisy}/${others.length} cells marked.`);
  }
  return out.join('\n');
}
