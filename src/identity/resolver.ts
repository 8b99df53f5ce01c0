import type { Identity, IdentitySourceResolver, RequestView } from './identity.ts';
import type { IdentityConfig } from './identity-config.ts';
import { createLoopbackSource } from './loopback-source.ts';
import { createOidcSource } from './oidc-source.ts';
import { createProxySource } from './proxy-source.ts';
import { createServeSource } from './serve-source.ts';
import { createTailscaleSource } from './tailscale-source.ts';

export type Resolution = { ok: true; identity: Identity } | { ok: false; status: 401 | 403 | 503; message: string };

export type IdentityResolver = { resolve(request: RequestView): Promise<Resolution> };

/** Builds the configured sources, in order. Never "first header wins": each source says pass, yes or no. */
export function createIdentityResolver(config: IdentityConfig): IdentityResolver {
  const tailscale = createTailscaleSource(config.tailscale);
  const sources: IdentitySourceResolver[] = config.sources.map((source) => {
    switch (source) {
      case 'tailscale':
        return tailscale;
      case 'serve':
        return createServeSource((address) => tailscale.lookup(address));
      case 'oidc':
        return createOidcSource(config.oidc);
      case 'proxy':
        return createProxySource(config.proxy ?? { cidrs: [], loginHeader: 'x-forwarded-email' });
      case 'loopback':
        return createLoopbackSource();
    }
  });
  return {
    async resolve(request) {
      let reason = 'no identity source is configured';
      for (const source of sources) {
        const result = await source.resolve(request);
        if (result.type === 'identified') return { ok: true, identity: result.identity };
        if (result.type === 'refused') return { ok: false, status: result.status, message: result.message };
        reason = result.reason;
      }
      return { ok: false, status: 403, message: `access denied: caller not identified (${reason})` };
    },
  };
}
