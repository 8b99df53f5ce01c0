import type { Dispatcher } from 'undici';

/**
 * An OAuth access token kept for as long as it is good: refreshed `refreshMarginMs` before it
 * expires (five minutes, google-auth-library's and MSAL's eager threshold), concurrent callers
 * sharing one refresh in flight. A refresh that fails while the old token is still valid serves the
 * old one and is tried again on the next call.
 */
export type CachedToken = {
  /** A valid access token, from the cache when it has more than the refresh margin left. */
  token(): Promise<string>;
  /** Drops `token` if it is the cached one (the provider answered 401 with it). */
  invalidate(token: string): void;
};

export function cachedToken(
  fetchToken: () => Promise<{ token: string; expiresInSeconds: number }>,
  options: { now?: () => number; refreshMarginMs?: number } = {},
): CachedToken {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 5 * 60_000;
  let cached: { token: string; expiresAt: number } | undefined;
  let inflight: Promise<string> | undefined;

  async function refresh(): Promise<string> {
    const { token, expiresInSeconds } = await fetchToken();
    cached = { token, expiresAt: now() + (Number.isFinite(expiresInSeconds) ? expiresInSeconds : 3600) * 1000 };
    return token;
  }

  return {
    token(): Promise<string> {
      if (cached && cached.expiresAt - now() > margin) return Promise.resolve(cached.token);
      inflight ??= refresh()
        .catch((error: unknown) => {
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
  };
}

/**
 * A provider answered 401 to a request that carried `source`'s token (revoked, or expired early):
 * drops that token, so the one retry the gateway makes fetches a fresh one.
 */
export function dropRefusedToken(source: CachedToken | undefined, status: number, request: { headers: Record<string, unknown> }): boolean {
  const sent = request.headers.authorization;
  if (status !== 401 || !source || typeof sent !== 'string') return false;
  source.invalidate(sent.slice('Bearer '.length));
  return true;
}

export type TokenAnswer = { status: number; date?: string; body: Record<string, unknown> };

/**
 * The access token of a token endpoint's answer and its lifetime in seconds (`expires_in`, which some
 * endpoints send as a string). A refusal throws with the status and OAuth error code only: the
 * descriptions repeat client ids and trace ids.
 */
export function accessTokenOf(answer: TokenAnswer): { token: string; expiresInSeconds: number } {
  const token = answer.body.access_token;
  if (answer.status !== 200 || typeof token !== 'string') {
    throw new Error(`token endpoint answered ${answer.status}${typeof answer.body.error === 'string' ? ` ${answer.body.error}` : ''}`);
  }
  const expiresIn = answer.body.expires_in;
  return { token, expiresInSeconds: typeof expiresIn === 'number' ? expiresIn : Number(expiresIn ?? 3600) };
}

/** POSTs an OAuth form to a token endpoint; the answer's status, `Date` and JSON body (empty when it is not JSON). */
export async function postTokenForm(dispatcher: Dispatcher, url: URL, form: Record<string, string>, timeoutMs = 30_000): Promise<TokenAnswer> {
  const response = await dispatcher.request({
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await response.body.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // an HTML error page: status alone
  }
  const date = response.headers.date;
  return { status: response.statusCode, date: Array.isArray(date) ? date[0] : date, body };
}
