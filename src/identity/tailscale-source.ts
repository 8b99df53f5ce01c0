import type { Identity, IdentitySourceResolver, SourceResult } from './identity.ts';
import { isLoopback, normalizeAddress } from './identity.ts';
import { LocalApiError, whois, whoisAddress, type WhoIsResponse } from './localapi-client.ts';

export type TailscaleOptions = { socket: string; timeoutMs: number; cacheMs: number };

/** Aperture's rule: a user node is its login; a tagged node is its tags, sorted and comma-joined. */
export function identityFromWhois(response: WhoIsResponse, source: 'tailscale' | 'serve'): Identity | undefined {
  const node = response.Node ?? {};
  const profile = response.UserProfile ?? {};
  const tags = [...(node.Tags ?? [])].sort();
  const capMap: Record<string, unknown[]> = {};
  for (const [name, values] of Object.entries(response.CapMap ?? {})) capMap[name] = Array.isArray(values) ? values : [];
  const common = {
    source,
    groups: profile.Groups ?? [],
    node: node.StableID ? { name: node.Name ?? '', stableId: node.StableID, os: node.Hostinfo?.OS } : undefined,
    capMap,
  };
  if (tags.length > 0) return { ...common, login: tags.join(','), kind: 'tagged', tags };
  // A device with neither a user profile nor tags cannot be identified, and is denied.
  if (!profile.LoginName || profile.LoginName === 'tagged-devices') return undefined;
  return { ...common, login: profile.LoginName, kind: 'user', displayName: profile.DisplayName, tags: [] };
}

type Entry = { expires: number; result: Promise<SourceResult> };

/**
 * Who a tailnet peer is, from tailscaled's LocalAPI whois. Answers are cached per peer address for
 * `cacheMs`, and concurrent lookups of one peer share one request. Errors are not cached.
 */
export function createTailscaleSource(options: TailscaleOptions): IdentitySourceResolver & { lookup(address: string, port?: number): Promise<SourceResult> } {
  const cache = new Map<string, Entry>();

  async function ask(addr: string): Promise<SourceResult> {
    try {
      const response = await whois(options.socket, addr, options.timeoutMs);
      if (!response) return { type: 'pass', reason: 'not a tailnet peer' };
      const identity = identityFromWhois(response, 'tailscale');
      return identity ? { type: 'identified', identity } : { type: 'refused', status: 403, message: 'access denied: this device has no user and no tags' };
    } catch (error) {
      // Fail closed: when tailscaled cannot say who this is, nobody gets in.
      return { type: 'refused', status: 503, message: error instanceof LocalApiError ? 'identity service unavailable' : 'identity service failed' };
    }
  }

  /**
   * A tailnet address is one node, so its answer is cached by IP across connections. A loopback peer
   * is a userspace-networking tailscaled forwarding a tailnet connection: only its port tells callers
   * apart, so it is asked and cached by `IP:port`.
   */
  function lookup(address: string, port?: number): Promise<SourceResult> {
    const normalized = normalizeAddress(address);
    const key = isLoopback(normalized) ? whoisAddress(normalized, port) : normalized;
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.expires > now) return hit.result;
    const result = ask(whoisAddress(normalized, port));
    cache.set(key, { expires: now + options.cacheMs, result });
    void result.then((settled) => {
      if (settled.type === 'refused' && settled.status === 503) cache.delete(key);
    });
    if (cache.size > 10_000) for (const [stale, entry] of cache) if (entry.expires <= now) cache.delete(stale);
    return result;
  }

  return { source: 'tailscale', lookup, resolve: (request) => lookup(request.peer.address, request.peer.port) };
}
