import type { IdentitySource } from './identity.ts';
import type { OidcIssuer } from './oidc-source.ts';
import type { ProxyOptions } from './proxy-source.ts';

/** The `identity` config key (ours; Aperture is Tailscale-only). */
export type IdentityConfig = {
  /** Tried in this order; the first source that identifies or refuses decides. */
  readonly sources: readonly IdentitySource[];
  readonly tailscale: {
    readonly socket: string;
    /** The app capability read from whois CapMap. */
    readonly capability: string;
    readonly timeoutMs: number;
    readonly cacheMs: number;
  };
  readonly oidc: readonly OidcIssuer[];
  readonly proxy?: ProxyOptions;
};

export const defaultTailscaleSocket = '/var/run/tailscale/tailscaled.sock';
export const apertureCapability = 'tailscale.com/cap/aperture';
