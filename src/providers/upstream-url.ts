import type { ProviderConfig } from '../config/config.ts';

/**
 * Joins a provider's `baseurl` with the ingress path. Aperture's base URLs come both without a
 * version (`https://api.openai.com/`) and with one (`http://vllm:8000/v1`), so a version segment
 * already at the end of the base is not repeated.
 */
export function upstreamUrl(provider: ProviderConfig, path: string, query: string): { origin: string; path: string } {
  const base = parsedBase(provider);
  let prefix = base.prefix;
  const version = /^\/v1(?:beta|alpha)?(?=\/)/.exec(path)?.[0];
  if (version && prefix.endsWith(version)) prefix = prefix.slice(0, -version.length);
  return { origin: base.origin, path: `${prefix}${path}${query}` };
}

// Parsing a URL costs microseconds a call does not need to spend: once per provider config object.
const bases = new WeakMap<ProviderConfig, { origin: string; prefix: string }>();

function parsedBase(provider: ProviderConfig): { origin: string; prefix: string } {
  let base = bases.get(provider);
  if (!base) {
    const url = new URL(provider.baseurl);
    base = { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') };
    bases.set(provider, base);
  }
  return base;
}
