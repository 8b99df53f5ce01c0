import type { ServerResponse } from 'node:http';
import { anthropicMessages } from '../dialects/anthropic-messages/index.ts';
import { bedrockConverse, bedrockInvoke } from '../dialects/bedrock/index.ts';
import type { Endpoint } from '../dialects/dialect.ts';
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

/** `GET /v1/models` in Aperture's shape (aperture.md §4): one row per (provider, model). */
export function listModels(response: ServerResponse, catalog: Catalog, requestId: string, allowed: (entry: CatalogEntry) => boolean): void {
  const data = catalog.entries.filter(allowed).map(describe);
  sendJson(response, { object: 'list', data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null }, requestId);
}

/**
 * The row `GET /v1/models/{id}` answers with (the OpenAI and Anthropic SDKs' `models.retrieve`): that
 * model's at the provider a call to it would go to (the highest `preference` the caller may use; config
 * order breaks ties, as in routing), or the one `provider/model` names.
 */
export function findModel(catalog: Catalog, id: string, allowed: (entry: CatalogEntry) => boolean): CatalogEntry | undefined {
  const candidates = catalog.entries.filter((entry) => (entry.model === id || `${entry.provider.id}/${entry.model}` === id) && allowed(entry));
  return candidates.reduce<CatalogEntry | undefined>((best, next) => (!best || next.provider.preference > best.provider.preference ? next : best), undefined);
}

export function sendModel(response: ServerResponse, entry: CatalogEntry, requestId: string): void {
  sendJson(response, describe(entry), requestId);
}

function sendJson(response: ServerResponse, value: unknown, requestId: string): void {
  const body = JSON.stringify(value);
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId }).end(body);
}
