// What the benchmark measures, pinned so two runs compare: settings, request bodies, cell names.
// Change a number here and results stop being comparable with earlier runs.
import type { CellResult, Mode } from './load.ts';

export const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1000);
export const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
export const TARGETS = (process.env.BENCH_TARGETS ?? 'direct,bare,tailgate,portkey').split(',').map((s) => s.trim()).filter(Boolean);
export const JSON_CONCURRENCY = [1, 16, 64];
export const STREAM_CONCURRENCY = [1, 16];
export const STREAM_DELTAS = 20; // per SSE stream in the streaming cells, 1 ms apart
export const CHECK_CHUNKS = 1000; // the no-buffering check, 1 ms apart
export const NOISY = 15; // % of a core used by processes outside the benchmark during a cell

export type Api = 'openai' | 'anthropic';
export const APIS: Api[] = ['openai', 'anthropic'];

// Fixed request bodies. Stream directives ride in the message text (see mock-upstream.ts).
const SYSTEM = 'You are a concise assistant.';
const PROMPT = 'Say hello in one short sentence.';
export function body(api: Api, mode: Mode): string {
  const stream = mode !== 'json';
  const directive = mode === 'chunks' ? ` chunks=${CHECK_CHUNKS} delay=1` : mode === 'stream' ? ` chunks=${STREAM_DELTAS} delay=1` : '';
  if (api === 'openai') {
    return JSON.stringify({
      model: 'gpt-4.1', max_tokens: 64, temperature: 0,
      messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: PROMPT + directive }],
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    });
  }
  return JSON.stringify({
    model: 'claude-sonnet-4-5', max_tokens: 64, system: SYSTEM,
    messages: [{ role: 'user', content: PROMPT + directive }],
    ...(stream ? { stream: true } : {}),
  });
}
export const PATHS: Record<Api, string> = { openai: '/v1/chat/completions', anthropic: '/v1/messages' };

export type CellKey = string; // e.g. "json openai c=16"
export type CellOutcome = (CellResult & { retriedOther?: number[] }) | { skipped: string };
export type TargetResult = {
  status: 'ok' | 'failed' | 'skipped'; reason?: string; label: string; version?: string;
  rss?: { idleMB: number; peakMB: number; hwmMB: number; byCellMB: Record<CellKey, number> };
  cells: Record<CellKey, CellOutcome>;
};
export const key = (mode: Mode, api: Api, c = 1): CellKey => (mode === 'chunks' ? `chunks ${api}` : `${mode} ${api} c=${c}`);
