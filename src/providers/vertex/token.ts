import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { accessTokenOf, cachedToken, postTokenForm, type CachedToken, type TokenAnswer } from '../cached-token.ts';
import type { ServiceAccount } from './service-account.ts';

// Service account → OAuth2 access token by the JWT-bearer grant (RFC 7523; providers.md §1.6,
// https://developers.google.com/identity/protocols/oauth2/service-account#httprest): an RS256 JWT
// signed with the key file's private key, exchanged at its token_uri, and cached (cached-token.ts).

export const cloudPlatformScope = 'https://www.googleapis.com/auth/cloud-platform';

export type TokenSource = CachedToken & {
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
  const token = new URL(account.tokenUri);
  let key: KeyObject | undefined;
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

  function exchange(): Promise<TokenAnswer> {
    refreshes++;
    return postTokenForm(options.dispatcher, token, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: assertion() }, options.timeoutMs);
  }

  async function refresh(): Promise<{ token: string; expiresInSeconds: number }> {
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
    return accessTokenOf(answer);
  }

  const cache = cachedToken(refresh, { now, refreshMarginMs: options.refreshMarginMs });
  return {
    token: cache.token,
    invalidate: cache.invalidate,
    get refreshes() {
      return refreshes;
    },
    get clockOffsetMs() {
      return clockOffsetMs;
    },
  };
}
