import type { ProviderConfig } from '../../config/config.ts';
import { replacePathModel } from '../../proxy/endpoints.ts';
import { upstreamHeaders } from '../../proxy/headers.ts';
import type { ProviderAdapter, UpstreamCall, UpstreamRequest } from '../adapter.ts';
import { upstreamUrl } from '../upstream-url.ts';

/**
 * Aperture's only kind of provider, and still the common one: the caller's path on the provider's
 * base URL, with the provider's key in its header. Everything a self-hosted vLLM, OpenAI,
 * Anthropic or the Gemini API needs is configuration; this is the hot path, so it does no more.
 */
export function createApiKeyAdapter(provider: ProviderConfig): ProviderAdapter {
  return {
    prepare(call: UpstreamCall): UpstreamRequest {
      const { ingress, route } = call;
      const path = ingress.pathModel !== undefined && route.upstreamModel !== ingress.pathModel ? replacePathModel(ingress, call.path, route.upstreamModel) : call.path;
      const target = upstreamUrl(provider, path, call.query);
      return { origin: target.origin, path: target.path, headers: upstreamHeaders(call.rawHeaders, provider, call.body.length, call.grantHeaders), body: call.body };
    },
  };
}
