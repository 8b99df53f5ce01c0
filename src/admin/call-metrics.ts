import type { CallRecord, Outcome } from '../recording/call-record.ts';
import type { Recorder } from '../recording/recorder.ts';

// Per-call counters and histograms for `/metrics`, kept in this process's memory: Prometheus scrapes
// each replica, and the dashboards' history lives in the store's rollups. Labels are the provider and
// the model only as routed (from the config), never a model name a client made up, and never the
// caller: a per-user series would grow without bound; the usage API answers per user.

/** Seconds. LLM calls run from milliseconds (count_tokens, refusals) to minutes (long streams). */
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Seconds. The gateway's own part: identity, routing, grants, hooks, credentials (`overheadMs`). */
const overheadBuckets = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const tokenKinds = [
  ['input', 'inputTokens'],
  ['output', 'outputTokens'],
  ['cache_read', 'cacheReadTokens'],
  ['cache_write', 'cacheWriteTokens'],
  ['reasoning', 'reasoningTokens'],
] as const;

class Histogram {
  readonly bounds: readonly number[];
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Array<number>(bounds.length).fill(0);
  }
  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    const bucket = this.bounds.findIndex((bound) => seconds <= bound);
    if (bucket >= 0) this.counts[bucket]++;
  }
  /** Prometheus' cumulative `_bucket` lines, then `_sum` and `_count`. */
  write(lines: string[], name: string, labels: string): void {
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += this.counts[i];
      lines.push(`${name}_bucket{${labels},le="${bound}"} ${cumulative}`);
    });
    lines.push(`${name}_bucket{${labels},le="+Inf"} ${this.count}`, `${name}_sum{${labels}} ${this.sum}`, `${name}_count{${labels}} ${this.count}`);
  }
}

const outcomes: readonly Outcome[] = ['ok', 'aborted', 'upstream_error', 'client_error', 'gateway_error', 'denied'];

type Series = {
  labels: string;
  /** By status × 8 + the outcome's index: no string built per call. */
  ended: Map<number, number>;
  tokens: number[];
  costUsd: number;
  duration: Histogram;
  firstByte: Histogram;
  overhead: Histogram;
};

const escape = (value: string) => value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));

export type CallMetrics = Recorder & {
  /** The exposition lines of every series so far. */
  write(lines: string[]): void;
};

export function createCallMetrics(): CallMetrics {
  // By provider, then model: two lookups instead of a key string built per call.
  const series = new Map<string, Map<string, Series>>();

  function seriesOf(provider: string, model: string): Series {
    let models = series.get(provider);
    if (!models) series.set(provider, (models = new Map()));
    let found = models.get(model);
    if (!found) {
      found = {
        labels: `provider="${escape(provider)}",model="${escape(model)}"`,
        ended: new Map(),
        tokens: tokenKinds.map(() => 0),
        costUsd: 0,
        duration: new Histogram(durationBuckets),
        firstByte: new Histogram(durationBuckets),
        overhead: new Histogram(overheadBuckets),
      };
      models.set(model, found);
    }
    return found;
  }

  const help = (lines: string[], name: string, type: string, text: string) => lines.push(`# HELP ${name} ${text}`, `# TYPE ${name} ${type}`);

  return {
    record(call: CallRecord) {
      // An unrouted call (unknown model, refused before routing) has no provider: its model is the
      // client's text and stays out of the labels.
      const s = call.provider ? seriesOf(call.provider, call.model ?? '') : seriesOf('', '');
      const ended = call.status * 8 + outcomes.indexOf(call.outcome);
      s.ended.set(ended, (s.ended.get(ended) ?? 0) + 1);
      tokenKinds.forEach(([, key], i) => (s.tokens[i] += call.usage[key] ?? 0));
      s.costUsd += call.costUsd ?? 0;
      s.duration.observe((call.endedAt - call.startedAt) / 1000);
      if (call.firstByteAt !== undefined) s.firstByte.observe((call.firstByteAt - call.startedAt) / 1000);
      if (call.provider) s.overhead.observe(call.overheadMs / 1000);
      return Promise.resolve();
    },

    write(lines) {
      const all = [...series.values()].flatMap((models) => [...models.values()]);
      help(lines, 'tailgate_requests_total', 'counter', 'Calls that ended, by routed provider and model, outcome and HTTP status.');
      for (const s of all) {
        for (const [ended, count] of s.ended) lines.push(`tailgate_requests_total{${s.labels},outcome="${outcomes[ended % 8]}",status="${Math.floor(ended / 8)}"} ${count}`);
      }
      help(lines, 'tailgate_tokens_total', 'counter', 'Tokens the providers reported, by kind (input includes cache reads and writes; output includes reasoning).');
      for (const s of all) tokenKinds.forEach(([kind], i) => s.tokens[i] > 0 && lines.push(`tailgate_tokens_total{${s.labels},kind="${kind}"} ${s.tokens[i]}`));
      help(lines, 'tailgate_cost_usd_total', 'counter', 'Cost of the calls whose price and usage are known, in US dollars.');
      for (const s of all) if (s.costUsd > 0) lines.push(`tailgate_cost_usd_total{${s.labels}} ${s.costUsd}`);
      help(lines, 'tailgate_request_duration_seconds', 'histogram', 'From the request to the last byte sent to the client.');
      for (const s of all) s.duration.write(lines, 'tailgate_request_duration_seconds', s.labels);
      help(lines, 'tailgate_time_to_first_byte_seconds', 'histogram', 'From the request to the first response byte sent to the client.');
      for (const s of all) if (s.firstByte.count > 0) s.firstByte.write(lines, 'tailgate_time_to_first_byte_seconds', s.labels);
      help(lines, 'tailgate_gateway_overhead_seconds', 'histogram', 'Time the gateway spent before the upstream request left: reading and checking the request, identity, grants, hooks, credentials.');
      for (const s of all) if (s.overhead.count > 0) s.overhead.write(lines, 'tailgate_gateway_overhead_seconds', s.labels);
    },
  };
}
