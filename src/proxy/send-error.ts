import type { ServerResponse } from 'node:http';
import type { Dialect } from '../dialects/dialect.ts';
import type { GatewayError } from '../dialects/gateway-error.ts';

/** Answers with the gateway's own error in the caller's dialect, carrying the request id. */
export function sendError(response: ServerResponse, dialect: Dialect, error: GatewayError, requestId: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = dialect.renderError(error);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'x-request-id': requestId,
  };
  if (dialect.id === 'anthropic') headers['request-id'] = requestId;
  if (error.retryAfter) headers['retry-after'] = error.retryAfter;
  if (dialect.errorHeaders) Object.assign(headers, dialect.errorHeaders(error));
  response.writeHead(error.status, headers).end(body);
}
