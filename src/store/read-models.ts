/** What the store's reads return: plain data, shared by the usage API and the web UI. */

export type GroupBy = 'user' | 'agent' | 'model' | 'provider' | 'day' | 'hour';

/**
 * `outcome` filter value meaning every outcome but `ok`: the calls a usage row's `errors` counts
 * (the UI's "Errors only" status sends it as is).
 */
export const ANY_ERROR = 'errors';

/** Filters every read takes. `login` set = the viewer is a user and sees only their own calls. */
export type Filters = {
  from?: number;
  to?: number;
  login?: string;
  model?: string;
  agent?: string;
  provider?: string;
  /** One call outcome (`ok`, `upstream_error`, …), or ANY_ERROR. Sessions and tool calls ignore it. */
  outcome?: string;
};

/**
 * The additive part of a usage row, a rollup row and a session row. Unknown token counts and costs stay
 * out of the sums.
 */
export type Sums = {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costUsd: number;
  /** Calls whose cost was unknown (unpriced model or unreported usage): counted, so a dashboard never shows unknown spend as $0. */
  unpricedRequests: number;
};

/** One row of `GET /api/usage`, aggregated from rollups (never from raw calls). */
export type UsageRow = Sums & {
  key: string;
  latencyMsAvg: number;
  /**
   * The slowest call's latency. Filtered to `ok` it is null when unknown: the rollups keep the slowest
   * call of all and the slowest failed one, not the slowest ok one, so it is known only when the
   * slowest call of all is slower than every failed call (then it was ok).
   */
  latencyMsMax: number | null;
};

export type Page<T> = { items: T[]; nextCursor?: string };

export type SessionSummary = {
  sessionId: string;
  login?: string;
  agent?: string;
  firstAt: number;
  lastAt: number;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  models: string[];
};

export type ToolCallRow = { callId: string; at: number; login?: string; agent?: string; model?: string; sessionId?: string; id?: string; name: string; arguments: string };
