import { hash } from 'node:crypto';
import { cognitiveServicesScope, type ProviderConfig } from '../../config/config.ts';
import type { ResponseHeaders } from '../../dialects/dialect.ts';
import { GatewayError } from '../../dialects/gateway-error.ts';
import { upstreamHeaders, usesProviderCredential } from '../../proxy/headers.ts';
import type { ProviderAdapter, UpstreamCall, UpstreamRequest } from '../adapter.ts';
import { dropRefusedToken, type CachedToken } from '../cached-token.ts';
import type { ProviderRuntime } from '../registry.ts';
import { createDefaultAzureToken } from './default-credential.ts';
import { createEntraTokenSource } from './entra-token.ts';

// Azure OpenAI / Microsoft Foundry (providers.md §1.7): the OpenAI wire format behind its own URLs.
// Classic deployment URLs name the deployment in the path and pin `api-version`; the v1 API
// (`/openai/v1/…`) takes the deployment as the body's `model`. Either way the configured model maps
// to a deployment (`azure.deployments`, the route's upstream model). The key goes in `api-key`, or an
// Entra ID token in `Authorization: Bearer`: with `azure.entra` from its client secret
// (entra-token.ts), with no key at all from DefaultAzureCredential (default-credential.ts).
const operations: Partial<Record<string, string>> = {
  'openai-chat': 'chat/completions',
  'openai-embeddings': 'embeddings',
  'openai-responses': 'responses',
};

/** The ingress endpoints this adapter places: OpenAI's, spoken as they are. */
export const azureServes: ReadonlySet<string> = new Set(Object.keys(operations));

/** The base URL's path up to (not including) `/openai`: Foundry's base URLs end with `/openai/`. */
function basePrefix(pathname: string): string {
  return pathname.replace(/\/+$/, '').replace(/\/openai(?:\/v1)?$/, '');
}

export function createAzureAdapter(provider: ProviderConfig, runtime: ProviderRuntime): ProviderAdapter {
  const base = new URL(provider.baseurl);
  const prefix = basePrefix(base.pathname);
  const settings = provider.azure ?? { api: 'v1', apiVersion: '2024-10-21' };
  const version = encodeURIComponent(settings.apiVersion);
  const entra = settings.entra;

  // One token source per credential and scope, shared by every provider (and config reload) using
  // it; a changed secret is another credential (its digest, not the secret, is in the key). Found once
  // here, at config load: the calls only use it.
  const tokens: CachedToken | undefined = entra
    ? runtime.shared(`entra-token:${entra.authority}:${entra.tenantId}:${entra.clientId}:${hash('sha256', entra.clientSecret)}:${entra.scope}`, () =>
        createEntraTokenSource(entra, { dispatcher: runtime.dispatcher }),
      )
    : provider.apikey
      ? undefined
      : runtime.shared('azure-default-credential', () => createDefaultAzureToken(cognitiveServicesScope));

  function target(call: UpstreamCall): string {
    const operation = operations[call.endpoint.id];
    if (!operation) throw new GatewayError('not_found', `model "${call.route.model}" is not served on ${call.path} by provider ${provider.id}`);
    // The Responses API exists only as v1 on current resources; chat and embeddings follow `azure.api`.
    return settings.api === 'deployments' && operation !== 'responses'
      ? `${prefix}/openai/deployments/${encodeURIComponent(call.route.upstreamModel)}/${operation}?api-version=${version}`
      : `${prefix}/openai/v1/${operation}`;
  }

  return {
    prepare(call: UpstreamCall): UpstreamRequest | Promise<UpstreamRequest> {
      // With Entra, the credential is a token fetched below, in place of the key `api-key` would carry.
      let credential = false;
      const headers = tokens
        ? upstreamHeaders(call.rawHeaders, provider, call.body.length, call.grantHeaders, (out, caller) => {
            credential = usesProviderCredential(out, caller, provider);
          })
        : upstreamHeaders(call.rawHeaders, provider, call.body.length, call.grantHeaders);
      const request = { origin: base.origin, path: target(call), headers, body: call.body };
      if (!tokens || !credential) return request;
      return tokens.token().then(
        (token) => ({ ...request, headers: { ...headers, authorization: `Bearer ${token}` } }),
        (error: Error) => {
          throw new GatewayError('upstream_unreachable', `provider ${provider.id} could not get a Microsoft Entra token (${error.message})`);
        },
      );
    },

    retry: (status: number, _headers: ResponseHeaders, request: UpstreamRequest) => dropRefusedToken(tokens, status, request),
  };
}
