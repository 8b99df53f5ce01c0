/** Thin fetch wrapper: every request carries the browser's identity (the network decides who it is). */
export class ApiError extends Error {
  readonly status: number;
  readonly body: any;
  constructor(status: number, message: string, body: any) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export async function api<T = any>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: 'same-origin',
  });
  const text = await response.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!response.ok) {
    const message = (body && typeof body === 'object' && body.error?.message) || `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message, body);
  }
  return body as T;
}

/** `?a=1&b=2`, leaving out empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export type Whoami = { login: string; kind: string; source: string; display_name?: string; role: 'admin' | 'user' | null; models: string[] };

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
  unpricedRequests: number;
  latencyMsAvg: number;
  latencyMsMax: number;
};

export type Series = { key: string; other?: boolean; requests: number[]; errors: number[]; inputTokens: number[]; outputTokens: number[]; cacheReadTokens: number[]; cacheWriteTokens: number[]; reasoningTokens: number[]; costUsd: number[] };
export type SeriesResponse = { stack: string; bucket: 'day' | 'hour'; buckets: string[]; series: Series[] };

export type CallRecord = {
  id: string;
  startedAt: number;
  firstByteAt?: number;
  endedAt: number;
  overheadMs: number;
  method: string;
  path: string;
  endpoint?: string;
  login?: string;
  identitySource?: string;
  node?: string;
  tags?: string[];
  userAgent?: string;
  agent?: string;
  sessionId?: string;
  provider?: string;
  model?: string;
  upstreamModel?: string;
  responseModel?: string;
  stream: boolean;
  status: number;
  outcome: string;
  errorKind?: string;
  usage: { inputTokens?: number; outputTokens?: number; cacheReadTokens?: number; cacheWriteTokens?: number; cacheWrite5mTokens?: number; cacheWrite1hTokens?: number; reasoningTokens?: number };
  costUsd?: number;
  costBasis?: string;
  toolCalls: { id?: string; name: string; arguments: string }[];
  finishReason?: string;
  bytesIn: number;
  bytesOut: number;
};

export type SessionSummary = { sessionId: string; login?: string; agent?: string; firstAt: number; lastAt: number; requests: number; inputTokens: number; outputTokens: number; costUsd: number; models: string[] };
