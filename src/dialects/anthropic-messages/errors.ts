import type { Dialect } from '../dialect.ts';
import type { ErrorKind, GatewayError } from '../gateway-error.ts';

// https://docs.claude.com/en/api/errors — `{"type":"error","error":{"type","message"}}`
const typeOf: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  request_too_large: 'request_too_large',
  request_timeout: 'invalid_request_error',
  rate_limit: 'rate_limit_error',
  upstream_unreachable: 'api_error',
  upstream_timeout: 'timeout_error',
  overloaded: 'overloaded_error',
  unavailable: 'api_error',
  internal: 'api_error',
};

export const anthropicDialect: Dialect = {
  id: 'anthropic',
  renderError(error: GatewayError): string {
    return JSON.stringify({ type: 'error', error: { type: typeOf[error.kind], message: error.message } });
  },
};
