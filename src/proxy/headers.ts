import type { ProviderConfig } from '../config/config.ts';

// RFC 9110 §7.6.1 hop-by-hop headers, plus every credential and identity header a caller might
// send: none of them may reach a provider (the caller's key is a placeholder at best, a leak at worst).
const neverForwarded = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'proxy-authorization', 'proxy-authenticate', 'host', 'content-length', 'accept-encoding', 'expect',
  // The body goes upstream decoded (decode-body.ts).
  'content-encoding',
  'authorization', 'x-api-key', 'x-goog-api-key', 'api-key', 'cookie',
  // A caller's own AWS signature parts: the gateway signs for itself (providers/bedrock).
  'x-amz-security-token', 'x-amz-date', 'x-amz-content-sha256',
  'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip',
  'tailscale-user-login', 'tailscale-user-name', 'tailscale-user-profile-pic', 'tailscale-app-capabilities',
]);
const callerCredentials = ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key'];

export type HeaderMap = Record<string, string | string[]>;

/** Puts the provider's credential into the upstream headers; `caller` holds the caller's own. */
export type ApplyCredential = (headers: HeaderMap, caller: HeaderMap, provider: ProviderConfig) => void;

/**
 * Upstream request headers: the caller's headers minus everything above (and anything its
 * `Connection` header names, and HTTP/2 pseudo-headers), then the matching grants' `add_headers`,
 * the provider's credential and the provider's `add_headers`.
 */
export function upstreamHeaders(
  rawHeaders: readonly string[],
  provider: ProviderConfig,
  bodyLength: number,
  grantHeaders: readonly (readonly [string, string])[] = [],
  credential: ApplyCredential = applyCredential,
): HeaderMap {
  const headers: HeaderMap = {};
  const credentials: HeaderMap = {};
  let connectionTokens: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const value = rawHeaders[i + 1];
    if (name.charCodeAt(0) === 58 /* : */) continue; // :method, :path, … of an HTTP/2 request
    if (name === 'connection') connectionTokens = value.toLowerCase().split(',').map((token) => token.trim());
    if (callerCredentials.includes(name)) credentials[name] = value;
    if (neverForwarded.has(name)) continue;
    const known = headers[name];
    headers[name] = known === undefined ? value : [...(Array.isArray(known) ? known : [known]), value];
  }
  for (const token of connectionTokens) delete headers[token];
  // Grant headers (e.g. `X-Project`) before the credential, so no grant can replace the provider key.
  for (const [name, value] of grantHeaders) headers[name] = value;
  credential(headers, credentials, provider);
  for (const [name, value] of provider.addHeaders) headers[name] = value;
  headers['content-length'] = String(bodyLength);
  // We read every response to meter it; an uncompressed body is what the tap can read.
  headers['accept-encoding'] = 'identity';
  return headers;
}

/** Whether the provider's own credential applies: `auth_mode` none never, passthrough only when the caller sent none. */
export function usesProviderCredential(headers: HeaderMap, caller: HeaderMap, provider: ProviderConfig): boolean {
  switch (provider.authMode) {
    case 'none':
      return false;
    case 'passthrough':
      // The caller's own subscription token (aperture.md §3.3); ours only when it sent none.
      if (Object.keys(caller).length > 0) {
        Object.assign(headers, caller);
        return false;
      }
      return true;
    case 'override':
      return true;
  }
}

/** The provider's `apikey` in its `authorization` header. */
export function applyCredential(headers: HeaderMap, caller: HeaderMap, provider: ProviderConfig): void {
  if (!usesProviderCredential(headers, caller, provider) || !provider.apikey) return;
  setKeyHeader(headers, provider.authorization, provider.apikey);
}

export function setKeyHeader(headers: HeaderMap, authorization: ProviderConfig['authorization'], key: string): void {
  switch (authorization) {
    case 'bearer':
      headers.authorization = `Bearer ${key}`;
      return;
    case 'x-api-key':
      headers['x-api-key'] = key;
      return;
    case 'x-goog-api-key':
      headers['x-goog-api-key'] = key;
      return;
    case 'api-key':
      headers['api-key'] = key; // Azure OpenAI (providers.md §1.7)
      return;
  }
}

const notReturned = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'set-cookie']);

/** Response headers for the client: the upstream's, minus hop-by-hop ones and cookies meant for us. */
export function clientHeaders(upstream: Record<string, string | string[] | undefined>, options: { keepLength: boolean }): HeaderMap {
  const headers: HeaderMap = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || notReturned.has(name)) continue;
    if (name === 'content-length' && !options.keepLength) continue;
    headers[name] = value;
  }
  return headers;
}

/** The query string without credentials (`?key=` is how Gemini clients may send theirs). */
export function upstreamQuery(search: string): string {
  if (!search.includes('key=')) return search;
  const params = new URLSearchParams(search);
  params.delete('key');
  const rest = params.toString();
  return rest ? `?${rest}` : '';
}
