import type { Identity } from '../identity/identity.ts';
import { apertureCapability } from '../identity/identity-config.ts';

export type Role = 'admin' | 'user';
/** One object of `app["tailscale.com/cap/aperture"]`: `{role}`, `{models, quotas, send_hooks, …}`. */
export type CapabilityEntry = Readonly<Record<string, unknown>>;
/** A grant after compilation: who it is for and what it gives, Aperture's capability plus any custom ones. */
export type Grant = { readonly src: readonly string[]; readonly entries: readonly CapabilityEntry[]; readonly custom: Readonly<Record<string, readonly unknown[]>> };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * `grants` (current syntax) and deprecated `temp_grants` (aperture.md §2.4–2.5) into one list.
 * temp_grants' `{providers: [{provider, model}]}` becomes the `provider/model` glob it means.
 */
export function compileGrants(grants: readonly unknown[], tempGrants: readonly unknown[], capability = apertureCapability): Grant[] {
  const compiled: Grant[] = [];
  for (const grant of grants) {
    if (!isObject(grant) || !isObject(grant.app)) continue;
    const app = grant.app;
    const entries = (Array.isArray(app[capability]) ? app[capability] : []).filter(isObject);
    const custom = Object.fromEntries(Object.entries(app).filter(([name, values]) => name !== capability && Array.isArray(values))) as Record<string, unknown[]>;
    compiled.push({ src: stringList(grant.src), entries, custom });
  }
  for (const grant of tempGrants) {
    if (!isObject(grant) || !Array.isArray(grant.grants)) continue;
    const entries: CapabilityEntry[] = [];
    for (const item of grant.grants.filter(isObject)) {
      if (typeof item.role === 'string') entries.push({ role: item.role });
      const models = (Array.isArray(item.providers) ? item.providers : []).filter(isObject).map((entry) => `${String(entry.provider)}/${String(entry.model ?? '*')}`);
      if (models.length > 0) entries.push({ models });
    }
    compiled.push({ src: stringList(grant.src), entries, custom: {} });
  }
  return compiled;
}

/** Whether one `src` selector names this caller (aperture.md §2.4). */
export function srcMatches(selector: string, identity: Identity, groupsOf: (login: string) => readonly string[]): boolean {
  if (selector === '*') return identity.kind !== 'loopback'; // `(loopback)` must be named explicitly
  if (selector === '(loopback)') return identity.kind === 'loopback';
  // `tag:a,tag:b` is how Aperture names a multi-tag device: it matches a device with all of them.
  if (selector.startsWith('tag:')) return selector.split(',').every((tag) => identity.tags.includes(tag.trim()));
  if (selector.startsWith('group:')) return identity.groups.includes(selector) || groupsOf(identity.login).includes(selector);
  return selector.toLowerCase() === identity.login.toLowerCase();
}

export { stringList };
