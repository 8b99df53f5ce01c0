import type { Dialect } from '../dialect.ts';
import type { ErrorKind, GatewayError } from '../gateway-error.ts';

// https://platform.openai.com/docs/guides/error-codes — `{"error":{"message","type","param","code"}}`
const typeOf: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  request_timeout: 'invalid_request_error',
  rate_limit: 'rate_limit_error',
  upstream_unreachable: 'server_error',
  upstream_timeout: 'server_error',
  overloaded: 'server_error',
  unavailable: 'server_error',
  internal: 'server_error',
};

const codeOf: Partial<Record<ErrorKind, string>> = {
  not_found: 'model_not_found',
  request_too_large: 'request_too_large',
  request_timeout: 'request_timeout',
  rate_limit: 'rate_limit_exceeded',
  upstream_unreachable: 'upstream_unreachable',
  upstream_timeout: 'upstream_timeout',
};

/** OpenAI's error shape, shared by Chat Completions, Responses and Embeddings. */
export const openaiDialect: Dialect = {
  id: 'openai',
  renderError(error: GatewayError): string {
    return JSON.stringify({
      error: { message: error.message, type: typeOf[error.kind], param: null, code: codeOf[error.kind] ?? null },
    });
  },
};
