import type { Endpoint } from '../dialects/dialect.ts';
import { anthropicCountTokens, anthropicMessages } from '../dialects/anthropic-messages/index.ts';
import { geminiCountTokens, geminiGenerate, geminiStream } from '../dialects/gemini/index.ts';
import { openaiChat, openaiEmbeddings } from '../dialects/openai-chat/index.ts';
import { openaiResponses } from '../dialects/openai-responses/index.ts';

/** A POST path the data plane serves, and the model named in it (Gemini puts it in the path). */
export type Ingress = { endpoint: Endpoint; pathModel?: string };

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

// `/v1beta/models/{model}:{method}`; @google/genai 3.x defaults to `/v1/models/…`.
const geminiPath = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):([A-Za-z]+)$/;

export function matchIngress(path: string): Ingress | undefined {
  const endpoint = exact.get(path);
  if (endpoint) return { endpoint };
  const gemini = geminiPath.exec(path);
  if (!gemini) return undefined;
  const method = geminiMethods.get(gemini[2]);
  return method && { endpoint: method, pathModel: decodeURIComponent(gemini[1]) };
}

/** The same path with the model segment replaced (for `provider/model` names on Gemini paths). */
export function replacePathModel(path: string, model: string): string {
  return path.replace(geminiPath, (_whole, _model, method: string) => `${path.slice(0, path.indexOf('/models/'))}/models/${encodeURIComponent(model)}:${method}`);
}
