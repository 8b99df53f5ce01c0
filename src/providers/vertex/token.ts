import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { ServiceAccount } from './service-account.ts';

// Service account → OAuth2 access token by the JWT-bearer grant (RFC 7523; providers.md §1.6,
// https://developers.google.com/identity/protocols/oauth2/service-account#httprest): an RS256 JWT
// signed with the key file's private key, exchanged at its token_uri. The token is cached and
// refreshed five minutes before it expires (google-auth-library's eager threshold); concurrent
// callers share one refresh in flight.

export const cloudPlatformScope = 'https://www.googleapis.com/auth/cloud-platform';

export type TokenSource = {
  /** A valid access token, from the cache when it has more than the refresh margin left. */
  token(): Promise<string>;
  /** Drops `token` if it is the cached one (Vertex answered 401 with it). */
  invalidate(token: string): void;
  /** Token-endpoint exchanges so far (tests, diagnostics). */
  readonly refreshes: number;
  /** The token server's clock minus ours, learned from a refused assertion's `Date`. */
  readonly clockOffsetMs: number;
};

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export function createTokenSource(
  account: ServiceAccount,
  options: { dispatcher: Dispatcher; now?: () => number; scope?: string; refreshMarginMs?: number; timeoutMs?: number },
): TokenSource {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 5 * 60_000;
  const token = new URL(account.tokenUri);
  let key: KeyObject | undefined;
  let cached: { token: string; expiresAt: number } | undefined;
  let inflight: Promise<string> | undefined;
  let refreshes = 0;
  let clockOffsetMs = 0;

  function assertion(): string {
    key ??= createPrivateKey(account.privateKey);
    const iat = Math.floor((now() + clockOffsetMs) / 1000);
    const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', ...(account.privateKeyId ? { kid: account.privateKeyId } : {}) }));
    const claims = base64url(JSON.stringify({ iss: account.clientEmail, scope: options.scope ?? cloudPlatformScope, aud: account.tokenUri, iat, exp: iat + 3600 }));
    const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), key);
    return `${header}.${claims}.${base64url(signature)}`;
  }

  async function exchange(): Promise<{ status: number; date?: string; body: Record<string, unknown> }> {
    refreshes++;
    const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: assertion() }).toString();
    const response = await options.dispatcher.request({
      origin: token.origin,
      path: `${token.pathname}${token.search}`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      headersTimeout: options.timeoutMs ?? 30_000,
      bodyTimeout: options.timeoutMs ?? 30_000,
    });
    const text = await response.body.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // an HTML error page: status alone
    }
    const date = response.headers.date;
    return { status: response.statusCode, date: Array.isArray(date) ? date[0] : date, body: parsed };
  }

  async function refresh(): Promise<string> {
    let answer = await exchange();
    // "Invalid JWT: Token must be a short-lived token … in a reasonable timeframe": our clock is off.
    // The server's Date says by how much; one more assertion with corrected times.
    if (answer.status === 400 && answer.body.error === 'invalid_grant' && answer.date) {
      const server = Date.parse(answer.date);
      if (Number.isFinite(server) && Math.abs(server - now() - clockOffsetMs) >= 30_000) {
        clockOffsetMs = server - now();
        answer = await exchange();
      }
    }
    const accessToken = answer.body.access_token;
    if (answer.status !== 200 || typeof accessToken !== 'string') {
      throw new Error(`token endpoint answered ${answer.status}${typeof answer.body.error === 'string' ? ` ${answer.body.error}` : ''}`);
    }
    const expiresIn = typeof answer.body.expires_in === 'number' ? answer.body.expires_in : Number(answer.body.expires_in ?? 3600);
    cached = { token: accessToken, expiresAt: now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000 };
    return accessToken;
  }

  return {
    token(): Promise<string> {
      if (cached && cached.expiresAt - now() > margin) return Promise.resolve(cached.token);
      inflight ??= refresh()
        .catch((error: unknown) => {
          // Still valid (only inside the refresh margin): serve it and try again next time.
          if (cached && cached.expiresAt > now()) return cached.token;
          throw error;
        })
        .finally(() => {
          inflight = undefined;
        });
      return inflight;
    },
    invalidate(value: string): void {
      if (cached?.token === value) cached = undefined;
    },
    get refreshes() {
      return refreshes;
    },
    get clockOffsetMs() {
      return clockOffsetMs;
    },
  };
}
