import type { IdentitySource } from '../identity/identity.ts';
import { apertureCapability, defaultTailscaleSocket, type IdentityConfig } from '../identity/identity-config.ts';
import type { OidcIssuer } from '../identity/oidc-source.ts';
import { isLoopback } from '../identity/identity.ts';
import { parseCidr } from '../identity/cidr.ts';

type Json = Record<string, unknown>;
export type Problems = { warn(message: string): void };

const sourceNames = new Set<string>(['tailscale', 'serve', 'oidc', 'proxy', 'loopback']);

function object(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}
function string(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}
function number(value: unknown, fallback: number): number {
  return typeof value === 'number' && value > 0 ? value : fallback;
}

/**
 * The `identity` key. Without `sources`, Tailscale whois is the source when a tailscaled socket
 * exists, otherwise loopback (development); loopback is never on by default beside a tailnet source.
 */
export function readIdentity(raw: unknown, problems: Problems, options: { socketExists: (path: string) => boolean }): IdentityConfig {
  const root = object(raw);
  for (const key of Object.keys(root)) if (!['sources', 'tailscale', 'oidc', 'proxy'].includes(key)) problems.warn(`unknown config key "identity.${key}"`);
  const tailscaleRaw = object(root.tailscale);
  const tailscale = {
    socket: string(tailscaleRaw.socket, defaultTailscaleSocket),
    capability: string(tailscaleRaw.capability, apertureCapability),
    timeoutMs: number(tailscaleRaw.timeout_ms, 2000),
    cacheMs: number(tailscaleRaw.cache_ms, 60_000),
  };
  let sources: IdentitySource[];
  if (Array.isArray(root.sources)) {
    sources = [];
    for (const source of root.sources) {
      if (typeof source === 'string' && sourceNames.has(source)) sources.push(source as IdentitySource);
      else problems.warn(`identity.sources has unknown source "${String(source)}"`);
    }
  } else {
    sources = options.socketExists(tailscale.socket) ? ['tailscale'] : ['loopback'];
  }
  const oidc: OidcIssuer[] = [];
  for (const [index, entry] of (Array.isArray(object(root.oidc).issuers) ? (object(root.oidc).issuers as unknown[]) : []).entries()) {
    const issuer = object(entry);
    if (typeof issuer.issuer !== 'string' || typeof issuer.audience !== 'string' || typeof issuer.jwks_url !== 'string' || !URL.canParse(issuer.jwks_url)) {
      problems.warn(`identity.oidc.issuers[${index}] needs "issuer", "audience" and a valid "jwks_url"`);
      continue;
    }
    oidc.push({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUrl: issuer.jwks_url,
      login: typeof issuer.login === 'string' ? issuer.login : undefined,
      groupsClaim: typeof issuer.groups_claim === 'string' ? issuer.groups_claim : undefined,
    });
  }
  if (sources.includes('oidc') && oidc.length === 0) problems.warn('identity source "oidc" is on but identity.oidc.issuers lists no issuer');
  const proxyRaw = object(root.proxy);
  const cidrs: string[] = [];
  for (const cidr of Array.isArray(proxyRaw.cidrs) ? proxyRaw.cidrs : []) {
    if (typeof cidr === 'string' && parseCidr(cidr)) cidrs.push(cidr);
    else problems.warn(`identity.proxy.cidrs entry "${String(cidr)}" is not a valid cidr; it is ignored`);
  }
  if (sources.includes('proxy') && cidrs.length === 0) problems.warn('identity source "proxy" is on but identity.proxy.cidrs is empty; no proxy will be trusted');
  if (sources.includes('proxy') && sources.includes('loopback') && cidrs.some((cidr) => isLoopback(parseCidr(cidr)!.network))) {
    problems.warn('identity sources "proxy" and "loopback" with a loopback proxy: a proxied request without a login header would be treated as (loopback)');
  }
  const proxy = { cidrs, loginHeader: string(proxyRaw.login_header, 'x-forwarded-email').toLowerCase(), groupsHeader: typeof proxyRaw.groups_header === 'string' ? proxyRaw.groups_header.toLowerCase() : undefined };
  return { sources, tailscale, oidc, proxy };
}

/** `groups: {"group:eng": ["alice@example.com"]}` — Tailscale's visible groups are alpha, so config groups are the portable way. */
export function readGroups(raw: unknown, problems: Problems): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const [name, members] of Object.entries(object(raw))) {
    if (!name.startsWith('group:') || !Array.isArray(members)) {
      problems.warn(`groups entry "${name}" must be named "group:…" and list logins`);
      continue;
    }
    groups[name] = members.filter((member): member is string => typeof member === 'string');
  }
  return groups;
}
