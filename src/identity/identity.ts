/** Who is calling, established by the network or a verified token — never by anything merely claimed. */
export type Identity = {
  /** `alice@example.com`, `tag:ci,tag:prod` (tags sorted, comma-joined: Aperture's rule), `(loopback)`, or an OIDC-mapped login. */
  readonly login: string;
  readonly kind: 'user' | 'tagged' | 'loopback' | 'workload';
  readonly source: IdentitySource;
  readonly displayName?: string;
  readonly tags: readonly string[];
  /** Groups from the identity source (whois visible groups, a proxy's groups header); config groups are added by access. */
  readonly groups: readonly string[];
  readonly node?: { readonly name: string; readonly stableId: string; readonly os?: string };
  /** App capabilities granted by the tailnet policy file, by capability name. */
  readonly capMap: Readonly<Record<string, readonly unknown[]>>;
};

export type IdentitySource = 'tailscale' | 'serve' | 'oidc' | 'proxy' | 'loopback';

/** The TCP peer, the one fact a caller cannot forge. */
export type Peer = { readonly address: string; readonly port: number };

/**
 * A source's verdict: an identity, `pass` (this source has nothing to say about the request), or a
 * refusal that ends resolution — a credential that was presented and failed, a spoof, or a source
 * that is down (fail closed).
 */
export type SourceResult =
  | { readonly type: 'identified'; readonly identity: Identity }
  | { readonly type: 'pass'; readonly reason: string }
  | { readonly type: 'refused'; readonly status: 401 | 403 | 503; readonly message: string };

export type RequestView = { readonly peer: Peer; readonly header: (name: string) => string | undefined };

export interface IdentitySourceResolver {
  readonly source: IdentitySource;
  resolve(request: RequestView): SourceResult | Promise<SourceResult>;
}

/** `::ffff:100.64.0.1` → `100.64.0.1` (tailscaled before 1.102 does not unmap, tailscale-identity.md §1.2). */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export function isLoopback(address: string): boolean {
  const normalized = normalizeAddress(address);
  return normalized === '::1' || normalized.startsWith('127.');
}
