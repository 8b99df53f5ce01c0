import type { Identity, IdentitySourceResolver, RequestView, SourceResult } from './identity.ts';
import { isLoopback } from './identity.ts';
import { isIP } from 'node:net';

/** Headers only `tailscale serve` may set (tailscale-identity.md §3). */
export const serveHeaders = ['tailscale-user-login', 'tailscale-user-name', 'tailscale-app-capabilities', 'tailscale-funnel-request'];

/** RFC 2047 Q-encoding, which serve uses for non-ASCII values since v1.64: `=?utf-8?q?Ren=C3=A9?=`. */
export function decodeQ(value: string): string {
  const match = /^=\?utf-8\?q\?(.*)\?=$/i.exec(value);
  if (!match) return value;
  const bytes: number[] = [];
  const text = match[1];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '_') bytes.push(32);
    else if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

function parseCapabilities(header: string | undefined): Record<string, unknown[]> {
  if (!header) return {};
  try {
    const parsed: unknown = JSON.parse(decodeQ(header));
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).map(([name, values]) => [name, Array.isArray(values) ? values : []]));
  } catch {
    return {};
  }
}

/**
 * `tailscale serve` in front of the gateway: it sets the user headers for user nodes and nothing for
 * tagged nodes, whose address it puts in X-Forwarded-For for us to whois. The headers are believed
 * only from a loopback peer — serve's own connection — and their presence from anyone else is a spoof.
 */
export function createServeSource(whoisPeer: (address: string) => Promise<SourceResult>): IdentitySourceResolver {
  return {
    source: 'serve',
    async resolve(request: RequestView): Promise<SourceResult> {
      const login = request.header('tailscale-user-login');
      const present = [...serveHeaders, 'x-forwarded-for'].some((name) => request.header(name) !== undefined);
      if (!isLoopback(request.peer.address)) {
        return present ? { type: 'refused', status: 403, message: 'access denied: identity headers from an untrusted peer' } : { type: 'pass', reason: 'not from tailscale serve' };
      }
      if (request.header('tailscale-funnel-request') !== undefined) return { type: 'refused', status: 403, message: 'access denied: Funnel requests have no identity' };
      if (login) {
        const identity: Identity = {
          login: decodeQ(login),
          kind: 'user',
          source: 'serve',
          displayName: request.header('tailscale-user-name') ? decodeQ(request.header('tailscale-user-name')!) : undefined,
          tags: [],
          groups: [],
          capMap: parseCapabilities(request.header('tailscale-app-capabilities')),
        };
        return { type: 'identified', identity };
      }
      const forwarded = request.header('x-forwarded-for')?.trim();
      if (!forwarded) return { type: 'pass', reason: 'no serve identity headers' };
      // serve sets exactly one address; anything else did not come from serve.
      if (!isIP(forwarded)) return { type: 'refused', status: 403, message: 'access denied: malformed X-Forwarded-For' };
      const result = await whoisPeer(forwarded);
      if (result.type !== 'identified') return result.type === 'pass' ? { type: 'refused', status: 403, message: 'access denied: not a tailnet peer' } : result;
      return { type: 'identified', identity: { ...result.identity, source: 'serve' } };
    },
  };
}
