import type { ProviderConfig } from '../../config/config.ts';
import { GatewayError } from '../../dialects/gateway-error.ts';
import { upstreamHeaders } from '../../proxy/headers.ts';
import type { ProviderAdapter, UpstreamCall, UpstreamRequest } from '../adapter.ts';

// Azure OpenAI / Microsoft Foundry (providers.md §1.7): the OpenAI wire format behind its own URLs.
// Classic deployment URLs name the deployment in the path and pin `api-version`; the v1 API
// (`/openai/v1/…`) takes the deployment as the body's `model`. Either way the configured model maps
// to a deployment (`azure.deployments`, the route's upstream model). The key goes in `api-key`.
const operations: Partial<Record<string, string>> = {
  'openai-chat': 'chat/completions',
  'openai-embeddings': 'embeddings',
  'openai-responses': 'responses',
};

/** The base URL's path up to (not including) `/openai`: Foundry's base URLs end with `/openai/`. */
function basePrefix(pathname: string): string {
  return pathname.replace(/\/+$/, '').replace(/\/openai(?:\/v1)?$/, '');
}

export function createAzureAdapter(provider: ProviderConfig): ProviderAdapter {
  const base = new URL(provider.baseurl);
  const prefix = basePrefix(base.pathname);
  const settings = provider.azure ?? { api: 'v1', apiVersion: '2024-10-21' };
  const version = encodeURIComponent(settings.apiVersion);

  return {
    prepare(call: UpstreamCall): UpstreamRequest {
      const operation = operations[call.endpoint.id];
      if (!operation) throw new GatewayError('not_found', `model "${call.route.model}" is not served on ${call.path} by provider ${provider.id}`);
      // The Responses API exists only as v1 on current resources; chat and embeddings follow `azure.api`.
      const path =
        settings.api === 'deployments' && operation !== 'responses'
          ? `${prefix}/openai/deployments/${encodeURIComponent(call.route.upstreamModel)}/${operation}?api-version=${version}`
          : `${prefix}/openai/v1/${operation}`;
      return { origin: base.origin, path, headers: upstreamHeaders(call.rawHeaders, provider, call.body.length, call.grantHeaders), body: call.body };
    },
  };
}
