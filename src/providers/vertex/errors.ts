import type { ResponseHeaders } from '../../dialects/dialect.ts';
import { GatewayError, kindOfStatus, type ErrorKind } from '../../dialects/gateway-error.ts';

// Vertex's front end answers errors in Google's shape, `{"error":{"code","message","status"}}`
// (sometimes wrapped in an array on stream paths); the Anthropic model behind rawPredict answers in
// Anthropic's own shape, which an Anthropic caller can take as it is.
const kinds: Record<string, ErrorKind> = {
  INVALID_ARGUMENT: 'invalid_request',
  FAILED_PRECONDITION: 'invalid_request',
  OUT_OF_RANGE: 'invalid_request',
  UNAUTHENTICATED: 'authentication',
  PERMISSION_DENIED: 'permission',
  NOT_FOUND: 'not_found',
  RESOURCE_EXHAUSTED: 'rate_limit',
  UNAVAILABLE: 'overloaded',
  DEADLINE_EXCEEDED: 'upstream_timeout',
  INTERNAL: 'internal',
};

function kindOf(status: number, code: string | undefined): ErrorKind {
  return (code && kinds[code]) || kindOfStatus(status);
}

/** A Vertex error for an Anthropic Messages caller; undefined when it already is an Anthropic error. */
export function mapVertexError(providerId: string, status: number, headers: ResponseHeaders, body: Buffer): GatewayError | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed)) parsed = parsed[0];
  const object = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { type?: unknown; error?: { message?: unknown; status?: unknown } };
  if (object.type === 'error') return undefined;
  const code = typeof object.error?.status === 'string' ? object.error.status : undefined;
  const kind = kindOf(status, code);
  let message = typeof object.error?.message === 'string' ? object.error.message.slice(0, 2000) : `provider ${providerId} answered ${status}${code ? ` ${code}` : ''}`;
  if (kind === 'authentication' || kind === 'permission') message = `provider ${providerId} refused the gateway's Google credentials${code ? ` (${code})` : ''}`;
  const retryAfter = headers['retry-after'];
  return new GatewayError(kind, message, { status, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter });
}
