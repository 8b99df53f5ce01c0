import type { ServerResponse } from 'node:http';
import type { CompatFlag } from '../dialects/dialect.ts';
import type { ModelPrice } from '../metering/price-table.ts';
import type { Catalog, CatalogEntry } from '../routing/catalog.ts';

const endpointsByFlag: [CompatFlag, string[]][] = [
  ['openai_chat', ['/v1/chat/completions', '/v1/embeddings']],
  ['openai_responses', ['/v1/responses']],
  ['anthropic_messages', ['/v1/messages']],
  ['gemini_generate_content', ['/v1beta/models/{model}:generateContent']],
  ['google_generate_content', ['/v1/projects/{project}/locations/{region}/publishers/google/models/{model}:generateContent']],
  ['google_raw_predict', ['/v1/projects/{project}/locations/{region}/publishers/anthropic/models/{model}:rawPredict']],
  ['bedrock_model_invoke', ['/bedrock/model/{model}/invoke']],
  ['bedrock_converse', ['/bedrock/model/{model}/converse']],
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

// Bedrock and Vertex answer OpenAI callers on Chat Completions only (their adapters), whatever other
// OpenAI flag is on.
const chatOnly = new Set(['bedrock', 'vertex']);
const otherOpenAiPaths = new Set(['/v1/embeddings', '/v1/responses']);

function supportedEndpoints(provider: CatalogEntry['provider']): string[] {
  const paths = endpointsByFlag.filter(([flag]) => provider.compatibility[flag]).flatMap(([, list]) => list);
  return chatOnly.has(provider.type) ? paths.filter((path) => !otherOpenAiPaths.has(path)) : paths;
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
  const body = JSON.stringify({ object: 'list', data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId }).end(body);
}
