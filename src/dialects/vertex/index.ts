import type { Endpoint } from '../dialect.ts';
import { createMessagesReader } from '../anthropic-messages/read-frames.ts';
import { geminiDialect } from '../gemini/errors.ts';
import { createGenerateContentReader } from '../gemini/read-frames.ts';
import { createUnmeteredReader } from '../../metering/unmetered-reader.ts';

// Vertex AI speaks two known wire formats on its own paths (providers.md §1.6): Gemini's
// GenerateContent (`publishers/google`) and Anthropic Messages (`publishers/anthropic`, rawPredict).
// The readers are those dialects'; errors take Google's shape, as Vertex's front end answers.

/** `…/publishers/google/models/{m}:generateContent` */
export const vertexGenerate: Endpoint = {
  id: 'vertex-generate',
  dialect: geminiDialect,
  compat: 'google_generate_content',
  stream: 'never',
  model: 'path',
  createReader: createGenerateContentReader,
};

/** `:streamGenerateContent` (SSE with `?alt=sse`, else a JSON array). */
export const vertexStream: Endpoint = { ...vertexGenerate, id: 'vertex-stream', stream: 'always' };

/** `:countTokens`: free. */
export const vertexCountTokens: Endpoint = { ...vertexGenerate, id: 'vertex-count-tokens', createReader: createUnmeteredReader };

/** `…/publishers/anthropic/models/{m}:rawPredict`: a Messages body without `model`. */
export const vertexRawPredict: Endpoint = {
  id: 'vertex-raw-predict',
  dialect: geminiDialect,
  compat: 'google_raw_predict',
  stream: 'body-field',
  model: 'path',
  createReader: createMessagesReader,
};

/** `:streamRawPredict`: plain Anthropic SSE. */
export const vertexStreamRawPredict: Endpoint = { ...vertexRawPredict, id: 'vertex-stream-raw-predict', stream: 'always' };

/** `…/publishers/anthropic/models/count-tokens:rawPredict`: the model is in the body; free. */
export const vertexAnthropicCountTokens: Endpoint = {
  ...vertexRawPredict,
  id: 'vertex-anthropic-count-tokens',
  stream: 'never',
  model: 'body-field',
  createReader: createUnmeteredReader,
};
