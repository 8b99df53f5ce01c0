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

// The server's own types (plain data, no Node types): one definition, so the UI cannot drift from the API.
export type { CallRecord } from '../recording/call-record.ts';
export type { SessionSummary, UsageRow } from '../store/read-models.ts';

export type Whoami = { login: string; kind: string; source: string; display_name?: string; role: 'admin' | 'user' | null; models: string[] };

export type Series = { key: string; other?: boolean; requests: number[]; errors: number[]; inputTokens: number[]; outputTokens: number[]; cacheReadTokens: number[]; cacheWriteTokens: number[]; reasoningTokens: number[]; costUsd: number[] };
export type SeriesResponse = { stack: string; bucket: 'day' | 'hour'; buckets: string[]; series: Series[] };

