import type { Identity } from '../identity/identity.ts';
import { globMatch } from '../routing/glob.ts';
import { compileGrants, srcMatches, stringList, type CapabilityEntry, type Grant, type Role } from './grants.ts';

/** What one caller may do, folded from every grant that matches them (grants are additive, allow-only). */
export type Access = {
  /** Highest role granted; undefined = no role = no access at all. */
  readonly role?: Role;
  /** Globs over `provider/model`. */
  readonly models: readonly string[];
  /** `Header-Name: value` entries from matching grants, added to upstream requests. */
  readonly addHeaders: readonly (readonly [string, string])[];
  readonly readMetrics: boolean;
  /** Every matching capability entry, for later features (quotas, hooks). */
  readonly entries: readonly CapabilityEntry[];
  /** Custom capabilities (other than Aperture's), passed on to hooks. */
  readonly custom: Readonly<Record<string, readonly unknown[]>>;
};

export function mayUseModel(access: Access, provider: string, model: string): boolean {
  const name = `${provider}/${model}`;
  return access.models.some((pattern) => globMatch(pattern, name));
}

function fold(entries: CapabilityEntry[], custom: Record<string, unknown[]>): Access {
  let role: Role | undefined;
  const models: string[] = [];
  const addHeaders: [string, string][] = [];
  let readMetrics = false;
  for (const entry of entries) {
    if (entry.role === 'admin') role = 'admin';
    else if (entry.role === 'user' && role === undefined) role = 'user';
    models.push(...stringList(entry.models));
    for (const header of stringList(entry.add_headers)) {
      const match = /^([^:\s]+):\s*(.*)$/.exec(header);
      if (match) addHeaders.push([match[1].toLowerCase(), match[2]]);
    }
    if (entry.read_metrics === true) readMetrics = true;
  }
  return { role, models, addHeaders, readMetrics, entries, custom };
}

/**
 * The access policy of one config: config grants matched against the caller, plus the grants the
 * tailnet policy file sent along in whois CapMap (both add up). Folded once per identity object.
 */
export function createAccessPolicy(options: { grants: readonly unknown[]; tempGrants: readonly unknown[]; groups: Readonly<Record<string, readonly string[]>>; capability: string }) {
  const grants: Grant[] = compileGrants(options.grants, options.tempGrants, options.capability);
  const memberships = new Map<string, string[]>();
  for (const [group, members] of Object.entries(options.groups)) {
    for (const member of members) memberships.set(member.toLowerCase(), [...(memberships.get(member.toLowerCase()) ?? []), group]);
  }
  const groupsOf = (login: string) => memberships.get(login.toLowerCase()) ?? [];
  const cache = new WeakMap<Identity, Access>();

  function accessFor(identity: Identity): Access {
    const known = cache.get(identity);
    if (known) return known;
    const entries: CapabilityEntry[] = [];
    const custom: Record<string, unknown[]> = {};
    for (const grant of grants) {
      if (!grant.src.some((selector) => srcMatches(selector, identity, groupsOf))) continue;
      entries.push(...grant.entries);
      for (const [name, values] of Object.entries(grant.custom)) custom[name] = [...(custom[name] ?? []), ...values];
    }
    for (const [name, values] of Object.entries(identity.capMap)) {
      if (name === options.capability) entries.push(...values.filter((value): value is CapabilityEntry => typeof value === 'object' && value !== null && !Array.isArray(value)));
      else custom[name] = [...(custom[name] ?? []), ...values];
    }
    const access = fold(entries, custom);
    cache.set(identity, access);
    return access;
  }

  return { accessFor, groupsOf };
}

export type AccessPolicy = ReturnType<typeof createAccessPolicy>;
