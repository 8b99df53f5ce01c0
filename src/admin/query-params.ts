import { GatewayError } from '../dialects/gateway-error.ts';
import type { Outcome } from '../recording/call-record.ts';
import { ANY_ERROR } from '../store/read-models.ts';
import type { Filters, GroupBy } from '../store/store.ts';

const groupings = new Set<GroupBy>(['user', 'agent', 'model', 'provider', 'day', 'hour']);
const day = 86_400_000;
// A Record so that a new Outcome fails to compile until it is listed here.
const outcomes: Record<Outcome | typeof ANY_ERROR, true> = { ok: true, aborted: true, upstream_error: true, client_error: true, gateway_error: true, denied: true, [ANY_ERROR]: true };

/** `2026-11-01`, an ISO timestamp, epoch milliseconds, or a span back from now (`7d`, `24h`). */
export function parseTime(text: string | null, now: number): number | undefined {
  if (text === null || text === '') return undefined;
  const span = /^(\d+)([dhm])$/.exec(text);
  if (span) return now - Number(span[1]) * { d: day, h: 3_600_000, m: 60_000 }[span[2] as 'd' | 'h' | 'm'];
  if (/^\d{10,}$/.test(text)) return Number(text);
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) throw new GatewayError('invalid_request', `"${text}" is not a time (use ISO 8601, epoch ms, or a span like 7d)`);
  return parsed;
}

/** A call outcome, or `errors` for every outcome but ok; a typo is refused rather than matching nothing. */
export function parseOutcome(text: string | null): string | undefined {
  if (text === null || text === '') return undefined;
  if (!Object.hasOwn(outcomes, text)) throw new GatewayError('invalid_request', `outcome must be one of ${Object.keys(outcomes).join(', ')}`);
  return text;
}

export function parseGroupBy(text: string | null): GroupBy {
  const value = (text ?? 'day') as GroupBy;
  if (!groupings.has(value)) throw new GatewayError('invalid_request', `group_by must be one of ${[...groupings].join(', ')}`);
  return value;
}

/**
 * Filters from the query string. A caller who is not an admin is pinned to their own login,
 * whatever `user` they asked for: users see only their own data.
 */
export function parseFilters(params: URLSearchParams, viewer: { login: string; admin: boolean }, now: number, defaults: { sinceMs?: number } = {}): Filters {
  const from = parseTime(params.get('from'), now) ?? (defaults.sinceMs !== undefined ? now - defaults.sinceMs : undefined);
  const to = parseTime(params.get('to'), now);
  const optional = (name: string) => params.get(name) || undefined;
  return {
    from,
    to,
    login: viewer.admin ? optional('user') : viewer.login,
    model: optional('model'),
    agent: optional('agent'),
    provider: optional('provider'),
    outcome: parseOutcome(params.get('outcome')),
  };
}

export function parseLimit(text: string | null): number {
  const limit = text ? Number(text) : 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new GatewayError('invalid_request', 'limit must be an integer from 1 to 1000');
  return limit;
}
