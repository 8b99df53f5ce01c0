import type { ServerResponse } from 'node:http';
import { anthropicMessages } from '../dialects/anthropic-messages/index.ts';
import { bedrockConverse, bedrockInvoke } from '../dialects/bedrock/index.ts';
import type { DialectId, Endpoint } from '../dialects/dialect.ts';
import { GatewayError } from '../dialects/gateway-error.ts';
import { geminiGenerate } from '../dialects/gemini/index.ts';
import { openaiChat, openaiEmbeddings } from '../dialects/openai-chat/index.ts';
import { openaiResponses } from '../dialects/openai-responses/index.ts';
import { vertexGenerate, vertexRawPredict } from '../dialects/vertex/index.ts';
import type { ModelPrice } from '../metering/price-table.ts';
import { servesEndpoint } from '../providers/registry.ts';
import type { Catalog, CatalogEntry } from '../routing/catalog.ts';

// What a row's `supported_endpoints` shows: each endpoint the provider answers (servesEndpoint).
const listed: [Endpoint, string][] = [
  [openaiChat, '/v1/chat/completions'],
  [openaiEmbeddings, '/v1/embeddings'],
  [openaiResponses, '/v1/responses'],
  [anthropicMessages, '/v1/messages'],
  [geminiGenerate, '/v1beta/models/{model}:generateContent'],
  [vertexGenerate, '/v1/projects/{project}/locations/{region}/publishers/google/models/{model}:generateContent'],
  [vertexRawPredict, '/v1/projects/{project}/locations/{region}/publishers/anthropic/models/{model}:rawPredict'],
  [bedrockInvoke, '/bedrock/model/{model}/invoke'],
  [bedrockConverse, '/bedrock/model/{model}/converse'],
];

/** Per-token USD as decimal strings, the way Aperture's `/v1/models` prints them. */
function pricing(price: ModelPrice, adjustment: number): Record<string, string> {
  // Base (short-context) rates; long-context tiers are applied per call.
  const perToken = (key: string) => {
    const value = price[key];
    const perMillion = typeof value === 'number' ? value : value?.base;
    return perMillion === undefined ? undefined : ((perMillion * adjustment) / 1_000_000).toFixed(12).replace(/\.?0+$/, '');
  };
  const fields: Record<string, string | undefined> = {
    input: perToken('input_mtok'),
    output: perToken('output_mtok'),
    input_cache_read: perToken('cache_read_mtok'),
    input_cache_write: perToken('cache_write_mtok'),
    input_cache_write_1h: perToken('cache_write_1h_mtok'),
  };
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function supportedEndpoints(provider: CatalogEntry['provider']): string[] {
  return listed.filter(([endpoint]) => servesEndpoint(provider, endpoint)).map(([, path]) => path);
}

function describe(entry: CatalogEntry) {
  const { provider, model, price } = entry;
  return {
    id: model,
    object: 'model',
    // Anthropic's model-list fields too, so `anthropic.models.list()` and Claude Code read the same list.
    type: 'model',
    display_name: model,
    created: 0,
    created_at: '1970-01-01T00:00:00Z',
    owned_by: provider.id,
    supported_endpoints: supportedEndpoints(provider),
    ...(price ? { pricing: pricing(price.price, price.adjustment) } : {}),
    metadata: {
      provider: {
        id: provider.id,
        name: provider.name,
        description: provider.description,
        requires_client_auth: provider.authMode === 'passthrough',
        upstream: price?.basis ?? 'custom',
      },
    },
  };
}

/**
 * A model-list request: `GET /v1/models[/{id}]`, and Gemini's `/v1beta/models[/{id}]`; not a Gemini
 * method path (`/v1/models/{model}:generateContent` is a call). `id` is still URL-encoded (an id
 * `provider/model` arrives as one encoded segment or as two).
 */
export function modelsPath(path: string): { id?: string } | undefined {
  const match = /^\/v1(?:beta)?\/models(?:\/([^:]+))?$/.exec(path);
  return match ? { id: match[1] } : undefined;
}

/**
 * Answers a model-list request with the models the caller may use: the list, or one model (the SDKs'
 * `models.retrieve` / `models.get`; `not_found` when the caller may use no such model). The caller's
 * API (`dialect`, from the path and headers) decides which and how: an Anthropic client sees the models
 * `/v1/messages` reaches (Aperture does the same for Claude Code), a Gemini client those a Gemini call
 * reaches, as Gemini's Model resources, one per model; others see all, in Aperture's rows (aperture.md
 * §4: one per provider and model, with OpenAI's and Anthropic's model fields).
 */
export function answerModels(response: ServerResponse, request: { id?: string; dialect: DialectId }, catalog: Catalog, allowed: (entry: CatalogEntry) => boolean, requestId: string): void {
  const reaches = callerEndpoint[request.dialect];
  const usable = (entry: CatalogEntry) => allowed(entry) && (!reaches || servesEndpoint(entry.provider, reaches));
  // One model's entry is the one a call to it would go to: the catalog's preference order.
  const preferred = (id: string) => catalog.named(id).find(usable);
  const gemini = request.dialect === 'gemini';
  if (request.id === undefined) {
    const listed = catalog.entries.filter(usable);
    if (gemini) return sendJson(response, { models: [...new Set(listed.map((entry) => entry.model))].map((model) => geminiModel(preferred(model)!)) }, requestId);
    const data = listed.map(describe);
    return sendJson(response, { object: 'list', data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null }, requestId);
  }
  const id = decodeId(request.id);
  const entry = preferred(id);
  if (!entry) throw new GatewayError('not_found', `model "${id}" is not available through this gateway`);
  sendJson(response, gemini ? geminiModel(entry) : describe(entry), requestId);
}

/** The one endpoint a client of that API can call, where there is one (OpenAI clients have several). */
const callerEndpoint: Partial<Record<DialectId, Endpoint>> = { anthropic: anthropicMessages, gemini: geminiGenerate };

/** Gemini's Model resource, with what the gateway knows of it. */
function geminiModel(entry: CatalogEntry) {
  return {
    name: `models/${entry.model}`,
    baseModelId: entry.model,
    version: '',
    displayName: entry.model,
    description: entry.provider.description ?? '',
    supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
  };
}

function decodeId(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new GatewayError('invalid_request', 'the model id in the path is not valid URL encoding');
  }
}

function sendJson(response: ServerResponse, value: unknown, requestId: string): void {
  const body = JSON.stringify(value);
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId }).end(body);
}
