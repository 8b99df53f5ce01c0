/** What went wrong, independent of how a dialect spells it. */
export type ErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'request_too_large'
  | 'request_timeout'
  | 'rate_limit'
  | 'upstream_unreachable'
  | 'upstream_timeout'
  | 'overloaded'
  | 'unavailable'
  | 'internal';

const statusOf: Record<ErrorKind, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  request_timeout: 408,
  request_too_large: 413,
  rate_limit: 429,
  internal: 500,
  upstream_unreachable: 502,
  overloaded: 503,
  unavailable: 503,
  upstream_timeout: 504,
};

/** The kind an upstream's HTTP status means, when its body names no known error type. */
export function kindOfStatus(status: number): ErrorKind {
  if (status === 429) return 'rate_limit';
  if (status === 401) return 'authentication';
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 503) return 'overloaded';
  if (status === 504) return 'upstream_timeout';
  return status < 500 ? 'invalid_request' : 'internal';
}

/**
 * An error the gateway itself answers with. The message is shown to the caller, so it must
 * never contain a provider key, an upstream address or a stack trace.
 */
export class GatewayError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  /** Seconds, passed on as `retry-after`. */
  readonly retryAfter?: string;

  constructor(kind: ErrorKind, message: string, options: { status?: number; retryAfter?: string } = {}) {
    super(message);
    this.kind = kind;
    this.status = options.status ?? statusOf[kind];
    this.retryAfter = options.retryAfter;
  }
}
