import type { Dialect } from '../dialect.ts';
import type { ErrorKind, GatewayError } from '../gateway-error.ts';

// https://ai.google.dev/gemini-api/docs/troubleshooting — `{"error":{"code","message","status"}}`
const statusOf: Record<ErrorKind, string> = {
  invalid_request: 'INVALID_ARGUMENT',
  authentication: 'UNAUTHENTICATED',
  permission: 'PERMISSION_DENIED',
  not_found: 'NOT_FOUND',
  request_too_large: 'INVALID_ARGUMENT',
  request_timeout: 'DEADLINE_EXCEEDED',
  rate_limit: 'RESOURCE_EXHAUSTED',
  upstream_unreachable: 'UNAVAILABLE',
  upstream_timeout: 'DEADLINE_EXCEEDED',
  overloaded: 'UNAVAILABLE',
  unavailable: 'UNAVAILABLE',
  internal: 'INTERNAL',
};

export const geminiDialect: Dialect = {
  id: 'gemini',
  renderError(error: GatewayError): string {
    return JSON.stringify({ error: { code: error.status, message: error.message, status: statusOf[error.kind] } });
  },
};
