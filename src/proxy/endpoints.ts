import type { Endpoint } from '../dialects/dialect.ts';
import { anthropicCountTokens, anthropicMessages } from '../dialects/anthropic-messages/index.ts';
import { bedrockConverse, bedrockConverseStream, bedrockCountTokens, bedrockInvoke, bedrockInvokeStream } from '../dialects/bedrock/index.ts';
import { geminiCountTokens, geminiGenerate, geminiStream } from '../dialects/gemini/index.ts';
import { openaiChat, openaiEmbeddings } from '../dialects/openai-chat/index.ts';
import { openaiResponses } from '../dialects/openai-responses/index.ts';
import { vertexAnthropicCountTokens, vertexCountTokens, vertexGenerate, vertexRawPredict, vertexStream, vertexStreamRawPredict } from '../dialects/vertex/index.ts';

/**
 * A POST path the data plane serves. When the model is named in the path (Gemini, Vertex, Bedrock)
 * `pathModel` is it, decoded, and `modelAt` is where its encoded form sits in the path.
 */
export type Ingress = { endpoint: Endpoint; pathModel?: string; modelAt?: readonly [number, number] };

const exact = new Map<string, Endpoint>([
  ['/v1/chat/completions', openaiChat],
  ['/v1/responses', openaiResponses],
  ['/v1/embeddings', openaiEmbeddings],
  ['/v1/messages', anthropicMessages],
  ['/v1/messages/count_tokens', anthropicCountTokens],
]);

const geminiMethods = new Map<string, Endpoint>([
  ['generateContent', geminiGenerate],
  ['streamGenerateContent', geminiStream],
  ['countTokens', geminiCountTokens],
]);

const bedrockOperations = new Map<string, Endpoint>([
  ['invoke', bedrockInvoke],
  ['invoke-with-response-stream', bedrockInvokeStream],
  ['converse', bedrockConverse],
  ['converse-stream', bedrockConverseStream],
  ['count-tokens', bedrockCountTokens],
]);

const vertexGoogleMethods = new Map<string, Endpoint>([
  ['generateContent', vertexGenerate],
  ['streamGenerateContent', vertexStream],
  ['countTokens', vertexCountTokens],
]);

const vertexAnthropicMethods = new Map<string, Endpoint>([
  ['rawPredict', vertexRawPredict],
  ['streamRawPredict', vertexStreamRawPredict],
]);

// `/v1beta/models/{model}:{method}`; @google/genai 3.x defaults to `/v1/models/…`.
const geminiPath = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):([A-Za-z]+)$/d;
// `/bedrock/model/{modelId}/{operation}`, and `/model/…` for clients whose base URL is the gateway itself.
const bedrockPath = /^(?:\/bedrock)?\/model\/([^/]+)\/([a-z-]+)$/d;
// `/v1/projects/{p}/locations/{r}/publishers/{google|anthropic}/models/{m}:{method}` (aperture.md §4),
// `/v1beta1/…` (@google/genai's Vertex default) and the short `/v1/publishers/…` form (Vertex Express,
// genai with a custom base URL). The project and region are the provider's, whatever the client sent.
const vertexPath = /^\/v1(?:beta1)?\/(?:projects\/[^/]+\/locations\/[^/]+\/)?publishers\/(google|anthropic)\/models\/([^/:]+):([A-Za-z]+)$/d;

function withModel(endpoint: Endpoint, path: string, match: RegExpExecArray, group: number): Ingress {
  const encoded = match[group];
  const [start, end] = match.indices![group]!;
  let pathModel: string;
  try {
    pathModel = decodeURIComponent(encoded);
  } catch {
    pathModel = encoded;
  }
  return { endpoint, pathModel, modelAt: [start, end] };
}

export function matchIngress(path: string): Ingress | undefined {
  const endpoint = exact.get(path);
  if (endpoint) return { endpoint };
  const gemini = geminiPath.exec(path);
  if (gemini) {
    const method = geminiMethods.get(gemini[2]);
    return method && withModel(method, path, gemini, 1);
  }
  const bedrock = bedrockPath.exec(path);
  if (bedrock) {
    const operation = bedrockOperations.get(bedrock[2]);
    return operation && withModel(operation, path, bedrock, 1);
  }
  const vertex = vertexPath.exec(path);
  if (vertex) {
    if (vertex[1] === 'google') {
      const method = vertexGoogleMethods.get(vertex[3]);
      return method && withModel(method, path, vertex, 2);
    }
    // Anthropic token counting names no model in the path: `…/models/count-tokens:rawPredict`.
    if (vertex[2] === 'count-tokens' && vertex[3] === 'rawPredict') return { endpoint: vertexAnthropicCountTokens };
    const method = vertexAnthropicMethods.get(vertex[3]);
    return method && withModel(method, path, vertex, 2);
  }
  return undefined;
}

/** The same path with the model segment replaced (for `provider/model` names and mapped upstream ids). */
export function replacePathModel(ingress: Ingress, path: string, model: string): string {
  if (!ingress.modelAt) return path;
  const [start, end] = ingress.modelAt;
  return `${path.slice(0, start)}${encodeURIComponent(model)}${path.slice(end)}`;
}
