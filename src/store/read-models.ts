/** What the store's reads return: plain data, shared by the usage API and the web UI. */

export type GroupBy = 'user' | 'agent' | 'model' | 'provider' | 'day' | 'hour';

/** Filters every read takes. `login` set = the viewer is a user and sees only their own calls. */
export type Filters = {
  from?: number;
  to?: number;
  login?: string;
  model?: string;
  agent?: string;
  provider?: string;
  outcome?: string;
};

/** One row of `GET /api/usage`, aggregated from rollups (never from raw calls). */
export type UsageRow = {
  key: string;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costUsd: number;
  /** Calls whose cost was unknown (unpriced model or unreported usage): not counted as $0 silently. */
  unpricedRequests: number;
  latencyMsAvg: number;
  latencyMsMax: number;
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
