import type { ProviderConfig } from '../config/config.ts';

/**
 * Joins a provider's `baseurl` with the ingress path. Aperture's base URLs come both without a
 * version (`https://api.openai.com/`) and with one (`http://vllm:8000/v1`), so a version segment
 * already at the end of the base is not repeated.
 */
export function upstreamUrl(provider: ProviderConfig, path: string, query: string): { origin: string; path: string } {
  const base = new URL(provider.baseurl);
  let prefix = base.pathname.replace(/\/+$/, '');
  const version = /^\/v1(?:beta|alpha)?(?=\/)/.exec(path)?.[0];
  if (version && prefix.endsWith(version)) prefix = prefix.slice(0, -version.length);
  return { origin: base.origin, path: `${prefix}${path}${query}` };
}
