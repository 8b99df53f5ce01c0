import type { ProviderConfig } from '../../config/config.ts';
import type { ResponseHeaders } from '../../dialects/dialect.ts';
import { GatewayError } from '../../dialects/gateway-error.ts';
import { setKeyHeader, upstreamHeaders, usesProviderCredential } from '../../proxy/headers.ts';
import { setProperty } from '../../proxy/json-edit.ts';
import type { ProviderAdapter, ResponsePlan, UpstreamCall, UpstreamRequest } from '../adapter.ts';
import { dropRefusedToken, type CachedToken } from '../cached-token.ts';
import { cloudMessagesBody } from '../claude-body.ts';
import type { ProviderRuntime } from '../registry.ts';
import { createDefaultCredentials, type DefaultCredentials } from './default-credentials.ts';
import { mapVertexError } from './errors.ts';
import { readServiceAccount, type ServiceAccount } from './service-account.ts';
import { cloudPlatformScope, createTokenSource } from './token.ts';

// Google Vertex AI (providers.md §1.6): Gemini (`publishers/google`, GenerateContent) and Claude
// (`publishers/anthropic`, rawPredict) under `/v1/projects/{p}/locations/{r}/…`. The project and
// region are the provider's, whatever placeholder the client sent (Aperture's
// `_aperture_auto_vertex_project_id_`/`_region_`). Auth is an OAuth token from a service-account key
// (`apikey: "keyfile::…"` or `vertex.keyfile`), or a Vertex Express API key (`x-goog-api-key`).
// Gemini API callers (`/v1beta/models/…`) and Anthropic Messages callers are served too: the
// bodies are the same, only the URL (and for Claude the body's `anthropic_version`) differ. OpenAI
// Chat Completions callers (`openai_chat`) reach Vertex's OpenAI-compatible endpoint.

/** Vertex's body field for Anthropic's API version. */
const anthropicVersion = 'vertex-2023-10-16';

const googleEndpoints = new Set(['vertex-generate', 'vertex-stream', 'vertex-count-tokens', 'gemini-generate', 'gemini-stream', 'gemini-count-tokens']);
const anthropicEndpoints = new Set(['vertex-raw-predict', 'vertex-stream-raw-predict']);
/** The ingress endpoints this adapter places (see `route` below). */
export const vertexServes: ReadonlySet<string> = new Set([...googleEndpoints, ...anthropicEndpoints, 'vertex-anthropic-count-tokens', 'anthropic-messages', 'anthropic-count-tokens', 'openai-chat']);

/** `us-east5` from `https://us-east5-aiplatform.googleapis.com`, `eu` from `aiplatform.eu.rep.googleapis.com`. */
export function regionOf(hostname: string): string | undefined {
  if (hostname === 'aiplatform.googleapis.com') return 'global';
  return /^([a-z0-9-]+)-aiplatform\.googleapis\.com$/.exec(hostname)?.[1] ?? /^aiplatform\.([a-z]+)\.rep\.googleapis\.com$/.exec(hostname)?.[1];
}

/** The regional host the Vertex SDKs use (providers.md §1.6). */
export function vertexHost(region: string): string {
  if (region === 'global') return 'aiplatform.googleapis.com';
  if (region === 'us' || region === 'eu') return `aiplatform.${region}.rep.googleapis.com`;
  return `${region}-aiplatform.googleapis.com`;
}

export function createVertexAdapter(provider: ProviderConfig, runtime: ProviderRuntime): ProviderAdapter {
  const settings = provider.vertex ?? {};
  const base = new URL(provider.baseurl);
  const material = provider.apikey.startsWith('keyfile::') ? provider.apikey.slice('keyfile::'.length) : settings.keyfile;
  let account: ServiceAccount | undefined;
  let accountProblem: string | undefined;
  if (material) {
    try {
      account = readServiceAccount(material);
    } catch (error) {
      accountProblem = (error as Error).message;
    }
  }
  const region = settings.region ?? regionOf(base.hostname) ?? 'global';
  // No key at all: Application Default Credentials, which may also know the project.
  const ambient = !account && !accountProblem && !provider.apikey;
  const adc: DefaultCredentials | undefined = ambient
    ? runtime.shared(`vertex-adc:${settings.project ?? ''}`, () => createDefaultCredentials(cloudPlatformScope, { projectId: settings.project }))
    : undefined;
  // Google's own hosts follow the region; any other base URL (a proxy, a test double) is used as given.
  const official = /(^|[.-])aiplatform\.googleapis\.com$|^aiplatform\.[a-z]+\.rep\.googleapis\.com$/.test(base.hostname);
  const origin = official ? `https://${vertexHost(region)}` : base.origin;
  const prefix = official ? '' : base.pathname.replace(/\/+$/, '').replace(/\/v1(?:beta1)?$/, '');
  const scopeOf = (project: string | undefined) => (project ? `projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(region)}/` : '');
  // The project: configured, the key's, or with no key the one ADC knows, asked on the first call.
  let project = settings.project ?? account?.projectId;
  async function askProject(adc: DefaultCredentials): Promise<string> {
    // The library asks once, whoever asks, and keeps the answer.
    try {
      return (project = await adc.projectId());
    } catch (error) {
      throw new GatewayError('internal', `provider ${provider.id} has no vertex.project, and Application Default Credentials name none (${(error as Error).message})`);
    }
  }

  // The token source: found once here, at config load, and shared across reloads (runtime.shared).
  const tokens: CachedToken | undefined =
    adc ?? (account && runtime.shared(`vertex-token:${account.clientEmail}:${account.privateKeyId ?? ''}:${account.tokenUri}`, () => createTokenSource(account, { dispatcher: runtime.dispatcher })));

  function route(call: UpstreamCall): { path: string; body: Buffer; response?: ResponsePlan } {
    const model = encodeURIComponent(call.route.upstreamModel);
    const method = call.path.slice(call.path.lastIndexOf(':') + 1);
    const mapError = (status: number, headers: ResponseHeaders, body: Buffer) => mapVertexError(provider.id, status, headers, body);
    const id = call.endpoint.id;
    if (googleEndpoints.has(id)) return { path: `publishers/google/models/${model}:${method}${call.query}`, body: call.body };
    if (anthropicEndpoints.has(id)) return { path: `publishers/anthropic/models/${model}:${method}`, body: call.body };
    switch (id) {
      case 'vertex-anthropic-count-tokens':
        return { path: 'publishers/anthropic/models/count-tokens:rawPredict', body: call.body };
      case 'anthropic-messages': {
        // Claude on Vertex keeps `stream` in the body and streams plain Anthropic SSE: no re-framing.
        const body = cloudMessagesBody(call.text, call.json, { version: anthropicVersion, dropStream: false });
        return { path: `publishers/anthropic/models/${model}:${call.stream ? 'streamRawPredict' : 'rawPredict'}`, body, response: { mapError } };
      }
      case 'openai-chat': {
        // Vertex's OpenAI-compatible Chat Completions: one path for every model, which the body names
        // by publisher (`google/gemini-2.5-flash`). The answer is OpenAI's shape; errors come in Google's.
        const upstream = call.route.upstreamModel.includes('/') ? call.route.upstreamModel : `google/${call.route.upstreamModel}`;
        return { path: 'endpoints/openapi/chat/completions', body: Buffer.from(setProperty(call.body.toString('utf8'), ['model'], upstream)), response: { mapError } };
      }
      case 'anthropic-count-tokens': {
        // The model stays in the body here (Anthropic's Vertex SDK does the same).
        const text = call.body.toString('utf8');
        const insert = call.json.anthropic_version === undefined ? `"anthropic_version":${JSON.stringify(anthropicVersion)},` : '';
        const brace = text.indexOf('{');
        return { path: 'publishers/anthropic/models/count-tokens:rawPredict', body: Buffer.from(`${text.slice(0, brace + 1)}${insert}${text.slice(brace + 1)}`), response: { mapError } };
      }
      default:
        throw new GatewayError('not_found', `model "${call.route.model}" is not served on ${call.path} by provider ${provider.id}`);
    }
  }

  return {
    async prepare(call: UpstreamCall): Promise<UpstreamRequest> {
      const { path, body, response } = route(call);
      let credential = false;
      const headers = upstreamHeaders(call.rawHeaders, provider, body.length, call.grantHeaders, (out, caller) => {
        credential = usesProviderCredential(out, caller, provider);
      });
      if (response) delete headers['anthropic-version']; // in the body on Vertex
      if (credential) {
        if (tokens) {
          try {
            headers.authorization = `Bearer ${await tokens.token()}`;
          } catch (error) {
            throw new GatewayError('upstream_unreachable', `provider ${provider.id} could not get a Google access token (${(error as Error).message})`);
          }
        } else if (accountProblem) {
          throw new GatewayError('internal', `provider ${provider.id} has an unusable service-account key: ${accountProblem}`);
        } else if (provider.apikey) {
          setKeyHeader(headers, provider.authorization, provider.apikey); // Vertex Express: x-goog-api-key
        }
      }
      const scope = scopeOf(project ?? (adc && credential ? await askProject(adc) : undefined));
      return { origin, path: `${prefix}/v1/${scope}${path}`, headers, body, response };
    },

    retry: (status: number, _headers: ResponseHeaders, request: UpstreamRequest) => dropRefusedToken(tokens, status, request),
  };
}
