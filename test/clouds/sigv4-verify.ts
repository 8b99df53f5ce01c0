// An independent SigV4 verifier for the fake Bedrock: written from AWS's specification
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html) with
// node:crypto only — no AWS package — so a signature the gateway makes with @smithy/signature-v4
// is checked by a second implementation, not by the same code.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type AwsSecret = { secretAccessKey: string; sessionToken?: string; expired?: boolean };
export type Verdict =
  | { ok: true; accessKeyId: string; signedHeaders: string[]; date: string }
  | { ok: false; status: number; type: string; message: string };

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 percent-encoding of everything but the unreserved characters, as SigV4 requires. */
export function uriEncode(value: string): string {
  return Buffer.from(value, 'utf8')
    .toString('latin1')
    .replace(/[^A-Za-z0-9\-._~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** `20150830T123600Z` → epoch ms. */
export function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
}

export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export type SignableRequest = { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: Buffer };

/**
 * The canonical request for a non-S3 service: each segment of the (already percent-encoded) path is
 * encoded once more, the query sorted, the signed headers lower-cased with values trimmed.
 */
export function canonicalRequest(request: SignableRequest, signedHeaders: string[], payloadHash: string): string {
  const [rawPath, rawQuery = ''] = request.path.split(/\?(.*)/s, 2);
  const canonicalPath = rawPath
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/');
  const query = rawQuery
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [key, value = ''] = pair.split('=');
      return [uriEncode(decodeURIComponent(key)), uriEncode(decodeURIComponent(value))] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const headerLines = signedHeaders.map((name) => {
    const value = request.headers[name];
    const text = Array.isArray(value) ? value.join(',') : value ?? '';
    return `${name}:${text.trim().replace(/\s+/g, ' ')}\n`;
  });
  return [request.method, canonicalPath, query, headerLines.join(''), signedHeaders.join(';'), payloadHash].join('\n');
}

export function signature(secretAccessKey: string, date: string, region: string, service: string, stringToSign: string): string {
  const kDate = hmac(`AWS4${secretAccessKey}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  const kSigning = hmac(kService, 'aws4_request');
  return createHmac('sha256', kSigning).update(stringToSign).digest('hex');
}

/** Checks one request's `Authorization: AWS4-HMAC-SHA256 …` the way an AWS front end does. */
export function verifySigV4(
  request: SignableRequest,
  secrets: ReadonlyMap<string, AwsSecret>,
  options: { service: string; region: string; now: number; maxSkewMs?: number },
): Verdict {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const authorization = header('authorization') ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!m) return { ok: false, status: 403, type: 'IncompleteSignatureException', message: 'Authorization header requires Credential, SignedHeaders and Signature' };
  const [, accessKeyId, date, region, service, signedList, given] = m;
  const secret = secrets.get(accessKeyId);
  if (!secret) return { ok: false, status: 403, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  if (secret.expired) return { ok: false, status: 403, type: 'ExpiredTokenException', message: 'The security token included in the request is expired' };
  if (region !== options.region || service !== options.service) return { ok: false, status: 403, type: 'InvalidSignatureException', message: `Credential should be scoped to a valid region and service (${options.region}/${options.service})` };
  const signedHeaders = signedList.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) return { ok: false, status: 403, type: 'InvalidSignatureException', message: 'host and x-amz-date must be signed' };
  if ([...signedHeaders].sort().join(';') !== signedList) return { ok: false, status: 403, type: 'InvalidSignatureException', message: 'SignedHeaders must be sorted' };
  const amzDate = header('x-amz-date') ?? '';
  const when = parseAmzDate(amzDate);
  if (!Number.isFinite(when) || !amzDate.startsWith(date)) return { ok: false, status: 403, type: 'IncompleteSignatureException', message: 'x-amz-date is missing or does not match the credential scope' };
  const maxSkew = options.maxSkewMs ?? 5 * 60_000;
  if (Math.abs(options.now - when) > maxSkew) {
    return { ok: false, status: 403, type: 'InvalidSignatureException', message: `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(options.now - maxSkew)} (${formatAmzDate(options.now)} - 5 min.)` };
  }
  if (secret.sessionToken !== undefined && (header('x-amz-security-token') !== secret.sessionToken || !signedHeaders.includes('x-amz-security-token'))) {
    return { ok: false, status: 403, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  }
  const payloadHash = sha256(request.body);
  const declared = header('x-amz-content-sha256');
  if (declared !== undefined && declared !== payloadHash) return { ok: false, status: 400, type: 'InvalidSignatureException', message: 'The provided x-amz-content-sha256 header does not match what was computed.' };
  const canonical = canonicalRequest(request, signedHeaders, payloadHash);
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, `${date}/${region}/${service}/aws4_request`, sha256(canonical)].join('\n');
  const expected = signature(secret.secretAccessKey, date, region, service, stringToSign);
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(given))) {
    return { ok: false, status: 403, type: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided.' };
  }
  return { ok: true, accessKeyId, signedHeaders, date: amzDate };
}
