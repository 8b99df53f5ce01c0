import type { CallRecord } from '../recording/call-record.ts';
import { epochMs } from './call-rows.ts';
import type { Sums } from './read-models.ts';

export type { Sums };

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

type RollupKey = { bucket: number; login: string; agent: string; model: string; provider: string };
/** Sums of a set of calls with their latency: total (`latencyMsSum`) and the slowest call (`latencyMsMax`). */
export type CallSums = Sums & { latencyMsSum: number; latencyMsMax: number };

/**
 * One totals row (rollups_*): the sums of the calls of one (bucket, login, agent, model, provider), every
 * outcome, and `failed`, the same sums over its failed calls (outcome not `ok`; their count is `errors`).
 * The `ok` calls' share is the row minus `failed`, so a status filter reads the same rows as an
 * unfiltered read. `failed.latencyMsMax` is the slowest failed call (0 when there is none).
 */
export type RollupRow = RollupKey & CallSums & { failed: CallSums };
/**
 * One failed-rollup row (failed_rollups_*): the sums of the failed calls of one rollup key and outcome,
 * which serve a filter to one failed outcome.
 */
export type FailedRollupRow = RollupKey & CallSums & { outcome: string };
/**
 * `agent` is the agent of the session's earliest call that named one (`agentAt` is that call's start;
 * ties go to the smaller name), so the result does not depend on the order calls arrive in.
 */
export type SessionRow = Sums & { sessionId: string; login: string; agent: string; agentAt: number; firstAt: number; lastAt: number };

/** Whether a call's agent (known, started at `at`) should become the session's. Mirrored by the upsert in write.ts. */
export function takesAgent(session: { agent: string; agentAt: number }, agent: string, at: number): boolean {
  return agent !== '' && (session.agent === '' || at < session.agentAt || (at === session.agentAt && agent < session.agent));
}
export type SessionModelRow = { sessionId: string; login: string; model: string; provider: string };

function zero(): Sums {
  return { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costUsd: 0, unpricedRequests: 0 };
}

function addTo(sums: Sums, r: CallRecord): void {
  sums.requests += 1;
  if (r.outcome !== 'ok') sums.errors += 1;
  sums.inputTokens += r.usage.inputTokens ?? 0;
  sums.outputTokens += r.usage.outputTokens ?? 0;
  sums.cacheReadTokens += r.usage.cacheReadTokens ?? 0;
  sums.cacheWriteTokens += r.usage.cacheWriteTokens ?? 0;
  sums.reasoningTokens += r.usage.reasoningTokens ?? 0;
  if (r.costUsd === undefined) sums.unpricedRequests += 1;
  else sums.costUsd += r.costUsd;
}

function emptySums(): CallSums {
  return { ...zero(), latencyMsSum: 0, latencyMsMax: 0 };
}

/** Adds a call to sums with latency. */
function addCall(sums: CallSums, r: CallRecord, latency: number): void {
  addTo(sums, r);
  sums.latencyMsSum += latency;
  sums.latencyMsMax = Math.max(sums.latencyMsMax, latency);
}

/** Adds a call to the row of `key`, made by `make` if it is new; returns the row. */
function addRollup<R extends CallSums>(map: Map<string, R>, key: string, make: () => R, r: CallRecord, latency: number): R {
  let row = map.get(key);
  if (!row) map.set(key, (row = make()));
  addCall(row, r, latency);
  return row;
}

/**
 * Rollup and session increments for a set of newly stored calls, merged per key so each key is one
 * upsert (PostgreSQL refuses to upsert the same key twice in one statement). Rollups are bucketed by
 * `startedAt` in UTC, like the calls page is ordered; a failed call counts in its totals row (and that
 * row's failed share) and in the failed rollup row of its outcome. The seeding script feeds 10M calls
 * through this same class, so seeded rollups are what `insertCalls` would have produced.
 */
export class Rollups {
  readonly hourly = new Map<string, RollupRow>();
  readonly daily = new Map<string, RollupRow>();
  readonly sessions = new Map<string, SessionRow>();
  readonly sessionModels = new Map<string, SessionModelRow>();

  /** Failed calls only, keyed by outcome too (the failed_rollups_* tables): a small share of all calls. */
  readonly failedHourly = new Map<string, FailedRollupRow>();
  readonly failedDaily = new Map<string, FailedRollupRow>();

  add(r: CallRecord): void {
    const startedAt = epochMs(r.startedAt);
    const latency = Math.max(0, epochMs(r.endedAt) - startedAt);
    const dims = { login: r.login ?? '', agent: r.agent ?? '', model: r.model ?? '', provider: r.provider ?? '' };
    for (const [totals, failed, grain] of [[this.hourly, this.failedHourly, HOUR_MS], [this.daily, this.failedDaily, DAY_MS]] as const) {
      const bucket = Math.floor(startedAt / grain) * grain;
      const key = `${bucket}\0${dims.login}\0${dims.agent}\0${dims.model}\0${dims.provider}`;
      const row = addRollup(totals, key, () => ({ bucket, ...dims, ...emptySums(), failed: emptySums() }), r, latency);
      if (r.outcome === 'ok') continue;
      addCall(row.failed, r, latency);
      addRollup(failed, `${key}\0${r.outcome}`, () => ({ bucket, ...dims, outcome: r.outcome, ...emptySums() }), r, latency);
    }
    if (r.sessionId === undefined) return;
    const sessionKey = `${r.sessionId}\0${dims.login}`;
    let session = this.sessions.get(sessionKey);
    if (!session) this.sessions.set(sessionKey, (session = { sessionId: r.sessionId, login: dims.login, agent: '', agentAt: 0, firstAt: startedAt, lastAt: startedAt, ...zero() }));
    addTo(session, r);
    session.firstAt = Math.min(session.firstAt, startedAt);
    session.lastAt = Math.max(session.lastAt, startedAt);
    if (takesAgent(session, dims.agent, startedAt)) {
      session.agent = dims.agent;
      session.agentAt = startedAt;
    }
    if (r.model !== undefined) {
      this.sessionModels.set(`${sessionKey}\0${r.model}\0${dims.provider}`, { sessionId: r.sessionId, login: dims.login, model: r.model, provider: dims.provider });
    }
  }

  /**
   * Rows in key order. Upserting in one global order means two PostgreSQL replicas writing overlapping
   * keys wait for each other instead of deadlocking.
   */
  static sorted<T>(map: Map<string, T>): T[] {
    return [...map.keys()].sort().map((key) => map.get(key)!);
  }
}
