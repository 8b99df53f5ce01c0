import { BlockList, isIPv6 } from 'node:net';
import { parseCidr } from './cidr.ts';
import type { IdentitySourceResolver, SourceResult } from './identity.ts';
import { normalizeAddress } from './identity.ts';

export type ProxyOptions = { cidrs: readonly string[]; loginHeader: string; groupsHeader?: string };

/**
 * An authenticating proxy in front of the gateway (oauth2-proxy's `X-Forwarded-Email`, Authelia's
 * `Remote-User`, …). Its headers are believed only from the configured proxy networks; the same
 * headers from anyone else are a spoof.
 */
export function createProxySource(options: ProxyOptions): IdentitySourceResolver {
  const proxies = new BlockList();
  for (const text of options.cidrs) {
    const cidr = parseCidr(text); // config validation already reported malformed ones
    if (cidr) proxies.addSubnet(cidr.network, cidr.bits, cidr.type);
  }
  return {
    source: 'proxy',
    resolve(request): SourceResult {
      const login = request.header(options.loginHeader)?.trim();
      const address = normalizeAddress(request.peer.address);
      const fromProxy = proxies.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
      if (!fromProxy) {
        return login === undefined ? { type: 'pass', reason: 'not from a trusted proxy' } : { type: 'refused', status: 403, message: 'access denied: identity header from an untrusted peer' };
      }
      if (!login) return { type: 'pass', reason: 'the proxy sent no identity' };
      const groups = options.groupsHeader ? (request.header(options.groupsHeader) ?? '').split(/[,|]/).map((group) => group.trim()).filter(Boolean) : [];
      return { type: 'identified', identity: { login, kind: 'user', source: 'proxy', tags: [], groups, capMap: {} } };
    },
  };
}
