import type { Dialect } from '../dialect.ts';
import type { ErrorKind, GatewayError } from '../gateway-error.ts';

// Bedrock's REST-JSON errors: the type in the `x-amzn-ErrorType` header, the body `{"message":"…"}`
// (providers.md §1.5; https://docs.aws.amazon.com/bedrock/latest/APIReference/CommonErrors.html).
// The AWS SDK names the thrown exception after the header.
const typeOf: Record<ErrorKind, string> = {
  invalid_request: 'ValidationException',
  authentication: 'UnrecognizedClientException',
  permission: 'AccessDeniedException',
  not_found: 'ResourceNotFoundException',
  request_too_large: 'ValidationException',
  request_timeout: 'ValidationException',
  rate_limit: 'ThrottlingException',
  upstream_unreachable: 'ServiceUnavailableException',
  upstream_timeout: 'ModelTimeoutException',
  overloaded: 'ServiceUnavailableException',
  unavailable: 'ServiceUnavailableException',
  internal: 'InternalServerException',
};

export const bedrockDialect: Dialect = {
  id: 'bedrock',
  renderError(error: GatewayError): string {
    return JSON.stringify({ message: error.message });
  },
  errorHeaders(error: GatewayError): Record<string, string> {
    return { 'x-amzn-errortype': typeOf[error.kind] };
  },
};
