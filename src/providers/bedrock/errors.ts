import type { ResponseHeaders } from '../../dialects/dialect.ts';
import { GatewayError, kindOfStatus, type ErrorKind } from '../../dialects/gateway-error.ts';

// Bedrock names its errors in `x-amzn-ErrorType` (`ThrottlingException:http://…` on the wire) with a
// body `{"message":"…"}`, and stream exceptions in `:exception-type` (`throttlingException`)
// (providers.md §1.5; https://docs.aws.amazon.com/bedrock/latest/APIReference/CommonErrors.html).
const kinds: Record<string, ErrorKind> = {
  throttlingexception: 'rate_limit',
  servicequotaexceededexception: 'rate_limit',
  toomanyrequestsexception: 'rate_limit',
  validationexception: 'invalid_request',
  accessdeniedexception: 'permission',
  unrecognizedclientexception: 'authentication',
  invalidsignatureexception: 'authentication',
  signaturedoesnotmatch: 'authentication',
  expiredtokenexception: 'authentication',
  incompletesignatureexception: 'authentication',
  missingauthenticationtokenexception: 'authentication',
  resourcenotfoundexception: 'not_found',
  modelnotreadyexception: 'unavailable',
  serviceunavailableexception: 'overloaded',
  modeltimeoutexception: 'upstream_timeout',
  internalserverexception: 'internal',
  modelerrorexception: 'internal',
  modelstreamerrorexception: 'internal',
};

/** `ThrottlingException` from `ThrottlingException:http://internal.amazon.com/coral/…`. */
export function errorTypeOf(headers: ResponseHeaders): string {
  const value = headers['x-amzn-errortype'];
  return (Array.isArray(value) ? value[0] : value ?? '').split(':')[0];
}

function kindOf(type: string, status: number): ErrorKind {
  return kinds[type.toLowerCase()] ?? kindOfStatus(status);
}

function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A Bedrock error answer as the gateway's own error, for a caller that speaks another dialect:
 * the upstream's status and `retry-after` kept, its message kept unless it is about the gateway's
 * own AWS credentials (which would show the caller our account and role).
 */
export function mapBedrockError(providerId: string, status: number, headers: ResponseHeaders, body: Buffer): GatewayError {
  const type = errorTypeOf(headers);
  const kind = kindOf(type, status);
  let message: string | undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { message?: unknown; Message?: unknown };
    const text = parsed.message ?? parsed.Message;
    if (typeof text === 'string') message = text.slice(0, 2000);
  } catch {
    // not JSON: the type alone
  }
  if (kind === 'authentication' || kind === 'permission') message = `provider ${providerId} refused the gateway's AWS credentials${type ? ` (${type})` : ''}`;
  return new GatewayError(kind, message ?? `provider ${providerId} answered ${status}${type ? ` ${type}` : ''}`, { status, retryAfter: header(headers, 'retry-after') });
}

/** A stream exception (`throttlingException`, `modelStreamErrorException`, …) as an error kind. */
export function exceptionKind(exceptionType: string): ErrorKind {
  return kindOf(exceptionType, 500);
}
